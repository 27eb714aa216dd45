//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// cmdExits is the script command "exits N program [args...]": it runs the
// program as exec does and fails unless its exit status is N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdSignal is the script command "signal -SIG PIDFILE": it sends SIG
// (INT, TERM, HUP, QUIT or KILL) to the process whose pid the file holds.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || !strings.HasPrefix(args[0], "-") {
		ts.Fatalf("usage: signal -SIG PIDFILE")
	}
	sig := unix.SignalNum("SIG" + strings.TrimPrefix(args[0], "-"))
	if sig == 0 {
		ts.Fatalf("unknown signal %s", args[0])
	}
	ts.Check(syscall.Kill(readPID(ts, args[1]), sig))
}

// cmdGone is the script command "gone PIDFILE": it waits, bounded, until
// the process whose pid the file holds has ended. A zombie has ended: who
// reaps an orphan, and when, is up to the system.
func cmdGone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gone PIDFILE")
	}
	pid := readPID(ts, args[0])
	ts.Check(poll(helperBound, func() error {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) || zombie(pid) {
			return nil
		}
		return fmt.Errorf("process %d still exists", pid)
	}))
}

// cmdChild is the script command "child PIDFILE OUTFILE": it waits,
// bounded, until the process whose pid PIDFILE holds has exactly one
// child, as Linux's /proc tells, and writes that child's pid to OUTFILE.
func cmdChild(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: child PIDFILE OUTFILE")
	}
	pid := readPID(ts, args[0])
	var child int
	ts.Check(poll(helperBound, func() error {
		// Each thread lists the children it started.
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		if err != nil {
			return err
		}
		var f []string
		for _, task := range tasks {
			kids, err := os.ReadFile(task)
			if err != nil {
				return err
			}
			f = append(f, strings.Fields(string(kids))...)
		}
		if len(f) != 1 {
			return fmt.Errorf("process %d has %d children, want 1", pid, len(f))
		}
		child, err = strconv.Atoi(f[0])
		return err
	}))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strconv.Itoa(child)+"\n"), 0o644))
}

func readPID(ts *testscript.TestScript, file string) int {
	pid, err := strconv.Atoi(strings.TrimSpace(ts.ReadFile(file)))
	ts.Check(err)
	return pid
}

// scriptEnv is the part of the script's environment a command started
// outside exec gets.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, key := range []string{"PATH", "HOME", "TMPDIR", "WORK", "LOCKABLE_LOCK_FOLDER", "LOCKABLE_BACKEND", "LOCKABLE_HOSTNAME", "LOCKABLE_RESOURCES", "LOCKABLE_TIMEOUT", "LOCKABLE_REQUIREMENTS", "LOCKABLE_PRIORITY", "GORACE"} {
		if v := ts.Getenv(key); v != "" {
			env = append(env, key+"="+v)
		}
	}
	return env
}

// lookPath finds a program on the script's PATH.
func lookPath(ts *testscript.TestScript, name string) string {
	for _, dir := range strings.Split(ts.Getenv("PATH"), string(os.PathListSeparator)) {
		path := dir + "/" + name
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return path
		}
	}
	ts.Fatalf("%s not found on PATH", name)
	return ""
}

// zombie reports whether pid has ended but is not reaped yet, as far as
// Linux's /proc tells; elsewhere it reports false.
func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold anything but ends at the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z")
}

// cmdQueued is the script command "queued N": it waits, bounded, until
// the lab of the script's environment (LOCKABLE_RESOURCES, or
// resources.json; LOCKABLE_LOCK_FOLDER or LOCKABLE_BACKEND) has N
// waiters in its queue, following the lab as lockable status would.
func cmdQueued(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: queued N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	resources := ts.Getenv("LOCKABLE_RESOURCES")
	if resources == "" {
		resources = ts.MkAbs("resources.json")
	}
	opts := []core.Option{core.WithHostname(ts.Getenv("LOCKABLE_HOSTNAME")), core.WithLockFolder(ts.Getenv("LOCKABLE_LOCK_FOLDER"))}
	if b := ts.Getenv("LOCKABLE_BACKEND"); b != "" {
		opts = append(opts, core.WithBackend(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), helperBound)
	defer cancel()
	lk, err := core.New(ctx, provider.Open(resources), opts...)
	ts.Check(err)
	defer lk.Close()
	got := -1
	for range lk.Changes(ctx) {
		st, err := lk.Status(ctx, nil)
		ts.Check(err)
		if got = len(st.Queue); got == want {
			return
		}
	}
	ts.Fatalf("the queue holds %d waiters, not %d, after %s", got, want, helperBound)
}
