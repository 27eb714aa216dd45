//go:build unix

package etcd_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/etcdtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// server is an etcd server of the test's own, which it may stop and
// start again on the same ports and data.
type server struct {
	t      *testing.T
	dir    string
	client string // host:port
	peer   string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startServer starts an etcd of the test's own (the etcd binary of the
// machine, as .ci/run installs it), stopped when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	endpoints(t) // the machine is set up for etcd tests
	s := &server{t: t, dir: t.TempDir(), client: freePort(t), peer: freePort(t)}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func (s *server) start() {
	s.t.Helper()
	bin, err := exec.LookPath("etcd")
	require.NoError(s.t, err, "the etcd tests need the etcd server binary (Debian's etcd-server)")
	s.cmd = exec.Command(bin, "--name", "restart", "--data-dir", filepath.Join(s.dir, "data"),
		"--listen-client-urls", "http://"+s.client, "--advertise-client-urls", "http://"+s.client,
		"--listen-peer-urls", "http://"+s.peer, "--initial-advertise-peer-urls", "http://"+s.peer,
		"--initial-cluster", "restart=http://"+s.peer,
		"--heartbeat-interval", "10", "--election-timeout", "100")
	log, err := os.OpenFile(filepath.Join(s.dir, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(s.t, err)
	defer log.Close()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	require.NoError(s.t, s.cmd.Start())
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		cmd.Wait()
		close(exited)
	}(s.cmd, s.exited)
	s.waitHealthy()
}

// waitHealthy waits until the server commits a write, asking every 20 ms.
func (s *server) waitHealthy() {
	s.t.Helper()
	api := etcdtest.New(s.client)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := api.Put(ctx, "/health", "ok")
		cancel()
		if err == nil {
			return
		}
		require.True(s.t, time.Now().Before(deadline), "etcd not healthy within 30s: %v", err)
		select {
		case <-s.exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
			require.FailNow(s.t, "etcd exited", "%s", log)
		case <-time.After(20 * time.Millisecond): // not yet listening: ask again
		}
	}
}

// stop ends the server with SIGTERM (SIGKILL after 10 s) and waits.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// The server restarts while a resource is held. Whatever the timing,
// the holder either keeps its lock (and nobody else gets the resource)
// or is told it lost it before anyone else gets it.
func TestServerRestartNeverMakesTwoHolders(t *testing.T) {
	for _, outage := range []time.Duration{0, 3 * time.Second} {
		t.Run(fmt.Sprintf("down %s", outage), func(t *testing.T) {
			s := startServer(t)
			lb := newLabAt(t, s.client, 1, "2s")
			holder, err := lb.lockable(t, "host-a").Lock(t.Context(), anyServer)
			require.NoError(t, err)
			waiter := lb.lockable(t, "host-b")

			s.stop()
			time.Sleep(outage) // the outage under test, not a wait for a condition
			s.start()

			w, err := waiter.Lock(within(t, 5*time.Second), anyServer) // past the TTL
			if outage > 2*time.Second {
				require.NoError(t, err, "an outage longer than the TTL loses the lock, and the waiter gets it")
			}
			if err != nil {
				require.ErrorIs(t, err, core.ErrTimeout)
				assert.NoError(t, holder.Err(), "nobody else got the server: the holder still holds it")
				require.NoError(t, holder.Unlock())
				return
			}
			require.ErrorIs(t, holder.Err(), core.ErrLost, "the waiter got the server: the holder's lease had expired, and it knows")
			select {
			case <-holder.Lost():
			default:
				assert.Fail(t, "Lost is closed once Err reports the loss")
			}
			assert.ErrorIs(t, holder.Unlock(), core.ErrLost)
			require.NoError(t, w.Unlock())
		})
	}
}
