package lockbackend

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenFindsTheRegisteredScheme(t *testing.T) {
	var got *url.URL
	Register("test-open", func(_ context.Context, u *url.URL, _ *slog.Logger) (Backend, error) {
		got = u
		return nil, errors.New("opened")
	})
	_, err := Open(t.Context(), "test-open://h1:1,h2:2/lab?ttl=2s", slog.New(slog.DiscardHandler))
	require.EqualError(t, err, "opened")
	require.NotNil(t, got)
	assert.Equal(t, "h1:1,h2:2", got.Host)
	assert.Equal(t, "/lab", got.Path)

	_, err = Open(t.Context(), "nothing-here://h", nil)
	require.ErrorIs(t, err, ErrUnknown)
	assert.Contains(t, err.Error(), "test-open", "the message lists the linked schemes")
}

func TestRegisterTwicePanics(t *testing.T) {
	open := func(context.Context, *url.URL, *slog.Logger) (Backend, error) { return nil, nil }
	Register("test-twice", open)
	assert.PanicsWithValue(t, "lockbackend: scheme test-twice registered twice", func() { Register("test-twice", open) })
}
