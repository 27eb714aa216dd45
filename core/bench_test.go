package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-lockable/lockable/query"
	"github.com/stretchr/testify/require"
)

// settledLab writes n resources as a file last modified a minute ago, as
// a lab's list that nobody is editing.
func settledLab(b *testing.B, n int) string {
	path := lab(b, phones(n)...)
	old := time.Now().Add(-time.Minute)
	require.NoError(b, os.Chtimes(path, old, old))
	return path
}

// existingLocks returns a lock folder where the lock files of phones(n)
// exist already, as in a lab that has been in use: creating files is
// not what these benchmarks measure.
func existingLocks(b *testing.B, n int) string {
	dir := b.TempDir()
	for i := range n {
		require.NoError(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("phone-%d.pid", i)), nil, 0o666))
	}
	return dir
}

// BenchmarkLockUnlock: one uncontended Lock and Unlock with a cached list
// of 1,000 resources.
func BenchmarkLockUnlock(b *testing.B) {
	l := newLockable(b, settledLab(b, 1000), existingLocks(b, 1000))
	req := q(`{"type": "phone"}`)
	ctx := context.Background()
	for b.Loop() {
		a, err := l.Lock(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLockManyUnlock: LockMany of 3 requirements over 1,000
// resources.
func BenchmarkLockManyUnlock(b *testing.B) {
	l := newLockable(b, settledLab(b, 1000), existingLocks(b, 1000))
	reqs := []*query.Query{q(`{"type": "phone"}`), q(`{"id": {"$in": ["phone-1", "phone-2"]}}`), q(`id=phone-3`)}
	ctx := context.Background()
	for b.Loop() {
		as, err := l.LockMany(ctx, reqs)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range as {
			if err := a.Unlock(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkHandover measures the time from one process's release to the
// waiting process's acquire, and reports its median and 99th percentile.
func BenchmarkHandover(b *testing.B) {
	path, dir := settledLab(b, 1), b.TempDir()
	l := newLockable(b, path, dir)
	held, err := l.Lock(context.Background(), q(""))
	require.NoError(b, err)
	waiter := startRole(b, "wait", path, dir, childTimeout+"=60s")
	lat := handOvers(b, l, held, waiter, "", func() {
		time.Sleep(20 * time.Millisecond) // let the waiter settle into its wait
	})
	b.ReportMetric(float64(percentile(lat, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 99).Microseconds())/1000, "p99-ms")
}

// handOvers hands held over to waiter once per b.Loop: the waiter is
// told to wait, settle runs (untimed), then held is released and the time
// until the waiter took it is one latency; the resource req names is
// then taken back (untimed) for the next round. It returns the latencies
// sorted.
func handOvers(b *testing.B, l *Lockable, held *Allocation, waiter *process, req string, settle func()) []time.Duration {
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		waiter.send(b, "wait")
		settle()
		b.StartTimer()
		released := time.Now()
		require.NoError(b, held.Unlock())
		got, err := strconv.ParseInt(waiter.expect(b, "got"), 10, 64)
		require.NoError(b, err)
		lat = append(lat, time.Unix(0, got).Sub(released))
		b.StopTimer()
		waiter.send(b, "release")
		waiter.expect(b, "released")
		held, err = l.Lock(context.Background(), q(req))
		require.NoError(b, err)
		b.StartTimer()
	}
	slices.Sort(lat)
	return lat
}

func percentile(sorted []time.Duration, p int) time.Duration {
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// BenchmarkIdleWaiter reports the CPU a process uses while it waits for a
// held resource for LOCKABLE_BENCH_IDLE (default 10s), as a percentage of
// one core. Run it with -benchtime=1x.
func BenchmarkIdleWaiter(b *testing.B) {
	idle := 10 * time.Second
	if v := os.Getenv("LOCKABLE_BENCH_IDLE"); v != "" {
		var err error
		idle, err = time.ParseDuration(v)
		require.NoError(b, err)
	}
	path, dir := settledLab(b, 1), b.TempDir()
	l := newLockable(b, path, dir)
	held, err := l.Lock(context.Background(), q(""))
	require.NoError(b, err)
	defer held.Unlock()
	var cpu []float64
	for b.Loop() {
		waiter := startRole(b, "wait", path, dir, childTimeout+"="+idle.String())
		start := time.Now()
		waiter.send(b, "wait")
		waiter.expect(b, "error")
		wall := time.Since(start)
		waiter.stdin.Close()
		require.NoError(b, waiter.wait(b))
		st := waiter.cmd.ProcessState
		cpu = append(cpu, 100*float64(st.UserTime()+st.SystemTime())/float64(wall))
	}
	b.ReportMetric(slices.Max(cpu), "cpu-%")
	fmt.Fprintf(os.Stderr, "idle waiter: %.3f%% of a core over %s\n", slices.Max(cpu), idle)
}

// BenchmarkHandoverBystanders measures what a hand-over of a phone costs
// the processes that wait for something else (a tablet): with the queue,
// they are not woken, so their CPU per hand-over stays near zero however
// many there are. It reports their CPU per hand-over (from the kernel's
// schedstat, summed over their threads) and the hand-over's median.
func BenchmarkHandoverBystanders(b *testing.B) {
	for _, n := range []int{0, 8, 32} {
		b.Run(fmt.Sprintf("bystanders=%d", n), func(b *testing.B) { benchmarkBystanders(b, n) })
	}
}

func benchmarkBystanders(b *testing.B, n int) {
	path := lab(b, map[string]any{"id": "phone-0", "hostname": testHost, "online": true, "type": "phone"},
		map[string]any{"id": "tablet-0", "hostname": testHost, "online": true, "type": "tablet"})
	old := time.Now().Add(-time.Minute)
	require.NoError(b, os.Chtimes(path, old, old))
	dir := b.TempDir()
	l := newLockable(b, path, dir)
	defer l.Close()
	tablet, err := l.Lock(context.Background(), q("type=tablet"))
	require.NoError(b, err)
	defer tablet.Unlock()
	phone, err := l.Lock(context.Background(), q("type=phone"))
	require.NoError(b, err)
	var bystanders []*process
	for range n {
		p := startRole(b, "wait", path, dir, childTimeout+"=10m", childReq+"=type=tablet")
		p.send(b, "wait")
		bystanders = append(bystanders, p)
	}
	untilQueued(b, l, n)
	waiter := startRole(b, "wait", path, dir, childTimeout+"=60s", childReq+"=type=phone")
	before := cpuOf(b, bystanders)
	lat := handOvers(b, l, phone, waiter, "type=phone", func() { untilQueued(b, l, n+1) })
	spent := cpuOf(b, bystanders) - before
	b.ReportMetric(float64(spent.Microseconds())/float64(len(lat)), "bystander-µs/op")
	b.ReportMetric(float64(percentile(lat, 50).Microseconds())/1000, "p50-ms")
}

// untilQueued waits until l's lab has n waiters in its queue.
func untilQueued(b *testing.B, l *Lockable, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), childWait)
	defer cancel()
	for range l.Changes(ctx) {
		st, err := l.Status(ctx, nil)
		require.NoError(b, err)
		if len(st.Queue) == n {
			return
		}
	}
	b.Fatalf("the queue did not reach %d waiters within %s", n, childWait)
}

// cpuOf sums the CPU time the processes have used so far, from
// /proc/<pid>/task/*/schedstat (nanoseconds on the CPU).
func cpuOf(b *testing.B, ps []*process) time.Duration {
	var total time.Duration
	for _, p := range ps {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", p.cmd.Process.Pid))
		require.NoError(b, err)
		for _, t := range tasks {
			data, err := os.ReadFile(t)
			if err != nil {
				continue // a thread that ended
			}
			var ns int64
			fmt.Sscan(string(data), &ns)
			total += time.Duration(ns)
		}
	}
	return total
}
