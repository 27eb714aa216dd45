package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes this process the child subreaper of its
// descendants: an orphan among them, a double-forked daemon included,
// becomes its child instead of init's, so that it can still be found and
// ended.
func becomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// descendants returns the pids of every living descendant of this
// process, parents before their children.
func descendants() []int { return descendantsOf(os.Getpid()) }

// descendantsOf returns the pids of every living descendant of pid,
// parents before their children.
func descendantsOf(pid int) []int {
	var out []int
	queue := children(pid)
	seen := map[int]bool{}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		out = append(out, pid)
		queue = append(queue, children(pid)...)
	}
	return out
}

// children returns the children of pid, from /proc/<pid>/task/*/children
// (every thread's: a child belongs to the thread that forked it), or by
// scanning /proc where the kernel does not keep those files.
func children(pid int) []int {
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if err != nil || len(tasks) == 0 {
		return childrenByScan(pid)
	}
	var out []int
	for _, path := range tasks {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the thread ended
		}
		if err != nil {
			return childrenByScan(pid)
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// childrenByScan finds the children of pid by the parent pid in each
// /proc/<pid>/stat.
func childrenByScan(parent int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok && ppid == parent {
			out = append(out, pid)
		}
	}
	return out
}

// parentOf reads the parent pid from /proc/<pid>/stat, whose second
// field, the command name in parentheses, may itself hold spaces and
// parentheses.
func parentOf(pid int) (int, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(s[end+1:])
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}

// commandName is a process's name as the kernel keeps it (at most 15
// bytes), for messages.
func commandName(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(data))
}

// signalAll sends sig to every pid; those that have ended are skipped.
func signalAll(pids []int, sig syscall.Signal) {
	for _, pid := range pids {
		_ = unix.Kill(pid, sig)
	}
}
