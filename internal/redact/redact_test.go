package redact

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLMasksUserinfoAndCredentialParameters(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://alice:s3cret@lab.example/res.json", "https://xxxxx@lab.example/res.json"},
		{"https://ghp_TOKEN123@lab.example/res.json", "https://xxxxx@lab.example/res.json"},
		{"https://lab.example/res.json?private_token=abc&x=1", "https://lab.example/res.json?private_token=xxxxx&x=1"},
		{"etcd://root:pw@h1:2379,h2:2379/lab?ttl=10s", "etcd://xxxxx@h1:2379,h2:2379/lab?ttl=10s"},
		{"https://lab.example/res.json", "https://lab.example/res.json"},
		{"http://u:p@%zz/not a url", "http://xxxxx@%zz/not a url"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, URL(tt.in), tt.in)
	}
}

func TestForURLBlanksEveryFormOfThePassword(t *testing.T) {
	const pass = "p@ss:w/rd+1"
	raw := "https://alice:" + url.QueryEscape(pass) + "@lab.example/res.json"
	r := ForURL(raw)
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + pass))
	for _, leak := range []string{
		pass,
		url.QueryEscape(pass),
		url.PathEscape(pass),
		basic,
		"Authorization: Basic " + basic,
		raw,
	} {
		got := r.String("server said: " + leak + " (end)")
		assert.NotContains(t, got, pass, leak)
		assert.NotContains(t, got, url.QueryEscape(pass), leak)
		assert.NotContains(t, got, basic, leak)
		assert.Contains(t, got, Mask, leak)
	}
	assert.Equal(t, "lab.example says hello alice", r.String("lab.example says hello alice"),
		"a user with a password is a name, left as it is")
}

func TestForURLTakesAUserAloneForAToken(t *testing.T) {
	r := ForURL("https://ghp_TOKEN123@lab.example/res.json")
	assert.Equal(t, "bad credentials xxxxx", r.String("bad credentials ghp_TOKEN123"))
}

func TestShortSecretsAreLeftInProse(t *testing.T) {
	r := New("ab")
	assert.Equal(t, "about", r.String("about"), "a 2-byte secret would blank letters of words")
	assert.True(t, r.Empty())
}

func TestErrorKeepsTheChain(t *testing.T) {
	r := New("hunter22")
	err := r.Error(&fs.PathError{Op: "open", Path: "hunter22.json", Err: fs.ErrNotExist})
	assert.Equal(t, "open xxxxx.json: file does not exist", err.Error())
	assert.ErrorIs(t, err, fs.ErrNotExist)
	var pe *fs.PathError
	assert.ErrorAs(t, err, &pe)

	plain := errors.New("nothing secret")
	assert.Same(t, plain, r.Error(plain), "an error without secrets is returned as it is")
	assert.NoError(t, r.Error(nil))
	var none *Redactor
	assert.Equal(t, "hunter22", none.String("hunter22"))
}

func TestWithJoinsRedactors(t *testing.T) {
	r := New("first-secret").With(Basic("bob", "second-secret"))
	assert.Equal(t, "xxxxx and xxxxx", r.String("first-secret and second-secret"))
	assert.Equal(t, "xxxxx", r.String(base64.StdEncoding.EncodeToString([]byte("bob:second-secret"))))
}
