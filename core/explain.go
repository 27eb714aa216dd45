package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// maxClosest is how many near misses a NotFoundError names.
const maxClosest = 3

// Fit tells how one resource measures up to requirements.
type Fit struct {
	Resource provider.Resource
	// Mismatches are the conditions the resource fails; none when it fits.
	Mismatches []query.Mismatch
}

// Fits reports whether the resource meets every condition.
func (f Fit) Fits() bool { return len(f.Mismatches) == 0 }

// String is the resource's id and its Reason: "iphone-14-01: os: want
// "android", have "ios"".
func (f Fit) String() string {
	return f.Resource.ID() + ": " + f.Reason()
}

// Reason says how the resource measures up, as lockable status --explain
// and the dashboard of lockable serve show it: "fits", or each condition
// it fails, separated by "; " (`os: want "android", have "ios"; ram_gb:
// want {"$gte":8}, have 6`).
func (f Fit) Reason() string {
	if f.Fits() {
		return "fits"
	}
	parts := make([]string, len(f.Mismatches))
	for i, m := range f.Mismatches {
		parts[i] = m.String()
	}
	return strings.Join(parts, "; ")
}

// UnknownField is a field the requirements name that no resource has,
// with the nearest field name that resources do have, if any is near.
type UnknownField struct {
	Field      string
	Suggestion string
}

func (u UnknownField) String() string {
	if u.Suggestion == "" {
		return fmt.Sprintf("no resource has a field %q", u.Field)
	}
	return fmt.Sprintf("no resource has a field %q; did you mean %q?", u.Field, u.Suggestion)
}

// NotFoundError explains why no resource fits: waiting would not help.
type NotFoundError struct {
	// Requirements are the requirements, with defaults.
	Requirements []*query.Query
	// Resources is how many resources the list has.
	Resources int
	// Unfit indexes the requirement that no resource fits; it is -1 when
	// each fits some resource but not enough distinct ones fit them all.
	Unfit int
	// Fitting is how many distinct resources fit one requirement or
	// another, when Unfit is -1.
	Fitting int
	// Closest are the resources nearest to fitting the unfit requirement,
	// fewest failed conditions first.
	Closest []Fit
	// UnknownFields are fields the requirements name that no resource has.
	UnknownFields []UnknownField
	// OutOfService are the resources that fit but were not allocated:
	// in maintenance, or failed a health check during the call. When
	// Unfit is not -1, they are all the resources that fit it.
	OutOfService []OutOfService
}

// OutOfService is a resource that fits but was not allocated: it is in
// maintenance, or it failed its health check during the call.
type OutOfService struct {
	Resource provider.Resource
	// Maintenance is the maintenance it is in; nil when it failed its
	// health check and could not be put in maintenance.
	Maintenance *Maintenance
	// Failed is the health check it failed during the call; nil when it
	// was in maintenance before.
	Failed *CheckError
}

// String says why the resource is out of service: "pixel-7-01: in
// maintenance since 10:02 by ana@lab-1: flashing firmware".
func (o OutOfService) String() string {
	if o.Failed != nil {
		return o.Resource.ID() + ": " + o.Failed.kind() + " " + o.Failed.outcome()
	}
	return o.Resource.ID() + ": " + o.Maintenance.String()
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	switch {
	case e.Unfit < 0 && allSame(e.Requirements):
		fmt.Fprintf(&b, "%d resources fitting %s were asked for, and %d %s (%d resources in the list)",
			len(e.Requirements), e.Requirements[0], e.Fitting, plural(e.Fitting, "fits", "fit"), e.Resources)
		e.writeOutOfService(&b, "%d more out of service:")
		return b.String()
	case e.Unfit < 0:
		fmt.Fprintf(&b, "no %d distinct resources fit %s together: %d %s one or another (%d resources in the list)",
			len(e.Requirements), requirementsText(e.Requirements), e.Fitting, plural(e.Fitting, "fits", "fit"), e.Resources)
		e.writeOutOfService(&b, "%d more out of service:")
		return b.String()
	case len(e.OutOfService) > 0:
		fmt.Fprintf(&b, "no resource fits %s now (%d resources in the list)", e.Requirements[e.Unfit], e.Resources)
		e.writeOutOfService(&b, plural(len(e.OutOfService), "the one that fits is out of service:", "the %d that fit are out of service:"))
		return b.String()
	}
	fmt.Fprintf(&b, "no resource fits %s (%d resources in the list)", e.Requirements[e.Unfit], e.Resources)
	for _, u := range e.UnknownFields {
		fmt.Fprintf(&b, "; %s", u)
	}
	if len(e.Closest) > 0 {
		b.WriteString("; closest:")
		for _, f := range e.Closest {
			fmt.Fprintf(&b, " [%s]", f)
		}
	}
	return b.String()
}

