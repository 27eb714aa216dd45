package serve

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
)

func TestSettleBackoffDoublesThenGivesUp(t *testing.T) {
	f := &follower{}
	assert.Zero(t, f.settleBackoff(false, 0), "every lock described: no hurry")
	assert.Zero(t, f.settleBackoff(false, 64*time.Millisecond))
	assert.Equal(t, minSettle, f.settleBackoff(true, 0))
	assert.Equal(t, 128*time.Millisecond, f.settleBackoff(true, 64*time.Millisecond))
	assert.Equal(t, maxSettle, f.settleBackoff(true, maxSettle/2))
	assert.Zero(t, f.settleBackoff(true, maxSettle), "a lock that never says who holds it waits for the next change")
}

// A client that missed a snapshot (two changes came faster than it was
// written to) gets one update with what changed since the one it has,
// not a whole status.
func TestUpdateSinceASnapshotMissed(t *testing.T) {
	list, err := provider.List([]map[string]any{{"id": "phone-0"}, {"id": "phone-1"}, {"id": "phone-2"}}).Resources(t.Context())
	require.NoError(t, err)
	lab := func(held ...int) core.Status {
		st := core.Status{Hostname: "lab-1"}
		for i, r := range list {
			rs := core.ResourceStatus{Fit: core.Fit{Resource: r}, State: core.Free}
			if slices.Contains(held, i) {
				rs.State, rs.Holder = core.Held, core.Holder{PID: 100 + i}
			}
			st.Resources = append(st.Resources, rs)
		}
		return st
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s0 := &snapshot{}
	var snaps []*snapshot
	for _, held := range [][]int{nil, {0}, {0, 1}} {
		s, err := newSnapshot(s0, at, lab(held...), nil, listDoc{}, "lab.json")
		require.NoError(t, err)
		snaps, s0 = append(snaps, s), s
	}
	ids := func(data []byte) []string {
		var e struct {
			Status struct {
				Hostname  string `json:"hostname"`
				Resources []struct {
					ID string `json:"id"`
				} `json:"resources"`
			} `json:"status"`
		}
		require.NoError(t, json.Unmarshal(data, &e))
		assert.Equal(t, "lab-1", e.Status.Hostname)
		var out []string
		for _, r := range e.Status.Resources {
			out = append(out, r.ID)
		}
		return out
	}
	assert.Equal(t, []string{"phone-1"}, ids(snaps[2].updateSince(snaps[1], "lab.json")), "the next one: its own update")
	assert.Equal(t, []string{"phone-0", "phone-1"}, ids(snaps[2].updateSince(snaps[0], "lab.json")), "one missed: both changes")

	bad, err := newSnapshot(snaps[2], at, core.Status{}, provider.ErrUnavailable, listDoc{}, "lab.json")
	require.NoError(t, err)
	assert.Nil(t, bad.updateSince(snaps[1], "lab.json"), "no status to compare: a whole one is sent")
}

// racingSource is a real file source whose file is replaced, once, right
// after its text is read: as if someone saved the list between the two
// reads of one refresh (its text, then the lab from it).
type racingSource struct {
	*provider.FileSource
	t    testing.TB
	lab  *testLab
	then string // the text written after the next read of the text; "" once written
}

func (s *racingSource) ResourcesText(ctx context.Context) ([]provider.Resource, string, error) {
	res, text, err := s.FileSource.ResourcesText(ctx)
	if s.then != "" {
		s.lab.writeText(s.t, s.then)
		s.then = ""
	}
	return res, text, err
}

// A refresh during which the list is saved tells of one list: here the
// list turns broken between the reads, and the snapshot says so of the
// list it serves as well as of the lab, not the old text with the new
// error.
func TestASnapshotTellsOfOneList(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	src := &racingSource{FileSource: provider.File(lab.path), t: t, lab: lab, then: `[{"id": "phone-0"}, {"id": "phone-0"}]`}
	l, err := core.New(t.Context(), src, core.WithHostname(lab.host), core.WithLockFolder(lab.locks))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	f := newFollower(l, src, newConfig(nil))

	f.refresh(t.Context())
	snap := f.current()
	require.Error(t, snap.err, "the lab was read from the broken list")
	assert.Contains(t, snap.err.Error(), `duplicate id "phone-0"`)
	require.Error(t, snap.list.err, "and /resources.json serves no other list")
	assert.Contains(t, snap.list.err.Error(), `duplicate id "phone-0"`)
}
