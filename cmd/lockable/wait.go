package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/query"
)

const (
	// refreshTerminal paces the waiting line on a terminal, where it is
	// rewritten in place.
	refreshTerminal = time.Second
	// refreshLog paces it elsewhere (a CI log), where each is a new line.
	refreshLog = 10 * time.Second
	// maxHolders is how many holders the line names.
	maxHolders = 3
)

// waitLine is the line on stderr that says what lockable waits for and
// who holds the fitting resources. A nil *waitLine (-q) says nothing.
type waitLine struct {
	w     io.Writer
	tty   bool
	width int
	what  string
	start time.Time
	limit time.Duration
}

func (c *cli) newWaitLine(lk *core.Lockable, qs []*query.Query, o *options) *waitLine {
	if o.quiet {
		return nil
	}
	tty, width := terminal(c.stderr)
	return &waitLine{w: redactingWriter{c.stderr, c.secrets}, tty: tty, width: width, what: wanted(lk, qs), start: time.Now(), limit: o.timeout}
}

// show writes the line for the fitting resources' states.
func (l *waitLine) show(fitting []core.ResourceStatus) {
	if l == nil {
		return
	}
	text := l.text(uniqueByID(fitting), time.Since(l.start))
	if l.tty {
		fmt.Fprintf(l.w, "\r\033[K%s", clip(text, l.width-1))
		return
	}
	fmt.Fprintln(l.w, text)
}

// refresh shows the line again every so often, with fresh holders, until
// the returned stop is called.
func (l *waitLine) refresh(ctx context.Context, lk *core.Lockable, qs []*query.Query) (stop func()) {
	if l == nil {
		return func() {}
	}
	every := refreshLog
	if l.tty {
		every = refreshTerminal
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				l.show(fitting(ctx, lk, qs))
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// end closes the line: on success it says what lockable got.
func (l *waitLine) end(allocs []*core.Allocation) {
	if l == nil {
		return
	}
	if l.tty {
		fmt.Fprint(l.w, "\r\033[K")
	}
	if len(allocs) > 0 {
		fmt.Fprintf(l.w, "lockable: holding %s after waiting %s\n", ids(allocs), roundWait(time.Since(l.start)))
	}
}

func (l *waitLine) text(fitting []core.ResourceStatus, waited time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "lockable: waiting for %s (%s of %s)", l.what, roundWait(waited), l.limit)
	var held []core.ResourceStatus
	for _, st := range fitting {
		if st.State == core.Held {
			held = append(held, st)
		}
	}
	if len(held) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, ": %d fitting, held by", len(fitting))
	for i, st := range held[:min(len(held), maxHolders)] {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s: %s", st.Resource.ID(), st.Holder.Who())
	}
	if len(held) > maxHolders {
		fmt.Fprintf(&b, " and %d more", len(held)-maxHolders)
	}
	return b.String()
}

// wanted describes the requirements, defaults included.
func wanted(lk *core.Lockable, qs []*query.Query) string {
	texts := make([]string, len(qs))
	same := true
	for i, q := range qs {
		texts[i] = lk.Requirements(q).String()
		same = same && texts[i] == texts[0]
	}
	switch {
	case len(texts) == 1:
		return texts[0]
	case same:
		return fmt.Sprintf("%d resources fitting %s", len(texts), texts[0])
	}
	return fmt.Sprintf("%d resources fitting [%s]", len(texts), strings.Join(texts, ", "))
}

// fitting returns the states of the resources that fit any of qs; on an
// error, what it found so far.
func fitting(ctx context.Context, lk *core.Lockable, qs []*query.Query) []core.ResourceStatus {
	sts, _ := fittingAndQueue(ctx, lk, qs)
	return sts
}

// fittingAndQueue returns the resources that fit any of qs, as fitting
// does, and the queue.
func fittingAndQueue(ctx context.Context, lk *core.Lockable, qs []*query.Query) ([]core.ResourceStatus, []core.Waiter) {
	var out []core.ResourceStatus
	var queue []core.Waiter
	for _, q := range distinct(qs) {
		st, err := lk.Status(ctx, q)
		if err != nil {
			break
		}
		out, queue = append(out, st.Fitting()...), st.Queue
	}
	return out, queue
}

// distinct returns qs without repeats, as --count gives them.
func distinct(qs []*query.Query) []*query.Query {
	var out []*query.Query
	for _, q := range qs {
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return out
}

// uniqueByID keeps the first status of each resource: with several
// requirements, one resource may fit more than one.
func uniqueByID(sts []core.ResourceStatus) []core.ResourceStatus {
	seen := make(map[string]bool, len(sts))
	out := sts[:0:0]
	for _, st := range sts {
		if !seen[st.Resource.ID()] {
			seen[st.Resource.ID()] = true
			out = append(out, st)
		}
	}
	return out
}

func ids(allocs []*core.Allocation) string {
	out := make([]string, len(allocs))
	for i, a := range allocs {
		out[i] = a.ResourceID()
	}
	return strings.Join(out, ", ")
}

// roundWait rounds a wait for people: whole seconds, tenths below ten.
func roundWait(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// clip cuts s to at most n runes, so that a line rewritten in place
// never wraps.
func clip(s string, n int) string {
	if n <= 0 {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// terminal tells whether w is a terminal, and its width.
func terminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok {
		return false, 0
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false, 0
	}
	return true, termWidth(f)
}

// redactingWriter blanks known credentials in each write: lockable's own
// lines, written whole.
type redactingWriter struct {
	w       io.Writer
	secrets *redact.Redactor
}

func (w redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.secrets.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
