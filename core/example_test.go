package core_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

var exampleLab = []map[string]any{
	{"id": "pixel-7-01", "hostname": "lab-runner-1", "online": true, "os": "android", "ram_gb": 8, "serial": "28031FDH2000A1"},
	{"id": "iphone-14-01", "hostname": "lab-runner-1", "online": true, "os": "ios", "ram_gb": 6},
	{"id": "pixel-6-01", "hostname": "lab-runner-1", "online": false, "os": "android", "ram_gb": 8},
}

// newExampleLockable returns a Lockable over exampleLab with a lock
// folder of its own.
func newExampleLockable() (*core.Lockable, func()) {
	dir, err := os.MkdirTemp("", "lockable-example")
	if err != nil {
		panic(err)
	}
	lk, err := core.New(context.Background(), provider.List(exampleLab), core.WithHostname("lab-runner-1"), core.WithLockFolder(dir))
	if err != nil {
		panic(err)
	}
	return lk, func() { os.RemoveAll(dir) }
}

func ExampleLockable_Lock() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	phone, err := lk.Lock(ctx, query.MustParse(`{"os": "android", "ram_gb": {"$gte": 8}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer phone.Unlock()
	fmt.Println(phone.ResourceID(), phone.Get("serial"))
	fmt.Println(phone.Requirements())
	// Output:
	// pixel-7-01 28031FDH2000A1
	// {"os":"android","ram_gb":{"$gte":8},"hostname":"lab-runner-1","online":true}
}

func ExampleLockable_Do() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	err := lk.Do(context.Background(), query.MustParse("os=ios"), func(a *core.Allocation) error {
		fmt.Println("testing on", a.ResourceID())
		return nil
	}) // released here, also if the function panics
	fmt.Println(err)
	// Output:
	// testing on iphone-14-01
	// <nil>
}

func ExampleLockable_LockMany() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	// All or nothing: one resource per requirement, each a different one.
	as, err := lk.LockMany(context.Background(), []*query.Query{query.MustParse(""), query.MustParse("os=ios")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range as {
		fmt.Println(a.ResourceID())
		a.Unlock()
	}
	// Output:
	// pixel-7-01
	// iphone-14-01
}

func ExampleNotFoundError() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	_, err := lk.Lock(context.Background(), query.MustParse(`{"ram_gbb": {"$gte": 16}}`))
	fmt.Println(errors.Is(err, core.ErrNotFound))
	var nf *core.NotFoundError
	if errors.As(err, &nf) {
		fmt.Println(nf.UnknownFields[0])
	}
	// Output:
	// true
	// no resource has a field "ram_gbb"; did you mean "ram_gb"?
}

func ExampleLockable_Status() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	held, _ := lk.Lock(context.Background(), query.MustParse("os=ios"), core.WithOwner("TestFlash"))
	defer held.Unlock()
	st, _ := lk.Status(context.Background(), query.MustParse(`{"os": "android"}`))
	for _, r := range st.Resources {
		switch {
		case r.State == core.Held:
			fmt.Println(r.Resource.ID(), r.State, "by", r.Holder.Owner)
		case r.Fits():
			fmt.Println(r.Resource.ID(), r.State, "and fits")
		default:
			fmt.Println(r.Resource.ID(), r.State, "but", r.Mismatches[0])
		}
	}
	// Output:
	// pixel-7-01 free and fits
	// iphone-14-01 held by TestFlash
	// pixel-6-01 offline but online: want true, have false
}

func ExampleFit_Reason() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	st, _ := lk.Status(context.Background(), query.MustParse(`{"os": "android", "ram_gb": {"$gte": 8}}`))
	for _, r := range st.Resources {
		fmt.Printf("%s: %s\n", r.Resource.ID(), r.Reason())
	}
	// Output:
	// pixel-7-01: fits
	// iphone-14-01: os: want "android", have "ios"; ram_gb: want {"$gte":8}, have 6
	// pixel-6-01: online: want true, have false
}

func ExampleLockable_TryLock() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	ios := query.MustParse("os=ios")
	first, _ := lk.TryLock(context.Background(), ios)
	second, err := lk.TryLock(context.Background(), ios) // the only iPhone is taken
	fmt.Println(first.ResourceID(), second == nil, err)
	first.Unlock()
	// Output:
	// iphone-14-01 true <nil>
}

// Two jobs wait for the one iPhone: the release build, which came
// second, goes first.
func ExampleWithPriority() {
	lk, cleanup := newExampleLockable()
	defer cleanup()
	defer lk.Close() // stops what Changes started
	ctx := context.Background()
	iphone := query.MustParse("os=ios")
	held, _ := lk.Lock(ctx, iphone)

	served := make(chan string, 2)
	wait := func(job string, priority int) {
		a, err := lk.Lock(ctx, iphone, core.WithOwner(job), core.WithPriority(priority))
		if err != nil {
			served <- err.Error()
			return
		}
		served <- job
		a.Unlock()
	}
	queued := func(n int) { // until the queue holds n waiters
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		for range lk.Changes(ctx) {
			if st, _ := lk.Status(ctx, nil); len(st.Queue) == n {
				return
			}
		}
	}
	go wait("nightly", 0)
	queued(1)
	go wait("release build", 10)
	queued(2)

	st, _ := lk.Status(ctx, nil)
	for _, w := range st.Queue {
		fmt.Println(w.Position, w.Owner, w.Priority)
	}
	held.Unlock()
	fmt.Println(<-served)
	fmt.Println(<-served)
	// Output:
	// 1 release build 10
	// 2 nightly 0
	// release build
	// nightly
}

func ExampleLockable_StartMaintenance() {
	lk, cleanup := newExampleLockable()
	defer cleanup()
	ctx := context.Background()

	// Out of service for everyone who shares the lock folder, for an hour
	// at most.
	m, err := lk.StartMaintenance(ctx, "pixel-7-01", "flashing firmware", time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Note, m.Until.Sub(m.Since))
	// A window that outlasts the wait is as good as no resource.
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err = lk.Lock(wait, query.MustParse("os=android"))
	var nf *core.NotFoundError
	if errors.As(err, &nf) {
		fmt.Println(nf.OutOfService[0].Resource.ID(), nf.OutOfService[0].Maintenance.Note)
	}

	// Back in service.
	if _, err := lk.EndMaintenance(ctx, "pixel-7-01"); err != nil {
		fmt.Println(err)
	}
	phone, err := lk.Lock(ctx, query.MustParse("os=android"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(phone.ResourceID())
	phone.Unlock()
	// Output:
	// flashing firmware 1h0m0s
	// pixel-7-01 flashing firmware
	// pixel-7-01
}

func ExampleWithHealthCheck() {
	lk, cleanup := newExampleLockable()
	defer cleanup()
	ctx := context.Background()

	// A check that finds the phone unplugged; a real one would ask adb.
	unplugged := func(ctx context.Context, a *core.Allocation) error {
		return fmt.Errorf("adb: device %s not found", a.Get("serial"))
	}
	_, err := lk.Lock(ctx, query.MustParse("os=android"), core.WithHealthCheck(unplugged, 30*time.Second))
	fmt.Println(errors.Is(err, core.ErrNotFound), errors.Is(err, core.ErrCheckFailed))
	st, _ := lk.Status(ctx, query.MustParse("id=pixel-7-01"))
	fmt.Println(st.Fitting()[0].State, st.Fitting()[0].Maintenance.Note)
	// Output:
	// true true
	// maintenance health check failed: adb: device 28031FDH2000A1 not found
}

func ExampleWithCleanup() {
	lk, cleanup := newExampleLockable()
	defer cleanup()

	reset := func(ctx context.Context, a *core.Allocation) error {
		fmt.Println("resetting", a.ResourceID(), "while still locked")
		return nil
	}
	phone, err := lk.Lock(context.Background(), query.MustParse("os=ios"), core.WithCleanup(reset, time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(phone.Unlock())
	// Output:
	// resetting iphone-14-01 while still locked
	// <nil>
}
