package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// cmdCtrlC is the script command "ctrlc READY program [args...]": it
// starts the program as a shell starts a job on a terminal (session
// leader, foreground process group, the terminal as its stdin), waits
// until the file READY exists, types Ctrl-C on the terminal and waits for
// the program to end. It prints "exit N" and the program's output on its
// stdout and stderr.
func cmdCtrlC(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: ctrlc READY program [args...]")
	}
	ptm, tty, err := openPTY()
	ts.Check(err)
	defer ptm.Close()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(lookPath(ts, args[1]), args[2:]...)
	cmd.Dir, cmd.Env = ts.MkAbs("."), scriptEnv(ts)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	ts.Check(cmd.Start())
	tty.Close()
	go func() { _, _ = io.Copy(io.Discard, ptm) }()
	ready := waitFile(ts.MkAbs(args[0]), "", helperBound)
	if ready == nil {
		_, err = ptm.Write([]byte{3}) // ^C, VINTR by default
		ts.Check(err)
	}
	err = waitBounded(cmd)
	fmt.Fprintf(ts.Stdout(), "exit %d\n%s", cmd.ProcessState.ExitCode(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	ts.Check(errors.Join(ready, err))
}

// waitBounded waits for cmd, killing it after helperBound.
func waitBounded(cmd *exec.Cmd) error {
	t := time.AfterFunc(helperBound, func() { _ = cmd.Process.Kill() })
	defer t.Stop()
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil // the status is for the script to judge
	}
	return err
}

// openPTY opens a new pseudo-terminal: its controlling side and the
// terminal itself.
func openPTY() (ptm, tty *os.File, err error) {
	ptm, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(ptm.Fd())
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0)
	}
	if err == nil {
		tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		ptm.Close()
		return nil, nil, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	return ptm, tty, nil
}
