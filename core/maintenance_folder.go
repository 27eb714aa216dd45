package core

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// recordSuffix ends the name of a maintenance record in the lock folder:
// <id>.maintenance, beside the lock file <id>.pid. No lock file's name
// ends so, so the two never collide, and the folder's one watch sees
// both. The Python lockable knows nothing of these files.
const recordSuffix = ".maintenance"

// maxTemps bounds the attempts at a temporary file name that is free.
const maxTemps = 8

// recordPath returns the maintenance record of resource id; ids that
// would name a file outside the folder are refused, as for locks.
func (d *folder) recordPath(id string) (string, error) {
	lock, err := d.lockPath(id)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(lock, lockSuffix) + recordSuffix, nil
}

// listAbove is the number of ids above which Records lists the folder
// rather than open each id's record.
const listAbove = 16

// Records reads the maintenance record of each id; nil where it has none.
// Most resources have none: for many ids, one listing of the folder says
// which records exist, where one failed open per id was most of a Lock's
// time over a lab of 1,000 (BenchmarkLockUnlock).
func (d *folder) Records(_ context.Context, ids []string) ([][]byte, error) {
	out := make([][]byte, len(ids))
	present := d.recordNames(len(ids))
	for i, id := range ids {
		if err := checkID(id); err != nil {
			return nil, err
		}
		if present != nil && !present[strings.ToLower(id+recordSuffix)] {
			continue
		}
		path, err := d.recordPath(id)
		if err != nil {
			return nil, err
		}
		if out[i], err = d.readRecord(path); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordNames returns the names of the folder's records, in lower case
// (a file system may not tell case apart, and then the open would find a
// record whose name differs in case), when there are more than listAbove
// ids to look up. It returns nil for fewer, and when the folder cannot be
// listed (it may be searchable but not readable): each record is opened
// then. A record written after the listing is missed as one written
// after its open would be: the folder's watch wakes the waiters for it.
func (d *folder) recordNames(ids int) map[string]bool {
	if ids <= listAbove {
		return nil
	}
	f, err := os.Open(d.dir)
	if err != nil {
		return nil
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil
	}
	present := map[string]bool{}
	for _, name := range names {
		if strings.HasSuffix(name, recordSuffix) {
			present[strings.ToLower(name)] = true
		}
	}
	return present
}

// PutRecord writes id's record atomically: into a new file of the
// folder, synced, then renamed over the record, and the folder synced, so
// that a reader sees the old record or the new one, and a crash leaves
// one of them. The record's own end, not the file system, ends a window.
func (d *folder) PutRecord(_ context.Context, id string, rec []byte, _ time.Duration) error {
	path, err := d.recordPath(id)
	if err != nil {
		return err
	}
	err = d.writeRecord(path, append(rec, '\n'))
	d.notify.recordChanged(id) // waiters of this process; others see the rename
	return err
}

func (d *folder) writeRecord(path string, data []byte) error {
	removeStaleTemps(path)
	tmp, f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("cannot write maintenance record %s: %w%s", path, err, permissionHint(err))
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write maintenance record %s: %w%s", path, err, d.replaceHint(path, err))
	}
	return syncDir(d.dir)
}

// staleTemp is the age from which a temporary record is a dead writer's:
// a writer needs milliseconds between creating it and renaming it.
const staleTemp = time.Minute

// removeStaleTemps removes the temporary files of path's record that
// writers killed before their rename left behind (a file of another
// user's in a sticky folder stays: the sticky bit keeps it theirs). A
// link there is removed itself, never followed.
func removeStaleTemps(path string) {
	dir, prefix := filepath.Dir(path), filepath.Base(path)+".tmp-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if fi, err := os.Lstat(name); err == nil && time.Since(fi.ModTime()) > staleTemp {
			_ = os.Remove(name)
		}
	}
}

// createTemp creates a new file beside path, exclusively (never through
// a link someone put there), readable as the lock files are.
func createTemp(path string) (string, *os.File, error) {
	var err error
	for range maxTemps {
		name := path + ".tmp-" + rand.Text()[:8]
		var f *os.File
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return name, f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	return "", nil, err
}

// DeleteRecord removes id's record; false when it had none.
func (d *folder) DeleteRecord(_ context.Context, id string) (bool, error) {
	path, err := d.recordPath(id)
	if err != nil {
		return false, err
	}
	err = os.Remove(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("cannot remove maintenance record %s: %w%s", path, err, d.replaceHint(path, err))
	}
	d.notify.recordChanged(id)
	return true, nil
}

// permissionHint says what to do about a folder that refuses a write.
func permissionHint(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "; make the lock folder writable, or choose another one"
	}
	return ""
}

// replaceHint explains why a record cannot be replaced or removed: in a
// folder every user may write to (the sticky bit), only the record's
// owner (and root) may.
func (d *folder) replaceHint(path string, err error) string {
	if !errors.Is(err, fs.ErrPermission) {
		return ""
	}
	if owner := fileOwner(path); d.shared && owner != "" {
		return fmt.Sprintf("; it belongs to %s, and in a lock folder that every user can write to (sticky bit) only its owner or root may replace or remove it: ask them", owner)
	}
	return permissionHint(err)
}
