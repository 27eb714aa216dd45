package provider

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"
)

// excerptBytes is how much of an error body goes into the error.
const excerptBytes = 200

// statusError describes a failed status with the start of the body and,
// for the usual mistakes, what to check.
func (s *HTTPSource) statusError(resp *http.Response) error {
	msg := resp.Status
	if hint := statusHint(resp.StatusCode); hint != "" {
		msg += " (" + hint + ")"
	}
	if body := s.excerpt(resp.Body); body != "" {
		msg += ": " + body
	}
	return errors.New(msg)
}

// statusHint says what to check for a status, or "".
func statusHint(code int) string {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "check the credentials"
	case http.StatusNotFound, http.StatusGone:
		return "check the URL"
	}
	return ""
}

// excerpt reads the start of a body as one short, printable line, with
// credentials blanked out in case the server echoes them.
func (s *HTTPSource) excerpt(body io.Reader) string {
	secrets := s.cfg.secrets()
	extra := 0
	for _, secret := range secrets {
		extra += len(secret)
	}
	buf := make([]byte, excerptBytes+extra+1)
	n, _ := io.ReadFull(body, buf)
	text := string(buf[:n])
	for _, secret := range secrets {
		text = strings.ReplaceAll(text, secret, "[redacted]")
	}
	cut := len(text) > excerptBytes
	if cut {
		text = text[:excerptBytes]
	}
	text = strings.Join(strings.FieldsFunc(strings.ToValidUTF8(text, "\uFFFD"), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if cut && text != "" {
		text += "…"
	}
	return text
}

// secrets lists the credentials that must never be shown.
func (c *httpConfig) secrets() []string {
	var out []string
	if c.token != "" {
		out = append(out, c.token)
	}
	if c.basic && c.password != "" {
		out = append(out, c.password, base64.StdEncoding.EncodeToString([]byte(c.user+":"+c.password)))
	}
	return out
}
