package provider

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-lockable/lockable/internal/redact"
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
	// Read past the excerpt by the longest secret, so that one cut at its
	// end is still recognised and blanked.
	buf := make([]byte, excerptBytes+s.secrets.MaxLen()+1)
	n, _ := io.ReadFull(body, buf)
	text := s.secrets.String(string(buf[:n]))
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

// secrets are the credentials the options give, which must never be
// shown.
func (c *httpConfig) secrets() *redact.Redactor {
	r := redact.New(c.token)
	if c.basic {
		r = r.With(redact.Basic(c.user, c.password))
	}
	return r
}
