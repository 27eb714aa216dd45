package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// FileSource is a resources list in a file, read again only when the file
// changed. Create one with File.
type FileSource struct {
	path   string
	absErr error
	cfg    fileConfig
	gate   gate
	last   *fileLoad // guarded by gate
}

// fileLoad is the outcome of the last read: what was read and what it gave.
type fileLoad struct {
	snap snapshot
	parsed
}

// File returns a source for the file at path, a UTF-8 JSON resources list.
// A relative path is resolved against the working directory now, so later
// changes of directory do not matter. File never fails: a missing or
// unreadable file is an error of Resources. The options are WithMaxSize
// and WithLogger.
func File(path string, opts ...Option) *FileSource {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return &FileSource{path: abs, absErr: err, cfg: newFileConfig(opts), gate: newGate()}
}

// Path returns the absolute path of the file.
func (s *FileSource) Path() string {
	return s.path
}

// Resources returns the file's list, reading it only when it changed. A
// file is taken as unchanged when its size, modification time and identity
// are the same as at the last read, and that read happened well after the
// modification time; a file modified within the last moments is read again
// and compared byte for byte, so two writes within the file system's
// timestamp granularity are never missed. Unchanged content gives the same
// slice as before; an unchanged invalid file gives its error again.
//
// A file rewritten while it is being read is read again until two stats
// agree around the read (and, for a recently modified file, two reads
// agree), so half a file is never taken for the list. Writers should still
// replace the file atomically: write a new file, then rename it over the
// old one.
//
// Resources may block while another goroutine reads the file; it honours
// ctx while waiting.
func (s *FileSource) Resources(ctx context.Context) ([]Resource, error) {
	res, _, err := s.ResourcesText(ctx)
	return res, err
}

// ResourcesText is Resources, and also returns the text the list was read
// from: the file's content, without a leading byte order mark. The text is
// empty when err is not nil. A server of the list (lockable serve's
// /resources.json) sends these bytes, so that its clients see the list as
// the file has it.
func (s *FileSource) ResourcesText(ctx context.Context) ([]Resource, string, error) {
	if s.absErr != nil {
		return nil, "", fmt.Errorf("%w: %s: %w", ErrUnavailable, s.path, s.absErr)
	}
	if err := s.gate.lock(ctx); err != nil {
		return nil, "", fmt.Errorf("waiting to read resources list %s: %w", s.path, err)
	}
	defer s.gate.unlock()
	info, err := os.Stat(s.path)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if s.last != nil && s.last.snap.unchanged(info) {
		return s.last.result()
	}
	if info.Size() > s.cfg.maxSize {
		return nil, "", fmt.Errorf("%w: %s is %d bytes, over the limit of %d bytes; raise it with WithMaxSize", ErrUnavailable, s.path, info.Size(), s.cfg.maxSize)
	}
	load, err := s.load(ctx)
	if err != nil {
		return nil, "", err
	}
	s.logLoad(load)
	s.last = load
	return load.result()
}

// logLoad tells the logger about a list read again.
func (s *FileSource) logLoad(load *fileLoad) {
	switch {
	case s.last != nil && s.last.filled && load.text == s.last.text:
		return // touched, not changed
	case load.err != nil:
		s.cfg.logger.Warn("resources list: invalid", "file", s.path, "err", load.err)
	default:
		s.cfg.logger.Info("resources list: loaded", "file", s.path, "resources", len(load.resources))
	}
}

// load reads the file and validates it, reusing the last result when the
// content is the same. A recently modified file that reads as invalid may
// be in the middle of a rewrite: its error stands only once the file has
// stayed the same for a moment.
func (s *FileSource) load(ctx context.Context) (*fileLoad, error) {
	for range maxSettles {
		text, snap, err := readStable(ctx, s.path)
		if err != nil {
			return nil, err
		}
		load := s.result(text, snap)
		if load.err == nil || !snap.racy() {
			return load, nil
		}
		if err := sleep(ctx, settleDelay); err != nil {
			return nil, fmt.Errorf("reading resources list %s: %w", s.path, err)
		}
		if info, err := os.Stat(s.path); err == nil && sameFile(snap.info, info) {
			return load, nil
		}
	}
	return nil, keptChanging(s.path)
}

// result validates a snapshot, or reuses the last result for the same
// content.
func (s *FileSource) result(text string, snap snapshot) *fileLoad {
	var last parsed
	if s.last != nil {
		last = s.last.parsed
	}
	return &fileLoad{snap: snap, parsed: last.next(s.path, text)}
}
