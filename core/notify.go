package core

import (
	"bytes"
	"context"
	"log/slog"
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

// verifyEvery paces the check of the queue's tickets that no watch here
// follows: a ticket that left unseen is dropped then.
const verifyEvery = 5 * time.Second

// rewatchPause is the pause before a watch that failed (its folder
// removed, say) is started again.
const rewatchPause = time.Second

// fileKind is what a watch is on.
type fileKind int

const (
	lockFolder fileKind = iota
	queueFolder
	lockFile
	ticketFile
	recordFile // a maintenance record (maintenance_folder.go)
)

// target is what one watch is on: a folder, or one file by its id.
type target struct {
	kind fileKind
	id   string // a resource's or ticket's id; "" for a folder
}

// eventKind is what happened to a file.
type eventKind int

const (
	// closed: a file opened for writing was closed (where the system does
	// not tell closes, written).
	closed  eventKind = iota
	removed           // removed, or renamed away
	added             // created, or renamed into place
	written           // written to
	gone              // a watched file is no longer there
)

// fileWatch is the running watch of a lock folder and its queue, as the
// system offers it: of each wanted file (inotify), or of the folders
// (elsewhere, where add and remove do nothing).
type fileWatch interface {
	// follow watches the folders for every change, or stops.
	follow(on bool) error
	// add watches a lock file or ticket at path; remove stops.
	add(kind fileKind, id, path string) error
	remove(kind fileKind, id string)
	// run reads events until ctx is done or the watch fails.
	run(ctx context.Context) error
}

// notifier tells waiters what changed in the lock folder: releases and
// the queue's tickets, in this process directly and in others through a
// watch, which runs only while someone waits (or follows the lab with
// Changes) and watches only what they want.
//
// While the watch runs on a system where it sees every release (Linux:
// a holder's lock file writer is closed after the unlock, and closed by
// the kernel when the holder dies), the notifier also remembers which of
// the watched resources are held and which tickets are in the queue, so
// that a waiter that wakes reads only what an event said changed.
type notifier struct {
	d   *folder
	log *slog.Logger
	lockbackend.Watcher

	mu sync.Mutex
	w  fileWatch // while the watch runs
	// wants counts, per watched file, the subscriptions that want it;
	// follows those that want everything.
	wants   map[target]int
	follows int
	live    bool   // the watch runs, sees every release, and the memory below is kept
	epoch   uint64 // counts the starts and stops of the memory
	// gen counts the events of each resource, and the starts of its
	// watch, so that a look that began before does not store what it
	// made stale.
	gen      map[string]uint64
	held     map[string]heldEntry // watched resources known held
	tickets  map[string]queued    // the queue, by ticket id
	verified time.Time            // when every ticket was last checked
	// settling are the files whose late look is under way.
	settling map[target]bool
}

// heldEntry is what a look found of a held resource, and when. It is
// trusted for verifyEvery at most: a net under an event missed (a lock
// file replaced by another tool in a way no event tells).
type heldEntry struct {
	lockbackend.Entry
	at time.Time
}

// queued is a ticket of the queue as the notifier knows it. An event
// only marks it stale; it is read when someone reads the queue, so that
// a process none of whose waiters cares pays nothing for it.
type queued struct {
	lockbackend.TicketEntry
	stale bool // to read again: new, or its waiter may have left or died
}

func newNotifier(d *folder, log *slog.Logger) *notifier {
	n := &notifier{d: d, log: log, wants: map[target]int{}, gen: map[string]uint64{}, settling: map[target]bool{}}
	n.Run = n.run
	return n
}

// close stops the watcher and waits until it has stopped.
func (n *notifier) close() { n.Watcher.Close() }

// subscribe subscribes to what in wants, and watches it.
func (n *notifier) subscribe(ctx context.Context, in lockbackend.Interest) lockbackend.Subscription {
	s := &folderSub{n: n}
	n.want(s, in)
	s.Subscription = n.Watcher.Subscribe(ctx, watchBound, in)
	return s
}

// folderSub is a subscription whose wants the notifier watches.
type folderSub struct {
	lockbackend.Subscription
	n  *notifier
	in lockbackend.Interest
}

func (s *folderSub) Want(in lockbackend.Interest) {
	s.n.want(s, in)
	s.Subscription.Want(in)
}

func (s *folderSub) Stop() {
	s.Subscription.Stop()
	s.n.want(s, lockbackend.Interest{})
}

// want replaces what s wants watched, and has the watch follow.
func (n *notifier) want(s *folderSub, in lockbackend.Interest) {
	n.mu.Lock()
	defer n.mu.Unlock()
	old := s.in
	s.in = in
	if old.All != in.All {
		if in.All {
			n.follows++
		} else {
			n.follows--
		}
		if n.w != nil && (n.follows == 0 || n.follows == 1 && in.All) {
			if err := n.w.follow(n.follows > 0); err != nil {
				n.log.Debug("cannot follow the lock folder", "err", err)
			}
		}
	}
	n.count(in, +1) // first, so that a file in both is never unwatched
	n.count(old, -1)
}

// count adds d to the wants of every file in; n.mu is held. A file
// wanted for the first time is watched at once, one no longer wanted is
// left.
func (n *notifier) count(in lockbackend.Interest, d int) {
	for id := range in.Resources {
		n.countOne(target{kind: lockFile, id: id}, d)
	}
	for id := range in.Tickets {
		n.countOne(target{kind: ticketFile, id: id}, d)
	}
}

func (n *notifier) countOne(t target, d int) {
	n.wants[t] += d
	switch {
	case n.wants[t] <= 0:
		delete(n.wants, t)
		if n.w != nil {
			n.w.remove(t.kind, t.id)
		}
		if t.kind == lockFile {
			delete(n.held, t.id)
			if n.w != nil {
				n.w.remove(recordFile, t.id)
			}
		}
	case d > 0 && n.wants[t] == 1 && n.w != nil:
		n.watchOne(t)
	}
}

// watchOne starts watching one file; n.mu is held. A lock file is
// created when missing, as a try would: a resource nobody ever took has
// none, and its first holder's release must be seen. A ticket whose file
// is gone has left.
func (n *notifier) watchOne(t target) {
	n.gen[t.id]++
	var err error
	switch t.kind {
	case lockFile:
		path, perr := n.d.lockPath(t.id)
		if err = perr; err == nil {
			if err = n.d.touch(path); err == nil {
				err = n.w.add(lockFile, t.id, path)
			}
		}
		n.watchRecord(t.id)
	case ticketFile:
		// A ticket whose file is gone, or whose waiter died before the
		// watch began (no event will come), has left: the waiter looks
		// again.
		path := n.d.ticketPath(t.id)
		if err = n.w.add(ticketFile, t.id, path); err == nil {
			if _, alive := readTicket(path, t.id); alive {
				return
			}
		}
		delete(n.tickets, t.id)
		n.Publish(lockbackend.Event{Ticket: t.id})
		return
	}
	if err != nil {
		n.log.Debug("cannot watch", "id", t.id, "err", err)
		n.Publish(lockbackend.Event{All: true})
	}
}

// watchRecord watches resource id's maintenance record, when it has one;
// n.mu is held. A record that comes is told by the lock folder's watch.
func (n *notifier) watchRecord(id string) {
	if path, err := n.d.recordPath(id); err == nil {
		n.w.add(recordFile, id, path) // none yet: nothing to watch
	}
}

// recordChanged tells the waiters of this process at once that resource
// id's maintenance record was put or removed here.
func (n *notifier) recordChanged(id string) {
	n.Publish(lockbackend.Event{Resource: id})
}

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
	if e, ok := n.held[id]; ok && time.Since(e.at) < verifyEvery {
		return e.Entry, look{}, true
	}
	watched := n.wants[target{kind: lockFile, id: id}] > 0
	return lockbackend.Entry{}, look{epoch: n.epoch, gen: n.gen[id], live: n.live && watched}, false
}

