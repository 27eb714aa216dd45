package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
)

// MaxNote bounds a maintenance note, in bytes.
const MaxNote = 4096

// maxRecord bounds what is read of a maintenance record.
const maxRecord = 64 << 10

var (
	// ErrUnknownResource: StartMaintenance was given an id that is not in
	// the resources list.
	ErrUnknownResource = errors.New("no such resource")
	// ErrNotInMaintenance: EndMaintenance was given a resource that is
	// not in maintenance (or whose window has ended by itself).
	ErrNotInMaintenance = errors.New("not in maintenance")
)

// Maintenance is a resource's time out of service: while it lasts,
// nobody is given the resource. It is kept beside the locks (see
// StartMaintenance), so every process that shares the lock folder or the
// backend sees it.
type Maintenance struct {
	// Note says why: a person's words, or a failed health check's or
	// cleanup's exit status and last lines of output.
	Note string `json:"note"`
	// By is who started it, user@host, the host as the Lockable that
	// wrote it names it (WithHostname).
	By string `json:"by"`
	// Since is when it started.
	Since time.Time `json:"since,omitzero"`
	// Until is when it ends by itself; the zero time when it lasts until
	// EndMaintenance.
	Until time.Time `json:"until,omitzero"`
}

// Active reports whether the maintenance is in force at t: it has not
// ended by itself by then.
func (m Maintenance) Active(t time.Time) bool {
	return m.Until.IsZero() || t.Before(m.Until)
}

// String describes the maintenance for messages: "in maintenance since
// 10:02 until 10:32 by ana@lab-1: flashing firmware". The note is put on
// one line, without control characters.
func (m Maintenance) String() string {
	var b strings.Builder
	b.WriteString("in maintenance")
	if !m.Since.IsZero() {
		b.WriteString(" since " + clock(m.Since))
	}
	if !m.Until.IsZero() {
		b.WriteString(" until " + clock(m.Until))
	}
	if m.By != "" {
		b.WriteString(" by " + m.By)
	}
	if m.Note != "" {
		b.WriteString(": " + OneLine(m.Note))
	}
	return b.String()
}

// clock is a time as people read it in a message: 15:04 today, with the
// date on other days.
func clock(t time.Time) string {
	t = t.Local()
	if y, m, d := time.Now().Date(); t.Year() == y && t.Month() == m && t.Day() == d {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// OneLine makes text fit on one line of a message or a table: line
// breaks become " | ", tabs spaces, and other control characters (a
// terminal's escape sequences) U+FFFD.
func OneLine(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r) && r != '\n':
			return unicode.ReplacementChar
		}
		return r
	}, strings.ReplaceAll(text, "\n", " | "))
}

// record is a maintenance as the backend keeps it: one JSON object.
type record struct {
	Resource string `json:"resource"`
	Maintenance
}

// StartMaintenance takes resource id out of service, with note saying
// why, for everyone who uses the same lock folder or backend: nobody is
// given the resource until the maintenance ends, when d has passed or,
// with d of 0, when EndMaintenance ends it. It replaces a maintenance
// the resource is in. A resource someone holds stays theirs until they
// release it; nobody gets it after that. Once StartMaintenance has
// returned, no allocation of the resource completes (an allocation
// looks again just before it hands a resource over), and waiters that
// another resource could serve go on waiting for that one.
//
// The lock folder keeps the maintenance as a file, <id>.maintenance,
// beside the lock file, written to a new file and renamed into place;
// etcd as the key <prefix>/maintenance/<id>. It does not wait for the
// holder, nor beyond the backend's bound of a request. It fails with an error matching ErrUnknownResource when id is
// not in the resources list.
func (l *Lockable) StartMaintenance(ctx context.Context, id, note string, d time.Duration) (Maintenance, error) {
	if err := checkMaintenance(note, d); err != nil {
		return Maintenance{}, err
	}
	list, err := l.src.Resources(ctx)
	if err != nil {
		return Maintenance{}, fmt.Errorf("load resources: %w", err)
	}
	if !slices.ContainsFunc(list, func(r provider.Resource) bool { return r.ID() == id }) {
		return Maintenance{}, unknownResource(id, list)
	}
	return l.putMaintenance(ctx, id, note, d)
}

