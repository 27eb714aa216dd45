package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"main module tagged", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, "v1.2.3"},
		{"main module devel", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "devel"},
		{"as a dependency", debug.BuildInfo{
			Main: debug.Module{Path: "example.com/lab", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "github.com/other/x", Version: "v9.9.9"}, {Path: modulePath, Version: "v0.4.0"}},
		}, "v0.4.0"},
		{"not found", debug.BuildInfo{Main: debug.Module{Path: "example.com/lab", Version: "v2.0.0"}}, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fromBuildInfo(&tt.info))
		})
	}
}

func TestStringIsNeverEmpty(t *testing.T) {
	assert.NotEmpty(t, String())
}
