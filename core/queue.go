package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-lockable/lockable/internal/lockbackend"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// Waiter is one waiter in a lab's queue: a call of Lock or LockMany, in
// this process or another, that found no fitting resource it could have
// and waits in turn (see WithPriority for the rule).
type Waiter struct {
	// Position is the waiter's place in the queue, from 1: waiters are
	// served by priority, then in the order they came.
	Position int `json:"position"`
	Priority int `json:"priority"`
	// Requirements are what it waits for, defaults included: one
	// requirement per resource it needs.
	Requirements []json.RawMessage `json:"requirements"`
	// Since is when it began to wait.
	Since    time.Time `json:"since"`
	Hostname string    `json:"hostname,omitempty"`
	User     string    `json:"user,omitempty"`
	PID      int       `json:"pid"`
	// Owner is the free-form label of WithOwner.
	Owner string `json:"owner,omitempty"`
	// Ticket is the waiter's ticket: its place in the backend's queue.
	Ticket string `json:"ticket"`
}

// String describes the waiter in a few words for messages, such as
// "#2 alice@lab-runner-1 pid 4242 (TestFlash), priority 5, since
// 10:02:03, for {"type":"phone"}".
func (w Waiter) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", w.Position, w.Who())
	if w.Priority != 0 {
		fmt.Fprintf(&b, ", priority %d", w.Priority)
	}
	fmt.Fprintf(&b, ", since %s, for ", w.Since.Local().Format(time.TimeOnly))
	for i, q := range w.Requirements {
		if i > 0 {
			b.WriteString(" and ")
		}
		b.Write(q)
	}
	return b.String()
}

// Who names the waiter: "alice@lab-runner-1 pid 4242 (TestFlash)".
func (w Waiter) Who() string {
	return Holder{Hostname: w.Hostname, User: w.User, PID: w.PID, Owner: w.Owner}.Who()
}

// maxTicketFit bounds the resources a ticket lists for one requirement.
// A requirement that fits more is matched by each reader against its own
// resources list; one that fits fewer is listed, so that every reader
// sees exactly what the waiter can use, even with lists that differ.
const maxTicketFit = 256

// ticketDesc is the description of a waiter that its ticket holds.
type ticketDesc struct {
	Waiter
	// Fit lists, per requirement, the ids of the resources it fits; null
	// for a requirement that fits more than maxTicketFit.
	Fit [][]string `json:"fit,omitempty"`
}

// describeWaiter makes r's ticket description.
func (l *Lockable) describeWaiter(r *request, fit [][]int) ([]byte, error) {
	d := ticketDesc{Waiter: Waiter{
		Priority: r.priority, Since: r.start.UTC(), Hostname: l.hostname,
		User: l.user, PID: os.Getpid(), Owner: r.owner,
	}}
	for i, q := range r.full {
		d.Requirements = append(d.Requirements, json.RawMessage(q.String()))
		var ids []string
		if len(fit[i]) <= maxTicketFit {
			ids = make([]string, len(fit[i]))
			for k, res := range fit[i] {
				ids[k] = r.list[res].ID()
			}
		}
		d.Fit = append(d.Fit, ids)
	}
	return json.Marshal(d)
}

// ticketCache remembers the tickets read, decoded, by ticket id.
type ticketCache struct {
	mu sync.Mutex
	m  map[string]*readTicketDesc
	// ids indexes the resources list last used, by resource id.
	list []provider.Resource
	ids  map[string]int
}

// readTicketDesc is a ticket as another waiter reads it.
type readTicketDesc struct {
	raw  []byte
	desc ticketDesc
	reqs []*query.Query // nil for a requirement that is listed in Fit or does not parse
}

// decode returns ticket e decoded; nil when it is not one lockable can
// read (another version's, or damaged).
func (c *ticketCache) decode(e lockbackend.TicketEntry) *readTicketDesc {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[e.ID]; ok && bytes.Equal(t.raw, e.Desc) {
		return t
	}
	t := &readTicketDesc{raw: e.Desc}
	if json.Unmarshal(e.Desc, &t.desc) != nil || len(t.desc.Requirements) == 0 {
		t = nil
	} else {
		t.reqs = make([]*query.Query, len(t.desc.Requirements))
		for i, raw := range t.desc.Requirements {
			if i < len(t.desc.Fit) && t.desc.Fit[i] != nil {
				continue
			}
			if q, err := query.Parse(string(raw)); err == nil {
				t.reqs[i] = q
			}
		}
	}
	if c.m == nil {
		c.m = map[string]*readTicketDesc{}
	}
	c.m[e.ID] = t
	return t
}

// forget drops the tickets that are no longer in the queue.
func (c *ticketCache) forget(queue []lockbackend.TicketEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) <= 2*len(queue)+16 {
		return
	}
	keep := make(map[string]*readTicketDesc, len(queue))
	for _, e := range queue {
		if t, ok := c.m[e.ID]; ok {
			keep[e.ID] = t
		}
	}
	c.m = keep
}

// index returns the position of each resource of list, by id.
func (c *ticketCache) index(list []provider.Resource) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids != nil && sameList(c.list, list) {
		return c.ids
	}
	c.list, c.ids = list, make(map[string]int, len(list))
	for i, r := range list {
		c.ids[r.ID()] = i
	}
	return c.ids
}

