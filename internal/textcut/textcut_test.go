package textcut

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPrefixCutsBeforeACharacter(t *testing.T) {
	assert.Equal(t, "abc", Prefix("abc", 5))
	assert.Equal(t, "ab", Prefix("abc", 2))
	assert.Equal(t, "a", Prefix("aé", 2), "é is two bytes: not split")
	assert.Equal(t, "aé", Prefix("aéb", 3))
	assert.Empty(t, Prefix("é", 1))
}

func TestShortenMarksWhatItCut(t *testing.T) {
	assert.Equal(t, "abc", Shorten("abc", 3, "..."))
	assert.Equal(t, "ab...", Shorten("abcd", 2, "..."))
	assert.Equal(t, "a…", Shorten("aéb", 2, "…"))
}
