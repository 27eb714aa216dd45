package core

import (
	"encoding/json"
	"testing"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockFolderHasNoFencingTokenAndNeverLoses(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	a, err := l.Lock(t.Context(), q(`{"type":"phone"}`))
	require.NoError(t, err)
	assert.Zero(t, a.FencingToken(), "the lock folder keeps no shared counter")
	assert.Nil(t, a.Lost(), "a file lock is lost only with its process")
	assert.NoError(t, a.Err())
	st, err := l.Status(t.Context(), nil)
	sts := st.Resources
	require.NoError(t, err)
	require.Len(t, sts, 1)
	assert.Equal(t, Held, sts[0].State)
	assert.Zero(t, sts[0].Token)
	assert.Zero(t, sts[0].TTL)
	out, err := json.Marshal(sts[0])
	require.NoError(t, err)
	assert.NotContains(t, string(out), "fencing_token", "fields a backend lacks are left out")
	assert.NotContains(t, string(out), "ttl_seconds")
	require.NoError(t, a.Unlock())
	require.NoError(t, l.Close())
}

func TestUnknownBackendSaysWhatToDo(t *testing.T) {
	src := provider.File(lab(t, phones(1)...))
	for _, tc := range []struct{ url, want string }{
		{"etcd://127.0.0.1:2379/lab", `import _ "github.com/go-lockable/lockable/etcd"`},
		{"consul://h:8500", `no backend for scheme "consul"`},
		{"consul://u:secret@h:8500", `"consul://xxxxx@h:8500"`},
		{"u:secret@h1:2379", "the backend is not a URL such as etcd://"},
		{"127.0.0.1:2379", "the backend is not a URL such as etcd://"},
		{"h1:2379", "the backend is not a URL such as etcd://"},
		{"etcd://[::1", "the backend is not a URL such as etcd://"},
	} {
		_, err := New(t.Context(), src, WithBackend(tc.url))
		require.Error(t, err, tc.url)
		assert.ErrorContains(t, err, tc.want, tc.url)
		assert.ErrorIs(t, err, ErrUnknownBackend, tc.url)
		assert.NotContains(t, err.Error(), "secret", "a password in the URL is not shown")
	}
}
