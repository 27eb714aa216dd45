package core

import (
	"context"
	"encoding/json"
	"fmt"

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
	// OtherHost: the resource is attached to another host.
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
}

// MarshalJSON renders the status as {"id", "state", "holder", "resource"}.
func (s ResourceStatus) MarshalJSON() ([]byte, error) {
	out := struct {
		ID       string          `json:"id"`
		State    State           `json:"state"`
		Holder   *Holder         `json:"holder,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}{ID: s.Resource.ID(), State: s.State, Resource: json.RawMessage(s.Resource.JSON())}
	if s.State == Held {
		out.Holder = &s.Holder
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
	return l.statuses(list, allIndices(len(list)))
}

// Match returns the resources that fit q, with the default requirements
// added, each with its state: which would do, free or not.
func (l *Lockable) Match(ctx context.Context, q *query.Query) ([]ResourceStatus, error) {
	list, err := l.src.Resources(ctx)
	if err != nil {
		return nil, fmt.Errorf("load resources: %w", err)
	}
	return l.statuses(list, l.cache.fitting(list, q))
}

func (l *Lockable) statuses(list []provider.Resource, which []int) ([]ResourceStatus, error) {
	out := make([]ResourceStatus, 0, len(which))
	for _, i := range which {
		st, err := l.status(list[i])
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (l *Lockable) status(r provider.Resource) (ResourceStatus, error) {
	h, held, err := l.locks.holder(r.ID())
	switch {
	case err != nil:
		return ResourceStatus{}, err
	case held:
		return ResourceStatus{Resource: r, State: Held, Holder: h}, nil
	case !r.Online():
		return ResourceStatus{Resource: r, State: Offline}, nil
	case r.Hostname() != l.hostname:
		return ResourceStatus{Resource: r, State: OtherHost}, nil
	}
	return ResourceStatus{Resource: r, State: Free}, nil
}

func allIndices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
