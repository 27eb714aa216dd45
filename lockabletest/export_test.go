package lockabletest

import "io"

// WithEnvironment makes Require read the LOCKABLE_* variables through
// getenv for a package in dir, instead of the process's, once per option.
func WithEnvironment(getenv func(string) string, dir string) Option {
	return withEnvironment(loadEnvironment(getenv, dir))
}

// SetOutput sets where Main reports on f.
func (f *Fleet) SetOutput(w io.Writer) { f.out = w }
