package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// State is what a resource is doing, as Status sees it.
type State int

const (
	// Free: allocatable now.
	Free State = iota
	// Held: someone holds the resource's lock.
	Held
	// Offline: the resource's "online" field is not true.
	Offline
	// OtherHost: the resource is attached to another host (its
	// "hostname" names another). One without a hostname is attached to
	// none: it is Free, and fits requirements that drop the hostname
	// default ({"hostname": null}).
	OtherHost
	// InMaintenance: the resource is out of service (StartMaintenance, or
	// a failed health check or cleanup) and nobody holds it. A held
	// resource in maintenance is Held, with its Maintenance.
	InMaintenance
)

var stateNames = [...]string{Free: "free", Held: "held", Offline: "offline", OtherHost: "other-host", InMaintenance: "maintenance"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText renders the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// StatusVersion is the version of Status's JSON form; it grows when a
// field changes meaning or goes away, not when one is added.
const StatusVersion = 1

// Status is the lab as a Lockable sees it at one moment: every resource
// with its state and holder and, when requirements were given, how each
// measures up to them.
type Status struct {
	// Hostname is the host whose resources the defaults select.
	Hostname string
	// Requirements are the requirements every resource was measured
	// against, defaults included; nil when Status was given none.
	Requirements *query.Query
	// Resources are the resources of the list, in its order.
	Resources []ResourceStatus
	// Queue are the waiters, in the order they are served (see
	// WithPriority): those of every requirement, not only of the
	// requirements Status was given.
	Queue []Waiter
}

// Fitting returns the resources that fit the requirements (all of them
// when Status was given none).
func (s Status) Fitting() []ResourceStatus {
	var out []ResourceStatus
	for _, r := range s.Resources {
		if r.Fits() {
			out = append(out, r)
		}
	}
	return out
}

// MarshalJSON renders the status as {"version", "hostname",
// "requirements", "resources": [...], "queue": [...]}, each resource as
// ResourceStatus renders it, each waiter as {"position", "priority",
// "requirements": [...], "since", "hostname", "user", "pid", "owner",
// "ticket"}.
func (s Status) MarshalJSON() ([]byte, error) {
	out := struct {
		Version      int              `json:"version"`
		Hostname     string           `json:"hostname"`
		Requirements json.RawMessage  `json:"requirements,omitempty"`
		Resources    []ResourceStatus `json:"resources"`
		Queue        []Waiter         `json:"queue"`
	}{Version: StatusVersion, Hostname: s.Hostname, Resources: s.Resources, Queue: s.Queue}
	if out.Queue == nil {
		out.Queue = []Waiter{}
	}
	if s.Requirements != nil {
		out.Requirements = json.RawMessage(s.Requirements.String())
	}
	if out.Resources == nil {
		out.Resources = []ResourceStatus{}
	}
	return json.Marshal(out)
}

// ResourceStatus is one resource, its state, and how it measures up to
// the requirements Status was given (Fit).
type ResourceStatus struct {
	Fit
	State State
	// Holder says who holds the resource when State is Held, as far as
	// its lock tells.
	Holder Holder
	// Token is the holder's fencing token (see Allocation.FencingToken);
	// 0 for the lock folder.
	Token int64
	// TTL is how long the holder's lease lasts if it stops renewing it;
	// 0 for the lock folder, whose locks do not expire.
	TTL time.Duration
	// Maintenance is the maintenance the resource is in, whatever its
	// State (a held resource stays with its holder until released); nil
	// when it is in service.
	Maintenance *Maintenance
	// measured: Fit is against requirements Status was given.
	measured bool
}

// MarshalJSON renders the status as {"id", "state", "holder",
// "fencing_token", "ttl_seconds", "maintenance", "fits", "mismatches",
// "resource"}: the holder's fields only when it is held, those a backend
// does not have left out; "maintenance" ({"note", "by", "since",
// "until"}) only when it is in maintenance; "fits" and "mismatches" only
// when Status was given requirements, each mismatch as {"field",
// "condition", "actual"}.
func (s ResourceStatus) MarshalJSON() ([]byte, error) {
	out := struct {
		ID          string          `json:"id"`
		State       State           `json:"state"`
		Holder      *Holder         `json:"holder,omitempty"`
		Token       int64           `json:"fencing_token,omitempty"`
		TTL         float64         `json:"ttl_seconds,omitempty"`
		Maintenance *Maintenance    `json:"maintenance,omitempty"`
		Fits        *bool           `json:"fits,omitempty"`
		Mismatches  []mismatchJSON  `json:"mismatches,omitempty"`
		Resource    json.RawMessage `json:"resource"`
	}{ID: s.Resource.ID(), State: s.State, Maintenance: s.Maintenance, Resource: json.RawMessage(s.Resource.JSON())}
	if s.State == Held {
		out.Holder, out.Token, out.TTL = &s.Holder, s.Token, s.TTL.Seconds()
	}
	if s.measured {
		fits := s.Fits()
		out.Fits = &fits
		for _, m := range s.Mismatches {
			out.Mismatches = append(out.Mismatches, mismatchJSON{Field: m.Field, Condition: rawOr(m.Condition, "null"), Actual: rawOr(m.Actual, "")})
		}
	}
	return json.Marshal(out)
}

type mismatchJSON struct {
	Field     string          `json:"field"`
	Condition json.RawMessage `json:"condition"`
	Actual    json.RawMessage `json:"actual,omitempty"`
}

// rawOr is s as raw JSON, or empty when s is: then "" leaves the field
// out and "null" writes null.
func rawOr(s, empty string) json.RawMessage {
	if s == "" {
		s = empty
	}
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// Status reports every resource of the list with its state: who holds it
// and since when, or why it is not free, and the maintenance it is in. When q is not nil, it also
// measures every resource against q with the default requirements: Fits
// and Mismatches say which do and why the others do not. A held resource
// is Held whatever else is true of it.
func (l *Lockable) Status(ctx context.Context, q *query.Query) (Status, error) {
	list, err := l.src.Resources(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("load resources: %w", err)
	}
	st := Status{Hostname: l.hostname}
	st.Resources, err = l.statuses(ctx, list, allIndices(len(list)))
	if err != nil {
		return Status{}, err
	}
	if st.Queue, err = l.queueOf(ctx); err != nil {
		return Status{}, err
	}
	if q != nil {
		st.Requirements = l.Requirements(q)
		for i := range st.Resources {
			r := &st.Resources[i]
			r.Mismatches, r.measured = st.Requirements.Explain(r.Resource.JSON()), true
		}
	}
	return st, nil
}

func (l *Lockable) statuses(ctx context.Context, list []provider.Resource, which []int) ([]ResourceStatus, error) {
	ids := make([]string, len(which))
	for k, i := range which {
		ids[k] = list[i].ID()
	}
	entries, err := l.locks.Lookup(ctx, ids)
	if err != nil {
		return nil, err
	}
	maint, err := l.maintenanceOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ResourceStatus, len(which))
	for k, i := range which {
		out[k] = l.status(list[i], entries[k], maint[k])
	}
	return out, nil
}

func (l *Lockable) status(r provider.Resource, e lockbackend.Entry, m *Maintenance) ResourceStatus {
	st := ResourceStatus{Fit: Fit{Resource: r}, Maintenance: m}
	switch {
	case e.Held:
		st.State, st.Holder, st.Token, st.TTL = Held, holderOf(e), e.Token, e.TTL
	case m != nil:
		st.State = InMaintenance
	case !r.Online():
		st.State = Offline
	case r.Hostname() != "" && r.Hostname() != l.hostname:
		st.State = OtherHost
	}
	return st
}

func allIndices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
