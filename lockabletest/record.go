package lockabletest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// record sets the test attributes that say what t holds: under prefix,
// resource.id, allocation.id, fencing_token and resource.<path> for each
// of paths.
// Several allocations give their values in order, separated by spaces.
func record(t TB, prefix string, as []*core.Allocation, paths []string) {
	t.Helper()
	t.Attr(prefix+"resource.id", joined(as, (*core.Allocation).ResourceID))
	t.Attr(prefix+"allocation.id", joined(as, (*core.Allocation).ID))
	t.Attr(prefix+"fencing_token", joined(as, func(a *core.Allocation) string {
		return strconv.FormatInt(a.FencingToken(), 10)
	}))
	for _, path := range paths {
		t.Attr(prefix+"resource."+path, joined(as, func(a *core.Allocation) string {
			return attrValue(a.Get(path))
		}))
	}
}

func joined(as []*core.Allocation, value func(*core.Allocation) string) string {
	vs := make([]string, len(as))
	for i, a := range as {
		vs[i] = value(a)
	}
	return strings.Join(vs, " ")
}

var noNewlines = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// attrValue renders a field on one line, as t.Attr requires: a string as
// it is, anything else as compact JSON, a missing field as "".
func attrValue(v query.Value) string {
	if !strings.HasPrefix(v.Raw(), "[") && !strings.HasPrefix(v.Raw(), "{") {
		return noNewlines.Replace(v.String())
	}
	var b bytes.Buffer
	if json.Compact(&b, []byte(v.Raw())) != nil {
		return noNewlines.Replace(v.Raw())
	}
	return b.String()
}

// logTaken logs one line per allocation: what was taken, for which
// requirements, and how long it queued.
func logTaken(t TB, requirements []string, as []*core.Allocation) {
	t.Helper()
	for i, a := range as {
		t.Logf("lockabletest: holding %s for %s (allocation %s, queued %s)",
			a.ResourceID(), strings.TrimSpace(requirements[i]), a.ID(), a.QueueTime().Round(time.Millisecond))
	}
}
