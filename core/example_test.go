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
