package etcd

import (
	"context"
)

// The JSON forms of the etcdserverpb messages lockable uses: proto field
// names, bytes in standard base64 (as encoding/json writes []byte), 64-bit
// integers as strings, and zero values left out of answers.

// responseHeader is etcdserverpb.ResponseHeader.
type responseHeader struct {
	Revision int64 `json:"revision,string"`
}

// keyValue is mvccpb.KeyValue.
type keyValue struct {
	Key            []byte `json:"key"`
	Value          []byte `json:"value"`
	CreateRevision int64  `json:"create_revision,string"`
	Lease          int64  `json:"lease,string"`
}

// rangeRequest is etcdserverpb.RangeRequest.
type rangeRequest struct {
	Key       []byte `json:"key"`
	RangeEnd  []byte `json:"range_end,omitempty"`
	CountOnly bool   `json:"count_only,omitempty"`
}

// rangeResponse is etcdserverpb.RangeResponse.
type rangeResponse struct {
	Header responseHeader `json:"header"`
	Kvs    []keyValue     `json:"kvs"`
	Count  int64          `json:"count,string"`
}

// compare is etcdserverpb.Compare, on the create revision.
type compare struct {
	Key            []byte `json:"key"`
	Target         string `json:"target"`
	Result         string `json:"result"`
	CreateRevision int64  `json:"create_revision,string"`
}

// putRequest is etcdserverpb.PutRequest.
type putRequest struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value,omitempty"`
	Lease int64  `json:"lease,string,omitempty"`
}

// requestOp is etcdserverpb.RequestOp, for a put.
type requestOp struct {
	RequestPut *putRequest `json:"request_put,omitempty"`
}

// txnRequest is etcdserverpb.TxnRequest.
type txnRequest struct {
	Compare []compare   `json:"compare"`
	Success []requestOp `json:"success"`
}

// txnResponse is etcdserverpb.TxnResponse; Succeeded is left out when
// false.
type txnResponse struct {
	Header    responseHeader `json:"header"`
	Succeeded bool           `json:"succeeded"`
}

// rangePrefix reads the keys under prefix, with their values.
func (c *client) rangePrefix(ctx context.Context, prefix string) ([]keyValue, error) {
	var resp rangeResponse
	err := c.call(ctx, "/v3/kv/range", rangeRequest{Key: []byte(prefix), RangeEnd: prefixEnd(prefix)}, &resp)
	return resp.Kvs, err
}

// countPrefix counts the keys under prefix.
func (c *client) countPrefix(ctx context.Context, prefix string) (int64, error) {
	var resp rangeResponse
	err := c.call(ctx, "/v3/kv/range", rangeRequest{Key: []byte(prefix), RangeEnd: prefixEnd(prefix), CountOnly: true}, &resp)
	return resp.Count, err
}

// createIfAbsent writes key = value, attached to lease, in one
// transaction, if and only if the key does not exist (its create revision
// is 0). It reports whether it wrote, and the revision of the write.
func (c *client) createIfAbsent(ctx context.Context, key string, value []byte, lease int64) (bool, int64, error) {
	req := txnRequest{
		Compare: []compare{{Key: []byte(key), Target: "CREATE", Result: "EQUAL", CreateRevision: 0}},
		Success: []requestOp{{RequestPut: &putRequest{Key: []byte(key), Value: value, Lease: lease}}},
	}
	var resp txnResponse
	if err := c.call(ctx, "/v3/kv/txn", req, &resp); err != nil {
		return false, 0, err
	}
	return resp.Succeeded, resp.Header.Revision, nil
}

// replace writes key = value, attached to lease, in one transaction, if
// and only if the key is the one created at revision created.
func (c *client) replace(ctx context.Context, key string, value []byte, lease, created int64) (bool, error) {
	req := txnRequest{
		Compare: []compare{{Key: []byte(key), Target: "CREATE", Result: "EQUAL", CreateRevision: created}},
		Success: []requestOp{{RequestPut: &putRequest{Key: []byte(key), Value: value, Lease: lease}}},
	}
	var resp txnResponse
	if err := c.call(ctx, "/v3/kv/txn", req, &resp); err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}

// prefixEnd is the end of the range of keys that start with prefix: the
// prefix with its last byte below 0xff incremented, and what follows
// that byte dropped; "\x00" (every key to the end) when there is none.
func prefixEnd(prefix string) []byte {
	end := []byte(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return []byte{0}
}
