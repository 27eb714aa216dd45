package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// The lock folder's queue is the folder .queue in it: one ticket file per
// waiter, held with flock by the waiter for as long as it waits. The
// kernel drops the lock when the waiter dies, SIGKILL included: a ticket
// whose lock is free belongs to nobody, and is skipped (and removed) by
// whoever reads the queue. A ticket is written under another name, locked,
// then renamed into place, so that a ticket in the queue is always held.
const (
	queueDir     = ".queue"
	ticketSuffix = ".ticket"
	maxTicket    = 64 << 10
)

// ticketContent is what a ticket file holds.
type ticketContent struct {
	Priority int             `json:"priority"`
	Order    int64           `json:"order"` // when it was queued, in Unix nanoseconds
	Waiter   json.RawMessage `json:"waiter"`
}

// Enqueue queues a waiter: its priority, and desc, the waiter's
// description. The ticket lasts until Leave, or the waiter's end.
func (d *folder) Enqueue(_ context.Context, priority int, desc []byte) (lockbackend.Ticket, error) {
	dir, err := d.queue()
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixNano()
	t := &folderTicket{id: fmt.Sprintf("%019d-%d-%s", now, os.Getpid(), randomHex(4)), priority: priority, order: now, notify: d.notify}
	t.path = filepath.Join(dir, t.id+ticketSuffix)
	f, err := t.write(desc)
	if err != nil {
		return nil, err
	}
	t.f = f
	d.notify.addTicket(lockbackend.TicketEntry{ID: t.id, Priority: priority, Order: now, Desc: desc})
	return t, nil
}

// write writes the ticket's file under another name, locks it and
// renames it into place, so that a ticket in the queue is always held.
func (t *folderTicket) write(desc []byte) (*os.File, error) {
	content, err := json.Marshal(ticketContent{Priority: t.priority, Order: t.order, Waiter: desc})
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(t.path)
	tmp := filepath.Join(dir, ".new-"+t.id+"-"+randomHex(4))
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|noFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot queue in %s: %w", dir, err)
	}
	if err := queueTicket(f, content, tmp, t.path); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("cannot queue in %s: %w", dir, err)
	}
	return f, nil
}

// queueTicket writes, locks and renames into place the new ticket f.
func queueTicket(f *os.File, content []byte, tmp, path string) error {
	if _, err := f.Write(content); err != nil {
		return err
	}
	ok, err := tryFlock(f)
	if err != nil || !ok {
		return errors.Join(err, errors.New("the new ticket is locked already"))
	}
	return os.Rename(tmp, path)
}

// queue returns the queue's folder, made when missing with the lock
// folder's permissions (the sticky bit included), so that whoever may use
// the lock folder may queue in it.
func (d *folder) queue() (string, error) {
	dir := filepath.Join(d.dir, queueDir)
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		parent, err := os.Stat(d.dir)
		if err != nil {
			return "", err
		}
		mode := parent.Mode() & (fs.ModePerm | fs.ModeSticky | fs.ModeSetgid)
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("cannot make the queue folder %s: %w", dir, err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			return "", err
		}
		fi, err = os.Lstat(dir)
		if err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("the queue folder %s is not a directory but %s; remove it", dir, kindOf(fi.Mode()))
	}
	return dir, nil
}

// ticketPath is the file of ticket id.
func (d *folder) ticketPath(id string) string {
	return filepath.Join(d.dir, queueDir, id+ticketSuffix)
}

// Tickets returns the queue: the tickets of living waiters, highest
// priority first, then in the order they were queued. While the folder is
// watched, the watcher knows them; otherwise they are read.
func (d *folder) Tickets(context.Context) ([]lockbackend.TicketEntry, error) {
	if q, ok := d.notify.queue(); ok {
		return q, nil
	}
	return d.readQueue()
}

// ticketNames reads the ids of the tickets in the queue's folder.
func (d *folder) ticketNames() (map[string]bool, error) {
	entries, err := os.ReadDir(filepath.Join(d.dir, queueDir))
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ticketSuffix); ok && !strings.HasPrefix(e.Name(), ".") {
			names[id] = true
		}
	}
	return names, nil
}

// readQueue reads the queue's folder. A dead waiter's ticket is removed
// as it is found.
func (d *folder) readQueue() ([]lockbackend.TicketEntry, error) {
	dir := filepath.Join(d.dir, queueDir)
	names, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the queue %s: %w", dir, err)
	}
	var out []lockbackend.TicketEntry
	for _, e := range names {
		id, ok := strings.CutSuffix(e.Name(), ticketSuffix)
		if !ok || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if t, alive := readTicket(filepath.Join(dir, e.Name()), id); alive {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, lockbackend.CompareTickets)
	return out, nil
}

// readTicket reads the ticket at path, and reports whether its waiter
// lives. A ticket that cannot be read counts as gone.
func readTicket(path, id string) (lockbackend.TicketEntry, bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return lockbackend.TicketEntry{}, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return lockbackend.TicketEntry{}, false
	}
	if held, err := probeFlock(f); err != nil || !held {
		os.Remove(path) // its waiter is gone; another's may not be removable here
		return lockbackend.TicketEntry{}, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTicket))
	var t ticketContent
	if err != nil || json.Unmarshal(data, &t) != nil {
		return lockbackend.TicketEntry{}, false
	}
	return lockbackend.TicketEntry{ID: id, Priority: t.Priority, Order: t.Order, Desc: t.Waiter}, true
}

// folderTicket is a waiter's ticket file, held while it waits.
type folderTicket struct {
	id       string
	path     string
	priority int
	order    int64
	f        *os.File
	notify   *notifier
	once     sync.Once
	err      error
}

func (t *folderTicket) ID() string { return t.id }

// Update replaces the ticket's file with one that holds desc, in its
// place in the queue.
func (t *folderTicket) Update(_ context.Context, desc []byte) error {
	f, err := t.write(desc)
	if err != nil {
		return err
	}
	old := t.f
	t.f = f
	t.notify.addTicket(lockbackend.TicketEntry{ID: t.id, Priority: t.priority, Order: t.order, Desc: desc})
	return old.Close()
}

// Leave removes the ticket, then drops its lock: nobody sees it dead.
func (t *folderTicket) Leave() error {
	t.once.Do(func() {
		t.err = errors.Join(os.Remove(t.path), t.f.Close())
		t.notify.dropTicket(t.id)
	})
	return t.err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
