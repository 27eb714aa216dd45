//go:build !linux

package core

import (
	"context"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// closeWrites: fsnotify does not tell the close of a dead holder's files
// on every system, so waiters also try again from time to time.
const closeWrites = false

// fsWatch watches the two folders with fsnotify: every event on their
// files, whoever wants it (fsnotify watches folders, not files).
type fsWatch struct {
	w    *fsnotify.Watcher
	dirs [2]string
	on   func(target, string, eventKind)
	lost func()
}

func startWatch(dirs [2]string, _ bool, on func(target, string, eventKind), lost func()) (fileWatch, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, err
		}
	}
	return &fsWatch{w: w, dirs: dirs, on: on, lost: lost}, nil
}

func (w *fsWatch) follow(bool) error                  { return nil }
func (w *fsWatch) add(fileKind, string, string) error { return nil }
func (w *fsWatch) remove(fileKind, string)            {}

// run hands on each event until ctx is done; a write counts as closed
// too, since fsnotify tells no closes.
func (w *fsWatch) run(ctx context.Context) error {
	defer w.w.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.w.Events:
			kind := closed
			switch {
			case ev.Has(fsnotify.Create):
				kind = added
			case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
				kind = removed
			case !ev.Has(fsnotify.Write):
				continue
			}
			for i, d := range w.dirs {
				if filepath.Dir(ev.Name) == d {
					t := target{kind: fileKind(i)}
					w.on(t, filepath.Base(ev.Name), kind)
					if kind == closed {
						w.on(t, filepath.Base(ev.Name), written)
					}
				}
			}
		case <-w.w.Errors:
			w.lost()
		}
	}
}
