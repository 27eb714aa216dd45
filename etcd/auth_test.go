//go:build unix

package etcd_test

import (
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/etcdtest"
	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// enableAuth turns on auth on a server of the test's own, with the user
// root (password rootpw), and returns a client that authenticated as it.
func enableAuth(t *testing.T, s *server) *etcdtest.Client {
	t.Helper()
	api := etcdtest.New(s.client)
	var resp struct{}
	api.Must(t, "/v3/auth/user/add", map[string]string{"name": "root", "password": "rootpw"}, &resp)
	api.Must(t, "/v3/auth/role/add", map[string]string{"name": "root"}, &resp)
	api.Must(t, "/v3/auth/user/grant", map[string]string{"user": "root", "role": "root"}, &resp)
	api.Must(t, "/v3/auth/enable", map[string]string{}, &resp)
	login(t, api, "root", "rootpw")
	return api
}

// login authenticates, so that the client sends the user's token.
func login(t *testing.T, a *etcdtest.Client, user, password string) {
	t.Helper()
	a.Token = "" // etcd refuses to authenticate a request with a stale token
	var resp struct{ Token string }
	a.Must(t, "/v3/auth/authenticate", map[string]string{"name": user, "password": password}, &resp)
	a.Token = resp.Token
}

func TestAuthWithTheURLsUserAndPassword(t *testing.T) {
	s := startServer(t)
	root := enableAuth(t, s)
	lb := newLabAt(t, s.client, 1, "2s")
	lb.endpoints = "root:rootpw@" + s.client
	a, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
	require.NoError(t, err)
	key := root.Get(t, lb.prefix+"/res/s0")
	require.NotNil(t, key, "held, as root")
	assert.Equal(t, key.CreateRevision, a.FencingToken())
	waiter := lb.lockable(t, "host-b") // authenticated

	// A password change ends the user's tokens: the waiter's next request
	// is refused, it authenticates again and goes on, and so does the
	// holder's release.
	var resp struct{}
	root.Must(t, "/v3/auth/user/changepw", map[string]string{"name": "root", "password": "rootpw"}, &resp)
	got := make(chan *core.Allocation, 1)
	go func() {
		w, err := waiter.Lock(within(t, 10*time.Second), anyServer)
		assert.NoError(t, err)
		got <- w
	}()
	require.NoError(t, a.Unlock())
	w := <-got
	require.NotNil(t, w)
	assert.Greater(t, w.FencingToken(), a.FencingToken())
	require.NoError(t, w.Unlock())
	login(t, root, "root", "rootpw")
	assert.Nil(t, root.Get(t, lb.prefix+"/res/s0"), "released")
}

func TestAuthFailuresSayWhy(t *testing.T) {
	s := startServer(t)
	enableAuth(t, s)
	src := provider.File(servers(t, 1))
	for url, want := range map[string]string{
		"etcd://root:wrongpw@" + s.client + "/lab": `etcd at ` + s.client + `: authenticating as user "root": etcdserver: authentication failed, invalid user ID or password`,
		"etcd://" + s.client + "/lab":              "etcdserver: user name is empty",
	} {
		_, err := core.New(t.Context(), src, core.WithBackend(url))
		require.Error(t, err, url)
		assert.Contains(t, err.Error(), want, url)
		assert.NotContains(t, err.Error(), "wrongpw", "the password is not shown")
	}
}
