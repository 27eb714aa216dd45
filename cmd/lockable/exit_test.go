package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
)

func TestExitCode(t *testing.T) {
	timeout := fmt.Errorf("wrapped: %w", &core.TimeoutError{Err: context.DeadlineExceeded})
	invalid := fmt.Errorf("load resources: %w", &provider.ValidationError{Source: "r.json"})
	for _, tc := range []struct {
		err  error
		want int
	}{
		{usagef("bad"), exitUsage},
		{fmt.Errorf("open: %w", core.ErrUnknownBackend), exitFailure},
		{timeout, exitTimeout},
		{invalid, exitFailure},
		{&core.NotFoundError{}, exitFailure},
		{errors.New("anything"), exitFailure},
		{withCode(exitNotFound, errors.New("no such program")), exitNotFound},
		{interrupted(syscall.SIGINT), 130},
		{interrupted(syscall.SIGTERM), 143},
	} {
		assert.Equal(t, tc.want, exitCode(tc.err), "%v", tc.err)
	}
}

func TestReportIsOneLine(t *testing.T) {
	ve := &provider.ValidationError{Source: "r.json", Problems: []provider.Problem{
		{Index: 1, Line: 3, Column: 3, Message: `duplicate id "a"`},
		{Index: 2, Line: 4, Column: 3, Message: `no "id"`},
	}, Omitted: 1}
	var b bytes.Buffer
	c := &cli{stderr: &b}
	code := c.report(fmt.Errorf("load resources: %w", ve))
	assert.Equal(t, exitFailure, code)
	assert.Equal(t, "lockable: load resources: r.json:3:3: [1]: duplicate id \"a\" (and 2 more problems: run lockable validate)\n", b.String())

	b.Reset()
	c.report(errors.New("one\ntwo"))
	assert.Equal(t, "lockable: one; two\n", b.String())
}

func TestReportBlanksKnownCredentials(t *testing.T) {
	var b bytes.Buffer
	c := &cli{stderr: &b, secrets: redact.ForURL("https://ci:hunter2hunter2@lab/res.json")}
	c.report(errors.New("the server said: wrong password hunter2hunter2"))
	assert.Equal(t, "lockable: the server said: wrong password xxxxx\n", b.String())
}

func TestExitCodesAreDistinct(t *testing.T) {
	codes := []int{exitOK, exitUsage, exitLost, exitMaxHold, exitTimeout, exitFailure, exitCannotRun, exitNotFound}
	seen := map[int]bool{}
	for _, c := range codes {
		assert.False(t, seen[c], "code %d twice", c)
		seen[c] = true
		assert.Less(t, c, exitSignal, "lockable's own codes stay below 128+N")
	}
}