// remember keeps what a look at a held, watched resource found, unless
// the look began before the watch was live, or an event came since it
// began. A free resource is not remembered: taking a lock makes no event.
func (n *notifier) remember(id string, l look, e lockbackend.Entry) {
	if !e.Held || !l.live {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live && n.epoch == l.epoch && n.gen[id] == l.gen && n.wants[target{kind: lockFile, id: id}] > 0 {
		n.held[id] = heldEntry{Entry: e, at: time.Now()}
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
// notifier keeps them. It reads the queue's folder for the tickets'
// names, and the tickets that are new or that events marked stale; every
// verifyEvery, it checks that the others' waiters live.
func (n *notifier) queue() ([]lockbackend.TicketEntry, bool) {
	n.mu.Lock()
	live := n.live
	n.mu.Unlock()
	if !live {
		return nil, false
	}
	names, err := n.d.ticketNames()
	if err != nil {
		return nil, false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.live {
		return nil, false
	}
	for id := range n.tickets {
		if !names[id] {
			delete(n.tickets, id)
		}
	}
	for id := range names {
		if _, ok := n.tickets[id]; !ok {
			n.tickets[id] = queued{TicketEntry: lockbackend.TicketEntry{ID: id}, stale: true}
		}
	}
	all := time.Since(n.verified) >= verifyEvery
	if all {
		n.verified = time.Now()
	}
	out := make([]lockbackend.TicketEntry, 0, len(n.tickets))
	for id, t := range n.tickets {
		if t.stale || all && n.wants[target{kind: ticketFile, id: id}] == 0 {
			e, alive := readTicket(n.d.ticketPath(id), id)
			if !alive {
				delete(n.tickets, id)
				continue
			}
			t = queued{TicketEntry: e}
			n.tickets[id] = t
		}
		out = append(out, t.TicketEntry)
	}
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
	on := func(t target, name string, kind eventKind) { n.on(ctx, wg, t, name, kind) }
	var w fileWatch
	lost := func() {
		n.start(ctx, w)
		n.Publish(lockbackend.Event{All: true})
	}
	n.mu.Lock()
	follow := n.follows > 0
	n.mu.Unlock()
	w, err = startWatch([2]string{n.d.dir, queue}, follow, on, lost)
	if err != nil {
		return err
	}
	n.start(ctx, w)
	defer n.stop(w)
	ready()
	return w.run(ctx)
}

// start begins keeping the memory of locks and tickets, once the watch w
// is in place (again, after events were lost): it watches what is
// wanted, then reads the queue afresh. A watch whose run was cancelled
// (a newer one may have begun) is left alone.
func (n *notifier) start(ctx context.Context, w fileWatch) {
	n.mu.Lock()
	if ctx.Err() != nil {
		n.mu.Unlock()
		return
	}
	if n.w != w {
		n.w = w
		if n.follows > 0 {
			if err := w.follow(true); err != nil {
				n.log.Debug("cannot follow the lock folder", "err", err)
			}
		}
		for t := range n.wants {
			n.watchOne(t)
		}
	}
	n.live = false
	n.epoch++
	n.mu.Unlock()
	all, err := n.d.readQueue()
	if err != nil {
		n.log.Debug("cannot read the queue", "err", err)
		return
	}
	tickets := make(map[string]queued, len(all))
	for _, t := range all {
		tickets[t.ID] = queued{TicketEntry: t}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.w != w {
		return
	}
	n.live = closeWrites
	n.epoch++
	n.held = map[string]heldEntry{}
	n.tickets = tickets
	n.verified = time.Now()
}

// stop ends the memory of watch w, unless a newer watch has begun (a
// run that ends may overlap the next one's start).
func (n *notifier) stop(w fileWatch) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.w != w {
		return
	}
	n.w = nil
	n.live = false
	n.epoch++
	n.held, n.tickets = nil, nil
}

// on handles one event, of a folder (with the file's name) or of a
// watched file.
func (n *notifier) on(ctx context.Context, wg *sync.WaitGroup, t target, name string, kind eventKind) {
	switch t.kind {
	case lockFolder:
		if id, ok := strings.CutSuffix(name, recordSuffix); ok {
			// A maintenance record put in place (renamed: added),
			// rewritten or removed: the resource is out of service, or
			// back (maintenance_folder.go).
			n.recordEvent(target{kind: recordFile, id: id}, kind)
			return
		}
		id, ok := strings.CutSuffix(name, lockSuffix)
		switch {
		case !ok || kind == added:
		case kind == written:
			n.Publish(lockbackend.Event{Resource: id, Taken: true})
		default:
			n.lockEvent(ctx, wg, id)
		}
	case queueFolder:
		id, ok := strings.CutSuffix(name, ticketSuffix)
		switch {
		case !ok || strings.HasPrefix(name, ".") || kind == written:
		case kind == added:
			n.stale(id)
			n.Publish(lockbackend.Event{Ticket: id})
		case kind == removed:
			n.dropTicket(id)
		default:
			n.ticketEvent(ctx, wg, id)
		}
	case lockFile:
		n.lockEvent(ctx, wg, t.id)
		if kind == gone {
			n.rewatch(t)
		}
	case ticketFile:
		n.ticketEvent(ctx, wg, t.id)
	case recordFile:
		n.recordEvent(t, kind)
	}
}

// recordEvent: resource id's maintenance record came, changed or went.
// A record that came is watched, when its resource is wanted.
func (n *notifier) recordEvent(t target, kind eventKind) {
	if kind == added {
		n.mu.Lock()
		if n.w != nil && n.wants[target{kind: lockFile, id: t.id}] > 0 {
			n.watchRecord(t.id)
		}
		n.mu.Unlock()
	}
	n.Publish(lockbackend.Event{Resource: t.id})
}

// rewatch watches a lock file again that went away (the Python lockable
// deletes its file after a release; the next holder makes a new one).
func (n *notifier) rewatch(t target) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.w != nil && n.wants[t] > 0 {
		n.watchOne(t)
	}
}

func (n *notifier) stale(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tickets != nil {
		n.tickets[id] = queued{TicketEntry: lockbackend.TicketEntry{ID: id}, stale: true}
	}
}

// lockEvent: resource id's lock file was closed after writing, or
// removed. When a waiter here wants to know, and a look does not find a
// new holder, or none, it looks again a little later (settleAfter).
func (n *notifier) lockEvent(ctx context.Context, wg *sync.WaitGroup, id string) {
	n.mu.Lock()
	before, wasKnown := n.held[id]
	n.mu.Unlock()
	n.forget(id)
	if n.Publish(lockbackend.Event{Resource: id}) == 0 {
		return
	}
	now, err := n.d.probe(id)
	if err != nil || !now.Held || wasKnown && !bytes.Equal(now.Desc, before.Entry.Desc) {
		return
	}
	n.settle(ctx, wg, target{kind: lockFile, id: id}, func() bool {
		e, err := n.d.probe(id)
		if err != nil || !e.Held || !bytes.Equal(e.Desc, now.Desc) {
			n.forget(id)
			n.Publish(lockbackend.Event{Resource: id})
			return true
		}
		return false
	})
}

// ticketEvent: ticket id's waiter may have left or died. The ticket is
// read when someone reads the queue; when a waiter here wants to know,
// also at once, and again a little later.
func (n *notifier) ticketEvent(ctx context.Context, wg *sync.WaitGroup, id string) {
	n.stale(id)
	if n.Publish(lockbackend.Event{Ticket: id}) == 0 {
		return
	}
	path := n.d.ticketPath(id)
	if _, alive := readTicket(path, id); !alive {
		n.dropTicket(id)
		return
	}
	n.settle(ctx, wg, target{kind: ticketFile, id: id}, func() bool {
		if _, alive := readTicket(path, id); !alive {
			n.dropTicket(id)
			return true
		}
		return false
	})
}

// addTicket puts a ticket of this process in the queue it keeps, at once:
// its waiter looks at the queue before the watch tells of it.
func (n *notifier) addTicket(t lockbackend.TicketEntry) {
	n.mu.Lock()
	if n.tickets != nil {
		n.tickets[t.ID] = queued{TicketEntry: t}
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
// it saw a change, once at a time per file.
func (n *notifier) settle(ctx context.Context, wg *sync.WaitGroup, t target, look func() bool) {
	n.mu.Lock()
	if n.settling[t] {
		n.mu.Unlock()
		return
	}
	n.settling[t] = true
	n.mu.Unlock()
	wg.Go(func() {
		defer func() {
			n.mu.Lock()
			delete(n.settling, t)
			n.mu.Unlock()
		}()
		for _, d := range settleAfter {
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			if look() {
				return
			}
		}
	})
}
