package serve

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// textSource is a source that gives the text of its list too, as the
// sources of package provider do.
type textSource interface {
	ResourcesText(ctx context.Context) ([]provider.Resource, string, error)
}

// follower reads the lab again whenever it may have changed and
// publishes what it reads as snapshots.
type follower struct {
	l      *core.Lockable
	src    core.Source
	source string // the source, fit to show
	cfg    config
	stats  *stats

	mu  sync.Mutex
	cur *snapshot
}

func newFollower(l *core.Lockable, src core.Source, cfg config) *follower {
	source := sourceName(src)
	if cfg.sourceName != nil {
		source = *cfg.sourceName
	}
	return &follower{
		l: l, src: src, source: source, cfg: cfg, stats: newStats(),
		cur: &snapshot{err: errStarting, list: listDoc{err: errStarting}, next: make(chan struct{})},
	}
}

// sourceName is the source as the page shows it: a file's path, a URL
// with its credentials masked, nothing for a list in code.
func sourceName(src core.Source) string {
	switch s := src.(type) {
	case *provider.FileSource:
		return s.Path()
	case *provider.HTTPSource:
		return s.URL()
	}
	return ""
}

// run follows the lab until ctx is done or the Lockable is closed: it
// reads it at once, then at every change the Lockable tells and, while
// some lock has a lease (etcd), every leasePoll. A reading that finds a
// lock not yet described (a holder between its lock and writing who it
// is, or one between emptying its lock file and unlocking it) is
// followed by another after a short backoff, as core's waiters do, so
// that neither shows as an anonymous holder for long.
func (f *follower) run(ctx context.Context) {
	changes := f.l.Changes(ctx)
	settle := f.settleBackoff(f.refresh(ctx), 0)
	for {
		var poll <-chan time.Time
		switch {
		case settle > 0:
			poll = time.After(settle)
		case f.stats.leased():
			poll = time.After(f.cfg.leasePoll)
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
			settle = 0
		case <-poll:
		}
		settle = f.settleBackoff(f.refresh(ctx), settle)
	}
}

// Backoff of the readings that follow one with a lock not yet described.
const (
	minSettle = time.Millisecond
	maxSettle = 256 * time.Millisecond
)

// settleBackoff is the pause before the next reading when the last found
// a lock not yet described: twice the last pause, from minSettle; 0 (no
// hurry) when every lock was described, or once the pause passes
// maxSettle (a lock that never says who holds it, another tool's).
func (f *follower) settleBackoff(unsettled bool, last time.Duration) time.Duration {
	switch {
	case !unsettled:
		return 0
	case last == 0:
		return minSettle
	case 2*last > maxSettle:
		return 0
	}
	return 2 * last
}

// refresh reads the lab and publishes it when it tells something new. It
// reports whether a lock was found not yet described.
func (f *follower) refresh(parent context.Context) (unsettled bool) {
	ctx, cancel := context.WithTimeout(parent, refreshTimeout)
	defer cancel()
	at := time.Now()
	ts, hasText := f.src.(textSource)
	var text string
	var listErr error
	var st core.Status
	var err error
	if hasText {
		st, text, err, listErr = f.readBoth(ctx, ts)
	} else {
		st, err = f.l.Status(ctx, nil)
	}
	if parent.Err() != nil {
		return false // stopping: what was read may be cut short
	}
	if !hasText {
		text, listErr = listText(st), err
	}
	f.stats.read(at, st, err, listErr)
	prev := f.current()
	if prev.sameReading(st, err, text, listErr) {
		return err == nil && undescribed(st) // nothing to encode: the reading a second ago, again
	}
	next, encErr := newSnapshot(prev, at, st, err, newListDoc(prev.list, text, listErr, at), f.source)
	if encErr != nil {
		f.cfg.log.Error("cannot encode the lab", "err", encErr)
		return false
	}
	if !next.same(prev) {
		f.tellTransition(prev, next)
		f.publish(next)
	}
	return err == nil && undescribed(st)
}

// readBoth reads the list's text and the lab, which the Lockable reads
// from the same source. Should the list change between the two reads (a
// file saved just then), the text read again after the lab differs: the
// lab is read again, so that a snapshot tells of one list, whose text
// /resources.json serves and from which the status was made. A list that
// keeps changing gets the last reading; the next change reads it anew.
func (f *follower) readBoth(ctx context.Context, ts textSource) (st core.Status, text string, err, listErr error) {
	_, text, listErr = ts.ResourcesText(ctx)
	for range maxRereads {
		st, err = f.l.Status(ctx, nil)
		_, after, afterErr := ts.ResourcesText(ctx)
		if after == text && errText(afterErr) == errText(listErr) {
			break
		}
		text, listErr = after, afterErr
	}
	return st, text, err, listErr
}

// maxRereads bounds the readings of one refresh.
const maxRereads = 3

// undescribed reports whether some lock of st does not say who holds it.
func undescribed(st core.Status) bool {
	for _, r := range st.Resources {
		if r.State == core.Held && r.Holder.PID == 0 && r.Holder.AllocationID == "" {
			return true
		}
	}
	return false
}

// listText is the list of st encoded again, for a source that cannot give
// its text: each resource's JSON, as the source holds it.
func listText(st core.Status) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range st.Resources {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		b.WriteString(r.Resource.JSON())
	}
	b.WriteString("\n]\n")
	return b.String()
}

// tellTransition logs when the lab stops or starts being readable.
func (f *follower) tellTransition(prev, next *snapshot) {
	switch {
	case next.err != nil && errText(next.err) != errText(prev.err):
		f.cfg.log.Warn("cannot read the lab", "err", next.err)
	case next.err == nil && prev.err != nil && prev.seq > 0:
		f.cfg.log.Info("the lab can be read again")
	}
}

func (f *follower) publish(next *snapshot) {
	f.mu.Lock()
	prev := f.cur
	f.cur = next
	f.mu.Unlock()
	close(prev.next)
}

// current is the latest snapshot.
func (f *follower) current() *snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

// ready is the latest snapshot once the lab was read at least once, or
// the first one when ctx or done ends the wait.
func (f *follower) ready(ctx context.Context, done <-chan struct{}) *snapshot {
	s := f.current()
	if s.seq > 0 {
		return s
	}
	select {
	case <-s.next:
		return f.current()
	case <-ctx.Done():
	case <-done:
	}
	return s
}