// fitOf returns the resources of list that each requirement of ticket t
// fits; nil for a requirement that fits none of them.
func (l *Lockable) fitOf(t *readTicketDesc, list []provider.Resource) [][]int {
	fit := make([][]int, len(t.desc.Requirements))
	for i := range fit {
		switch {
		case i < len(t.desc.Fit) && t.desc.Fit[i] != nil:
			ids := l.tickets.index(list)
			for _, id := range t.desc.Fit[i] {
				if k, ok := ids[id]; ok {
					fit[i] = append(fit[i], k)
				}
			}
		case t.reqs[i] != nil:
			fit[i] = l.cache.fitting(list, t.reqs[i])
		}
	}
	return fit
}

// competition is the part of the queue that competes with a request:
// the waiters that fit, directly or through other waiters, the resources
// it fits.
type competition struct {
	queue []ticketFit // in queue order, the request included
	self  int         // the request's place in queue
	// queued: the request's own ticket is in the queue.
	queued bool
	// ahead are the competing waiters ahead of the request.
	ahead []Waiter
	// resources and tickets are what may change what the request gets:
	// the resources of the competition, and the tickets ahead.
	resources map[string]bool
	tickets   map[string]bool
}

// compete finds r's competition in the queue: entries in queue order,
// r's own ticket among them when it has one. fit is what r fits.
func (l *Lockable) compete(r *request, entries []lockbackend.TicketEntry, fit [][]int) competition {
	self := ticketFit{id: r.id, fit: fit}
	var others []ticketFit
	var descs []*readTicketDesc
	var positions []int // of others in the queue, from 1
	selfAt := -1        // r's place among others
	for pos, e := range entries {
		if r.ticket != nil && e.ID == r.ticket.ID() {
			selfAt = len(others)
			continue
		}
		t := l.tickets.decode(e)
		if t == nil {
			continue
		}
		others = append(others, ticketFit{id: e.ID, fit: l.fitOf(t, r.list)})
		descs = append(descs, t)
		positions = append(positions, pos+1)
	}
	queued := selfAt >= 0
	if !queued { // not queued yet: after every waiter of its priority or more
		selfAt = placeOf(descs, r.priority)
	}
	l.tickets.forget(entries)

	// The waiters connected to r through the resources they fit.
	var uf unionFind
	for _, t := range append(others, self) {
		uf.join(union(t.fit))
	}
	mine := union(fit)
	c := competition{queued: queued, resources: map[string]bool{}, tickets: map[string]bool{}}
	root := -1
	if len(mine) > 0 {
		root = uf.find(mine[0])
	}
	connected := func(t ticketFit) bool {
		rs := union(t.fit)
		return len(rs) > 0 && uf.find(rs[0]) == root
	}
	for k, t := range others {
		if k == selfAt {
			c.self = len(c.queue)
			c.queue = append(c.queue, self)
		}
		if !connected(t) {
			continue
		}
		c.queue = append(c.queue, t)
		if k < selfAt {
			w := descs[k].desc.Waiter
			w.Ticket, w.Position = t.id, positions[k]
			c.ahead = append(c.ahead, w)
			c.tickets[t.id] = true
		}
	}
	if selfAt >= len(others) {
		c.self = len(c.queue)
		c.queue = append(c.queue, self)
	}
	for _, t := range c.queue {
		for _, res := range union(t.fit) {
			c.resources[r.list[res].ID()] = true
		}
	}
	return c
}

// placeOf returns where a waiter of priority p that comes now goes among
// waiters in queue order: after every one of priority p or more.
func placeOf(queue []*readTicketDesc, p int) int {
	for k, t := range queue {
		if t.desc.Priority < p {
			return k
		}
	}
	return len(queue)
}

// unionFind joins resources that some waiter fits together.
type unionFind struct{ parent map[int]int }

func (u *unionFind) find(x int) int {
	if u.parent == nil {
		u.parent = map[int]int{}
	}
	for {
		p, ok := u.parent[x]
		if !ok || p == x {
			return x
		}
		gp, ok := u.parent[p]
		if ok {
			u.parent[x] = gp
		}
		x = p
	}
}

func (u *unionFind) join(rs []int) {
	if len(rs) == 0 {
		return
	}
	a := u.find(rs[0])
	for _, r := range rs[1:] {
		if b := u.find(r); b != a {
			u.parent[b] = a
		}
	}
}

// queueOf returns the waiters of the queue, numbered from 1.
func (l *Lockable) queueOf(ctx context.Context) ([]Waiter, error) {
	entries, err := l.locks.Tickets(ctx)
	if err != nil {
		return nil, err
	}
	out := []Waiter{}
	for _, e := range entries {
		t := l.tickets.decode(e)
		if t == nil {
			out = append(out, Waiter{Priority: e.Priority, Ticket: e.ID})
		} else {
			w := t.desc.Waiter
			w.Ticket = e.ID
			out = append(out, w)
		}
		out[len(out)-1].Position = len(out)
	}
	return out, nil
}
