package serve

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// reading is one resource, phone-0, as a reading of the lab sees it.
func reading(t *testing.T, state core.State, h core.Holder, ttl time.Duration) core.Status {
	t.Helper()
	list, err := provider.List([]map[string]any{{"id": "phone-0"}}).Resources(t.Context())
	require.NoError(t, err)
	return core.Status{Resources: []core.ResourceStatus{{Fit: core.Fit{Resource: list[0]}, State: state, Holder: h, TTL: ttl}}}
}

func TestStatsTellHandOversFromTakes(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	free := func(t *testing.T) core.Status { return reading(t, core.Free, core.Holder{}, 0) }
	held := func(t *testing.T, alloc string, since time.Time, queued time.Duration) core.Status {
		return reading(t, core.Held, core.Holder{AllocationID: alloc, PID: 1, Since: since, Queued: queued}, 0)
	}
	for _, tc := range []struct {
		name      string
		readings  func(t *testing.T, s *stats)
		handovers uint64
		holds     uint64
	}{
		{"released, then taken by one that asked later", func(t *testing.T, s *stats) {
			s.read(at(0), held(t, "a", at(0), time.Millisecond), nil, nil)
			s.read(at(time.Minute), free(t), nil, nil)
			s.read(at(2*time.Minute), held(t, "b", at(2*time.Minute), time.Millisecond), nil, nil)
		}, 0, 1},
		{"taken by one that asked while it was held", func(t *testing.T, s *stats) {
			s.read(at(0), held(t, "a", at(0), time.Millisecond), nil, nil)
			s.read(at(time.Minute), free(t), nil, nil)
			s.read(at(time.Minute+time.Millisecond), held(t, "b", at(time.Minute+time.Millisecond), 30*time.Second), nil, nil)
		}, 1, 1},
		{"one holder after another in one reading", func(t *testing.T, s *stats) {
			s.read(at(0), held(t, "a", at(0), time.Millisecond), nil, nil)
			s.read(at(time.Minute), held(t, "b", at(time.Minute), 10*time.Second), nil, nil)
		}, 1, 1},
		{"a lock not yet described is not a holder", func(t *testing.T, s *stats) {
			s.read(at(0), held(t, "a", at(0), time.Millisecond), nil, nil)
			s.read(at(time.Second), reading(t, core.Held, core.Holder{}, 0), nil, nil)
			s.read(at(2*time.Second), held(t, "a", at(0), time.Millisecond), nil, nil)
		}, 0, 0},
		{"a reading that failed changes nothing", func(t *testing.T, s *stats) {
			s.read(at(0), held(t, "a", at(0), time.Millisecond), nil, nil)
			s.read(at(time.Second), core.Status{}, provider.ErrUnavailable, provider.ErrUnavailable)
			s.read(at(2*time.Second), held(t, "a", at(0), time.Millisecond), nil, nil)
		}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStats()
			tc.readings(t, s)
			assert.Equal(t, tc.handovers, s.handovers)
			assert.Equal(t, tc.holds, s.hold.count)
		})
	}
}

func TestStatsHoldTimeEndsWhenTheNextHolderTookIt(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := newStats()
	s.read(t0, reading(t, core.Held, core.Holder{AllocationID: "a", Since: t0}, 0), nil, nil)
	s.read(t0.Add(time.Hour), reading(t, core.Held, core.Holder{AllocationID: "b", Since: t0.Add(90 * time.Second)}, 0), nil, nil)
	assert.InDelta(t, 90, s.hold.sum, 1e-9)
	assert.Equal(t, uint64(2), s.taken)
}

func TestStatsTellLapsedLeasesFromReleases(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	leased := func(t *testing.T, ttl time.Duration) core.Status {
		return reading(t, core.Held, core.Holder{AllocationID: "a", PID: 1, Since: t0}, ttl)
	}
	for _, tc := range []struct {
		name string
		// the time left on each reading a second apart, then gone
		left []time.Duration
		lost uint64
	}{
		{"renewed, then released", []time.Duration{10 * time.Second, 8 * time.Second, 10 * time.Second}, 0},
		{"ran out", []time.Duration{10 * time.Second, 9 * time.Second, 8 * time.Second, 7 * time.Second, 6 * time.Second,
			5 * time.Second, 4 * time.Second, 3 * time.Second, 2 * time.Second, time.Second}, 1},
		{"ran out, last seen with no whole second left", []time.Duration{5 * time.Second, 4 * time.Second, 3 * time.Second,
			2 * time.Second, time.Second, 0}, 1},
		{"too short a lease to tell", []time.Duration{2 * time.Second, time.Second}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStats()
			for i, left := range tc.left {
				s.read(t0.Add(time.Duration(i)*time.Second), leased(t, left), nil, nil)
				assert.True(t, s.leased())
			}
			s.read(t0.Add(time.Duration(len(tc.left))*time.Second), reading(t, core.Free, core.Holder{}, 0), nil, nil)
			assert.Equal(t, tc.lost, s.lost)
			assert.False(t, s.leased())
		})
	}
}

func TestStatsCountReadingErrors(t *testing.T) {
	s := newStats()
	s.read(time.Now(), core.Status{}, provider.ErrInvalid, nil)
	s.read(time.Now(), core.Status{}, provider.ErrUnavailable, provider.ErrUnavailable)
	s.read(time.Now(), core.Status{}, assert.AnError, nil)
	assert.Equal(t, uint64(2), s.listErrs)
	assert.Equal(t, uint64(1), s.labErrs)
}

func TestHistogramBuckets(t *testing.T) {
	h := newHistogram([]float64{1, 10})
	for _, v := range []float64{0.5, 1, 5, 100} {
		h.observe(v)
	}
	assert.Equal(t, []uint64{2, 1, 1}, h.counts, "a bound is inclusive, as Prometheus's le")
	assert.Equal(t, uint64(4), h.count)
	assert.InDelta(t, 106.5, h.sum, 1e-9)
}

// Past maxPolledLeases locks with a lease, the lab is read only when it
// changes: each reading asks etcd about every lease.
func TestStatsPollLeasesOnlyUpToTheBound(t *testing.T) {
	items := make([]map[string]any, maxPolledLeases+1)
	for i := range items {
		items[i] = map[string]any{"id": fmt.Sprintf("s%d", i)}
	}
	list, err := provider.List(items).Resources(t.Context())
	require.NoError(t, err)
	st := core.Status{}
	for i, r := range list {
		st.Resources = append(st.Resources, core.ResourceStatus{Fit: core.Fit{Resource: r}, State: core.Held,
			Holder: core.Holder{AllocationID: fmt.Sprint(i), PID: 1}, TTL: 10 * time.Second})
	}
	s := newStats()
	s.read(time.Now(), core.Status{Resources: st.Resources[:maxPolledLeases]}, nil, nil)
	assert.True(t, s.leased())
	s.read(time.Now(), st, nil, nil)
	assert.False(t, s.leased())
	assert.Len(t, s.held, maxPolledLeases+1)

	s.read(time.Now(), core.Status{Resources: st.Resources[:1]}, nil, nil)
	assert.Len(t, s.held, 1, "resources gone from the list are forgotten")
	assert.Zero(t, s.hold.count, "not counted as released")
}
