package core

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
	"github.com/go-lockable/lockable/internal/lockbackend"
)

// notifier wakes waiters when a lock may have been released. Releases in
// this process signal it directly; releases by other processes reach it
// through a file watcher on the lock folder, which runs only while
// someone waits.
type notifier struct {
	dir string
	log *slog.Logger

	lockbackend.Broadcast

	mu      sync.Mutex
	waiters int
	watcher *fsnotify.Watcher
}

func newNotifier(dir string, log *slog.Logger) *notifier {
	return &notifier{dir: dir, log: log}
}

// watch makes sure the folder is watched until the returned stop is
// called. Watches are shared: the watcher stops with its last user. When
// no watcher can be started, waiters still wake by their backoff.
func (n *notifier) watch() (stop func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waiters++
	if n.watcher == nil {
		n.watcher = n.startWatcher()
	}
	return sync.OnceFunc(n.unwatch)
}

func (n *notifier) unwatch() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waiters--
	if n.waiters == 0 && n.watcher != nil {
		// Closing a watcher waits for its reader to notice; the caller
		// that holds a resource now need not wait for that.
		go n.watcher.Close()
		n.watcher = nil
	}
}

func (n *notifier) startWatcher() *fsnotify.Watcher {
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(n.dir)
	}
	if err != nil {
		n.log.Warn("cannot watch the lock folder; waiting by polling", "folder", n.dir, "err", err)
		if w != nil {
			w.Close()
		}
		return nil
	}
	go n.forward(w)
	return w
}

// forward turns file events on lock files into signals until w is closed.
func (n *notifier) forward(w *fsnotify.Watcher) {
	for {
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if strings.HasSuffix(ev.Name, lockSuffix) && !ev.Has(fsnotify.Create) {
				n.Signal()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			n.log.Debug("lock folder watcher", "err", err)
			n.Signal()
		}
	}
}
