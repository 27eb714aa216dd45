package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// streamMessage is one message of a streaming call: a response, or the
// error that ended the stream.
type streamMessage[T any] struct {
	Result *T              `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// err returns the error that the message carries, or that it carries
// nothing.
func (m *streamMessage[T]) err() error {
	switch {
	case len(m.Error) > 0:
		return parseError(http.StatusOK, m.Error)
	case m.Result == nil:
		return errors.New("etcd's answer has neither a result nor an error")
	}
	return nil
}

// watchRequest is etcdserverpb.WatchRequest, to create a watch.
type watchRequest struct {
	CreateRequest watchCreateRequest `json:"create_request"`
}

// watchCreateRequest is etcdserverpb.WatchCreateRequest.
type watchCreateRequest struct {
	Key      []byte   `json:"key"`
	RangeEnd []byte   `json:"range_end"`
	Filters  []string `json:"filters"`
}

// watchResponse holds the fields lockable reads of
// etcdserverpb.WatchResponse.
type watchResponse struct {
	Created      bool       `json:"created"`
	Canceled     bool       `json:"canceled"`
	CancelReason string     `json:"cancel_reason"`
	Events       []struct{} `json:"events"` // who and what does not matter
}

// errNoWatch: etcd did not establish the watch in time.
var errNoWatch = errors.New("etcd did not establish the watch")

// watchDeletes watches the keys under prefix for deletes until ctx is
// done or etcd ends the watch, and returns why it ended. It calls created
// once etcd has established the watch, which must happen within timeout,
// and deleted at every batch of deletes.
//
// The watch is one POST of one create request whose answer streams one
// message per line. The gateway answers only once the request has ended,
// so nothing more can be sent: it ends when ctx is cancelled.
func (c *client) watchDeletes(ctx context.Context, prefix string, timeout time.Duration, created, deleted func()) error {
	return c.watch(ctx, prefix, timeout, []string{"NOPUT"}, created, deleted)
}

// watchAll is watchDeletes for puts and deletes: changed is called at
// every batch of either.
func (c *client) watchAll(ctx context.Context, prefix string, timeout time.Duration, created, changed func()) error {
	return c.watch(ctx, prefix, timeout, nil, created, changed)
}

// watch watches the keys under prefix for the events the filters do not
// leave out; see watchDeletes.
func (c *client) watch(ctx context.Context, prefix string, timeout time.Duration, filters []string, created, events func()) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	slow := time.AfterFunc(timeout, func() { cancel(fmt.Errorf("%w within %s", errNoWatch, timeout)) })
	defer slow.Stop()
	req := watchRequest{CreateRequest: watchCreateRequest{Key: []byte(prefix), RangeEnd: prefixEnd(prefix), Filters: filters}}
	body, err := c.send(ctx, "/v3/watch", req)
	if err != nil {
		return causeOr(ctx, err)
	}
	defer body.Close()
	dec := json.NewDecoder(body)
	for {
		var m streamMessage[watchResponse]
		if err := dec.Decode(&m); err != nil {
			return causeOr(ctx, fmt.Errorf("reading the watch: %w", err))
		}
		if err := m.err(); err != nil {
			return err
		}
		switch r := m.Result; {
		case r.Canceled:
			c.refused(r.CancelReason)
			return fmt.Errorf("etcd cancelled the watch: %s", r.CancelReason)
		case r.Created:
			slow.Stop()
			created()
		case len(r.Events) > 0:
			events()
		}
	}
}

// causeOr returns why ctx was cancelled when it was, else err.
func causeOr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// refused drops the auth token when etcd cancelled a watch for it: the
// watch that starts next authenticates again.
func (c *client) refused(reason string) {
	if strings.Contains(reason, "Unauthenticated") {
		token, _ := c.cachedToken()
		c.forget(token)
	}
}
