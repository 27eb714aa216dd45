package lockabletest

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// waitLogEvery paces the lines that say a test still waits: calm, for a
// wait that may last minutes.
const waitLogEvery = 30 * time.Second

// maxHolders is how many holders a waiting line names.
const maxHolders = 3

// waiting is a wait in progress, told in the test's log: when it starts
// (what for, who holds the resources that fit), every waitLogEvery, and
// when it ends with the resources.
type waiting struct {
	start time.Time
	logf  func(string, ...any)
	quit  chan struct{}
	done  chan struct{}
}

// startWaiting tells logf that the test waits for qs, and again every
// p.logEvery until stop.
func (p *plan) startWaiting(ctx context.Context, qs []*query.Query, logf func(string, ...any)) *waiting {
	w := &waiting{start: time.Now(), logf: logf, quit: make(chan struct{}), done: make(chan struct{})}
	what := p.wanted(qs)
	logf("lockabletest: waiting up to %s for %s: %s", p.timeout.Round(time.Millisecond), what, p.holders(ctx, qs))
	every := p.logEvery
	if every <= 0 {
		every = waitLogEvery
	}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				logf("lockabletest: still waiting for %s after %s: %s", what, roundWait(time.Since(w.start)), p.holders(ctx, qs))
			}
		}
	}()
	return w
}

// stop ends the periodic lines, and tells what the wait gave, if it gave
// the resources.
func (w *waiting) stop(got []*core.Allocation) {
	close(w.quit)
	<-w.done
	if len(got) > 0 {
		ids := make([]string, len(got))
		for i, a := range got {
			ids[i] = a.ResourceID()
		}
		w.logf("lockabletest: got %s after waiting %s", strings.Join(ids, ", "), roundWait(time.Since(w.start)))
	}
}

// wanted names the requirements waited for, defaults included.
func (p *plan) wanted(qs []*query.Query) string {
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = p.lockable.Requirements(q).String()
	}
	if len(texts) == 1 {
		return texts[0]
	}
	return "[" + strings.Join(texts, ", ") + "]"
}

// holders says who holds the resources that fit qs: "2 fitting, held by
// pixel-7-01: ci@lab-1 pid 4242 (TestFlash), ...".
func (p *plan) holders(ctx context.Context, qs []*query.Query) string {
	var held []string
	fitting := map[string]bool{}
	for _, q := range qs {
		st, err := p.lockable.Status(ctx, q)
		if err != nil {
			return "who holds them cannot be told: " + err.Error()
		}
		for _, r := range st.Fitting() {
			id := r.Resource.ID()
			if fitting[id] {
				continue
			}
			fitting[id] = true
			if r.State == core.Held {
				held = append(held, id+": "+r.Holder.Who())
			}
		}
	}
	if len(held) == 0 {
		return strconv.Itoa(len(fitting)) + " fitting, none free"
	}
	text := strings.Join(held[:min(len(held), maxHolders)], ", ")
	if len(held) > maxHolders {
		text += " and " + strconv.Itoa(len(held)-maxHolders) + " more"
	}
	return strconv.Itoa(len(fitting)) + " fitting, held by " + text
}

// roundWait rounds a wait for people: whole seconds, tenths below ten.
func roundWait(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
