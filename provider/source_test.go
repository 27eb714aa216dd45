package provider

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOpen(t *testing.T) {
	tests := []struct {
		source string
		http   bool
	}{
		{"http://lab/res.json", true},
		{"https://lab/res.json", true},
		{"HTTPS://lab/res.json", true},
		{"res.json", false},
		{"/etc/lab/res.json", false},
		{"httpfiles/res.json", false},
	}
	for _, tt := range tests {
		src := Open(tt.source)
		_, isHTTP := src.(*HTTPSource)
		_, isFile := src.(*FileSource)
		assert.Equal(t, tt.http, isHTTP, tt.source)
		assert.Equal(t, !tt.http, isFile, tt.source)
	}
}

func TestSourcesImplementSource(t *testing.T) {
	var _ Source = (*FileSource)(nil)
	var _ Source = (*ListSource)(nil)
	var _ Source = (*HTTPSource)(nil)
}
