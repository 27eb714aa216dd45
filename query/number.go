package query

import (
	"cmp"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// exactFloat is 2^53: below it every integer is exact in a float64.
const exactFloat = 1 << 53

// compareNumbers orders two JSON numbers by value. A number written as a
// plain integer ("9007199254740993") is that integer exactly, whatever its
// size; any other spelling ("1.5", "1e3") is the float64 it denotes. So 1
// and 1.0 are equal, and integers beyond float64's exact range still compare
// exactly.
func compareNumbers(a, b gjson.Result) int {
	switch {
	case a.Num < b.Num:
		return -1
	case a.Num > b.Num:
		return 1
	case math.Abs(a.Num) < exactFloat:
		return 0
	}
	// The floats tie where they may have rounded: compare the exact values.
	// (Rounding is monotonic, so floats that differ already ordered right.)
	aInt, bInt := isIntegerText(a.Raw), isIntegerText(b.Raw)
	switch {
	case aInt && bInt:
		return compareIntegerTexts(a.Raw, b.Raw)
	case aInt:
		return compareIntegerFloat(a.Raw, b.Num)
	case bInt:
		return -compareIntegerFloat(b.Raw, a.Num)
	}
	return 0
}

// isIntegerText reports a number written as an optional minus and digits.
func isIntegerText(raw string) bool {
	if raw != "" && raw[0] == '-' {
		raw = raw[1:]
	}
	if raw == "" {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if !isDigit(raw[i]) {
			return false
		}
	}
	return true
}

// compareIntegerTexts compares two integers written in decimal, of any size.
func compareIntegerTexts(a, b string) int {
	negA, magA := splitSign(a)
	negB, magB := splitSign(b)
	if negA != negB {
		if negA {
			return -1
		}
		return 1
	}
	c := compareMagnitudes(magA, magB)
	if negA {
		return -c
	}
	return c
}

// splitSign returns the sign and the digits without leading zeros; zero
// (also "-0") is not negative.
func splitSign(s string) (neg bool, mag string) {
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if s == "0" {
		neg = false
	}
	return neg, s
}

// compareMagnitudes orders two digit strings without leading zeros.
func compareMagnitudes(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

func cmp3(less bool) int {
	if less {
		return -1
	}
	return 1
}

// compareIntegerFloat compares an integer text with a float64 whose
// magnitude is at least 2^53 (so it is an integer) or infinite.
func compareIntegerFloat(intText string, f float64) int {
	if math.IsInf(f, 0) {
		return cmp3(f > 0)
	}
	var buf [400]byte
	exact := strconv.AppendFloat(buf[:0], f, 'f', 0, 64)
	return compareIntegerTexts(intText, string(exact))
}

// intText returns the int64 value of a plain integer text; ok is false when
// the text is not one or does not fit.
func intText(raw string) (n int64, ok bool) {
	if !isIntegerText(raw) {
		return 0, false
	}
	neg, mag := splitSign(raw)
	var u uint64
	for i := 0; i < len(mag); i++ {
		d := uint64(mag[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	return signedFits(u, neg)
}

func signedFits(u uint64, neg bool) (int64, bool) {
	switch {
	case neg && u <= 1<<63:
		return int64(-u), true // -(1<<63) wraps to math.MinInt64, as wanted
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}

// truncInt returns a number's value truncated toward zero as an int64, as
// $mod uses it; ok is false when it is out of int64's range.
func truncInt(v gjson.Result) (int64, bool) {
	if n, ok := intText(v.Raw); ok {
		return n, true
	}
	t := math.Trunc(v.Num)
	if t < -(1<<63) || t >= 1<<63 || math.IsNaN(t) {
		return 0, false
	}
	return int64(t), true
}

// numberType returns the BSON type a JSON number is given when imported
// (as mongoimport does): an integer text that fits 32 bits is an int, one
// that fits 64 bits a long, anything else a double.
func numberType(raw string) bsonType {
	n, ok := intText(raw)
	switch {
	case !ok:
		return typeDouble
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return typeInt
	}
	return typeLong
}
