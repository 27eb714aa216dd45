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
)

var stateNames = [...]string{Free: "free", Held: "held", Offline: "offline", OtherHost: "other-host"}

func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText renders the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ResourceStatus is one resource and its state.
type ResourceStatus struct {
	Resource provider.Resource
	State    State
	// Holder says who holds the resource when State is Held, as far as
	// its lock tells.
	Holder Holder
	// Token is the holder's fencing token (see Allocation.FencingToken);
	// 0 for the lock folder.
	Token int64
	// TTL is how long the holder's lease lasts if it stops renewing it;
	// 0 for the lock folder, whose locks do not expire.
	TTL time.Duration
}

// MarshalJSON renders the status as {"id", "state", "holder",
// "fencing_token", "ttl_seconds", "resource"}; the holder's fields only
// when it is held, and those a backend does not have are left out.
func (s ResourceStatus) MarshalJSON() ([]byte, error) {
	out := struct {
		ID       string          `json:"id"`
		State    State           `json:"state"`
		Holder   *Holder         `json:"holder,omitempty"`
		Token    int64           `json:"fencing_token,omitempty"`
		TTL      float64         `json:"ttl_seconds,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}{ID: s.Resource.ID(), State: s.State, Resource: json.RawMessage(s.Resource.JSON())}
	if s.State == Held {
		out.Holder, out.Token, out.TTL = &s.Holder, s.Token, s.TTL.Seconds()
	}
	return json.Marshal(out)
}

// Status returns every resource of the list with its state. A held
// resource is Held whatever else is true of it.
func (l *Lockable) Status(ctx context.Context) ([]ResourceStatus, error) {
	list, err := l.src.Resources(ctx)
	if err != nil {
		return nil, fmt.Errorf("load resources: %w", err)
	}
	return l.statuses(ctx, list, allIndices(len(list)))
}

// Match returns the resources that fit q, with the default requirements
// added, each with its state: which would do, free or not.
func (l *Lockable) Match(ctx context.Context, q *query.Query) ([]ResourceStatus, error) {
	list, err := l.src.Resources(ctx)
	if err != nil {
		return nil, fmt.Errorf("load resources: %w", err)
	}
	return l.statuses(ctx, list, l.cache.fitting(list, q))
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
	out := make([]ResourceStatus, len(which))
	for k, i := range which {
		out[k] = l.status(list[i], entries[k])
	}
	return out, nil
}

func (l *Lockable) status(r provider.Resource, e lockbackend.Entry) ResourceStatus {
	switch {
	case e.Held:
		return ResourceStatus{Resource: r, State: Held, Holder: holderOf(e), Token: e.Token, TTL: e.TTL}
	case !r.Online():
		return ResourceStatus{Resource: r, State: Offline}
	case r.Hostname() != "" && r.Hostname() != l.hostname:
		return ResourceStatus{Resource: r, State: OtherHost}
	}
	return ResourceStatus{Resource: r, State: Free}
}

func allIndices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
