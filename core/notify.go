package core

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/go-lockable/lockable/internal/lockbackend"
)

// watchBound is how long a waiter waits for the folder's watch to start.
const watchBound = 5 * time.Second

// notifier wakes waiters when a lock may have been released. Releases in
// this process signal it directly; releases by other processes reach it
// through a file watcher on the lock folder, which runs only while
// someone waits.
type notifier struct {
	dir string
	log *slog.Logger

	lockbackend.Broadcast
	shared lockbackend.Shared
}

func newNotifier(dir string, log *slog.Logger) *notifier {
	n := &notifier{dir: dir, log: log}
	n.shared.Run = n.run
	return n
}

// watch makes sure the folder is watched until the returned stop is
// called. When no watcher can be started, waiters still wake by their
// backoff.
func (n *notifier) watch(ctx context.Context) (stop func()) {
	return n.shared.Watch(ctx, watchBound)
}

// close stops the watcher and waits until it has stopped.
func (n *notifier) close() { n.shared.Close() }

// run watches the folder until ctx is cancelled, turning file events on
// lock files into signals.
func (n *notifier) run(ctx context.Context, ready func()) {
	defer ready()
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(n.dir)
	}
	if err != nil {
		n.log.Warn("cannot watch the lock folder; waiting by polling", "folder", n.dir, "err", err)
		if w != nil {
			w.Close()
		}
		return
	}
	defer w.Close()
	ready()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-w.Events:
			if strings.HasSuffix(ev.Name, lockSuffix) && !ev.Has(fsnotify.Create) {
				n.Signal()
			}
			// Lab care hook: a maintenance record put in place (renamed:
			// Create), rewritten or removed (maintenance_folder.go).
			if strings.HasSuffix(ev.Name, recordSuffix) {
				n.Signal()
			}
		case err := <-w.Errors:
			n.log.Debug("lock folder watcher", "err", err)
			n.Signal()
		}
	}
}
