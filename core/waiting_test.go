package core

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitingHandler closes waiting when the Lockable logs that it waits.
type waitingHandler struct {
	slog.Handler
	waiting chan struct{}
}

func (waitingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h waitingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "waiting") {
		select {
		case <-h.waiting:
		default:
			close(h.waiting)
		}
	}
	return nil
}

// A waiter reloads the resources list while it waits, so a resource that
// comes online is taken.
func TestWaiterSeesResourceComingOnline(t *testing.T) {
	off := map[string]any{"id": "r2", "hostname": testHost, "online": false}
	path := lab(t, res("r1", nil), off)
	waiting := make(chan struct{})
	l, err := New(t.Context(), provider.File(path), WithHostname(testHost), WithLockFolder(t.TempDir()),
		WithLogger(slog.New(waitingHandler{Handler: slog.DiscardHandler, waiting: waiting})))
	require.NoError(t, err)
	held, err := l.Lock(t.Context(), q("id=r1"))
	require.NoError(t, err)
	defer held.Unlock()

	got := make(chan *Allocation, 1)
	errs := make(chan error, 1)
	go func() {
		a, err := l.Lock(t.Context(), q(`{"id": {"$in": ["r1", "r2"]}}`))
		errs <- err
		got <- a
	}()
	select {
	case <-waiting:
	case <-time.After(childWait):
		t.Fatal("the waiter did not start waiting")
	}
	online := lab(t, res("r1", nil), res("r2", nil))
	require.NoError(t, os.Rename(online, path))

	require.NoError(t, <-errs)
	a := <-got
	assert.Equal(t, "r2", a.ResourceID())
	require.NoError(t, a.Unlock())
}
