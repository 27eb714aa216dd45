package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The keeper. lockable does not start the command itself: it starts a
// second lockable process, the keeper, which starts the command and
// outlives it. The keeper is a child subreaper, so every process the
// command starts, double-forked daemons included, stays its descendant;
// it holds the lock files too (inherited). When the command ends, the
// keeper ends whatever the command left running (SIGTERM, then SIGKILL
// after --kill-after), and only then does lockable release the
// resources. When lockable dies, kill -9 included, the keeper learns it
// from a pipe that lockable alone held, kills every descendant at once
// and ends, and the kernel drops the locks only then: no process of the
// command goes on using a resource unlocked.
//
// lockable starts the keeper as its own program with keeperEnv set to a
// keeperSpec, and these files:
//
//	fd 3: the life pipe, read end; EOF means lockable has ended
//	fd 4: the report pipe, write end (the lines below)
//	fd 5...: the lock files, held as long as the keeper lives
//
// A keeper may also be started early, while lockable waits for the
// resources, so that the hand-over costs no process start: it then runs
// nothing and holds nothing until lockable sends it, on fd 5 (a socket),
// the command (its keeperSpec, environment included) and the lock files
// (as SCM_RIGHTS), and ends when the socket ends without them (lockable
// gave up, or died).
//
// The keeper reports, one line each: "pid N" once the command runs,
// "start CODE MESSAGE" if it cannot start (CODE 126 or 127), "exit N" or
// "signal N" once the command has ended, "left PID NAME" for each
// process the command left behind and the keeper stopped, and "done" once
// none is left and it has closed its lock files: lockable releases then,
// without waiting for the keeper's own end.
const keeperEnv = "LOCKABLE_KEEPER"

const (
	lifeFD   = 3
	reportFD = 4
	locksFD  = 5
	// controlFD is an early keeper's socket (locks come through it).
	controlFD = 5
)

// keeperSpec is what the keeper runs and how.
type keeperSpec struct {
	Path  string        `json:"path"` // resolved by lockable, with its own PATH
	Args  []string      `json:"args"`
	Group bool          `json:"group"` // the command leads a process group of its own
	Grace time.Duration `json:"grace"` // --kill-after
	Locks int           `json:"locks"` // lock files inherited from fd 5 on
	// Early: the keeper was started before the resources were held, and
	// gets the rest of its spec, and the locks, on controlFD.
	Early bool `json:"early,omitempty"`
	// Env is the command's environment, for an early keeper (a keeper
	// started late passes its own on).
	Env []string `json:"env,omitempty"`
}

// keeperSpecFrom returns the keeper's spec when environ says this
// process is a keeper.
func keeperSpecFrom(environ []string) (keeperSpec, bool) {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, keeperEnv+"="); ok {
			var spec keeperSpec
			return spec, json.Unmarshal([]byte(v), &spec) == nil
		}
	}
	return keeperSpec{}, false
}

