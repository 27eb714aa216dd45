package core

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func res(id string, fields map[string]any) map[string]any {
	r := map[string]any{"id": id, "hostname": testHost, "online": true}
	for k, v := range fields {
		r[k] = v
	}
	return r
}

func ids(as []*Allocation) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ResourceID()
	}
	return out
}

func unlockAll(t *testing.T, as []*Allocation) {
	t.Helper()
	for _, a := range as {
		require.NoError(t, a.Unlock())
	}
}

// First-fit fails these: the requirement that many resources fit takes
// the one resource the other requirement needs.
func TestLockManyFindsAnAssignmentFirstFitMisses(t *testing.T) {
	l, _ := newLab(t,
		res("a", map[string]any{"usb": true, "nfc": true}),
		res("b", map[string]any{"usb": true}),
		res("c", map[string]any{"usb": true, "nfc": true, "gps": true}),
	)
	for range 30 { // candidates come in random order: try many orders
		as, err := l.LockMany(expired(t), []*query.Query{q(`usb=true`), q(`nfc=true`), q(`gps=true`)})
		require.NoError(t, err)
		assert.Equal(t, "c", as[2].ResourceID())
		assert.Equal(t, "a", as[1].ResourceID())
		assert.Equal(t, "b", as[0].ResourceID())
		unlockAll(t, as)
	}
}

func TestLockManyAllOrNothing(t *testing.T) {
	l, _ := newLab(t, phones(2)...)
	held, err := l.Lock(t.Context(), q(`id=phone-1`))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err = l.LockMany(ctx, []*query.Query{q(""), q("")})
	require.ErrorIs(t, err, ErrTimeout)

	other, err := l.Lock(expired(t), q(`id=phone-0`))
	require.NoError(t, err, "nothing stays held after a failed LockMany")
	require.NoError(t, other.Unlock())
	require.NoError(t, held.Unlock())

	as, err := l.LockMany(expired(t), []*query.Query{q(""), q("")})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"phone-0", "phone-1"}, ids(as))
	unlockAll(t, as)
}

func TestLockManyNotFound(t *testing.T) {
	l, _ := newLab(t, res("a", map[string]any{"usb": true}), res("b", map[string]any{"nfc": true}))
	tests := []struct {
		name  string
		reqs  []*query.Query
		unfit int
		msg   string
	}{
		{"one requirement fits nothing", []*query.Query{q(`usb=true`), q(`gps=true`)}, 1,
			`no resource fits {"gps":true,"hostname":"bench-1","online":true} (2 resources in the list)`},
		{"not enough distinct resources", []*query.Query{q(`usb=true`), q(`usb=true`)}, -1,
			`2 resources fitting {"usb":true,"hostname":"bench-1","online":true} were asked for, and 1 fits (2 resources in the list)`},
		{"more requirements than resources", []*query.Query{q(""), q(""), q("")}, -1,
			`3 resources fitting {"hostname":"bench-1","online":true} were asked for, and 2 fit (2 resources in the list)`},
		{"different requirements, too few resources", []*query.Query{q(`usb=true`), q(`id=a`)}, -1,
			`no 2 distinct resources fit [{"usb":true,"hostname":"bench-1","online":true}, {"id":"a","hostname":"bench-1","online":true}] together: 1 fits one or another (2 resources in the list)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
			defer cancel()
			_, err := l.LockMany(ctx, tt.reqs)
			require.ErrorIs(t, err, ErrNotFound)
			var nf *NotFoundError
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, tt.unfit, nf.Unfit)
			assert.True(t, strings.HasPrefix(err.Error(), tt.msg), "%s\nwant %s", err, tt.msg)
		})
	}
}

func TestLockManyNone(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	as, err := l.LockMany(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, as)
}

// Two jobs that each need both resources must both finish: neither may
// hold one while it waits for the other.
func TestLockManyNoHoldAndWait(t *testing.T) {
	path, dir := lab(t, phones(2)...), t.TempDir()
	var wg sync.WaitGroup
	for range 2 {
		l := newLockable(t, path, dir)
		wg.Go(func() {
			for range 25 {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				as, err := l.LockMany(ctx, []*query.Query{q(""), q("")})
				cancel()
				if !assert.NoError(t, err) {
					return
				}
				for _, a := range as {
					assert.NoError(t, a.Unlock())
				}
			}
		})
	}
	wg.Wait()
}

func TestStatus(t *testing.T) {
	l, _ := newLab(t,
		res("free", nil),
		res("held", nil),
		map[string]any{"id": "off", "hostname": testHost, "online": false},
		map[string]any{"id": "far", "hostname": "elsewhere", "online": true},
		map[string]any{"id": "anyhost", "online": true},
	)
	a, err := l.Lock(t.Context(), q(`id=held`), WithOwner("TestStatus"))
	require.NoError(t, err)
	defer a.Unlock()

	sts, err := statuses(t, l)
	require.NoError(t, err)
	got := map[string]State{}
	for _, st := range sts {
		got[st.Resource.ID()] = st.State
	}
	assert.Equal(t, map[string]State{"free": Free, "held": Held, "off": Offline, "far": OtherHost, "anyhost": Free}, got,
		"a resource without a hostname is attached to no host: free")
	assert.Equal(t, "TestStatus", sts[1].Holder.Owner)
	assert.Equal(t, a.ID(), sts[1].Holder.AllocationID)

	js, err := sts[1].MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(js), `"state":"held"`)
	assert.Contains(t, string(js), `"owner":"TestStatus"`)
}

func TestStatusMeasuresAgainstRequirements(t *testing.T) {
	l, _ := newLab(t, res("a", map[string]any{"ram_gb": 8}), res("b", map[string]any{"ram_gb": 4}))
	st, err := l.Status(t.Context(), q(`{"ram_gb": {"$gt": 6}}`))
	require.NoError(t, err)
	assert.Equal(t, `{"ram_gb":{"$gt":6},"hostname":"bench-1","online":true}`, st.Requirements.String())
	require.Len(t, st.Resources, 2)
	assert.True(t, st.Resources[0].Fits())
	assert.False(t, st.Resources[1].Fits())
	assert.Contains(t, st.Resources[1].String(), "ram_gb: want {\"$gt\":6}, have 4")
	assert.Len(t, st.Fitting(), 1)

	js, err := json.Marshal(st)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"version":1,"hostname":"bench-1","requirements":{"ram_gb":{"$gt":6},`)
	assert.Contains(t, string(js), `"fits":false,"mismatches":[{"field":"ram_gb","condition":{"$gt":6},"actual":4}]`)

	st, err = l.Status(t.Context(), nil)
	require.NoError(t, err)
	assert.Nil(t, st.Requirements)
	assert.Len(t, st.Fitting(), 2, "without requirements, every resource is counted")
	js, err = json.Marshal(st)
	require.NoError(t, err)
	assert.NotContains(t, string(js), `"fits"`, "nothing was measured")
}

func TestTimeoutNamesEachFittingResourceOnce(t *testing.T) {
	l, _ := newLab(t, phones(2)...)
	held, err := l.Lock(t.Context(), q(`id=phone-0`))
	require.NoError(t, err)
	defer held.Unlock()

	_, err = l.LockMany(expired(t), []*query.Query{q(""), q("")})
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	var got []string
	for _, st := range te.Fitting {
		got = append(got, st.Resource.ID()+":"+st.State.String())
	}
	assert.Equal(t, []string{"phone-0:held", "phone-1:free"}, got)
}
