package duration

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	good := map[string]time.Duration{
		"0":        0,
		"30":       30 * time.Second,
		"0.5":      500 * time.Millisecond,
		" 2 ":      2 * time.Second,
		"90s":      90 * time.Second,
		"1m30s":    90 * time.Second,
		"250ms":    250 * time.Millisecond,
		"1.5h":     90 * time.Minute,
		"10µs":     10 * time.Microsecond,
		"0s":       0,
		"9223372s": 9223372 * time.Second,
	}
	for in, want := range good {
		got, err := Parse(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	bad := map[string]string{
		"":                     "is empty",
		"-1":                   "is negative",
		"-5s":                  "is negative",
		"NaN":                  ErrSyntax.Error(),
		"nan":                  ErrSyntax.Error(),
		"Inf":                  ErrSyntax.Error(),
		"+Inf":                 ErrSyntax.Error(),
		"1_000":                ErrSyntax.Error(),
		"1e3":                  ErrSyntax.Error(),
		"0x10":                 ErrSyntax.Error(),
		"+5":                   ErrSyntax.Error(),
		".5":                   ErrSyntax.Error(),
		"5.":                   ErrSyntax.Error(),
		"5.s":                  ErrSyntax.Error(),
		"5 s":                  ErrSyntax.Error(),
		"s":                    ErrSyntax.Error(),
		"5d":                   ErrSyntax.Error(),
		"1h2":                  ErrSyntax.Error(),
		"99999999999999999999": "is out of range",
		"9223372037":           "is out of range",
		"3000000h":             "is out of range",
	}
	for in, want := range bad {
		_, err := Parse(in)
		require.Error(t, err, in)
		assert.Equal(t, want, err.Error(), in)
	}
}

// FuzzParse checks that Parse never panics, accepts only text that it
// reads back to the same duration, and never returns a negative one.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "30", "0.5", "90s", "1m30s", "NaN", "1_000", "-1", "1e3", "9223372037", "5.s", "10µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("Parse(%q) = %v, negative", s, d)
		}
		if again, err := Parse(d.String()); err != nil || again != d {
			t.Fatalf("Parse(%q) = %v, whose String %q reads back as %v, %v", s, d, d.String(), again, err)
		}
		if secs, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(secs) && isSeconds(s) {
			if want := time.Duration(secs * float64(time.Second)); d != want {
				t.Fatalf("Parse(%q) = %v, want %v", s, d, want)
			}
		}
	})
}
