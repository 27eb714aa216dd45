package query

import (
	"strings"
)

// parseShort compiles the short form "a=b&c=true&net.ip=10.0.0.1": each
// part is a condition that the field (a dotted path reaches into nested
// objects) equals the value, a string, or a bool for true or false in any
// case. Keys and values are taken as written: no trimming, no decoding.
func parseShort(s string) ([]clause, error) {
	text := []byte{'{'}
	var keys keySet
	for i, part := range strings.Split(s, "&") {
		key, value, err := shortPart(part)
		if err != nil {
			return nil, err
		}
		if keys.repeated(key) {
			return nil, errorf(part, "", "field given twice: give each field once")
		}
		if i > 0 {
			text = append(text, ',')
		}
		text = appendString(text, key)
		text = append(text, ':')
		text = appendShortValue(text, value)
	}
	text = append(text, '}')
	return compiler{ordered: true}.document(string(text), "")
}

// shortPart splits one key=value part and checks it.
func shortPart(part string) (key, value string, err error) {
	key, value, found := strings.Cut(part, "=")
	switch {
	case !found:
		return "", "", errorf(part, "", "not key=value (join conditions with &)")
	case key == "":
		return "", "", errorf(part, "", "empty key")
	case value == "":
		return "", "", errorf(part, "", "empty value (to match a missing or null field use the JSON form, {\"field\": null})")
	case strings.HasPrefix(key, "$"):
		return "", "", errorf(part, "", "keys are field names: for operators use the JSON form")
	}
	if _, reason := parsePath(key); reason != "" {
		return "", "", errorf(part, "", reason)
	}
	return key, value, nil
}

func appendShortValue(dst []byte, value string) []byte {
	switch {
	case strings.EqualFold(value, "true"):
		return append(dst, "true"...)
	case strings.EqualFold(value, "false"):
		return append(dst, "false"...)
	}
	return appendString(dst, value)
}
