package provider

import (
	"context"
	"time"
)

// gate is a mutex whose lock can be given up when a context ends.
type gate chan struct{}

// newGate returns an unlocked gate.
func newGate() gate {
	return make(gate, 1)
}

// lock takes the gate, or returns ctx's error if ctx ends first. It takes a
// free gate even when ctx is already done.
func (g gate) lock(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	default:
	}
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlock releases the gate.
func (g gate) unlock() {
	<-g
}

// sleep waits for d, or returns ctx's error if ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
