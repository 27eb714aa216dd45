package etcd

import (
	"context"
	"time"
)

// leaseGrantRequest is etcdserverpb.LeaseGrantRequest.
type leaseGrantRequest struct {
	TTL int64 `json:"TTL,string"`
}

// leaseRequest is any of etcdserverpb's lease requests that name only
// the lease: revoke, keepalive, time to live.
type leaseRequest struct {
	ID int64 `json:"ID,string"`
}

// leaseResponse holds the fields lockable reads of etcdserverpb's
// LeaseGrantResponse, LeaseKeepAliveResponse and LeaseTimeToLiveResponse.
// TTL is left out when 0: a keepalive of a lease that is gone.
type leaseResponse struct {
	ID  int64 `json:"ID,string"`
	TTL int64 `json:"TTL,string"`
}

// seconds is a lease time as etcd counts it.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

// grant makes a lease of ttl (whole seconds); it returns the lease and
// the time etcd granted.
func (c *client) grant(ctx context.Context, ttl time.Duration) (int64, time.Duration, error) {
	var resp leaseResponse
	err := c.call(ctx, "/v3/lease/grant", leaseGrantRequest{TTL: int64(ttl / time.Second)}, &resp)
	return resp.ID, seconds(resp.TTL), err
}

// keepAlive renews a lease once: one request on the keepalive stream, a
// POST of its own (the gateway answers only once the request has ended).
// It returns the time etcd granted, or errLeaseNotFound when the lease is
// gone.
func (c *client) keepAlive(ctx context.Context, lease int64) (time.Duration, error) {
	var m streamMessage[leaseResponse]
	if err := c.call(ctx, "/v3/lease/keepalive", leaseRequest{ID: lease}, &m); err != nil {
		return 0, leaseErr(err)
	}
	if err := m.err(); err != nil {
		return 0, leaseErr(err)
	}
	if m.Result.TTL <= 0 {
		return 0, errLeaseNotFound
	}
	return seconds(m.Result.TTL), nil
}

// revoke ends a lease, deleting the keys attached to it; errLeaseNotFound
// when it was gone.
func (c *client) revoke(ctx context.Context, lease int64) error {
	var resp struct{}
	return leaseErr(c.call(ctx, "/v3/lease/revoke", leaseRequest{ID: lease}, &resp))
}

// timeToLive tells how long a lease has left; 0 when it is gone.
func (c *client) timeToLive(ctx context.Context, lease int64) (time.Duration, error) {
	var resp leaseResponse
	err := c.call(ctx, "/v3/lease/timetolive", leaseRequest{ID: lease}, &resp)
	return seconds(max(resp.TTL, 0)), err
}

// leaseErr makes etcd's "lease not found" errLeaseNotFound.
func leaseErr(err error) error {
	if hasCode(err, codeNotFound) {
		return errLeaseNotFound
	}
	return err
}