// keepCommand is the keeper's whole life; its exit status says only
// whether it could do its job (lockable reports the command's).
func keepCommand(spec keeperSpec, environ []string) int {
	for fd := lifeFD; fd < locksFD+max(spec.Locks, 1); fd++ {
		syscall.CloseOnExec(fd) // the command must not inherit them
	}
	report := os.NewFile(reportFD, "report")
	life := os.NewFile(lifeFD, "life")
	wanted := caught() // before any is ignored here
	var lockFDs []int  // the lock files it holds
	for fd := locksFD; fd < locksFD+spec.Locks; fd++ {
		lockFDs = append(lockFDs, fd)
	}
	if spec.Early {
		// Signals before the command runs are lockable's to act on: it
		// ends this keeper by giving up.
		signal.Ignore(wanted...)
		sent, fds, ok := receiveCommand(controlFD)
		if !ok {
			return 0 // lockable gave up, or died, before it held the resources
		}
		spec, environ, lockFDs = sent, sent.Env, fds
	}
	if err := becomeSubreaper(); err != nil {
		fmt.Fprintf(report, "start %d cannot watch the command's processes: %v\n", exitCannotRun, err)
		return 1
	}
	// The keeper passes signals on as lockable does (lockable sends the
	// command its own itself): a signal to the command's parent reaches
	// it too. (Caught, not ignored: the command must not inherit them
	// ignored.)
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, wanted...)

	cmd := &exec.Cmd{Path: spec.Path, Args: spec.Args, Env: withoutKeeperEnv(environ),
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		SysProcAttr: procAttr(spec.Group)}
	if err := cmd.Start(); err != nil {
		code := exitCannotRun
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			code = exitNotFound
		}
		fmt.Fprintf(report, "start %d %v\n", code, unwrapExec(err))
		return 0
	}
	fmt.Fprintf(report, "pid %d\n", cmd.Process.Pid)
	k := &keeper{pid: cmd.Process.Pid, group: spec.Group, grace: spec.Grace, report: report,
		command: &child{Process: cmd.Process, ownGroup: spec.Group}}
	k.run(reaper(), lifeEnded(life), sigs)
	// Nothing of the command's is left: lockable may release the
	// resources now, without waiting for this process to end. The lock
	// files go first, so that the release is the last close of each.
	for _, fd := range lockFDs {
		_ = unix.Close(fd)
	}
	fmt.Fprintln(report, "done")
	return 0
}

// receiveCommand reads an early keeper's command and lock files from the
// socket fd until lockable closes it; false when it sent none. The lock
// files stay open, as plain descriptors (no *os.File, which would close
// them once collected), until the keeper ends.
func receiveCommand(fd int) (keeperSpec, []int, bool) {
	var data []byte
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*maxLockFiles))
	var got []int // lock files received
	for first := true; ; first = false {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		if first && oobn > 0 {
			msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return keeperSpec{}, nil, false
			}
			for _, m := range msgs {
				fds, err := unix.ParseUnixRights(&m)
				if err != nil {
					return keeperSpec{}, nil, false
				}
				got = append(got, fds...)
			}
		}
		data = append(data, buf[:n]...)
	}
	unix.Close(fd)
	var spec keeperSpec
	if len(data) == 0 || json.Unmarshal(data, &spec) != nil || spec.Path == "" || spec.Locks != len(got) {
		return keeperSpec{}, nil, false
	}
	return spec, got, true
}

// maxLockFiles bounds the lock files sent to an early keeper: what one
// message can carry (Linux's SCM_MAX_FD is 253). A command that holds
// more gets a keeper started late, which inherits them.
const maxLockFiles = 250

// withoutKeeperEnv drops keeperEnv from the command's environment.
func withoutKeeperEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(kv, keeperEnv+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// keeper watches one command and its descendants.
type keeper struct {
	pid     int // the command
	command *child
	group   bool
	grace   time.Duration
	report  io.Writer
}

// run waits for the command, then ends what it left behind; or, should
// lockable die first, kills everything at once. It returns when no
// descendant is left.
func (k *keeper) run(reaped <-chan reap, lifeEnded <-chan struct{}, sigs <-chan os.Signal) {
	var grace <-chan time.Time // when what the command left is killed
	var again *time.Ticker     // kills once more, for orphans reparented since
	killing := func() {
		k.killEverything()
		if again == nil {
			again = time.NewTicker(10 * time.Millisecond)
		}
	}
	defer func() {
		if again != nil {
			again.Stop()
		}
	}()
	ended := false // the command has ended
	for {
		var tick <-chan time.Time
		if again != nil {
			tick = again.C
		}
		select {
		case r, ok := <-reaped:
			if !ok {
				return // no descendant is left
			}
			if r.pid == k.pid && !ended {
				ended = true
				k.tellStatus(r.status)
				grace = k.endLeftovers()
			}
		case <-lifeEnded:
			lifeEnded = nil
			killing()
		case <-grace:
			grace = nil
			killing()
		case <-tick:
			k.killEverything()
		case sig := <-sigs:
			if !ended {
				k.command.forward(sig)
			}
		}
	}
}

func (k *keeper) tellStatus(ws unix.WaitStatus) {
	if ws.Signaled() {
		fmt.Fprintf(k.report, "signal %d\n", int(ws.Signal()))
		return
	}
	fmt.Fprintf(k.report, "exit %d\n", ws.ExitStatus())
}

// endLeftovers asks every process the command left to end (SIGTERM, to
// its process group as well) and returns when to kill them.
func (k *keeper) endLeftovers() <-chan time.Time {
	if noChildren() {
		return nil // then no descendant either: orphans are this keeper's children
	}
	left := descendants()
	if len(left) == 0 {
		return nil
	}
	for _, pid := range left {
		fmt.Fprintf(k.report, "left %d %s\n", pid, commandName(pid))
	}
	if k.group {
		_ = unix.Kill(-k.pid, unix.SIGTERM)
	}
	signalAll(left, unix.SIGTERM)
	return time.After(k.grace)
}

// noChildren reports whether this process has no child at all, ended or
// not (it reaps none).
func noChildren() bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return errors.Is(err, unix.ECHILD)
}

