package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// Holder describes who holds a resource. The lock folder keeps it in the
// lock file: the first line is the holder's pid (as the Python lockable
// writes it), the second this description as one line of JSON.
//
// A lock written by another tool may say only the pid; the other fields
// are then empty.
type Holder struct {
	AllocationID string `json:"allocation_id,omitempty"`
	Resource     string `json:"resource,omitempty"` // the resource's id
	// Hostname is the holder's host as the lab names it: the Lockable's
	// hostname (WithHostname, by default os.Hostname).
	Hostname string    `json:"hostname,omitempty"`
	User     string    `json:"user,omitempty"`
	PID      int       `json:"pid"`
	Since    time.Time `json:"since,omitzero"` // when the resource was taken
	// Requirements are the requirements, with defaults, that the resource
	// was taken for; for LockMany, the one it was first tried for.
	Requirements json.RawMessage `json:"requirements,omitempty"`
	// Owner is the free-form label of WithOwner: a test's name, a command.
	Owner string `json:"owner,omitempty"`
	// Queued is how long the holder waited for the resource before it got
	// it (Allocation.QueueTime), written as "queued_seconds"; 0 when the
	// lock does not say (another tool's, or an older lockable's).
	Queued time.Duration `json:"-"`
}

// plainHolder is Holder without its methods, for its JSON form.
type plainHolder Holder

// holderJSON is Holder's JSON form: its fields, and Queued in seconds.
type holderJSON struct {
	plainHolder
	QueuedSeconds float64 `json:"queued_seconds,omitempty"`
}

// MarshalJSON renders the holder as lock files and status --json have it:
// the fields' tags, and Queued as "queued_seconds".
func (h Holder) MarshalJSON() ([]byte, error) {
	return json.Marshal(holderJSON{plainHolder(h), h.Queued.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *Holder) UnmarshalJSON(data []byte) error {
	var j holderJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*h = Holder(j.plainHolder)
	h.Queued = time.Duration(j.QueuedSeconds * float64(time.Second))
	return nil
}

// String describes the holder in a few words for messages, such as
// "alice@lab-runner-1 pid 4242 (TestFlash) since 2026-11-26 10:02:03".
func (h Holder) String() string {
	if h.Since.IsZero() {
		return h.Who()
	}
	return h.Who() + " since " + h.Since.Local().Format(time.DateTime)
}

// Who names the holder without the time: "alice@lab-runner-1 pid 4242
// (TestFlash)".
func (h Holder) Who() string {
	var b bytes.Buffer
	if h.User != "" {
		b.WriteString(h.User + "@")
	}
	if h.Hostname != "" {
		b.WriteString(h.Hostname + " ")
	}
	fmt.Fprintf(&b, "pid %d", h.PID)
	if h.Owner != "" {
		fmt.Fprintf(&b, " (%s)", h.Owner)
	}
	return b.String()
}

// splitPIDLine reads a lock file's content: the pid line, then the
// holder's description. A file written by another tool may hold only a
// pid; an empty file gives 0 and nil.
func splitPIDLine(content []byte) (pid int, desc []byte) {
	first, rest, _ := bytes.Cut(content, []byte("\n"))
	pid, err := strconv.Atoi(string(bytes.TrimSpace(first)))
	if err != nil {
		return 0, nil
	}
	return pid, bytes.TrimSpace(rest)
}

// holderOf decodes what a backend knows of a holder. A description that
// does not decode (another tool's) leaves only the pid.
func holderOf(e lockbackend.Entry) Holder {
	var h Holder
	if len(e.Desc) > 0 && json.Unmarshal(e.Desc, &h) != nil {
		h = Holder{}
	}
	if e.PID != 0 {
		h.PID = e.PID
	}
	return h
}
