package etcd_test

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

// etcdAPI is the tests' own small client of etcd's v3 JSON API, to look
// at keys and leases from outside the backend under test.
type etcdAPI struct {
	base  string // http://host:port
	http  *http.Client
	token string // sent as Authorization when set
}

func newEtcdAPI(endpoint string) *etcdAPI {
	// No connections kept: nothing is left running when a test ends.
	tr := &http.Transport{DisableKeepAlives: true}
	return &etcdAPI{base: "http://" + endpoint, http: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// keyValue is a key as etcd's JSON API gives it.
type keyValue struct {
	Key            []byte `json:"key"`
	Value          []byte `json:"value"`
	CreateRevision int64  `json:"create_revision,string"`
	Lease          int64  `json:"lease,string"`
}

// call posts req to path and decodes the answer into resp; an answer
// other than 200 OK is an error that shows it.
func (a *etcdAPI) call(ctx context.Context, path string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if a.token != "" {
		hreq.Header.Set("Authorization", a.token)
	}
	hresp, err := a.http.Do(hreq)
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

// must is call for a test, bounded.
func (a *etcdAPI) must(t testing.TB, path string, req, resp any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, a.call(ctx, path, req, resp))
}

// rangeEnd ends the range of the keys that start with prefix (ASCII).
func rangeEnd(prefix string) []byte {
	end := []byte(prefix)
	end[len(end)-1]++
	return end
}

// get reads a key; nil when it does not exist.
func (a *etcdAPI) get(t testing.TB, key string) *keyValue {
	t.Helper()
	var resp struct{ Kvs []keyValue }
	a.must(t, "/v3/kv/range", map[string]any{"key": []byte(key)}, &resp)
	if len(resp.Kvs) == 0 {
		return nil
	}
	return &resp.Kvs[0]
}

// count counts the keys under prefix.
func (a *etcdAPI) count(t testing.TB, prefix string) int64 {
	t.Helper()
	var resp struct {
		Count int64 `json:"count,string"`
	}
	a.must(t, "/v3/kv/range", map[string]any{"key": []byte(prefix), "range_end": rangeEnd(prefix), "count_only": true}, &resp)
	return resp.Count
}

// put writes a key.
func (a *etcdAPI) put(ctx context.Context, key, value string) error {
	var resp struct{}
	return a.call(ctx, "/v3/kv/put", map[string]any{"key": []byte(key), "value": []byte(value)}, &resp)
}

// deletePrefix deletes the keys under prefix.
func (a *etcdAPI) deletePrefix(ctx context.Context, prefix string) error {
	var resp struct{}
	return a.call(ctx, "/v3/kv/deleterange", map[string]any{"key": []byte(prefix), "range_end": rangeEnd(prefix)}, &resp)
}

// revoke ends a lease.
func (a *etcdAPI) revoke(t testing.TB, lease int64) {
	t.Helper()
	var resp struct{}
	a.must(t, "/v3/lease/revoke", map[string]string{"ID": fmt.Sprint(lease)}, &resp)
}

// timeToLive tells the seconds a lease has left; -1 when it is gone.
func (a *etcdAPI) timeToLive(t testing.TB, lease int64) int64 {
	t.Helper()
	var resp struct {
		TTL int64 `json:"TTL,string"`
	}
	a.must(t, "/v3/lease/timetolive", map[string]string{"ID": fmt.Sprint(lease)}, &resp)
	return resp.TTL
}