// killEverything kills the command's process group and every descendant.
func (k *keeper) killEverything() {
	if k.group {
		_ = unix.Kill(-k.pid, unix.SIGKILL)
	}
	signalAll(descendants(), unix.SIGKILL)
}

// reap is one descendant that ended.
type reap struct {
	pid    int
	status unix.WaitStatus
}

// reaper reaps every child of this process as it ends, orphans adopted
// as subreaper included, and closes its channel when none is left.
func reaper() <-chan reap {
	out := make(chan reap)
	go func() {
		defer close(out)
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, 0, nil)
			switch {
			case errors.Is(err, unix.EINTR):
				continue
			case err != nil:
				return // ECHILD: no child is left
			}
			out <- reap{pid: pid, status: ws}
		}
	}()
	return out
}

// lifeEnded returns a channel closed when the life pipe ends: lockable,
// its only writer, has ended.
func lifeEnded(life *os.File) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, life)
		close(out)
	}()
	return out
}

// kept is a command started under a keeper, as lockable sees it.
type kept struct {
	keeper   *exec.Cmd
	life     *os.File // write end: lockable's death closes it
	command  *os.Process
	ended    chan struct{} // closed once the command has ended
	gone     chan struct{} // closed once the keeper has ended
	done     chan struct{} // closed once the keeper says nothing of the command's is left
	status   int
	statusOK bool
	left     []string // "name (pid N)" of each process left behind
}

func newKept(keeper *exec.Cmd, life *os.File) *kept {
	return &kept{keeper: keeper, life: life, ended: make(chan struct{}), gone: make(chan struct{}), done: make(chan struct{})}
}

// follow reads the keeper's report from rep until it ends, and returns
// once the command runs (nil), or, the keeper gone, with why it did not
// start.
func (r *kept) follow(rep *os.File) error {
	started := make(chan error, 1)
	go r.read(rep, started)
	if err := <-started; err != nil {
		<-r.gone
		return err
	}
	return nil
}

// startEarlyOrNow gives cmd to the early keeper, or starts one for it.
func startEarlyOrNow(cmd *exec.Cmd, locks []*os.File, ownGroup bool, grace time.Duration, early *earlyKeeper) (*kept, error) {
	r, ok := early.give(cmd, locks, ownGroup, grace)
	if !ok {
		return startKept(cmd, locks, ownGroup, grace)
	}
	if err := r.follow(early.report); err != nil {
		return nil, err
	}
	return r, nil
}

