package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the client against loopback servers that answer as
// etcd's JSON gateway does (the shapes are those of etcd 3.4, and of 3.6
// where they differ), to reach the cases a healthy single server does not
// show: members without a leader, expired tokens, the error shapes.

// gateway is a fake member: it answers each path with a handler, and
// counts and keeps the requests.
type gateway struct {
	addr string // host:port

	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	hits     map[string]int
	headers  []http.Header
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.addr = strings.TrimPrefix(srv.URL, "http://")
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.hits[r.URL.Path]++
	g.headers = append(g.headers, r.Header.Clone())
	h := g.handlers[r.URL.Path]
	g.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// on sets the handler of a path.
func (g *gateway) on(path string, h http.HandlerFunc) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.handlers[path] = h
}

// count tells how many requests a path had.
func (g *gateway) count(path string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hits[path]
}

// answer returns a handler that writes status and body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const (
	rangeOK  = `{"header":{"cluster_id":"1","member_id":"2","revision":"7","raft_term":"2"},"count":"3"}`
	noLeader = `{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}`
)

// deadPort returns an address where nothing listens.
func deadPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func testClient(t *testing.T, user, password string, endpoints ...string) *client {
	t.Helper()
	c := newClient(settings{endpoints: endpoints, timeout: 2 * time.Second, user: user, password: password})
	t.Cleanup(c.close)
	return c
}

func within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestParseErrorReadsEveryShape(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
		code   int
		msg    string
	}{
		"3.4 call":   {404, `{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}`, 5, "etcdserver: requested lease not found"},
		"3.6 call":   {404, `{"code":5,"message":"etcdserver: requested lease not found","details":[]}`, 5, "etcdserver: requested lease not found"},
		"3.4 stream": {503, `{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}`, 14, "etcdserver: no leader"},
		"3.6 stream": {503, `{"error":{"code":14,"message":"etcdserver: no leader","details":[]}}`, 14, "etcdserver: no leader"},
		"error only": {400, `{"error":"unexpected EOF","code":3}`, 3, "unexpected EOF"},
		"not JSON":   {404, "404 page not found\n", 0, "404 page not found"},
	} {
		t.Run(name, func(t *testing.T) {
			e := parseError(tc.status, []byte(tc.body))
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.msg, e.Message)
			assert.Equal(t, tc.status, e.Status)
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	for prefix, want := range map[string]string{"a/": "a0", "/lab/res/": "/lab/res0", "a\xff": "b", "a\xff\xff": "b", "\xff": "\x00"} {
		assert.Equal(t, []byte(want), prefixEnd(prefix), "%q", prefix)
	}
}

func TestClientMovesOnAndRemembersTheMemberThatAnswers(t *testing.T) {
	leaderless, ok := newGateway(t), newGateway(t)
	leaderless.on("/v3/kv/range", answer(http.StatusServiceUnavailable, noLeader))
	ok.on("/v3/kv/range", answer(http.StatusOK, rangeOK))
	c := testClient(t, "", "", deadPort(t), leaderless.addr, ok.addr)

	for range 2 {
		n, err := c.countPrefix(within(t, time.Second), "/lab/res/")
		require.NoError(t, err)
		assert.EqualValues(t, 3, n)
	}
	assert.Equal(t, 1, leaderless.count("/v3/kv/range"), "the second call goes straight to the member that answered")
	assert.Equal(t, 2, ok.count("/v3/kv/range"))
	for _, h := range ok.headers {
		assert.Equal(t, "true", h.Get("Grpc-Metadata-hasleader"), "every request asks for a leader")
		assert.Empty(t, h.Get("Authorization"), "no user, no token")
	}
}

func TestClientTriesAgainUntilTheContextEnds(t *testing.T) {
	c := testClient(t, "", "", deadPort(t), deadPort(t))
	_, err := c.countPrefix(within(t, 300*time.Millisecond), "/lab/res/")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "connection refused", "the last answer is told")
}

func TestClientDoesNotMoveOnWhenTheMemberRefusesTheRequest(t *testing.T) {
	bad, other := newGateway(t), newGateway(t)
	bad.on("/v3/lease/revoke", answer(http.StatusNotFound, `{"code":5,"message":"etcdserver: requested lease not found","details":[]}`))
	other.on("/v3/lease/revoke", answer(http.StatusOK, `{}`))
	c := testClient(t, "", "", bad.addr, other.addr)
	require.ErrorIs(t, c.revoke(within(t, time.Second), 42), errLeaseNotFound)
	assert.Zero(t, other.count("/v3/lease/revoke"), "another member would say the same")
}

