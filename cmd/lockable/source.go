package main

import (
	"context"
	"sync"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

// preloaded is a resources list source for core that serves a call with
// a context already done from the list loaded last.
//
// lockable asks core once with an expired context whether anything is
// free right now (core tries once even then), before it says it waits.
// The sources honour their context: an HTTP request, or a file read that
// waits for a recent write to settle, would fail that try. So lockable
// loads the list first under its own context, which a signal cancels,
// and the try sees that list.
type preloaded struct {
	src core.Source

	mu   sync.Mutex
	last []provider.Resource
}

// Resources loads the list, or returns the last one when ctx is done.
func (p *preloaded) Resources(ctx context.Context) ([]provider.Resource, error) {
	if ctx.Err() != nil {
		if last := p.lastList(); last != nil {
			return last, nil
		}
	}
	list, err := p.src.Resources(ctx)
	if err == nil {
		p.mu.Lock()
		p.last = list
		p.mu.Unlock()
	}
	return list, err
}

func (p *preloaded) lastList() []provider.Resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}