// startKept starts cmd under a keeper that also holds locks (lock files
// to inherit). It returns once the command runs, or with the error that
// kept it from starting.
func startKept(cmd *exec.Cmd, locks []*os.File, ownGroup bool, grace time.Duration) (*kept, error) {
	if err := becomeSubreaper(); err != nil {
		return nil, fmt.Errorf("cannot watch the command's processes: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find lockable's own program to start the keeper: %w", err)
	}
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		lifeR.Close()
		lifeW.Close()
		return nil, err
	}
	spec, _ := json.Marshal(keeperSpec{Path: cmd.Path, Args: cmd.Args, Group: ownGroup, Grace: grace, Locks: len(locks)})
	k := &exec.Cmd{Path: exe, Args: []string{os.Args[0]}, Env: append(cmd.Env, keeperEnv+"="+string(spec)),
		Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr,
		ExtraFiles: append([]*os.File{lifeR, repW}, locks...),
		// Its own process group (unless the command shares lockable's
		// terminal group): a signal to lockable's group spares it.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: ownGroup}}
	err = k.Start()
	lifeR.Close()
	repW.Close()
	if err != nil {
		lifeW.Close()
		repR.Close()
		return nil, fmt.Errorf("cannot start the keeper %s: %w", exe, err)
	}
	own(k.Process.Pid)
	r := newKept(k, lifeW)
	if err := r.follow(repR); err != nil {
		return nil, err
	}
	return r, nil
}

// read follows the keeper's report until it ends; started gets nil once
// the command runs, or why it did not start.
func (r *kept) read(rep *os.File, started chan<- error) {
	defer close(r.gone)
	defer rep.Close()
	once := func(err error) {
		if started != nil {
			started <- err
			started = nil
		}
	}
	sc := bufio.NewScanner(rep)
	for sc.Scan() {
		word, rest, _ := strings.Cut(sc.Text(), " ")
		switch word {
		case "pid":
			pid, _ := strconv.Atoi(rest)
			p, err := os.FindProcess(pid)
			r.command = p
			once(err)
		case "start":
			code, msg, _ := strings.Cut(rest, " ")
			n, _ := strconv.Atoi(code)
			once(withCode(n, errors.New(msg)))
		case "exit", "signal":
			n, _ := strconv.Atoi(rest)
			r.status, r.statusOK = n, true
			if word == "signal" {
				r.status += exitSignal
			}
			close(r.ended)
		case "left":
			pid, name, _ := strings.Cut(rest, " ")
			r.left = append(r.left, fmt.Sprintf("%s (pid %s)", name, pid))
		case "done":
			if r.statusOK && !isClosed(r.done) {
				close(r.done)
			}
		}
	}
	_ = r.keeper.Wait()
	disown(r.keeper.Process.Pid)
	r.life.Close()
	once(fmt.Errorf("the keeper ended before the command started (%s)", r.keeper.ProcessState))
	if !r.statusOK {
		close(r.ended)
	}
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// earlyKeeper is a keeper started while lockable waits, holding nothing
// yet (see keepCommand).
type earlyKeeper struct {
	k        *exec.Cmd
	life     *os.File // write end
	report   *os.File // read end
	control  *os.File // lockable's end of the socket
	ownGroup bool
}

// startEarly starts a keeper for a command that will run with stdio, in
// a process group of its own or not; nil when it cannot (the command then
// gets a keeper when it starts).
func startEarly(environ []string, stdin io.Reader, stdout, stderr io.Writer, ownGroup bool) *earlyKeeper {
	if !isFile(stdin) || !isFile(stdout) || !isFile(stderr) || becomeSubreaper() != nil {
		return nil // no copying into a keeper that may run nothing
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		ours.Close()
		theirs.Close()
		return nil
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		ours.Close()
		theirs.Close()
		lifeR.Close()
		lifeW.Close()
		return nil
	}
	spec, _ := json.Marshal(keeperSpec{Early: true})
	k := &exec.Cmd{Path: exe, Args: []string{os.Args[0]}, Env: append(slices.Clip(environ), keeperEnv+"="+string(spec)),
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		ExtraFiles:  []*os.File{lifeR, repW, theirs},
		SysProcAttr: &syscall.SysProcAttr{Setpgid: ownGroup}}
	err = k.Start()
	lifeR.Close()
	repW.Close()
	theirs.Close()
	if err != nil {
		ours.Close()
		lifeW.Close()
		repR.Close()
		return nil
	}
	own(k.Process.Pid)
	return &earlyKeeper{k: k, life: lifeW, report: repR, control: ours, ownGroup: ownGroup}
}

// isFile says whether a command given v as its stdio gets it as it is.
func isFile(v any) bool {
	_, ok := v.(*os.File)
	return ok || v == nil
}

// give has the early keeper run cmd, holding locks too; false, having
// ended it, when it cannot (then the command gets a keeper of its own).
func (e *earlyKeeper) give(cmd *exec.Cmd, locks []*os.File, ownGroup bool, grace time.Duration) (*kept, bool) {
	if e == nil {
		return nil, false
	}
	if ownGroup != e.ownGroup || len(locks) > maxLockFiles {
		e.abandon()
		return nil, false
	}
	spec, _ := json.Marshal(keeperSpec{Path: cmd.Path, Args: cmd.Args, Env: cmd.Env, Group: ownGroup, Grace: grace, Locks: len(locks)})
	fds := make([]int, len(locks))
	for i, f := range locks {
		fds[i] = int(f.Fd())
	}
	if err := sendCommand(e.control, spec, unix.UnixRights(fds...)); err != nil {
		e.abandon()
		return nil, false
	}
	e.control.Close() // the end of the command: the keeper reads until here
	return newKept(e.k, e.life), true
}

// sendCommand writes spec to the socket f, the rights with its first
// bytes.
func sendCommand(f *os.File, spec, rights []byte) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	err = raw.Write(func(fd uintptr) bool {
		for len(spec) > 0 {
			var n int
			var err error
			if rights != nil {
				n, err = unix.SendmsgN(int(fd), spec, rights, nil, 0)
			} else {
				n, err = unix.Write(int(fd), spec)
			}
			switch {
			case errors.Is(err, unix.EINTR):
				continue
			case errors.Is(err, unix.EAGAIN):
				return false // not ready: called again when it is
			case err != nil:
				sendErr = err
				return true
			}
			if n > 0 {
				rights = nil // they went with the first bytes
			}
			spec = spec[n:]
		}
		return true
	})
	return errors.Join(err, sendErr)
}

