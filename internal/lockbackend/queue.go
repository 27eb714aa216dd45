package lockbackend

import (
	"cmp"
	"context"
	"strings"
)

// Queue is a Backend's queue of waiters, which every process that waits
// on the same locks shares: a ticket per waiter, held by the waiter (a
// lock on a file, a key on its lease), so that a waiter that dies leaves
// the queue by itself.
type Queue interface {
	// Enqueue puts a waiter in the queue with its priority and desc, its
	// description (one line of JSON: who it is and what it waits for).
	Enqueue(ctx context.Context, priority int, desc []byte) (Ticket, error)
	// Tickets returns the tickets of living waiters, in the order the
	// queue serves them (CompareTickets).
	Tickets(ctx context.Context) ([]TicketEntry, error)
}

// Ticket is one waiter's place in the queue.
type Ticket interface {
	ID() string
	// Update replaces the waiter's description, keeping its place.
	Update(ctx context.Context, desc []byte) error
	// Leave takes the ticket out of the queue.
	Leave() error
}

// TicketEntry is one waiter's ticket as a backend reads it.
type TicketEntry struct {
	ID       string
	Priority int
	// Order is when the waiter was queued, in the backend's terms: Unix
	// nanoseconds on the lock folder, the key's create revision on etcd.
	Order int64
	// Desc is the waiter's description, as Enqueue was given it.
	Desc []byte
}

// CompareTickets orders tickets as the queue serves them: the higher
// priority first, then the one queued first, then by id.
func CompareTickets(a, b TicketEntry) int {
	if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Order, b.Order); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
