package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
)

// Maintenance records are keys beside the lock keys: <prefix>/maintenance/<id>
// for the lock <prefix>/res/<id>, one JSON object each. A window's record
// is attached to a lease of the window's length, rounded up to whole
// seconds, so that etcd deletes it after its end (a delete that wakes the
// waiters as a release does); readers go by the end the record itself
// says, since etcd's expiry comes a little late. An open-ended record has
// no lease.

var _ lockbackend.Maintainer = (*backend)(nil)

// recordPrefix is where the maintenance records are.
func (b *backend) recordPrefix() string {
	return strings.TrimSuffix(b.prefix, "/res/") + "/maintenance/"
}

// Records reads every maintenance record in one request.
func (b *backend) Records(ctx context.Context, ids []string) ([][]byte, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	kvs, err := b.cli.rangePrefix(ctx, b.recordPrefix())
	if err != nil {
		return nil, b.unreachable(err)
	}
	byID := make(map[string][]byte, len(kvs))
	for _, kv := range kvs {
		byID[strings.TrimPrefix(string(kv.Key), b.recordPrefix())] = kv.Value
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// PutRecord writes id's record in one put, on a lease of ttl when ttl > 0.
func (b *backend) PutRecord(ctx context.Context, id string, record []byte, ttl time.Duration) error {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	var lease int64
	if ttl > 0 {
		var err error
		if lease, _, err = b.cli.grant(ctx, time.Duration(math.Ceil(ttl.Seconds()))*time.Second); err != nil {
			return b.unreachable(err)
		}
	}
	if err := b.cli.put(ctx, b.recordPrefix()+id, record, lease); err != nil {
		if lease != 0 {
			b.revokeLater(lease)
		}
		return b.unreachable(err)
	}
	b.notify.Signal()
	return nil
}

// DeleteRecord deletes id's record; false when it had none.
func (b *backend) DeleteRecord(ctx context.Context, id string) (bool, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	n, err := b.cli.deleteKey(ctx, b.recordPrefix()+id)
	if err != nil {
		return false, b.unreachable(err)
	}
	b.notify.Signal()
	return n > 0, nil
}

// deleteRangeRequest is etcdserverpb.DeleteRangeRequest, for one key.
type deleteRangeRequest struct {
	Key []byte `json:"key"`
}

// deleteRangeResponse is etcdserverpb.DeleteRangeResponse.
type deleteRangeResponse struct {
	Deleted int64 `json:"deleted,string"`
}

// put writes key = value, on lease unless it is 0.
func (c *client) put(ctx context.Context, key string, value []byte, lease int64) error {
	var resp struct{}
	return c.call(ctx, "/v3/kv/put", putRequest{Key: []byte(key), Value: value, Lease: lease}, &resp)
}

// deleteKey deletes key, and says how many keys that deleted (0 or 1).
func (c *client) deleteKey(ctx context.Context, key string) (int64, error) {
	var resp deleteRangeResponse
	err := c.call(ctx, "/v3/kv/deleterange", deleteRangeRequest{Key: []byte(key)}, &resp)
	return resp.Deleted, err
}

// watchRecords watches the maintenance records, puts and deletes, beside
// the watch of the lock keys and for as long as it runs (until ctx is
// done), waking the waiters at every change and whenever a watch is
// established (a change may have gone unseen before). The returned
// function waits until it has stopped.
func (n *notifier) watchRecords(ctx context.Context) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			err := n.b.cli.watchAll(ctx, n.b.recordPrefix(), n.b.timeout, n.Signal, n.Signal)
			if ctx.Err() == nil {
				n.b.log.Debug("etcd watch of maintenance records ended", "etcd", n.b.where, "err", err)
			}
			pause := time.NewTimer(retryPause)
			select {
			case <-ctx.Done():
				pause.Stop()
			case <-pause.C:
			}
		}
	}()
	return func() { <-done }
}

// watchAll watches every change of the keys under prefix, as
// watchDeletes watches deletes: created once etcd has established the
// watch (within timeout), changed at every batch of events.
func (c *client) watchAll(ctx context.Context, prefix string, timeout time.Duration, created, changed func()) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	slow := time.AfterFunc(timeout, func() { cancel(fmt.Errorf("%w within %s", errNoWatch, timeout)) })
	defer slow.Stop()
	req := watchRequest{CreateRequest: watchCreateRequest{Key: []byte(prefix), RangeEnd: prefixEnd(prefix), Filters: []string{}}}
	body, err := c.send(ctx, "/v3/watch", req)
	if err != nil {
		return causeOr(ctx, err)
	}
	defer body.Close()
	dec := json.NewDecoder(body)
	for {
		var m streamMessage[watchResponse]
		if err := dec.Decode(&m); err != nil {
			return causeOr(ctx, fmt.Errorf("reading the watch: %w", err))
		}
		if err := m.err(); err != nil {
			return err
		}
		switch r := m.Result; {
		case r.Canceled:
			c.refused(r.CancelReason)
			return fmt.Errorf("etcd cancelled the watch: %s", r.CancelReason)
		case r.Created:
			slow.Stop()
			created()
		case len(r.Events) > 0:
			changed()
		}
	}
}
