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

// watchDirs watches dirs with fsnotify until ctx is done. It calls ready
// once the watches are in place, on(dir, name, kind) for each event on a
// file of dirs[dir] (a write counts as closed too: fsnotify tells no
// closes), and lost() when events may have been missed.
func watchDirs(ctx context.Context, dirs []string, ready func(), on func(dir int, name string, kind eventKind), lost func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			return err
		}
	}
	ready()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			kind := closed
			switch {
			case ev.Has(fsnotify.Create):
				kind = added
			case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
				kind = removed
			case !ev.Has(fsnotify.Write):
				continue
			}
			for i, d := range dirs {
				if filepath.Dir(ev.Name) == d {
					on(i, filepath.Base(ev.Name), kind)
					if kind == closed {
						on(i, filepath.Base(ev.Name), written)
					}
				}
			}
		case <-w.Errors:
			lost()
		}
	}
}
