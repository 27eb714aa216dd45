package etcd

import (
	"context"
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
		return nil, b.unreachable(ctx, err)
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
			return b.unreachable(ctx, err)
		}
	}
	if err := b.cli.put(ctx, b.recordPrefix()+id, record, lease); err != nil {
		if lease != 0 {
			b.revokeLater(lease)
		}
		return b.unreachable(ctx, err)
	}
	b.notify.Publish(lockbackend.Event{Resource: id})
	return nil
}

// DeleteRecord deletes id's record; false when it had none.
func (b *backend) DeleteRecord(ctx context.Context, id string) (bool, error) {
	ctx, cancel := b.bounded(ctx)
	defer cancel()
	n, err := b.cli.deleteKey(ctx, b.recordPrefix()+id)
	if err != nil {
		return false, b.unreachable(ctx, err)
	}
	b.notify.Publish(lockbackend.Event{Resource: id})
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
