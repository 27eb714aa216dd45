package lockbackend

import "sync"

// Broadcast wakes every waiter at once, as many times as it is signalled:
// a waiter takes the channel from Changed before it looks, and waits on
// it; Signal closes it. Its zero value is ready to use.
type Broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// Changed returns a channel that is closed at the next Signal.
func (b *Broadcast) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

// Signal wakes everyone waiting on a channel from Changed.
func (b *Broadcast) Signal() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}
