package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// What lab care leaves running. A health check or a cleanup runs in a
// process group of its own, killed when it ends; a process that left the
// group (setsid, a double-forked daemon) escapes that. lockable is a child
// subreaper, so such a process becomes lockable's child once its parent
// has ended. When no check runs, every child of lockable but its keepers
// is therefore a leftover of one, and is stopped as the keeper stops the
// command's: SIGTERM, then SIGKILL after --kill-after.

// keepers are the pids of the keepers lockable started: its own children,
// never leftovers.
var keepers = struct {
	sync.Mutex
	pids map[int]bool
}{pids: map[int]bool{}}

// own records a keeper's pid; disown forgets it once it has been waited
// for.
func own(pid int) {
	keepers.Lock()
	keepers.pids[pid] = true
	keepers.Unlock()
}

func disown(pid int) {
	keepers.Lock()
	delete(keepers.pids, pid)
	keepers.Unlock()
}

// leftovers returns lockable's children that are not its keepers.
func leftovers() []int {
	keepers.Lock()
	defer keepers.Unlock()
	var out []int
	for _, pid := range children(os.Getpid()) {
		if !keepers.pids[pid] {
			out = append(out, pid)
		}
	}
	return out
}

// careWatch makes lockable a child subreaper before a check starts, so
// that what it leaves outside its group stays lockable's to end; false
// when that cannot be.
func careWatch() bool {
	return wholeProcess && becomeSubreaper() == nil
}

// sweepCare stops every leftover of lab care and its descendants, and
// returns their names ("sleep (pid 42)"). It runs only while no check or
// cleanup runs. A process that ignores SIGTERM gets SIGKILL after grace;
// it ends once the leftovers have been gone for two looks in a row (a
// leftover's parent may still be dying when it first looks), or after
// grace and a second more.
func sweepCare(grace time.Duration) []string {
	var stopped []string
	termed := map[int]bool{}
	start := time.Now()
	for quiet := 0; quiet < 2 && time.Since(start) < grace+time.Second; {
		left := leftovers()
		var alive []int
		for _, pid := range left {
			var ws unix.WaitStatus
			if got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil); got == pid || err != nil {
				continue // ended (reaped now), or not a child any more
			}
			alive = append(alive, pid)
		}
		if len(alive) == 0 {
			quiet++
			time.Sleep(5 * time.Millisecond)
			continue
		}
		quiet = 0
		kill := time.Since(start) >= grace
		for _, top := range alive {
			for _, pid := range append([]int{top}, descendantsOf(top)...) {
				if !termed[pid] {
					termed[pid] = true
					stopped = append(stopped, fmt.Sprintf("%s (pid %d)", commandName(pid), pid))
					_ = unix.Kill(pid, unix.SIGTERM)
				}
				if kill {
					_ = unix.Kill(pid, unix.SIGKILL)
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stopped
}
