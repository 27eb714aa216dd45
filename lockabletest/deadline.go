package lockabletest

import (
	"flag"
	"time"
)

// testDeadline returns when the test binary's -test.timeout ends, counted
// from now, parsing the flags if nobody has.
func testDeadline() (time.Time, bool) {
	if !flag.Parsed() {
		flag.Parse()
	}
	f := flag.Lookup("test.timeout")
	if f == nil {
		return time.Time{}, false
	}
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		return time.Time{}, false
	}
	d, ok := getter.Get().(time.Duration)
	if !ok || d <= 0 {
		return time.Time{}, false
	}
	return time.Now().Add(d), true
}

// deadliner is what *testing.T adds: the test binary's -timeout deadline.
type deadliner interface {
	Deadline() (time.Time, bool)
}

// deadlineOf returns t's deadline when it has one. A *testing.T inside a
// synctest bubble panics when asked; it then has none that counts.
func deadlineOf(t TB) (deadline time.Time, ok bool) {
	d, is := t.(deadliner)
	if !is {
		return time.Time{}, false
	}
	defer func() {
		if recover() != nil {
			deadline, ok = time.Time{}, false
		}
	}()
	return d.Deadline()
}
