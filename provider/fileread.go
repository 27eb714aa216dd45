package provider

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

const (
	// racyWindow is how long after its modification time a file may still
	// be modified again without its time changing: file system timestamp
	// granularity (up to 2s on FAT) with room for clock steps.
	racyWindow = 2 * time.Second
	// maxReads bounds the reads of a file that keeps changing.
	maxReads = 8
	// firstRetryDelay is the first pause before reading a changing file
	// again; it doubles each time.
	firstRetryDelay = time.Millisecond
	// maxSettles and settleDelay bound how long a recently modified file
	// that reads as invalid is given to finish being written.
	maxSettles  = 3
	settleDelay = 20 * time.Millisecond
)

// snapshot is what is known about one read of a file.
type snapshot struct {
	info   fs.FileInfo // stat after the read
	readAt time.Time   // when the read ended
}

// unchanged reports whether a file with info can be taken to hold the same
// content as this snapshot without reading it.
func (s snapshot) unchanged(info fs.FileInfo) bool {
	return sameFile(s.info, info) && !s.racy()
}

// racy reports whether the file could have been modified after the read
// without its modification time changing.
func (s snapshot) racy() bool {
	return s.readAt.Sub(s.info.ModTime()) < racyWindow
}

// sameFile reports whether two stats show the same file, size, mode and
// modification time.
func sameFile(a, b fs.FileInfo) bool {
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) &&
		a.Mode() == b.Mode() && os.SameFile(a, b)
}

// readStable reads the file whole, again and again until the read is not
// torn: the stats before and after it agree and match its length, and for
// a recently modified file two reads in a row agree.
func readStable(ctx context.Context, path string) (string, snapshot, error) {
	var prev string
	delay := firstRetryDelay
	for range maxReads {
		data, snap, stable, err := readOnce(path)
		if err != nil {
			return "", snapshot{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if stable && (!snap.racy() || data == prev) {
			return data, snap, nil
		}
		if stable {
			prev = data
			continue
		}
		prev = ""
		if err := sleep(ctx, delay); err != nil {
			return "", snapshot{}, fmt.Errorf("reading resources list %s: %w", path, err)
		}
		delay *= 2
	}
	return "", snapshot{}, keptChanging(path)
}

// keptChanging is the error of a file that never held still to be read.
func keptChanging(path string) error {
	return fmt.Errorf("%w: %s kept changing while being read; "+
		"replace it atomically (write a new file, then rename it over the old one)", ErrUnavailable, path)
}

// readOnce stats, reads and stats the file again; stable tells whether the
// two stats agree with each other and with what was read.
func readOnce(path string) (data string, snap snapshot, stable bool, err error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", snapshot{}, false, err
	}
	if !before.Mode().IsRegular() {
		return "", snapshot{}, false, fmt.Errorf("%s is not a regular file", path)
	}
	data, err = readAll(path, before.Size())
	if err != nil {
		return "", snapshot{}, false, err
	}
	after, err := os.Stat(path)
	if err != nil {
		return "", snapshot{}, false, err
	}
	snap = snapshot{info: after, readAt: time.Now()}
	return data, snap, sameFile(before, after) && int64(len(data)) == after.Size(), nil
}

// readAll reads a file of about size bytes into a string. Reading into
// the string's own buffer spares the copy that os.ReadFile and a
// conversion would make, which counts for large lists.
func readAll(path string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	var b strings.Builder
	b.Grow(int(size) + 1)
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}
