// Package redact keeps credentials out of what lockable prints: errors,
// log lines and status. A Redactor knows the secrets of one
// configuration (the user and password of a URL, a bearer token, a Basic
// auth pair) in every form they may take in text (as given, percent-
// encoded, base64 in an Authorization header) and blanks each of them.
package redact

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces every secret.
const Mask = "xxxxx"

// minLen is the shortest secret blanked wherever it appears: shorter
// ones would blank letters of ordinary words. URL shows a URL's user and
// password as Mask whatever their length.
const minLen = 4

// Redactor blanks known secrets in text. The zero Redactor and a nil
// *Redactor blank nothing. It is immutable once built.
type Redactor struct {
	secrets []string // longest first, so that no secret is half blanked
}

// New returns a Redactor for secrets, each in every form it may take.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		r.add(s)
	}
	return r.sorted()
}

// With returns a Redactor that also blanks the secrets of other.
func (r *Redactor) With(other *Redactor) *Redactor {
	out := &Redactor{}
	if r != nil {
		out.secrets = slices.Clone(r.secrets)
	}
	if other != nil {
		for _, s := range other.secrets {
			out.add(s)
		}
	}
	return out.sorted()
}

// ForURL returns a Redactor for the credentials in rawURL: the password,
// plain and encoded, and the Basic auth value it makes with the user. A
// user without a password is taken for a token (https://TOKEN@host) and
// blanked too; a user with a password is a name, which may also be part
// of the host's, and is left. It also blanks the values of query
// parameters that carry credentials (token=, key=, password=,
// signature= and the like).
func ForURL(rawURL string) *Redactor {
	r := &Redactor{}
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		user := u.User.Username()
		pass, hasPass := u.User.Password()
		if !hasPass {
			r.add(user)
		}
		r.add(pass)
		r.addBasic(user, pass)
		if at := strings.LastIndex(rawURL, "@"); at >= 0 {
			if start := strings.Index(rawURL, "//"); start >= 0 && start < at {
				r.add(rawURL[start+2 : at]) // the userinfo as written
			}
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		for key, values := range u.Query() {
			if credentialParam.MatchString(key) {
				for _, v := range values {
					r.add(v)
				}
			}
		}
	}
	return r.sorted()
}

// Basic returns a Redactor for a Basic auth user and password.
func Basic(user, password string) *Redactor {
	r := &Redactor{}
	r.add(password)
	r.addBasic(user, password)
	return r.sorted()
}

// credentialParam matches the names of query parameters whose values are
// credentials.
var credentialParam = regexp.MustCompile(`(?i)(token|key|secret|passw(or)?d|pwd|signature|sig|credential|auth)`)

func (r *Redactor) add(s string) {
	for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s), (&url.URL{User: url.User(s)}).User.String()} {
		if len(form) >= minLen && !slices.Contains(r.secrets, form) {
			r.secrets = append(r.secrets, form)
		}
	}
}

// addBasic adds the Authorization value that user and password make.
func (r *Redactor) addBasic(user, password string) {
	pair := []byte(user + ":" + password)
	r.add(user + ":" + password)
	r.add(base64.StdEncoding.EncodeToString(pair))
	r.add(base64.URLEncoding.EncodeToString(pair))
	r.add(base64.RawStdEncoding.EncodeToString(pair))
}

func (r *Redactor) sorted() *Redactor {
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	return r
}

// String returns s with every secret replaced by Mask.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Mask)
	}
	return s
}

// MaxLen returns the length of the longest secret, in bytes.
func (r *Redactor) MaxLen() int {
	if r.Empty() {
		return 0
	}
	return len(r.secrets[0])
}

// Empty reports whether r knows no secret.
func (r *Redactor) Empty() bool { return r == nil || len(r.secrets) == 0 }

// Error returns err with its message redacted; errors.Is and errors.As
// still see the original chain. A nil err stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil || r.Empty() {
		return err
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// URL returns rawURL fit to show: its user and password, whatever their
// length, and the values of credential query parameters are Mask. Text
// that does not parse as a URL is returned with what looks like a
// userinfo (before an @ after //) masked.
func URL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return maskUserinfo(rawURL)
	}
	if u.User != nil {
		u.User = url.User(Mask)
	}
	if q := u.Query(); len(q) > 0 {
		changed := false
		for key, values := range q {
			if credentialParam.MatchString(key) {
				for i := range values {
					values[i] = Mask
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

func maskUserinfo(s string) string {
	start := strings.Index(s, "//")
	if start < 0 {
		return s
	}
	at := strings.LastIndex(s, "@")
	if at < start {
		return s
	}
	return s[:start+2] + Mask + s[at:]
}
