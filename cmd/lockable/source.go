package main

import (
	"context"
	"sync"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// preloaded is a resources list source for core that lets lockable load
// the list itself first, and hands that list to the next call instead of
// loading it again.
//
// lockable asks core once with an expired context whether anything is
// free right now, before it says it waits. core's one try loads the list
// without the context's cancellation, so a slow HTTP server would hold
// up a Ctrl-C there. Loading first under lockable's own context, which a
// signal cancels, keeps it responsive, and the try reuses that list.
type preloaded struct {
	src core.Source

	mu   sync.Mutex
	next []provider.Resource // the list the next call gets, once
}

// preload loads the list for the next call.
func (p *preloaded) preload(ctx context.Context) error {
	list, err := p.src.Resources(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = list
	return nil
}

// Resources returns the preloaded list if there is one, and loads the
// list otherwise.
func (p *preloaded) Resources(ctx context.Context) ([]provider.Resource, error) {
	p.mu.Lock()
	next := p.next
	p.next = nil
	p.mu.Unlock()
	if next != nil {
		return next, nil
	}
	return p.src.Resources(ctx)
}