func TestNoGatewayIsExplained(t *testing.T) {
	g := newGateway(t)
	c := testClient(t, "", "", g.addr)
	_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 404 Not Found: 404 page not found")
	assert.Contains(t, err.Error(), "--enable-grpc-gateway")
}

// authGateway is a fake member with auth on: it gives out tokens tok.1,
// tok.2, ... for alice's password, and accepts only the latest.
func authGateway(t *testing.T) (*gateway, func() string) {
	g := newGateway(t)
	var mu sync.Mutex
	issued := 0
	valid := func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("tok.%d", issued)
	}
	g.on("/v3/auth/authenticate", func(w http.ResponseWriter, r *http.Request) {
		var req authenticateRequest
		json.NewDecoder(r.Body).Decode(&req)
		if req.Name != "alice" || req.Password != "s3cret" {
			answer(http.StatusBadRequest, `{"error":"etcdserver: authentication failed, invalid user ID or password","message":"etcdserver: authentication failed, invalid user ID or password","code":3}`)(w, r)
			return
		}
		mu.Lock()
		issued++
		mu.Unlock()
		answer(http.StatusOK, fmt.Sprintf(`{"header":{},"token":%q}`, valid()))(w, r)
	})
	g.on("/v3/kv/range", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != valid() {
			answer(http.StatusUnauthorized, `{"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16}`)(w, r)
			return
		}
		answer(http.StatusOK, rangeOK)(w, r)
	})
	expire := func() string {
		mu.Lock()
		defer mu.Unlock()
		issued++ // the token in use is no longer the valid one
		return fmt.Sprintf("tok.%d", issued)
	}
	return g, expire
}

func TestClientAuthenticatesOnceAndAgainWhenTheTokenExpires(t *testing.T) {
	g, expire := authGateway(t)
	c := testClient(t, "alice", "s3cret", g.addr)
	for range 3 {
		_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, g.count("/v3/auth/authenticate"), "the token is kept")

	expire()
	_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
	require.NoError(t, err, "refused once, authenticated again, and answered")
	assert.Equal(t, 2, g.count("/v3/auth/authenticate"))
	assert.Equal(t, 5, g.count("/v3/kv/range"))
}

func TestClientGivesUpWhenANewTokenIsRefusedToo(t *testing.T) {
	g := newGateway(t)
	g.on("/v3/auth/authenticate", answer(http.StatusOK, `{"token":"tok.1"}`))
	g.on("/v3/kv/range", answer(http.StatusUnauthorized, `{"code":16,"message":"etcdserver: invalid auth token","details":[]}`))
	c := testClient(t, "alice", "s3cret", g.addr)
	_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
	assert.True(t, hasCode(err, codeUnauthenticated), "%v", err)
	assert.Equal(t, 2, g.count("/v3/auth/authenticate"))
	assert.Equal(t, 2, g.count("/v3/kv/range"))
}

func TestWrongPasswordIsToldWithoutThePassword(t *testing.T) {
	g, _ := authGateway(t)
	c := testClient(t, "alice", "wrong-pw", g.addr)
	_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `authenticating as user "alice": etcdserver: authentication failed`)
	assert.NotContains(t, err.Error(), "wrong-pw")
	assert.Zero(t, g.count("/v3/kv/range"))
}

func TestClusterWithoutAuthTakesAUser(t *testing.T) {
	g := newGateway(t)
	g.on("/v3/auth/authenticate", answer(http.StatusPreconditionFailed, `{"error":"etcdserver: authentication is not enabled","message":"etcdserver: authentication is not enabled","code":9}`))
	g.on("/v3/kv/range", answer(http.StatusOK, rangeOK))
	c := testClient(t, "alice", "s3cret", g.addr)
	for range 2 {
		_, err := c.countPrefix(within(t, time.Second), "/lab/res/")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, g.count("/v3/auth/authenticate"), "asked once")
}

func TestKeepAliveOfALeaseThatIsGone(t *testing.T) {
	g := newGateway(t)
	c := testClient(t, "", "", g.addr)
	g.on("/v3/lease/keepalive", answer(http.StatusOK, `{"result":{"header":{"revision":"12"},"ID":"999"}}`+"\n"))
	_, err := c.keepAlive(within(t, time.Second), 999)
	require.ErrorIs(t, err, errLeaseNotFound, "no TTL: the lease is gone")

	g.on("/v3/lease/keepalive", answer(http.StatusOK, `{"result":{"header":{"revision":"12"},"ID":"999","TTL":"30"}}`+"\n"))
	ttl, err := c.keepAlive(within(t, time.Second), 999)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, ttl)
}