// abandon ends an early keeper that will run nothing, and waits for it.
func (e *earlyKeeper) abandon() {
	if e == nil {
		return
	}
	e.control.Close()
	e.life.Close()
	// It ends on reading the end of the socket; one that does not is
	// killed (it holds nothing and has run nothing).
	t := time.AfterFunc(abandonBound, func() { _ = e.k.Process.Kill() })
	_ = e.k.Wait()
	disown(e.k.Process.Pid)
	t.Stop()
	e.report.Close()
}

// abandonBound is how long an early keeper given nothing has to end.
const abandonBound = 2 * time.Second

// startCommand starts cmd under a keeper (see keeperEnv), which holds
// the lock files too: early, when one was started while lockable
// waited, or now.
func startCommand(cmd *exec.Cmd, locks []*os.File, ownGroup bool, grace time.Duration, early *earlyKeeper) (*running, error) {
	k, err := startEarlyOrNow(cmd, locks, ownGroup, grace, early)
	if err != nil {
		return nil, err
	}
	return &running{
		child:  &child{Process: k.command, ownGroup: ownGroup},
		ended:  k.ended,
		finish: k.finish,
	}, nil
}

// finish waits for the keeper to end, which it does once every process
// of the command has ended. A keeper that ended before it could report
// (it was killed) leaves the command's processes to lockable, their
// subreaper now: they are killed before the resources are released.
func (r *kept) finish() (int, []string, error) {
	select {
	case <-r.done: // the keeper's own end does not matter any more
		return r.status, r.left, nil
	case <-r.gone:
	}
	if r.statusOK {
		return r.status, r.left, nil
	}
	killOrphans()
	return 0, r.left, fmt.Errorf("the keeper of the command ended before the command (%s); its processes were killed", r.keeper.ProcessState)
}

// killOrphans kills and reaps every descendant this process has left.
func killOrphans() {
	for {
		signalAll(descendants(), unix.SIGKILL)
		var ws unix.WaitStatus
		_, err := unix.Wait4(-1, &ws, 0, nil)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return // ECHILD: none is left
		}
	}
}