func checkMaintenance(note string, d time.Duration) error {
	switch {
	case len(note) > MaxNote:
		return fmt.Errorf("a maintenance note of %d bytes: at most %d fit; say the rest elsewhere and point to it", len(note), MaxNote)
	case d < 0:
		return fmt.Errorf("a maintenance of %s: give a positive duration, or 0 for one that lasts until it is ended", d)
	}
	return nil
}

func unknownResource(id string, list []provider.Resource) error {
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID()
	}
	hint := ""
	if near := nearest(id, ids); near != "" {
		hint = fmt.Sprintf("; did you mean %q?", near)
	}
	return fmt.Errorf("%w %q in the resources list (%d resources)%s", ErrUnknownResource, id, len(list), hint)
}

// putMaintenance records a maintenance of id, whether or not the list
// has it.
func (l *Lockable) putMaintenance(ctx context.Context, id, note string, d time.Duration) (Maintenance, error) {
	m, err := l.maintainer()
	if err != nil {
		return Maintenance{}, err
	}
	now := time.Now()
	rec := record{Resource: id, Maintenance: Maintenance{Note: note, By: l.user + "@" + l.hostname, Since: now.UTC()}}
	if d > 0 {
		rec.Until = now.Add(d).UTC()
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return Maintenance{}, fmt.Errorf("maintenance of %s: %w", id, err)
	}
	if err := m.PutRecord(ctx, id, data, d); err != nil {
		return Maintenance{}, fmt.Errorf("cannot put %s in maintenance: %w", id, err)
	}
	l.log.Info("maintenance started", "resource", id, "note", note, "until", rec.Until)
	return rec.Maintenance, nil
}

// EndMaintenance puts resource id back in service, and returns the
// maintenance it ended; it does not wait beyond the backend's bound of a
// request. Waiters for it are woken, in other processes too. It fails with an error matching ErrNotInMaintenance when id is
// not in maintenance; a record that ended by itself, or that cannot be
// read, is removed all the same. id need not be in the resources list,
// so that a record of a resource since removed from it can be ended.
func (l *Lockable) EndMaintenance(ctx context.Context, id string) (Maintenance, error) {
	m, err := l.maintainer()
	if err != nil {
		return Maintenance{}, err
	}
	current, err := l.maintenanceOf(ctx, []string{id})
	if err != nil {
		return Maintenance{}, err
	}
	deleted, err := m.DeleteRecord(ctx, id)
	switch {
	case err != nil:
		return Maintenance{}, fmt.Errorf("cannot end the maintenance of %s: %w", id, err)
	case !deleted || current[0] == nil:
		return Maintenance{}, fmt.Errorf("%s: %w", id, ErrNotInMaintenance)
	}
	l.log.Info("maintenance ended", "resource", id)
	return *current[0], nil
}

// maintainer is the backend as a keeper of maintenance records.
func (l *Lockable) maintainer() (lockbackend.Maintainer, error) {
	if m, ok := l.locks.(lockbackend.Maintainer); ok {
		return m, nil
	}
	return nil, errors.New("this lock backend keeps no maintenance records")
}

// maintenanceOf tells, for each id, the maintenance in force now; nil
// for none. A backend that keeps no records has none.
func (l *Lockable) maintenanceOf(ctx context.Context, ids []string) ([]*Maintenance, error) {
	out := make([]*Maintenance, len(ids))
	m, ok := l.locks.(lockbackend.Maintainer)
	if !ok || len(ids) == 0 {
		return out, nil
	}
	records, err := m.Records(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("maintenance records: %w", err)
	}
	now := time.Now()
	for i, data := range records {
		if data == nil {
			continue
		}
		if rec := parseRecord(ids[i], data); rec.Active(now) {
			out[i] = &rec
		}
	}
	return out, nil
}

// parseRecord reads a record. One that cannot be read counts as a
// maintenance in force, whose note says so: someone meant the resource
// to be out of service, and a truncated or hand-edited file must not
// hand it out.
func parseRecord(id string, data []byte) Maintenance {
	var rec record
	err := json.Unmarshal(data, &rec)
	if len(data) > maxRecord {
		err = fmt.Errorf("larger than %d KiB", maxRecord>>10)
	}
	if err != nil {
		return Maintenance{Note: fmt.Sprintf("its maintenance record cannot be read (%v): end it (EndMaintenance, lockable maintain --end %s) or write it again", err, id)}
	}
	return rec.Maintenance
}
