//go:build unix && !linux

package main

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// endGroup ends what is left of the command's process group, when it
// leads one: SIGTERM, then SIGKILL after grace. It says what it stopped.
func (p *child) endGroup(grace time.Duration) []string {
	if !p.ownGroup || unix.Kill(-p.Pid, 0) != nil {
		return nil
	}
	left := []string{fmt.Sprintf("processes of its group (%d)", p.Pid)}
	_ = unix.Kill(-p.Pid, unix.SIGTERM)
	for end := time.Now().Add(grace); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if unix.Kill(-p.Pid, 0) != nil {
			return left
		}
	}
	_ = unix.Kill(-p.Pid, unix.SIGKILL)
	return left
}
