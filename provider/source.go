package provider

import (
	"context"
	"strings"
)

// Source gives the current resources list.
//
// Resources returns the validated list, a *ValidationError (ErrInvalid) when
// the list is not valid, an error wrapping ErrUnavailable when it cannot be
// read, or the context's error when ctx ends first. When nothing changed
// since the previous call it returns the very same slice as before, so
// callers may compare slices by identity to reuse work; the slice is shared
// and must be treated as read-only.
//
// The sources of this package are safe for concurrent use.
type Source interface {
	Resources(ctx context.Context) ([]Resource, error)
}

// Open returns the source that source names: an HTTP source for a URL that
// starts with http:// or https:// (any case), otherwise a file. A file
// takes the options that every source takes (Option); the others are for
// an HTTP source only, and a file ignores them.
func Open(source string, opts ...HTTPOption) Source {
	if isURL(source) {
		return HTTP(source, opts...)
	}
	var fileOpts []Option
	for _, o := range opts {
		if fo, ok := o.(Option); ok {
			fileOpts = append(fileOpts, fo)
		}
	}
	return File(source, fileOpts...)
}

// isURL reports whether source is an http or https URL.
func isURL(source string) bool {
	lower := strings.ToLower(source)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}
