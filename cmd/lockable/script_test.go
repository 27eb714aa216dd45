//go:build unix

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// TestMain makes the test binary play lockable and the helper programs
// of the scripts (waitfile, sigtrap, dead) when run under their names.
func TestMain(m *testing.M) {
	// lockable starts itself (here, this binary) as the keeper of its
	// command; under any name, that is lockable's job.
	if spec, ok := keeperSpecFrom(os.Environ()); ok {
		os.Exit(keepCommand(spec, os.Environ()))
	}
	testscript.Main(m, map[string]func(){
		"lockable": lockableMain,
		"waitfile": waitfileMain,
		"sigtrap":  sigtrapMain,
		"dead":     deadMain,
	})
}

// lockableMain runs lockable as a CI runner starts it: in a session of
// its own, without a controlling terminal, so that running go test from
// a terminal changes nothing. A script that wants a terminal starts
// lockable as a session leader on one (ctrlc); Setsid then fails and
// lockable keeps that terminal.
func lockableMain() {
	_, _ = unix.Setsid()
	main()
}

// TestScripts runs the scripts in testdata/script against the real
// binary. Each script gets LOCKABLE_LOCK_FOLDER=$WORK/locks and
// LOCKABLE_HOSTNAME=lab-1, GORACE with atexit_sleep_ms=0, RESOURCES_URL, a loopback server's URL
// serving the list in testdata/url-resources.json, and, for the scripts
// that use etcd (condition [etcd]), LOCKABLE_ETCD_ENDPOINTS and
// ETCD_PREFIX, a key prefix of their own. EXAMPLES is the repository's
// examples/ folder, the bundled lab. SERVER_HOST is that server's
// host:port, for URLs with credentials; it echoes them at /echo.
func TestScripts(t *testing.T) {
	list, err := os.ReadFile(filepath.Join("testdata", "url-resources.json"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	// Under nohup the scripts' processes would inherit an ignored SIGHUP,
	// which lockable keeps ignored, as it should (signals.txtar). Caught
	// here, it is the default again in every process this test starts.
	if signal.Ignored(syscall.SIGHUP) {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
		t.Cleanup(func() { signal.Reset(syscall.SIGHUP) })
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			srv := httptest.NewServer(resourcesHandler(list))
			env.Defer(srv.Close)
			env.Setenv("RESOURCES_URL", srv.URL+"/resources.json")
			env.Setenv("SERVER_HOST", strings.TrimPrefix(srv.URL, "http://"))
			env.Setenv("LOCKABLE_LOCK_FOLDER", filepath.Join(env.WorkDir, "locks"))
			env.Setenv("LOCKABLE_HOSTNAME", "lab-1")
			env.Setenv(envEtcdEndpoints, os.Getenv(envEtcdEndpoints))
			env.Setenv("ETCD_PREFIX", etcdPrefix())
			env.Setenv("EXAMPLES", examples)
			// Under -race, each process would sleep a second at exit.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "etcd" {
				return os.Getenv(envEtcdEndpoints) != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":  cmdExits,
			"signal": cmdSignal,
			"gone":   cmdGone,
			"child":  cmdChild,
			"ctrlc":  cmdCtrlC,
			"queued": cmdQueued,
			// lockable serve
			"get":        cmdGet,
			"waitget":    cmdWaitGet,
			"portfree":   cmdPortFree,
			"servedat":   cmdServedAt,
			"startserve": cmdStartServe,
			"stopserve":  cmdStopServe,
		},
	})
}

// resourcesHandler serves list at /resources.json, a 403 that echoes the
// request's credentials at /echo (as careless servers do), and 404
// elsewhere.
func resourcesHandler(list []byte) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		http.Error(w, fmt.Sprintf("denied user %s password %s (%s)", user, pass, r.Header.Get("Authorization")), http.StatusForbidden)
	})
	mux.HandleFunc("GET /resources.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(list)
	})
	return mux
}