// writeOutOfService adds "; <head> [id: why] [id: why]" to b, head
// formatted with their number, when there are any.
func (e *NotFoundError) writeOutOfService(b *strings.Builder, head string) {
	if len(e.OutOfService) == 0 {
		return
	}
	if strings.Contains(head, "%d") {
		head = fmt.Sprintf(head, len(e.OutOfService))
	}
	b.WriteString("; " + head)
	for _, o := range e.OutOfService {
		fmt.Fprintf(b, " [%s]", o)
	}
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Unwrap returns the health checks that failed during the call (each a
// *CheckError), so that errors.As finds them.
func (e *NotFoundError) Unwrap() []error {
	var out []error
	for _, o := range e.OutOfService {
		if o.Failed != nil {
			out = append(out, o.Failed)
		}
	}
	return out
}

func explainAll(list []provider.Resource, q *query.Query) []Fit {
	out := make([]Fit, len(list))
	for i, r := range list {
		out[i] = Fit{Resource: r, Mismatches: q.Explain(r.JSON())}
	}
	return out
}

func (l *Lockable) notFound(r *request, fit [][]int) error {
	e := &NotFoundError{Requirements: r.full, Resources: len(r.list), Unfit: -1}
	i := slices.IndexFunc(fit, func(f []int) bool { return len(f) == 0 })
	if i < 0 {
		e.Fitting = len(unique(fit))
		e.OutOfService = l.outOfService(r, r.reqs)
		return e
	}
	e.Unfit = i
	if e.OutOfService = l.outOfService(r, r.reqs[i:i+1]); len(e.OutOfService) > 0 {
		return e // they fit: there is nothing closer to tell
	}
	e.Closest = closest(explainAll(r.list, r.full[i]), maxClosest)
	e.UnknownFields = unknownFields(r.list, r.full[i])
	return e
}

// outOfService returns the resources that fit one of qs but that the
// request left out, in list order.
func (l *Lockable) outOfService(r *request, qs []*query.Query) []OutOfService {
	var fit [][]int
	for _, q := range qs {
		fit = append(fit, l.cache.fitting(r.list, q))
	}
	var out []OutOfService
	for _, res := range unique(fit) {
		if m, ok := r.care.out[res]; ok {
			id := r.list[res].ID()
			out = append(out, OutOfService{Resource: r.list[res], Maintenance: m, Failed: r.care.failed[id]})
		}
	}
	return out
}

// allSame reports whether the requirements are all the same (--count).
func allSame(qs []*query.Query) bool {
	for _, q := range qs[1:] {
		if q.String() != qs[0].String() {
			return false
		}
	}
	return true
}

// plural is one for n == 1, more otherwise.
func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

// closest returns the n fits with the fewest mismatches, in list order
// among equals.
func closest(fits []Fit, n int) []Fit {
	slices.SortStableFunc(fits, func(a, b Fit) int {
		return cmp.Compare(len(a.Mismatches), len(b.Mismatches))
	})
	return fits[:min(n, len(fits))]
}

// gaveUp turns the end of a wait into the error the caller sees. It
// makes no request that would wait past ctx: the lock folder's files are
// read again, but a backend on the network is asked only if ctx allows,
// and otherwise what it last said is told.
func (l *Lockable) gaveUp(ctx context.Context, r *request, ctxErr error) error {
	if !errors.Is(ctxErr, context.DeadlineExceeded) {
		return fmt.Errorf("gave up waiting for %s: %w", requirementsText(r.full), ctxErr)
	}
	e := &TimeoutError{Requirements: r.full, Waited: time.Since(r.start), Ahead: r.ahead(), Err: ctxErr, Failed: r.care.failures()}
	if r.list == nil {
		return e
	}
	which := l.fittingAny(r)
	sts, err := l.statuses(ctx, r.list, which)
	if err != nil {
		sts = make([]ResourceStatus, len(which))
		for k, i := range which {
			sts[k] = l.status(r.list[i], r.seen[r.list[i].ID()], nil)
		}
	}
	e.Fitting = sts
	return e
}

// fittingAny returns the resources that fit any of the request's
// requirements, each once, in list order.
func (l *Lockable) fittingAny(r *request) []int {
	var all []int
	for _, q := range r.reqs {
		all = append(all, l.cache.fitting(r.list, q)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}
