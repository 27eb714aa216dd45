package etcd_test

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockWritesTheHolderAndReleaseDeletesTheKey(t *testing.T) {
	lb := newLab(t, 1, "2s")
	lk := lb.lockable(t, "host-a")
	a, err := lk.Lock(t.Context(), anyServer, core.WithOwner("TestOwner"))
	require.NoError(t, err)

	kv := lb.key(t, "s0")
	require.NotNil(t, kv, "the lock is a key")
	var h core.Holder
	require.NoError(t, json.Unmarshal(kv.Value, &h), "the key's value is the holder: %s", kv.Value)
	assert.Equal(t, a.ID(), h.AllocationID)
	assert.Equal(t, "host-a", h.Hostname)
	assert.Equal(t, "TestOwner", h.Owner)
	assert.Equal(t, kv.CreateRevision, a.FencingToken(), "the fencing token is the key's create revision")
	assert.NotZero(t, kv.Lease, "the key is on a lease")
	assert.NotNil(t, a.Lost())
	assert.NoError(t, a.Err())

	require.NoError(t, a.Unlock())
	assert.Nil(t, lb.key(t, "s0"), "release deletes the key")
	assert.LessOrEqual(t, lb.api.TimeToLive(t, kv.Lease), int64(0), "release revokes the lease")
}

func TestFencingTokensGrow(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, b := lb.lockable(t, "host-a"), lb.lockable(t, "host-b")
	var last int64
	for i, lk := range []*core.Lockable{a, b, a, b} {
		al, err := lk.Lock(t.Context(), anyServer)
		require.NoError(t, err)
		assert.Greater(t, al.FencingToken(), last, "allocation %d", i)
		last = al.FencingToken()
		require.NoError(t, al.Unlock())
	}
}

