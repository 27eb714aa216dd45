package lockabletest

import (
	"io"
	"time"
)

// WithEnvironment makes Require read the LOCKABLE_* variables through
// getenv for a package in dir, instead of the process's, once per option.
func WithEnvironment(getenv func(string) string, dir string) Option {
	return withEnvironment(loadEnvironment(getenv, dir))
}

// SetOutput sets where Main reports on f.
func (f *Fleet) SetOutput(w io.Writer) { f.out = w }

// Watch calls lost when ch is closed, until stop is called, as Require's
// watch of a lock that can be lost does.
func Watch(ch <-chan struct{}, lost func()) (stop func()) { return watch(ch, lost) }

// IsUnavailable reports whether the policy may skip a test for err.
func IsUnavailable(err error) bool { return isUnavailable(err) }

// WithWaitLogEvery sets how often a waiting test says it still waits.
func WithWaitLogEvery(d time.Duration) Option {
	return optionFunc(func(o *options) { o.logEvery = d })
}
