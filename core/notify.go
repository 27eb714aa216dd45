package core

import (
	"bytes"
	"context"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// watchBound is how long a waiter waits for the folder's watch to start.
const watchBound = 5 * time.Second

// settleAfter are the pauses after an event that found its lock or ticket
// still locked by the same holder: a process that ends closes its files
// (the event) a moment before the kernel drops their locks, and only a
// look after that moment sees the resource free. Each is a look by this
// process's watcher, not by every waiter.
var settleAfter = []time.Duration{time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond, 100 * time.Millisecond}

// notifier tells waiters what changed in the lock folder: releases and
// the queue's tickets, in this process directly and in others through a
// watch of the folder, which runs only while someone waits (or watches
// with Changes).
//
// While the watch runs on a system where it sees every release (Linux:
// a holder's lock file writer is closed after the unlock, and closed by
// the kernel when the holder dies), the notifier also remembers which
// resources are held and which tickets are in the queue, so that a
// waiter that wakes reads only what an event said changed, not every
// fitting resource's lock file and every ticket.
type notifier struct {
	d   *folder
	log *slog.Logger
	lockbackend.Watcher

	mu    sync.Mutex
	live  bool   // the watch runs, sees every release, and the memory below is kept
	epoch uint64 // counts the starts and stops of the memory
	// gen counts the events of each resource, so that a look that began
	// before an event does not store what the event made stale.
	gen     map[string]uint64
	held    map[string]lockbackend.Entry       // resources known held
	tickets map[string]lockbackend.TicketEntry // the queue, by ticket id
	// settling are the names whose late look is under way.
	settling map[string]bool
}

// eventKind is what happened to a file of the folder.
type eventKind int

const (
	// closed: a file opened for writing was closed (where the system does
	// not tell closes, written).
	closed  eventKind = iota
	removed           // removed, or renamed away
	added             // created, or renamed into place
	written           // written to
)

// rewatchPause is the pause before a watch that failed (its folder
// removed, say) is started again.
const rewatchPause = time.Second

func newNotifier(d *folder, log *slog.Logger) *notifier {
	n := &notifier{d: d, log: log, gen: map[string]uint64{}, settling: map[string]bool{}}
	n.Run = n.run
	return n
}

// close stops the watcher and waits until it has stopped.
func (n *notifier) close() { n.Watcher.Close() }

// look is when a look at a lock file began, for remember: the watch's
// epoch (a new one at each start and stop) and the resource's events.
type look struct {
	epoch, gen uint64
	live       bool
}

// known returns what the notifier knows of resource id's lock: an entry
// and true when it knows the resource held, and otherwise the look to
// give remember with what a fresh look finds.
func (n *notifier) known(id string) (lockbackend.Entry, look, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, ok := n.held[id]; ok {
		return e, look{}, true
	}
	return lockbackend.Entry{}, look{epoch: n.epoch, gen: n.gen[id], live: n.live}, false
}

// remember keeps what a look at a held resource found, unless the look
// began before the watch was live, or an event came since it began. A
// free resource is not remembered: taking a lock makes no event.
func (n *notifier) remember(id string, l look, e lockbackend.Entry) {
	if !e.Held || !l.live {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live && n.epoch == l.epoch && n.gen[id] == l.gen {
		n.held[id] = e
	}
}

// released tells the waiters of this process at once of a release here.
func (n *notifier) released(id string) {
	n.forget(id)
	n.Publish(lockbackend.Event{Resource: id})
}

func (n *notifier) forget(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.gen[id]++
	delete(n.held, id)
}

// queue returns the tickets of the queue in order, and true, when the
// notifier keeps them.
func (n *notifier) queue() ([]lockbackend.TicketEntry, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.live {
		return nil, false
	}
	out := slices.Collect(maps.Values(n.tickets))
	slices.SortFunc(out, lockbackend.CompareTickets)
	return out, true
}

// run watches the folder and its queue until ctx is cancelled, turning
// file events into Events. A watch that fails (a watched folder removed)
// is started again after a pause, and its waiters told to look again.
func (n *notifier) run(ctx context.Context, ready func()) {
	var wg sync.WaitGroup // late looks
	defer wg.Wait()
	for {
		err := n.watch(ctx, &wg, ready)
		n.stop()
		if ctx.Err() != nil {
			return
		}
		n.log.Warn("cannot watch the lock folder; trying again", "folder", n.d.dir, "err", err, "pause", rewatchPause)
		ready() // waiters look by themselves meanwhile
		n.Publish(lockbackend.Event{All: true})
		t := time.NewTimer(rewatchPause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// watch watches until ctx is cancelled or the watch fails.
func (n *notifier) watch(ctx context.Context, wg *sync.WaitGroup, ready func()) error {
	queue, err := n.d.queue()
	if err != nil {
		return err
	}
	established := func() {
		n.start()
		ready()
	}
	on := func(dir int, name string, kind eventKind) { n.on(ctx, wg, dir, name, kind) }
	lost := func() {
		n.start()
		n.Publish(lockbackend.Event{All: true})
	}
	return watchDirs(ctx, []string{n.d.dir, queue}, established, on, lost)
}

// start begins keeping the memory of locks and tickets, once the watch is
// in place: it reads the queue afresh.
func (n *notifier) start() {
	n.stop()
	all, err := n.d.readQueue()
	if err != nil {
		n.log.Debug("cannot read the queue", "err", err)
		return
	}
	tickets := make(map[string]lockbackend.TicketEntry, len(all))
	for _, t := range all {
		tickets[t.ID] = t
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.live = closeWrites
	n.epoch++
	n.held = map[string]lockbackend.Entry{}
	n.tickets = tickets
}

func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.live = false
	n.epoch++
	n.held, n.tickets = nil, nil
}

// on handles one file event: dir 0 is the lock folder, 1 its queue.
func (n *notifier) on(ctx context.Context, wg *sync.WaitGroup, dir int, name string, kind eventKind) {
	switch dir {
	case 0:
		id, ok := strings.CutSuffix(name, lockSuffix)
		switch {
		case !ok || kind == added:
		case kind == written:
			n.Publish(lockbackend.Event{Resource: id, Taken: true})
		default:
			n.lockEvent(ctx, wg, id)
		}
	case 1:
		if id, ok := strings.CutSuffix(name, ticketSuffix); ok && !strings.HasPrefix(name, ".") {
			n.ticketEvent(ctx, wg, id, kind)
		}
	}
}

// lockEvent: resource id's lock file was closed after writing, or
// removed. Unless a look finds a new holder, or none, it looks again a
// little later (settleAfter).
func (n *notifier) lockEvent(ctx context.Context, wg *sync.WaitGroup, id string) {
	n.mu.Lock()
	before, wasKnown := n.held[id]
	n.mu.Unlock()
	n.forget(id)
	n.Publish(lockbackend.Event{Resource: id})
	now, err := n.d.probe(id)
	if err != nil || !now.Held || wasKnown && !bytes.Equal(now.Desc, before.Desc) {
		return
	}
	n.settle(ctx, wg, id+lockSuffix, func() bool {
		e, err := n.d.probe(id)
		if err != nil || !e.Held || !bytes.Equal(e.Desc, now.Desc) {
			n.forget(id)
			n.Publish(lockbackend.Event{Resource: id})
			return true
		}
		return false
	})
}

// ticketEvent: ticket id was added to the queue, closed after writing
// (its waiter may have died), or removed.
func (n *notifier) ticketEvent(ctx context.Context, wg *sync.WaitGroup, id string, kind eventKind) {
	path := filepath.Join(n.d.dir, queueDir, id+ticketSuffix)
	switch kind {
	case written:
	case removed:
		n.dropTicket(id)
	case added:
		if t, alive := readTicket(path, id); alive {
			n.addTicket(t)
		}
	case closed:
		if _, alive := readTicket(path, id); !alive {
			n.dropTicket(id)
			return
		}
		n.settle(ctx, wg, id+ticketSuffix, func() bool {
			if _, alive := readTicket(path, id); !alive {
				n.dropTicket(id)
				return true
			}
			return false
		})
	}
}

// addTicket puts a ticket of this process in the queue it keeps, at once:
// its waiter looks at the queue before the watch tells of it.
func (n *notifier) addTicket(t lockbackend.TicketEntry) {
	n.mu.Lock()
	if n.tickets != nil {
		n.tickets[t.ID] = t
	}
	n.mu.Unlock()
	n.Publish(lockbackend.Event{Ticket: t.ID})
}

func (n *notifier) dropTicket(id string) {
	n.mu.Lock()
	delete(n.tickets, id)
	n.mu.Unlock()
	n.Publish(lockbackend.Event{Ticket: id})
}

// settle runs look after each pause of settleAfter until it reports that
// it saw a change, once at a time per name.
func (n *notifier) settle(ctx context.Context, wg *sync.WaitGroup, name string, look func() bool) {
	n.mu.Lock()
	if n.settling[name] {
		n.mu.Unlock()
		return
	}
	n.settling[name] = true
	n.mu.Unlock()
	wg.Go(func() {
		defer func() {
			n.mu.Lock()
			delete(n.settling, name)
			n.mu.Unlock()
		}()
		for _, d := range settleAfter {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if look() {
				return
			}
		}
	})
}