func TestStatusShowsHolderTokenAndTimeLeft(t *testing.T) {
	lb := newLab(t, 2, "5s")
	lk := lb.lockable(t, "host-a")
	a, err := lk.Lock(t.Context(), query.MustParse(`{"id": "s1", "hostname": null}`), core.WithOwner("TestStatus"))
	require.NoError(t, err)
	defer a.Unlock()

	st, err := lb.lockable(t, "host-b").Status(t.Context(), nil)
	sts := st.Resources
	require.NoError(t, err)
	require.Len(t, sts, 2)
	byID := map[string]core.ResourceStatus{}
	for _, st := range sts {
		byID[st.Resource.ID()] = st
	}
	held := byID["s1"]
	assert.Equal(t, core.Held, held.State)
	assert.Equal(t, a.ID(), held.Holder.AllocationID)
	assert.Equal(t, "TestStatus", held.Holder.Owner)
	assert.Equal(t, a.FencingToken(), held.Token)
	assert.Greater(t, held.TTL, time.Duration(0))
	assert.LessOrEqual(t, held.TTL, 5*time.Second)
	out, err := json.Marshal(held)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"fencing_token":`)
	assert.Contains(t, string(out), `"ttl_seconds":`)
	assert.Equal(t, core.Free, byID["s0"].State, "s0 has no hostname: attached to no host, and free")
	assert.Zero(t, byID["s0"].Token)
}

func TestTwoHostsShareOneLab(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	b := lb.lockable(t, "host-b")
	busy, err := b.TryLock(t.Context(), anyServer)
	require.NoError(t, err)
	assert.Nil(t, busy, "host-a holds the one server")
	_, err = b.Lock(within(t, 0), anyServer)
	require.ErrorIs(t, err, core.ErrTimeout, "a done context: the deadline, not a failure of etcd")

	got := make(chan *core.Allocation, 1)
	go func() {
		al, err := b.Lock(within(t, 10*time.Second), anyServer)
		assert.NoError(t, err)
		got <- al
	}()
	require.NoError(t, a.Unlock())
	al := <-got
	require.NotNil(t, al)
	assert.Greater(t, al.FencingToken(), a.FencingToken())
	require.NoError(t, al.Unlock())
}

func TestLockManyIsAllOrNothing(t *testing.T) {
	lb := newLab(t, 3, "2s")
	lk := lb.lockable(t, "host-a")
	as, err := lk.LockMany(t.Context(), []*query.Query{anyServer, anyServer})
	require.NoError(t, err)
	require.Len(t, as, 2)
	assert.NotEqual(t, as[0].ResourceID(), as[1].ResourceID())
	assert.EqualValues(t, 2, lb.heldKeys(t))

	other := lb.lockable(t, "host-b")
	_, err = other.LockMany(within(t, 300*time.Millisecond), []*query.Query{anyServer, anyServer})
	require.ErrorIs(t, err, core.ErrTimeout, "one server is free, two are asked for")
	assert.EqualValues(t, 2, lb.heldKeys(t), "the failed LockMany holds nothing")

	for _, a := range as {
		require.NoError(t, a.Unlock())
	}
	bs, err := other.LockMany(t.Context(), []*query.Query{anyServer, anyServer, anyServer})
	require.NoError(t, err)
	assert.EqualValues(t, 3, lb.heldKeys(t))
	for _, b := range bs {
		require.NoError(t, b.Unlock())
	}
	assert.Zero(t, lb.heldKeys(t))
}

func TestTimeoutSaysWhoHolds(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer, core.WithOwner("the holder"))
	require.NoError(t, err)
	defer a.Unlock()
	_, err = lb.lockable(t, "host-b").Lock(within(t, 200*time.Millisecond), anyServer)
	var te *core.TimeoutError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "s0 by ")
	assert.Contains(t, err.Error(), "host-a")
	assert.Contains(t, err.Error(), "(the holder)")
}

func TestRevokedLeaseIsALostLock(t *testing.T) {
	lb := newLab(t, 1, "2s")
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	lb.revoke(t, "s0")
	require.True(t, closedWithin(a.Lost(), 5*time.Second), "the renewal learns the lease is gone")
	require.ErrorIs(t, a.Err(), core.ErrLost)
	assert.Contains(t, a.Err().Error(), "s0")
	assert.Contains(t, a.Err().Error(), "etcd says the lease expired")

	b, err := lb.lockable(t, "host-b").Lock(t.Context(), anyServer)
	require.NoError(t, err, "the key went with the lease")
	err = a.Unlock()
	require.ErrorIs(t, err, core.ErrLost, "releasing a lost lock says so")
	assert.NotNil(t, lb.key(t, "s0"), "the late release leaves the new holder's key alone")
	assert.NoError(t, b.Err())
	require.NoError(t, b.Unlock())
}

func TestDoReportsALostLock(t *testing.T) {
	lb := newLab(t, 1, "2s")
	lk := lb.lockable(t, "host-a")
	err := lk.Do(t.Context(), anyServer, func(a *core.Allocation) error {
		lb.revoke(t, a.ResourceID())
		<-a.Lost()
		return nil
	})
	require.ErrorIs(t, err, core.ErrLost)
}

func TestBadURLsSayWhatIsWrong(t *testing.T) {
	src := provider.File(servers(t, 1))
	for url, want := range map[string]string{
		"etcd://127.0.0.1:1/lab?ttl=500ms":      "shorter than etcd's smallest lease",
		"etcd://127.0.0.1:1/lab?ttl=soon":       `ttl "soon" is neither seconds (30, 0.5) nor a duration (90s, 5m) (such as 10s)`,
		"etcd://127.0.0.1:1/lab?ttl=NaN":        `ttl "NaN" is neither seconds`,
		"etcd://127.0.0.1:1/lab?ttl=1_0":        `ttl "1_0" is neither seconds`,
		"etcd://127.0.0.1:1/lab?tll=2s":         `unknown parameter "tll"`,
		"etcd://h1,,h2:2379/lab":                "an empty host",
		"etcd://127.0.0.1:1/lab?timeout=-1s":    `timeout "-1s" is negative`,
		"etcd://127.0.0.1:1/lab?timeout=0":      `timeout "0" is not positive`,
		"etcd://127.0.0.1:1/lab?timeout=300ms":  "did not answer within 300ms",
		"etcd://u:secret@127.0.0.1:1/lab?ttl=0": "shorter than etcd's smallest lease",
	} {
		_, err := core.New(t.Context(), src, core.WithBackend(url))
		require.Error(t, err, url)
		assert.Contains(t, err.Error(), want, url)
		assert.NotContains(t, err.Error(), "secret", "the password is not shown")
	}
}

func TestUnreachableServerFailsNew(t *testing.T) {
	_, err := core.New(t.Context(), provider.File(servers(t, 1)), core.WithBackend("etcd://127.0.0.1:1/lab?timeout=200ms"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "etcd at 127.0.0.1:1 did not answer within 200ms (is it running")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestReleaseAfterAnUnseenExpiryReportsTheLoss(t *testing.T) {
	lb := newLab(t, 1, "10s") // the renewal would notice in 3 s; the release comes first
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	lb.revoke(t, "s0")
	require.ErrorIs(t, a.Unlock(), core.ErrLost)
	assert.ErrorIs(t, a.Err(), core.ErrLost)
}

func TestErrStaysNilAfterANormalRelease(t *testing.T) {
	lb := newLab(t, 1, "1s")
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	require.NoError(t, a.Unlock())
	time.Sleep(1500 * time.Millisecond) // past the lease's deadline, which no longer matters
	assert.NoError(t, a.Err())
	assert.False(t, closedWithin(a.Lost(), 0), "a released lock is not lost")
}

func TestAMemberThatDoesNotAnswerIsPassedOver(t *testing.T) {
	lb := newLab(t, 1, "1s")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := l.Addr().String()
	require.NoError(t, l.Close())
	lb.endpoints = dead + "," + lb.endpoints // the first member is down

	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	waiter := lb.lockable(t, "host-b")
	got := make(chan *core.Allocation, 1)
	go func() {
		w, err := waiter.Lock(within(t, 10*time.Second), anyServer)
		assert.NoError(t, err)
		got <- w
	}()
	require.False(t, closedWithin(a.Lost(), 2*time.Second), "renewed past the TTL")
	require.NoError(t, a.Unlock())
	w := <-got
	require.NotNil(t, w)
	assert.Greater(t, w.FencingToken(), a.FencingToken())
	require.NoError(t, w.Unlock())
}
