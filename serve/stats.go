package serve

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// What the metrics can tell of lost locks: a lease shorter than 6 s (etcd
// tells the time left in whole seconds, rounded down: a 6 s lease shows
// minLostTTL, 5 s, at most) renews too often for a reading every
// leasePoll to tell a lapse from a release, so its end is never counted
// as lost.
const (
	minLostTTL = 5 * time.Second
	lostSlack  = time.Second
)

// Histogram buckets, in seconds: waits are short, holds long.
var (
	waitBuckets = []float64{0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600}
	holdBuckets = []float64{1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400}
)

// stats is what the metrics count, learnt by comparing each reading of
// the lab with the one before: who took what, who let go, and how.
type stats struct {
	mu        sync.Mutex
	held      map[string]holding   // by resource id: the lock last seen
	released  map[string]time.Time // by resource id: when it was seen let go, until its next holder
	wait      histogram
	hold      histogram
	taken     uint64
	handovers uint64
	lost      uint64
	listErrs  uint64
	labErrs   uint64
}

// holding is a lock as the readings saw it.
type holding struct {
	key      string    // the allocation id, or the pid of another tool's lock
	since    time.Time // when the holder took it, as it says
	seen     time.Time // the last reading that saw it
	leaseEnd time.Time // when its lease ends unless renewed, as last seen; zero without a lease
	maxTTL   time.Duration
}

func newStats() *stats {
	return &stats{
		held: map[string]holding{}, released: map[string]time.Time{},
		wait: newHistogram(waitBuckets), hold: newHistogram(holdBuckets),
	}
}

// read takes in one reading of the lab at at: st, or the errors that
// reading the list (listErr) and the lab (err) gave.
func (s *stats) read(at time.Time, st core.Status, err, listErr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case listErr != nil || isListError(err):
		s.listErrs++
	case err != nil:
		s.labErrs++
	}
	if err != nil {
		return
	}
	for _, r := range st.Resources {
		s.readResource(at, r.Resource.ID(), r)
	}
	for id, h := range s.held {
		if !h.seen.Equal(at) {
			delete(s.held, id) // no longer in the list
		}
	}
	if len(s.released) > len(st.Resources) {
		clear(s.released) // ids gone from the list: forget them all, rather than keep every id ever released
	}
}

func isListError(err error) bool {
	return errors.Is(err, provider.ErrUnavailable) || errors.Is(err, provider.ErrInvalid)
}

// readResource compares one resource with the reading before.
func (s *stats) readResource(at time.Time, id string, r core.ResourceStatus) {
	prev, had := s.held[id]
	if r.State != core.Held {
		if had {
			s.ended(id, prev, at, at)
		}
		return
	}
	if r.Holder.PID == 0 && r.Holder.AllocationID == "" {
		if had {
			prev.seen = at
			s.held[id] = prev
		}
		return // locked, not yet described: the next reading tells who
	}
	now := holdingOf(r, at)
	if had && prev.key == now.key {
		now.maxTTL = max(now.maxTTL, prev.maxTTL)
		if now.leaseEnd.IsZero() && prev.maxTTL > 0 {
			now.leaseEnd = at // a lease with no whole second left
		}
		s.held[id] = now
		return
	}
	if had {
		s.ended(id, prev, at, r.Holder.Since)
	}
	s.began(id, r.Holder)
	s.held[id] = now
}

// holdingOf is the lock of r as seen at at.
func holdingOf(r core.ResourceStatus, at time.Time) holding {
	h := holding{key: r.Holder.AllocationID, since: r.Holder.Since, seen: at, maxTTL: r.TTL}
	if h.key == "" {
		h.key = "pid " + strconv.Itoa(r.Holder.PID)
	}
	if r.TTL > 0 {
		h.leaseEnd = at.Add(r.TTL)
	}
	return h
}

// ended counts the end of a lock seen released at at; end is when it
// ended, as far as known (when the next holder took the resource).
func (s *stats) ended(id string, h holding, at, end time.Time) {
	delete(s.held, id)
	s.released[id] = at
	if end.IsZero() || end.After(at) {
		end = at
	}
	if !h.since.IsZero() && !end.Before(h.since) {
		s.hold.observe(end.Sub(h.since).Seconds())
	}
	if lapsed(h, at) {
		s.lost++
	}
}

// lapsed reports whether a lock with a lease, gone at at, ended because
// its lease ran out rather than by a release: its lease was to end by
// then, as the last reading saw it. A live holder renews a third of the
// way, so its lease always has well over leasePoll left.
func lapsed(h holding, at time.Time) bool {
	return !h.leaseEnd.IsZero() && h.maxTTL >= minLostTTL && !at.Before(h.leaseEnd.Add(-lostSlack))
}

// began counts a new holder of resource id: its wait, and whether the
// resource was handed over to it, that is, it asked for a resource
// before this one was seen released.
func (s *stats) began(id string, h core.Holder) {
	s.taken++
	if h.Queued <= 0 {
		return // the lock does not say (another tool's)
	}
	s.wait.observe(h.Queued.Seconds())
	if let, ok := s.released[id]; ok && !h.Since.IsZero() && !h.Since.Add(-h.Queued).After(let) {
		s.handovers++
	}
	delete(s.released, id)
}

// maxPolledLeases bounds the locks with a lease for which the lab is read
// every leasePoll: each reading asks etcd the time left of each.
const maxPolledLeases = 100

// leased reports whether some lock seen last has a lease, and no more
// than maxPolledLeases do.
func (s *stats) leased() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.held {
		if !h.leaseEnd.IsZero() {
			n++
		}
	}
	return n > 0 && n <= maxPolledLeases
}

// histogram counts observations into buckets with upper bounds.
type histogram struct {
	bounds []float64
	counts []uint64 // per bucket; the last is past every bound
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.counts[i]++
	h.sum += v
	h.count++
}
