//go:build unix

package command

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// shell runs line with /bin/sh -c.
func shell(line string) *exec.Cmd { return exec.Command("/bin/sh", "-c", line) }

// group is a started command: the leader of a process group of its own,
// which its watchdog kills should this process die.
type group struct {
	pid int
	dog *watchdog
}

// start starts cmd as the leader of a process group of its own, under a
// watchdog. Without a watchdog (it could not start), the command still
// runs; on Linux it dies with this process all the same.
func start(cmd *exec.Cmd) (*group, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	dog, _ := startWatchdog()
	if err := cmd.Start(); err != nil {
		dog.release()
		return nil, err
	}
	dog.guard(cmd.Process.Pid)
	return &group{pid: cmd.Process.Pid, dog: dog}, nil
}

// stop stops the group at the command's bound: SIGTERM, then SIGKILL
// after grace, until the command has exited.
func (g *group) stop(exited <-chan struct{}, grace time.Duration) {
	_ = unix.Kill(-g.pid, unix.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C:
		_ = unix.Kill(-g.pid, unix.SIGKILL)
		<-exited
	}
}

// end kills what the command left running in its group, and dismisses
// the watchdog.
func (g *group) end() {
	_ = unix.Kill(-g.pid, unix.SIGKILL)
	g.dog.release()
}

// signalName names the signal that ended the command, "" if none did.
func signalName(ps *os.ProcessState) string {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	name := unix.SignalName(ws.Signal())
	if len(name) > 3 {
		name = name[3:] // SIGKILL: KILL
	}
	return name
}

// watchdogScript kills the process group whose id it reads first, unless
// it then reads "done": EOF before that means that this process, the
// only writer of its stdin, has died.
const watchdogScript = `read -r group || exit 0
read -r word
[ "$word" = done ] || kill -s KILL -- "-$group" 2>/dev/null
exit 0`

// watchdog is a shell that outlives this process, to kill a command's
// group should this process die first. It leads a process group of its
// own, so that a terminal's Ctrl-C to this one spares it.
type watchdog struct {
	cmd *exec.Cmd
	w   *os.File
}

func startWatchdog() (*watchdog, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh", "-c", watchdogScript)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, err
	}
	return &watchdog{cmd: cmd, w: w}, nil
}

// guard tells the watchdog the group to kill.
func (d *watchdog) guard(pid int) {
	if d != nil {
		fmt.Fprintf(d.w, "%d\n", pid)
	}
}

// release dismisses the watchdog and waits for it to end.
func (d *watchdog) release() {
	if d == nil {
		return
	}
	_, _ = io.WriteString(d.w, "done\n")
	d.w.Close()
	_ = d.cmd.Wait()
}
