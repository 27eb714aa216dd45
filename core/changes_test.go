package core

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nextChange waits for a value on ch and returns the state of resource id
// once Status shows want, failing when no change brings it within bound.
func nextChange(t *testing.T, l *Lockable, ch <-chan struct{}, id string, want State) {
	t.Helper()
	deadline := time.After(childWait)
	for {
		select {
		case _, ok := <-ch:
			require.True(t, ok, "Changes closed while waiting for %s to be %v", id, want)
		case <-deadline:
			t.Fatalf("no change brought %s to %v within %s", id, want, childWait)
		}
		st, err := l.Status(t.Context(), nil)
		require.NoError(t, err)
		for _, r := range st.Resources {
			if r.Resource.ID() == id && r.State == want {
				return
			}
		}
	}
}

func TestChangesFollowAnotherProcess(t *testing.T) {
	path := lab(t, phones(1)...)
	dir := t.TempDir()
	l := newLockable(t, path, dir)
	defer l.Close()
	ch := l.Changes(t.Context())

	holder := startRole(t, "hold", path, dir)
	holder.expect(t, "locked")
	nextChange(t, l, ch, "phone-0", Held)

	holder.send(t, "release")
	holder.expect(t, "released")
	require.NoError(t, holder.wait(t))
	nextChange(t, l, ch, "phone-0", Free)
}

func TestChangesFollowTheResourcesList(t *testing.T) {
	path := lab(t, phones(1)...)
	l := newLockable(t, path, t.TempDir())
	defer l.Close()
	ch := l.Changes(t.Context())

	data, err := json.Marshal(phones(2))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path+".new", data, 0o644))
	require.NoError(t, os.Rename(path+".new", path))
	nextChange(t, l, ch, "phone-1", Free)
}

func TestChangesEndWithTheirContextAndWithClose(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	ctx, cancel := context.WithCancel(t.Context())
	byCtx := l.Changes(ctx)
	byClose := l.Changes(t.Context())
	cancel()
	for range byCtx { // drains, then ends: closed
	}
	require.NoError(t, l.Close())
	_, open := <-byClose
	for open {
		_, open = <-byClose
	}
	// After Close, a new channel is closed at once.
	_, open = <-l.Changes(t.Context())
	require.False(t, open)
}

// A reload tells when it gives another list, and when the list stops or
// starts being readable: on a backend that makes an event for every
// release (etcd), nothing else would tell that the list broke.
func TestNewListCountsReadabilityAsAChange(t *testing.T) {
	one, err := provider.List(phones(1)).Resources(t.Context())
	require.NoError(t, err)
	two, err := provider.List(phones(2)).Resources(t.Context())
	require.NoError(t, err)
	broken := provider.ErrUnavailable
	for _, tc := range []struct {
		name              string
		before, now       []provider.Resource
		beforeErr, nowErr error
		want              bool
	}{
		{"same list", one, one, nil, nil, false},
		{"another list", one, two, nil, nil, true},
		{"broke", one, nil, nil, broken, true},
		{"still broken", nil, nil, broken, broken, false},
		{"mended", nil, one, broken, nil, true},
	} {
		assert.Equal(t, tc.want, newList(tc.before, tc.beforeErr, tc.now, tc.nowErr), tc.name)
	}
}
