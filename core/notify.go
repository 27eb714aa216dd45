package core

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// notifier wakes waiters when a lock may have been released. Releases in
// this process signal it directly; releases by other processes reach it
// through a file watcher on the lock folder, which runs only while
// someone waits.
type notifier struct {
	dir string
	log *slog.Logger

	mu      sync.Mutex
	ch      chan struct{}
	waiters int
	watcher *fsnotify.Watcher
}

func newNotifier(dir string, log *slog.Logger) *notifier {
	return &notifier{dir: dir, log: log, ch: make(chan struct{})}
}

// changed returns a channel that is closed at the next signal.
func (n *notifier) changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// signal wakes everyone waiting on a channel from changed.
func (n *notifier) signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
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
				n.signal()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			n.log.Debug("lock folder watcher", "err", err)
			n.signal()
		}
	}
}
