//go:build unix

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// helperBound bounds every wait of the helper programs and commands, so
// that a broken test fails instead of hanging.
const helperBound = 20 * time.Second

// pollEvery paces the polls of the helpers.
const pollEvery = 5 * time.Millisecond

// waitfileMain is the program "waitfile [-timeout D] FILE [TEXT]": it
// waits until FILE exists (and holds TEXT, if given), or fails after D.
func waitfileMain() {
	fs := flag.NewFlagSet("waitfile", flag.ExitOnError)
	timeout := fs.Duration("timeout", helperBound, "how long to wait")
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fmt.Fprintln(os.Stderr, "usage: waitfile [-timeout D] FILE [TEXT]")
		os.Exit(2)
	}
	text := ""
	if fs.NArg() == 2 {
		text = fs.Arg(1)
	}
	if err := waitFile(fs.Arg(0), text, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "waitfile:", err)
		os.Exit(1)
	}
}

// waitFile polls for path to exist (a file or a directory) and, unless
// text is empty, to hold text, up to timeout.
func waitFile(path, text string, timeout time.Duration) error {
	return poll(timeout, func() error {
		if text == "" {
			_, err := os.Stat(path)
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && !strings.Contains(string(data), text) {
			err = fmt.Errorf("%s holds %q", path, data)
		}
		return err
	})
}

// poll checks cond every pollEvery until it returns nil, or returns its
// last error after timeout.
func poll(timeout time.Duration, cond func() error) error {
	end := time.After(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return nil
		}
		select {
		case <-end:
			return fmt.Errorf("still after %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// sigtrapMain is the program "sigtrap [flags] LOG", a command that
// records what lockable does to it. It writes "foreground=BOOL" (whether
// its process group is its terminal's foreground group) to LOG once its
// signal handlers are in place, then one line per signal received
// (INT, TERM, HUP, QUIT). It exits 128+N on signal N, unless:
//
//	-ignore SIG  record SIG and go on
//	-relay       on INT, send SIGTERM to the parent (lockable) and go on
//	-pid FILE    write its pid to FILE first
//	-ppid FILE   write its parent's pid to FILE first
//
// It gives up with status 3 after a while, so that it never lingers.
func sigtrapMain() {
	fs := flag.NewFlagSet("sigtrap", flag.ExitOnError)
	ignore := fs.String("ignore", "", "a signal to record and go on")
	relay := fs.Bool("relay", false, "on INT, SIGTERM the parent")
	pidFile := fs.String("pid", "", "file for the pid")
	ppidFile := fs.String("ppid", "", "file for the parent's pid")
	_ = fs.Parse(os.Args[1:])
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	must(writeAtomic(*pidFile, strconv.Itoa(os.Getpid())))
	must(writeAtomic(*ppidFile, strconv.Itoa(os.Getppid())))
	log := fs.Arg(0)
	must(writeAtomic(log, fmt.Sprintf("foreground=%t\n", foreground())))
	giveUp := time.After(helperBound)
	for {
		select {
		case sig := <-sigs:
			name := strings.TrimPrefix(unix.SignalName(sig.(syscall.Signal)), "SIG")
			must(appendLine(log, name))
			switch {
			case name == *ignore:
			case name == "INT" && *relay:
				must(syscall.Kill(os.Getppid(), syscall.SIGTERM))
			default:
				os.Exit(signalCode(sig))
			}
		case <-giveUp:
			os.Exit(3)
		}
	}
}

// deadMain is the program "dead PIDFILE...": it exits 0 when every
// process whose pid a file holds has ended (a zombie has), and 1 naming
// those that still run. It looks once and does not wait.
func deadMain() {
	alive := false
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		must(err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		must(err)
		if err := syscall.Kill(pid, 0); err == nil && !zombie(pid) {
			fmt.Printf("%s: pid %d still runs\n", file, pid)
			alive = true
		}
	}
	if alive {
		os.Exit(1)
	}
}

// writeAtomic writes a file whole or not at all, so that a waiter never
// reads half of it; an empty path writes nothing.
func writeAtomic(path, content string) error {
	if path == "" {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o666); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	return errors.Join(err, f.Close())
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, filepath.Base(os.Args[0])+":", err)
		os.Exit(4)
	}
}
