// Package etcdtest is the tests' own small client of etcd's v3 JSON API
// (the gRPC gateway on the client port), to look at keys and leases from
// outside the code under test. The etcd backend's tests and the command
// line's use it; it keeps no connection open, so nothing is left running
// when a test ends.
package etcdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Client talks to one etcd member.
type Client struct {
	base string // http://host:port
	http *http.Client
	// Token is sent as Authorization when set (see etcd's auth API).
	Token string
}

// New is a client of the member at endpoint (host:port).
func New(endpoint string) *Client {
	tr := &http.Transport{DisableKeepAlives: true}
	return &Client{base: "http://" + endpoint, http: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// KeyValue is a key as etcd's JSON API gives it.
type KeyValue struct {
	Key            []byte `json:"key"`
	Value          []byte `json:"value"`
	CreateRevision int64  `json:"create_revision,string"`
	Lease          int64  `json:"lease,string"`
}

// Call posts req to path and decodes the answer into resp; an answer
// other than 200 OK is an error that shows it.
func (c *Client) Call(ctx context.Context, path string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if c.Token != "" {
		hreq.Header.Set("Authorization", c.Token)
	}
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return err
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(hresp.Body)
	if err != nil {
		return err
	}
	if hresp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", path, hresp.Status, data)
	}
	return json.Unmarshal(data, resp)
}

// Must is Call for a test, bounded.
func (c *Client) Must(t testing.TB, path string, req, resp any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Call(ctx, path, req, resp))
}

// RangeEnd ends the range of the keys that start with prefix (ASCII).
func RangeEnd(prefix string) []byte {
	end := []byte(prefix)
	end[len(end)-1]++
	return end
}

// Range reads the keys from key to end (exclusive; only key when end is
// nil), and counts them.
func (c *Client) Range(ctx context.Context, key string, end []byte) ([]KeyValue, int64, error) {
	var resp struct {
		Kvs   []KeyValue
		Count int64 `json:"count,string"`
	}
	req := map[string]any{"key": []byte(key)}
	if end != nil {
		req["range_end"] = end
	}
	err := c.Call(ctx, "/v3/kv/range", req, &resp)
	return resp.Kvs, resp.Count, err
}

// Get reads a key; nil when it does not exist.
func (c *Client) Get(t testing.TB, key string) *KeyValue {
	t.Helper()
	var resp struct{ Kvs []KeyValue }
	c.Must(t, "/v3/kv/range", map[string]any{"key": []byte(key)}, &resp)
	if len(resp.Kvs) == 0 {
		return nil
	}
	return &resp.Kvs[0]
}

// Count counts the keys under prefix.
func (c *Client) Count(t testing.TB, prefix string) int64 {
	t.Helper()
	var resp struct {
		Count int64 `json:"count,string"`
	}
	c.Must(t, "/v3/kv/range", map[string]any{"key": []byte(prefix), "range_end": RangeEnd(prefix), "count_only": true}, &resp)
	return resp.Count
}

// Put writes a key.
func (c *Client) Put(ctx context.Context, key, value string) error {
	var resp struct{}
	return c.Call(ctx, "/v3/kv/put", map[string]any{"key": []byte(key), "value": []byte(value)}, &resp)
}

// DeletePrefix deletes the keys under prefix.
func (c *Client) DeletePrefix(ctx context.Context, prefix string) error {
	var resp struct{}
	return c.Call(ctx, "/v3/kv/deleterange", map[string]any{"key": []byte(prefix), "range_end": RangeEnd(prefix)}, &resp)
}

// Revoke ends a lease.
func (c *Client) Revoke(t testing.TB, lease int64) {
	t.Helper()
	var resp struct{}
	c.Must(t, "/v3/lease/revoke", map[string]string{"ID": fmt.Sprint(lease)}, &resp)
}

// TimeToLive tells the seconds a lease has left; -1 when it is gone.
func (c *Client) TimeToLive(t testing.TB, lease int64) int64 {
	t.Helper()
	var resp struct {
		TTL int64 `json:"TTL,string"`
	}
	c.Must(t, "/v3/lease/timetolive", map[string]string{"ID": fmt.Sprint(lease)}, &resp)
	return resp.TTL
}
