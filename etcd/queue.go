package etcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// The queue is the keys under <prefix>/queue/, one per waiter, each on a
// lease of its own that the waiter keeps alive while it waits: a waiter
// that dies, or is cut off from etcd for longer than the lease, leaves
// the queue when its lease expires. Within a priority, waiters are served
// in the order of their keys' create revisions.

func (b *backend) queuePrefix() string { return b.root + "/queue/" }

// ticketValue is the value of a ticket's key.
type ticketValue struct {
	Priority int             `json:"priority"`
	Waiter   json.RawMessage `json:"waiter"`
}

// Enqueue puts a waiter in the queue: a new key on a new lease.
func (b *backend) Enqueue(ctx context.Context, priority int, desc []byte) (lockbackend.Ticket, error) {
	value, err := json.Marshal(ticketValue{Priority: priority, Waiter: desc})
	if err != nil {
		return nil, err
	}
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	granted := time.Now()
	lease, ttl, err := b.cli.grant(ctx, b.ttl)
	if err != nil {
		return nil, b.unreachable(ctx, err)
	}
	id := randomID()
	key := b.queuePrefix() + id
	created, revision, err := b.cli.createIfAbsent(ctx, key, value, lease)
	if err != nil || !created {
		b.revokeLater(lease)
		if err != nil {
			return nil, b.unreachable(ctx, err)
		}
		return nil, errors.New("etcd: a new ticket's key exists already")
	}
	return &ticket{id: id, priority: priority, lock: b.start(key, lease, revision, granted.Add(ttl))}, nil
}

// Tickets reads the queue in one request.
func (b *backend) Tickets(ctx context.Context) ([]lockbackend.TicketEntry, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	kvs, err := b.cli.rangePrefix(ctx, b.queuePrefix())
	if err != nil {
		return nil, b.unreachable(ctx, err)
	}
	out := make([]lockbackend.TicketEntry, 0, len(kvs))
	for _, kv := range kvs {
		var v ticketValue
		if json.Unmarshal(kv.Value, &v) != nil {
			continue // not a ticket lockable wrote
		}
		out = append(out, lockbackend.TicketEntry{
			ID: strings.TrimPrefix(string(kv.Key), b.queuePrefix()), Priority: v.Priority,
			Order: kv.CreateRevision, Desc: v.Waiter,
		})
	}
	slices.SortFunc(out, lockbackend.CompareTickets)
	return out, nil
}

// ticket is a waiter's key, held on its lease as a lock is.
type ticket struct {
	id       string
	priority int
	*lock    // its token is the key's create revision
}

func (t *ticket) ID() string { return t.id }

// Update writes the waiter's new description into its key, if the key is
// still the one it created: a ticket whose lease expired is gone.
func (t *ticket) Update(ctx context.Context, desc []byte) error {
	value, err := json.Marshal(ticketValue{Priority: t.priority, Waiter: desc})
	if err != nil {
		return err
	}
	ctx, cancel := t.b.bounded(ctx)
	defer cancel()
	ok, err := t.b.cli.replace(ctx, t.key, value, t.lease, t.token)
	if err != nil {
		return t.b.unreachable(ctx, err)
	}
	if !ok {
		return errors.New("etcd: the ticket's key is gone (its lease expired)")
	}
	return nil
}

// Leave revokes the ticket's lease, which deletes its key.
func (t *ticket) Leave() error { return t.Release(context.Background()) }

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
