package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// errorLines is the library's log as the command line shows it: what it
// logs as an error (a resource that failed its health check and could not
// be put in maintenance) becomes one of lockable's own lines on stderr;
// the rest is dropped.
type errorLines struct {
	c     *cli
	attrs []slog.Attr
}

func (h errorLines) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h errorLines) Handle(_ context.Context, r slog.Record) error {
	var parts []string
	add := func(a slog.Attr) bool {
		parts = append(parts, fmt.Sprintf("%s=%v", a.Key, a.Value))
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	line := r.Message
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	h.c.say("%s", line)
	return nil
}

func (h errorLines) WithAttrs(attrs []slog.Attr) slog.Handler {
	h.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)
	return h
}

func (h errorLines) WithGroup(string) slog.Handler { return h }
