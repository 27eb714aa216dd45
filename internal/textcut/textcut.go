// Package textcut shortens text for messages without splitting a UTF-8
// character.
package textcut

import "unicode/utf8"

// Prefix is s cut to at most n bytes, at the start of a character.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Shorten is s when it has at most n bytes, else its Prefix of n bytes
// followed by mark ("...").
func Shorten(s string, n int, mark string) string {
	if len(s) <= n {
		return s
	}
	return Prefix(s, n) + mark
}
