// Package lab is the test suite of most process tests: each test is one
// scenario, chosen with -test.run.
package lab

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"example.com/labtest/labutil"
	"github.com/go-lockable/lockable/lockabletest"
)

const phone = `{"type": "phone"}`

// TestParallel runs LAB_N parallel subtests that each hold a phone; with
// LAB_BARRIER set, each waits until all hold theirs.
func TestParallel(t *testing.T) {
	n := labutil.N("LAB_N", 3)
	var barrier sync.WaitGroup
	barrier.Add(n)
	for i := range n {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			a := lockabletest.Require(t, phone)
			barrier.Done()
			if os.Getenv("LAB_BARRIER") != "" {
				waitAll(t, &barrier)
			}
			labutil.Use(t, a)
		})
	}
}

func waitAll(t *testing.T, wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the other subtests did not get their phones")
	}
}

func TestFail(t *testing.T) {
	lockabletest.Require(t, phone)
	t.Error("deliberate failure")
}

func TestFatal(t *testing.T) {
	lockabletest.Require(t, phone)
	t.Fatal("deliberate fatal")
}

func TestPanic(t *testing.T) {
	lockabletest.Require(t, phone)
	panic("deliberate panic")
}

// TestKill says that it holds the phone, then waits to be killed.
func TestKill(t *testing.T) {
	a := lockabletest.Require(t, phone)
	fmt.Println("HOLDING", a.ResourceID())
	<-t.Context().Done()
}

// TestPolicy asks for a resource of LAB_TYPE, with the policy LAB_POLICY
// (skip, fail or none).
func TestPolicy(t *testing.T) {
	var opts []lockabletest.Option
	switch os.Getenv("LAB_POLICY") {
	case "skip":
		opts = append(opts, lockabletest.WithPolicy(lockabletest.Skip))
	case "fail":
		opts = append(opts, lockabletest.WithPolicy(lockabletest.Fail))
	}
	a := lockabletest.Require(t, fmt.Sprintf(`{"type": %q}`, os.Getenv("LAB_TYPE")), opts...)
	fmt.Println("HOLDING", a.ResourceID())
}

// TestAttrs records the phone and its serial on the test.
func TestAttrs(t *testing.T) {
	lockabletest.Require(t, phone, lockabletest.WithAttr("serial"))
}
