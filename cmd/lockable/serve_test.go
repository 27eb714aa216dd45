//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// servers are the lockable serve processes the scripts started, by
// script and name.
var servers sync.Map // map[serverKey]*exec.Cmd

type serverKey struct {
	ts   *testscript.TestScript
	name string
}

// cmdStartServe is the script command "startserve NAME [flags...]": it
// starts lockable serve --listen 127.0.0.1:0 with the flags, in a session
// of its own as a service manager would, its stderr in NAME.log and its
// pid in NAME.pid, and waits until it says it serves (or ends). The
// script stops it with stopserve; if the script ends first, it is killed,
// and on Linux so it is if the test binary dies.
func cmdStartServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: startserve NAME [flags...]")
	}
	name := args[0]
	log, err := os.Create(ts.MkAbs(name + ".log"))
	ts.Check(err)
	defer log.Close()
	cmd := exec.Command(lookPath(ts, "lockable"), append([]string{"serve", "--listen", "127.0.0.1:0"}, args[1:]...)...)
	cmd.Dir, cmd.Env, cmd.Stderr = ts.MkAbs("."), scriptEnv(ts), log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	dieWithParent(cmd.SysProcAttr) // and if the test binary dies first (Linux)
	ts.Check(cmd.Start())
	servers.Store(serverKey{ts, name}, cmd)
	ts.Defer(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ts.Check(os.WriteFile(ts.MkAbs(name+".pid"), fmt.Appendf(nil, "%d\n", cmd.Process.Pid), 0o666))
	ts.Check(waitFile(ts.MkAbs(name+".log"), "lockable: ", helperBound))
}

// cmdStopServe is the script command "stopserve NAME -SIG": it sends SIG
// to the lockable serve that startserve started as NAME and waits,
// bounded, until it ends; it writes "exit N" on stdout.
func cmdStopServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || !strings.HasPrefix(args[1], "-") {
		ts.Fatalf("usage: stopserve NAME -SIG")
	}
	v, ok := servers.Load(serverKey{ts, args[0]})
	if !ok {
		ts.Fatalf("no lockable serve started as %s", args[0])
	}
	cmd := v.(*exec.Cmd)
	sig := unix.SignalNum("SIG" + strings.TrimPrefix(args[1], "-"))
	if sig == 0 {
		ts.Fatalf("unknown signal %s", args[1])
	}
	ts.Check(cmd.Process.Signal(sig))
	kill := time.AfterFunc(helperBound, func() { _ = cmd.Process.Kill() })
	defer kill.Stop()
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		ts.Fatalf("lockable serve: %v", err)
	}
	fmt.Fprintf(ts.Stdout(), "exit %d\n", cmd.ProcessState.ExitCode())
}

// servingLine is the line lockable serve says once it listens.
var servingLine = regexp.MustCompile(`serving the lab of .* on http://(\S+)/`)

// servedAt is the address lockable serve said in its log that it serves
// on.
func servedAt(ts *testscript.TestScript, log string) string {
	m := servingLine.FindStringSubmatch(ts.ReadFile(log))
	if m == nil {
		ts.Fatalf("%s does not say where lockable serve listens", log)
	}
	return m[1]
}

// cmdGet is the script command "get LOG PATH [NAME=VALUE...]": it GETs
// PATH from the lockable serve whose log is LOG, with the headers given,
// and writes the body to stdout and "status N" then the headers to
// stderr. ! get fails unless the status is not 2xx or 3xx.
func cmdGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: get LOG PATH [NAME=VALUE...]")
	}
	resp, body := fetch(ts, servedAt(ts, args[0]), args[1], args[2:])
	fmt.Fprintf(ts.Stderr(), "status %d\n", resp.StatusCode)
	for _, name := range []string{"Content-Type", "ETag", "Last-Modified", "Retry-After"} {
		if v := resp.Header.Get(name); v != "" {
			fmt.Fprintf(ts.Stderr(), "%s: %s\n", name, v)
		}
	}
	fmt.Fprint(ts.Stdout(), body)
	if ok := resp.StatusCode < 400; ok == neg {
		ts.Fatalf("GET %s: %s", args[1], resp.Status)
	}
}

// cmdWaitGet is the script command "waitget LOG PATH REGEXP": it GETs
// PATH until the body matches REGEXP, or fails after helperBound.
func cmdWaitGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: waitget LOG PATH REGEXP")
	}
	re := regexp.MustCompile(args[2])
	addr := servedAt(ts, args[0])
	ts.Check(poll(helperBound, func() error {
		_, body := fetch(ts, addr, args[1], nil)
		if !re.MatchString(body) {
			return fmt.Errorf("GET %s: %q does not match %s", args[1], body, args[2])
		}
		return nil
	}))
}

func fetch(ts *testscript.TestScript, addr, path string, headers []string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	ts.Check(err)
	for _, h := range headers {
		name, value, _ := strings.Cut(h, "=")
		req.Header.Set(name, value)
	}
	client := &http.Client{Timeout: helperBound}
	resp, err := client.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	return resp, string(body)
}

// cmdPortFree is the script command "portfree LOG": it fails unless the
// address the lockable serve of LOG listened on can be listened on
// again, within helperBound (the port is free once the process ended).
func cmdPortFree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: portfree LOG")
	}
	addr := servedAt(ts, args[0])
	ts.Check(poll(helperBound, func() error {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			ln.Close()
		}
		return err
	}))
}

// cmdServedAt is the script command "servedat LOG VAR": it sets VAR to
// the address the lockable serve of LOG listens on.
func cmdServedAt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: servedat LOG VAR")
	}
	ts.Setenv(args[1], servedAt(ts, args[0]))
}
