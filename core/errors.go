package core

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/query"
)

var (
	// ErrNotFound: no resource fits the requirements, so waiting cannot
	// help. The error is a *NotFoundError that explains why.
	ErrNotFound = errors.New("no resource fits")
	// ErrTimeout: resources fit, but none was free before the deadline.
	// The error is a *TimeoutError that says who holds them; it also
	// matches context.DeadlineExceeded.
	ErrTimeout = errors.New("timed out waiting for a resource")
	// ErrNotHeld: an allocation was released twice, or through a
	// Lockable that did not allocate it.
	ErrNotHeld = errors.New("allocation not held")
	// ErrInvalidID: a resource id that cannot name a lock.
	ErrInvalidID = errors.New("invalid resource id")
	// ErrLost: a held lock was lost, because its lease expired (a frozen
	// process, a partition, a backend gone longer than the lease). See
	// Allocation.Lost.
	ErrLost = lockbackend.ErrLost
	// ErrUnknownBackend: a backend URL whose scheme no linked package
	// provides (see WithBackend).
	ErrUnknownBackend = lockbackend.ErrUnknown
)

// TimeoutError is returned when fitting resources exist but none was
// free before the context's deadline.
type TimeoutError struct {
	// Requirements are the requirements waited for, with defaults.
	Requirements []*query.Query
	// Waited is how long the call waited.
	Waited time.Duration
	// Fitting are the resources that fit, with their holders and the
	// maintenance they are in.
	Fitting []ResourceStatus
	// Ahead are the waiters that were ahead in the queue for the same
	// resources, as the call last looked.
	Ahead []Waiter
	// Failed are the health checks that failed during the call; those
	// resources were left out of it.
	Failed []*CheckError
	// Err is the context's error.
	Err error
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timed out after %s waiting for %s", e.Waited.Round(time.Millisecond), requirementsText(e.Requirements))
	held := heldOnly(e.Fitting)
	if len(held) > 0 {
		fmt.Fprintf(&b, ": %d %s held:", len(held), plural(len(held), "fitting resource", "fitting resources"))
		for i, st := range held {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %s by %s", st.Resource.ID(), st.Holder)
		}
	}
	failed := map[string]bool{}
	for _, ce := range e.Failed {
		failed[ce.Resource] = true
	}
	for _, st := range e.Fitting {
		if st.State != Held && st.Maintenance != nil && !failed[st.Resource.ID()] {
			fmt.Fprintf(&b, "; %s: %s", st.Resource.ID(), st.Maintenance)
		}
	}
	for _, ce := range e.Failed {
		fmt.Fprintf(&b, "; %s", ce)
	}
	if len(e.Ahead) > 0 {
		fmt.Fprintf(&b, "; %d %s ahead in the queue:", len(e.Ahead), plural(len(e.Ahead), "waiter", "waiters"))
		for i, w := range e.Ahead {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %s", w)
		}
	}
	return b.String()
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the context's error.
func (e *TimeoutError) Unwrap() error { return e.Err }

func heldOnly(sts []ResourceStatus) []ResourceStatus {
	var held []ResourceStatus
	for _, st := range sts {
		if st.State == Held {
			held = append(held, st)
		}
	}
	return held
}

func requirementsText(qs []*query.Query) string {
	if len(qs) == 1 {
		return qs[0].String()
	}
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = q.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