// streamer answers a watch with lines, flushed one by one, and then
// waits until the client goes.
func streamer(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for _, l := range lines {
			io.WriteString(w, l)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}
}

func TestWatchCallsBackAndEndsWithTheStreamsError(t *testing.T) {
	g := newGateway(t)
	g.on("/v3/watch", func(w http.ResponseWriter, r *http.Request) {
		var req watchRequest
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		assert.Equal(t, "/lab/", string(req.CreateRequest.Key))
		assert.Equal(t, "/lab0", string(req.CreateRequest.RangeEnd))
		io.WriteString(w, `{"result":{"header":{"revision":"14"},"created":true}}`+"\n")
		io.WriteString(w, `{"result":{"header":{"revision":"17"},"events":[{"type":"DELETE","kv":{"key":"L2xhYi9yZXMvYQ==","mod_revision":"17"}},{"kv":{"key":"L2xhYi9xdWV1ZS90","mod_revision":"17"}}]}}`+"\n")
		io.WriteString(w, `{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}`)
	})
	c := testClient(t, "", "", g.addr)
	var created int
	var changes []string
	err := c.watchKeys(within(t, 2*time.Second), "/lab/", time.Second, func() { created++ }, func(key string, deleted bool) {
		changes = append(changes, fmt.Sprint(key, " ", deleted))
	})
	assert.True(t, hasCode(err, codeUnavailable), "%v", err)
	assert.Equal(t, 1, created)
	assert.Equal(t, []string{"/lab/res/a true", "/lab/queue/t false"}, changes)
}

func TestWatchEndsWhenCancelledByEtcd(t *testing.T) {
	g, _ := authGateway(t)
	g.on("/v3/watch", streamer(`{"result":{"header":{},"watch_id":"-1","created":true,"canceled":true,"cancel_reason":"rpc error: code = Unauthenticated desc = etcdserver: invalid auth token"}}`+"\n"))
	c := testClient(t, "alice", "s3cret", g.addr)
	var created int
	err := c.watchKeys(within(t, 2*time.Second), "/lab/", time.Second, func() { created++ }, func(string, bool) {})
	require.ErrorContains(t, err, "etcd cancelled the watch: rpc error: code = Unauthenticated")
	assert.Zero(t, created, "a cancelled watch was never established")
	_, authed := c.cachedToken()
	assert.False(t, authed, "the refused token is dropped: the next watch authenticates again")
}

func TestWatchThatIsNotEstablishedInTimeEnds(t *testing.T) {
	g := newGateway(t)
	g.on("/v3/watch", streamer()) // never says created
	c := testClient(t, "", "", g.addr)
	err := c.watchKeys(within(t, 5*time.Second), "/lab/", 200*time.Millisecond, func() {}, func(string, bool) {})
	require.ErrorIs(t, err, errNoWatch)
	assert.ErrorContains(t, err, "within 200ms")
}

func TestWatchStopsWhenItsContextIsCancelled(t *testing.T) {
	g := newGateway(t)
	g.on("/v3/watch", streamer(`{"result":{"header":{},"created":true}}`+"\n"))
	c := testClient(t, "", "", g.addr)
	ctx, cancel := context.WithCancel(t.Context())
	err := c.watchKeys(ctx, "/lab/", time.Second, cancel, func(string, bool) {})
	require.ErrorIs(t, err, context.Canceled)
}

func TestWaitingForAnotherCallersAuthenticationEndsWithTheContext(t *testing.T) {
	g := newGateway(t)
	release := make(chan struct{})
	g.on("/v3/auth/authenticate", func(w http.ResponseWriter, r *http.Request) {
		<-release
		answer(http.StatusOK, `{"token":"tok.1"}`)(w, r)
	})
	g.on("/v3/kv/range", answer(http.StatusOK, rangeOK))
	c := testClient(t, "alice", "s3cret", g.addr)
	first := make(chan error, 1)
	go func() {
		_, err := c.countPrefix(within(t, 5*time.Second), "/lab/res/")
		first <- err
	}()
	require.Eventually(t, func() bool { return g.count("/v3/auth/authenticate") == 1 }, 5*time.Second, time.Millisecond)

	_, err := c.countPrefix(within(t, 100*time.Millisecond), "/lab/res/")
	require.ErrorIs(t, err, context.DeadlineExceeded, "it does not wait past its own deadline")
	close(release)
	require.NoError(t, <-first)
	assert.Equal(t, 1, g.count("/v3/auth/authenticate"))
}
