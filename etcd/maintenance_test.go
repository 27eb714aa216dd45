package etcd_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os/user"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/etcdtest"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// record reads a resource's maintenance key; nil when it has none.
func (lb *lab) record(t testing.TB, id string) *etcdtest.KeyValue {
	t.Helper()
	return lb.api.Get(t, lb.prefix+"/maintenance/"+id)
}

// waitingLockable is lb.lockable for a host, and a channel closed once
// it logs that it waits.
func (lb *lab) waitingLockable(t *testing.T, hostname string) (*core.Lockable, <-chan struct{}) {
	t.Helper()
	h := &waitingHandler{waiting: make(chan struct{})}
	lk, err := core.New(t.Context(), provider.File(lb.resources), core.WithBackend(lb.url()), core.WithHostname(hostname),
		core.WithLogger(slog.New(h)))
	require.NoError(t, err)
	t.Cleanup(func() { lk.Close() })
	return lk, h.waiting
}

type waitingHandler struct {
	once    sync.Once
	waiting chan struct{}
}

func (h *waitingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *waitingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *waitingHandler) WithGroup(string) slog.Handler            { return h }

func (h *waitingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "waiting") {
		h.once.Do(func() { close(h.waiting) })
	}
	return nil
}

// A maintenance is a key beside the locks, seen from every host.
func TestMaintenanceIsAKeyBesideTheLocks(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, b := lb.lockable(t, "host-a"), lb.lockable(t, "host-b")
	m, err := a.StartMaintenance(t.Context(), "s0", "flashing firmware", 0)
	require.NoError(t, err)
	assert.Equal(t, "flashing firmware", m.Note)

	kv := lb.record(t, "s0")
	require.NotNil(t, kv)
	assert.Zero(t, kv.Lease, "an open-ended maintenance has no lease")
	var rec map[string]any
	require.NoError(t, json.Unmarshal(kv.Value, &rec))
	assert.Equal(t, "s0", rec["resource"])
	assert.Equal(t, "flashing firmware", rec["note"])
	assert.Contains(t, rec["by"], "@host-a")

	st, err := b.Status(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, core.InMaintenance, st.Resources[0].State)
	require.NotNil(t, st.Resources[0].Maintenance)
	assert.Equal(t, "flashing firmware", st.Resources[0].Maintenance.Note)
	_, err = b.Lock(t.Context(), anyServer)
	require.ErrorIs(t, err, core.ErrNotFound)
	assert.Contains(t, err.Error(), "[s0: in maintenance since")

	ended, err := b.EndMaintenance(t.Context(), "s0")
	require.NoError(t, err)
	assert.Equal(t, "flashing firmware", ended.Note)
	assert.Nil(t, lb.record(t, "s0"))
	_, err = b.EndMaintenance(t.Context(), "s0")
	require.ErrorIs(t, err, core.ErrNotInMaintenance)
	al, err := a.Lock(t.Context(), anyServer)
	require.NoError(t, err)
	require.NoError(t, al.Unlock())
}

// A window is a key on a lease of its length: a waiter on another host
// gets the resource when it ends, and etcd deletes the key.
func TestMaintenanceWindowEnds(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, b := lb.lockable(t, "host-a"), lb.lockable(t, "host-b")
	m, err := a.StartMaintenance(t.Context(), "s0", "reboot", 1500*time.Millisecond)
	require.NoError(t, err)
	kv := lb.record(t, "s0")
	require.NotNil(t, kv)
	assert.NotZero(t, kv.Lease, "a window is on a lease")
	assert.LessOrEqual(t, lb.api.TimeToLive(t, kv.Lease), int64(2), "of the window, rounded up to whole seconds")

	_, err = b.Lock(within(t, 200*time.Millisecond), anyServer)
	require.ErrorIs(t, err, core.ErrNotFound, "the window outlasts the deadline")
	al, err := b.Lock(within(t, 20*time.Second), anyServer)
	require.NoError(t, err)
	assert.False(t, time.Now().Before(m.Until))
	require.NoError(t, al.Unlock())
	require.Eventually(t, func() bool { return lb.record(t, "s0") == nil }, 20*time.Second, 50*time.Millisecond, "etcd deletes the record")
}

