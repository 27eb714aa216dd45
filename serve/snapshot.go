package serve

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/go-lockable/lockable/core"
)

// EventsVersion is the version of the data of /events; it grows when a
// field changes meaning or goes away, not when one is added.
const EventsVersion = 1

// errStarting is the state of the lab before it was first read.
var errStarting = errors.New("reading the lab for the first time")

// snapshot is the lab at one reading, as every endpoint serves it. It is
// immutable once published, but for next, which is closed when the next
// snapshot replaces it.
type snapshot struct {
	seq    uint64
	at     time.Time
	status core.Status // when err is nil
	err    error       // why the lab could not be read
	body   []byte      // status as JSON, core's form, when err is nil
	rows   []row       // each resource's JSON, in order, when err is nil
	event  []byte      // the data of a "status" event: the whole lab
	update []byte      // the data of an "update" event from the snapshot before; nil when there is none
	list   listDoc
	next   chan struct{}
}

// row is one resource of the status: its id and its JSON.
type row struct {
	id   string
	json []byte
}

// listDoc is the resources list as /resources.json serves it.
type listDoc struct {
	text     string
	etag     string    // a strong validator: a hash of text
	modified time.Time // when this server first saw text
	err      error     // why there is no list to serve
}

// envelope is the data of an event: the lab, or what changed in it.
type envelope struct {
	Version int             `json:"version"`
	Time    time.Time       `json:"time"`
	Source  string          `json:"source,omitempty"`
	Error   string          `json:"error,omitempty"`
	Status  json.RawMessage `json:"status,omitempty"`
}

// newSnapshot makes the snapshot that follows prev: the lab read at at,
// st or the error err that reading it gave, and the resources list.
func newSnapshot(prev *snapshot, at time.Time, st core.Status, err error, list listDoc, source string) (*snapshot, error) {
	s := &snapshot{seq: prev.seq + 1, at: at, err: err, list: list, next: make(chan struct{})}
	if err == nil {
		if err := s.encode(st); err != nil {
			return nil, err
		}
	}
	var e error
	s.event, e = s.envelope(source, s.body)
	if e != nil {
		return nil, e
	}
	if diff, ok := s.changedRows(prev); ok {
		s.update, e = s.envelope(source, diff)
	}
	return s, e
}

// updateSince is the data of an "update" event for a client that has
// prev, nil when a whole status must be sent instead. A client that
// missed snapshots in between (they came faster than it was written to)
// gets what changed since the one it has.
func (s *snapshot) updateSince(prev *snapshot, source string) []byte {
	if s.seq == prev.seq+1 {
		return s.update
	}
	diff, ok := s.changedRows(prev)
	if !ok {
		return nil
	}
	data, err := s.envelope(source, diff)
	if err != nil {
		return nil
	}
	return data
}

// encode renders st whole, and each of its resources.
func (s *snapshot) encode(st core.Status) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	s.status, s.body = st, body
	s.rows = make([]row, len(st.Resources))
	for i, r := range st.Resources {
		js, err := json.Marshal(r)
		if err != nil {
			return err
		}
		s.rows[i] = row{id: r.Resource.ID(), json: js}
	}
	return nil
}

func (s *snapshot) envelope(source string, status []byte) ([]byte, error) {
	e := envelope{Version: EventsVersion, Time: s.at.UTC(), Source: source, Status: status}
	if s.err != nil {
		e.Error = s.err.Error()
	}
	return json.Marshal(e)
}

// changedRows is the status as an update from prev: every field but the
// resources as they are now, and only the resources whose JSON changed.
// It reports false when a whole status must be sent instead: prev or s
// has no status, or the resources are others, or in another order.
func (s *snapshot) changedRows(prev *snapshot) ([]byte, bool) {
	if s.err != nil || prev.err != nil || len(s.rows) != len(prev.rows) {
		return nil, false
	}
	var changed []json.RawMessage
	for i, r := range s.rows {
		if r.id != prev.rows[i].id {
			return nil, false
		}
		if !bytes.Equal(r.json, prev.rows[i].json) {
			changed = append(changed, r.json)
		}
	}
	head := s.status
	head.Resources = nil
	js, err := json.Marshal(head)
	if err != nil {
		return nil, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(js, &fields); err != nil {
		return nil, false
	}
	if changed == nil {
		changed = []json.RawMessage{}
	}
	fields["resources"], err = json.Marshal(changed)
	if err != nil {
		return nil, false
	}
	out, err := json.Marshal(fields)
	return out, err == nil
}

// sameReading reports whether a reading tells what s does already: the
// same errors, the same status, the same list text. It is much cheaper
// than encoding the reading: a list that did not change is the same
// slice and the same text, whose strings compare at once.
func (s *snapshot) sameReading(st core.Status, err error, text string, listErr error) bool {
	return s.seq > 0 && errText(err) == errText(s.err) && errText(listErr) == errText(s.list.err) &&
		text == s.list.text && (err != nil || reflect.DeepEqual(st, s.status))
}

// same reports whether s tells nothing that prev did not.
func (s *snapshot) same(prev *snapshot) bool {
	return prev.seq > 0 && errText(s.err) == errText(prev.err) && bytes.Equal(s.body, prev.body) &&
		s.list.etag == prev.list.etag && errText(s.list.err) == errText(prev.list.err)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// newListDoc is the list doc of text, first seen at at unless prev has
// the same text, or of the error that reading the list gave.
func newListDoc(prev listDoc, text string, err error, at time.Time) listDoc {
	switch {
	case err != nil:
		return listDoc{err: err}
	case prev.err == nil && prev.etag != "" && text == prev.text:
		return prev // no need to hash it again
	}
	sum := sha256.Sum256([]byte(text))
	return listDoc{text: text, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: at}
}