// The end of a maintenance reaches a waiter on another host at once,
// through the watch: it takes the resource while the other one it waits
// for is still held. etcd is never polled, and the waiter's deadline
// comes before its first look without an event (core looks again after
// 5 s): only the watch can serve it.
func TestWaiterSeesMaintenanceEnd(t *testing.T) {
	lb := newLab(t, 2, "2s")
	a := lb.lockable(t, "host-a")
	held, err := a.Lock(t.Context(), query.MustParse(`{"id": "s1", "hostname": null}`))
	require.NoError(t, err)
	defer held.Unlock()
	_, err = a.StartMaintenance(t.Context(), "s0", "x", 0)
	require.NoError(t, err)

	b, waiting := lb.waitingLockable(t, "host-b")
	got := make(chan error, 1)
	go func() {
		al, err := b.Lock(within(t, 4*time.Second), anyServer)
		if err == nil {
			if al.ResourceID() != "s0" {
				err = errors.New("got " + al.ResourceID())
			}
			err = errors.Join(err, al.Unlock())
		}
		got <- err
	}()
	require.True(t, closedWithin(waiting, 20*time.Second), "the waiter waits")
	_, err = lb.lockable(t, "host-c").EndMaintenance(t.Context(), "s0")
	require.NoError(t, err)
	require.NoError(t, <-got)
}

// A maintenance started on one host reaches a waiter on another at once:
// its only resource is out of service now, and it says so.
func TestWaiterSeesMaintenanceStart(t *testing.T) {
	lb := newLab(t, 1, "2s")
	held, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	defer held.Unlock()

	b, waiting := lb.waitingLockable(t, "host-b")
	got := make(chan error, 1)
	go func() {
		_, err := b.Lock(within(t, 30*time.Second), anyServer)
		got <- err
	}()
	require.True(t, closedWithin(waiting, 20*time.Second), "the waiter waits")
	_, err = lb.lockable(t, "host-c").StartMaintenance(t.Context(), "s0", "battery swollen", 0)
	require.NoError(t, err)
	err = <-got
	require.ErrorIs(t, err, core.ErrNotFound, "not a timeout")
	assert.Contains(t, err.Error(), "by "+userName(t)+"@host-c: battery swollen]")
}

// Health checks and cleanups put resources in maintenance on etcd as on
// the lock folder.
func TestHealthCheckAndCleanupOnEtcd(t *testing.T) {
	lb := newLab(t, 2, "2s")
	lk := lb.lockable(t, "host-a")
	failS0 := func(_ context.Context, a *core.Allocation) error {
		if a.ResourceID() == "s0" {
			return errors.New("no answer")
		}
		return nil
	}
	for lb.record(t, "s0") == nil { // random order: until s0 was checked
		al, err := lk.Lock(t.Context(), anyServer, core.WithHealthCheck(failS0, time.Second))
		require.NoError(t, err)
		assert.Equal(t, "s1", al.ResourceID())
		require.NoError(t, al.Unlock())
	}
	st, err := lk.Status(t.Context(), query.MustParse(`{"id": "s0", "hostname": null}`))
	require.NoError(t, err)
	assert.Equal(t, "health check failed: no answer", st.Fitting()[0].Maintenance.Note)

	dirty := func(context.Context, *core.Allocation) error { return errors.New("factory reset refused") }
	err = lk.Do(t.Context(), anyServer, func(*core.Allocation) error { return nil }, core.WithCleanup(dirty, time.Second))
	require.ErrorIs(t, err, core.ErrCheckFailed)
	require.NotNil(t, lb.record(t, "s1"), "s1 is in maintenance")
	assert.Nil(t, lb.key(t, "s1"), "and released")
	_, err = lk.Lock(within(t, time.Second), anyServer)
	require.ErrorIs(t, err, core.ErrNotFound)
	assert.Contains(t, err.Error(), "cleanup failed: factory reset refused")
}

// userName is the name core writes into records as this process's user.
func userName(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	require.NoError(t, err)
	return u.Username
}
