package core

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-lockable/lockable/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newLabWith is newLab with more options.
func newLabWith(t *testing.T, opts []Option, resources ...map[string]any) *Lockable {
	t.Helper()
	opts = append([]Option{WithHostname(testHost), WithLockFolder(t.TempDir())}, opts...)
	l, err := New(t.Context(), provider.File(lab(t, resources...)), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// waitingLogger closes waiting when the Lockable logs that it waits.
func waitingLogger(waiting chan struct{}) *slog.Logger {
	return slog.New(waitingHandler{Handler: slog.DiscardHandler, waiting: waiting})
}

// statusOf returns the status of resource id.
func statusOf(t *testing.T, l *Lockable, id string) ResourceStatus {
	t.Helper()
	sts, err := statuses(t, l)
	require.NoError(t, err)
	for _, st := range sts {
		if st.Resource.ID() == id {
			return st
		}
	}
	t.Fatalf("no resource %s", id)
	return ResourceStatus{}
}

func TestMaintenanceTakesAResourceOutOfService(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	m, err := l.StartMaintenance(t.Context(), "phone-0", "flashing firmware", 0)
	require.NoError(t, err)
	assert.Equal(t, "flashing firmware", m.Note)
	assert.Equal(t, l.user+"@"+testHost, m.By)
	assert.WithinDuration(t, time.Now(), m.Since, time.Minute)
	assert.True(t, m.Until.IsZero(), "open-ended")

	st := statusOf(t, l, "phone-0")
	assert.Equal(t, InMaintenance, st.State)
	require.NotNil(t, st.Maintenance)
	assert.Equal(t, m.Note, st.Maintenance.Note)
	out, err := json.Marshal(st)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"state":"maintenance"`)
	assert.Contains(t, string(out), `"maintenance":{"note":"flashing firmware","by":"`+m.By+`","since":"`)
	assert.NotContains(t, string(out), `"until"`, "an open-ended maintenance has no end")

	// Nothing else fits: not found at once, naming the maintenance.
	_, err = l.Lock(t.Context(), q(""))
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	require.Len(t, nf.OutOfService, 1)
	assert.Equal(t, "phone-0", nf.OutOfService[0].Resource.ID())
	assert.Regexp(t, `^no resource fits \{.*\} now \(1 resources in the list\); the one that fits is out of service: `+
		`\[phone-0: in maintenance since \d\d:\d\d by \S+@bench-1: flashing firmware\]$`, err.Error())

	// The record is a file beside the lock file, in one piece.
	data, err := os.ReadFile(filepath.Join(dir, "phone-0.maintenance"))
	require.NoError(t, err)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(data, &rec))
	assert.Equal(t, "phone-0", rec["resource"])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp", "no temporary file is left")
	}

	ended, err := l.EndMaintenance(t.Context(), "phone-0")
	require.NoError(t, err)
	assert.Equal(t, m.Note, ended.Note)
	assert.Equal(t, Free, statusOf(t, l, "phone-0").State)
	a, err := l.TryLock(t.Context(), q(""))
	require.NoError(t, err)
	require.NotNil(t, a)
	require.NoError(t, a.Unlock())

	_, err = l.EndMaintenance(t.Context(), "phone-0")
	require.ErrorIs(t, err, ErrNotInMaintenance)
}

func TestMaintenanceRefusesWhatIsNotInTheList(t *testing.T) {
	l, _ := newLab(t, phones(2)...)
	_, err := l.StartMaintenance(t.Context(), "phnoe-1", "x", 0)
	require.ErrorIs(t, err, ErrUnknownResource)
	assert.EqualError(t, err, `no such resource "phnoe-1" in the resources list (2 resources); did you mean "phone-1"?`)

	_, err = l.StartMaintenance(t.Context(), "phone-1", strings.Repeat("x", MaxNote+1), 0)
	assert.ErrorContains(t, err, "at most 4096 fit")
	_, err = l.StartMaintenance(t.Context(), "phone-1", "x", -time.Second)
	assert.ErrorContains(t, err, "give a positive duration")

	_, err = l.EndMaintenance(t.Context(), "../x")
	require.ErrorIs(t, err, ErrInvalidID)
	_, err = l.EndMaintenance(t.Context(), "gone-1")
	require.ErrorIs(t, err, ErrNotInMaintenance, "an id no longer in the list can be ended, when it has a record")
}

// A held resource put in maintenance stays with its holder; once
// released, nobody gets it.
func TestHeldResourceInMaintenanceDrains(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	a, err := l.Lock(t.Context(), q(""))
	require.NoError(t, err)
	_, err = l.StartMaintenance(t.Context(), "phone-0", "battery swollen", 0)
	require.NoError(t, err)

	st := statusOf(t, l, "phone-0")
	assert.Equal(t, Held, st.State, "held is held, maintenance or not")
	require.NotNil(t, st.Maintenance)
	assert.Equal(t, "battery swollen", st.Maintenance.Note)
	require.NoError(t, a.Err(), "the holder keeps it")

	require.NoError(t, a.Unlock())
	assert.Equal(t, InMaintenance, statusOf(t, l, "phone-0").State)
	_, err = l.Lock(expired(t), q(""))
	require.ErrorIs(t, err, ErrNotFound)
}

// A waiter whose only fitting resource is in a window that ends before
// its deadline waits for the end; one whose deadline comes first is told
// at once.
func TestMaintenanceWindowEndsByItself(t *testing.T) {
	l, _ := newLab(t, phones(1)...)
	m, err := l.StartMaintenance(t.Context(), "phone-0", "reboot", 300*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, m.Since.Add(300*time.Millisecond), m.Until)

	short, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = l.Lock(short, q(""))
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf, "the window outlasts the deadline: waiting cannot help")
	assert.Regexp(t, `phone-0: in maintenance since \d\d:\d\d until \d\d:\d\d by `, err.Error())

	a, err := l.TryLock(t.Context(), q(""))
	require.NoError(t, err)
	assert.Nil(t, a, "without a deadline, a window is waited for: busy, not missing")

	ctx, cancel := context.WithTimeout(t.Context(), childWait)
	defer cancel()
	a, err = l.Lock(ctx, q(""))
	require.NoError(t, err)
	assert.False(t, time.Now().Before(m.Until), "handed over once the window ended")
	require.NoError(t, a.Unlock())
	assert.Nil(t, statusOf(t, l, "phone-0").Maintenance)
	_, err = l.EndMaintenance(t.Context(), "phone-0")
	require.ErrorIs(t, err, ErrNotInMaintenance, "a window that ended is no maintenance")
}

// A waiter that waits for a held resource takes another one as soon as
// that one's maintenance ends: before its deadline, which comes before
// its first look without an event.
func TestEndOfMaintenanceWakesAWaiter(t *testing.T) {
	waiting := make(chan struct{})
	l := newLabWith(t, []Option{WithLogger(waitingLogger(waiting))}, phones(2)...)
	held, err := l.Lock(t.Context(), q("id=phone-1"))
	require.NoError(t, err)
	defer held.Unlock()
	_, err = l.StartMaintenance(t.Context(), "phone-0", "x", 0)
	require.NoError(t, err)

	got := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), beforeSafetyNet)
		defer cancel()
		a, err := l.Lock(ctx, q(""))
		if err != nil {
			got <- err.Error()
			return
		}
		got <- a.ResourceID()
		a.Unlock()
	}()
	select {
	case <-waiting:
	case <-time.After(childWait):
		t.Fatal("the waiter did not start waiting")
	}
	_, err = l.EndMaintenance(t.Context(), "phone-0")
	require.NoError(t, err)
	select {
	case id := <-got:
		assert.Equal(t, "phone-0", id)
	case <-time.After(childWait):
		t.Fatal("the waiter did not get phone-0")
	}
}

// A record that cannot be read keeps its resource out of service, says
// why, and can be ended.
func TestMalformedRecordCountsAsMaintenance(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	for _, content := range []string{"flashing\n", "", `{"note": 5}`, "{" + strings.Repeat(" ", maxRecord) + "}"} {
		path := filepath.Join(dir, "phone-0.maintenance")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		st := statusOf(t, l, "phone-0")
		assert.Equal(t, InMaintenance, st.State, "%q", content)
		require.NotNil(t, st.Maintenance)
		assert.Contains(t, st.Maintenance.Note, "its maintenance record cannot be read")
		assert.Contains(t, st.Maintenance.Note, "lockable maintain --end phone-0")
		_, err := l.EndMaintenance(t.Context(), "phone-0")
		require.NoError(t, err)
		assert.NoFileExists(t, path)
	}
	// A hand-written note is a maintenance too.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "phone-0.maintenance"), []byte(`{"note": "by hand"}`), 0o644))
	assert.Equal(t, "in maintenance: by hand", statusOf(t, l, "phone-0").Maintenance.String())
}

// A writer killed between creating its temporary record and renaming it
// leaves the temporary file; the next write of that record removes those
// over a minute old, not one a writer may be filling now.
func TestStaleTemporaryRecordsAreRemoved(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	stale := filepath.Join(dir, "phone-0.maintenance.tmp-DEADBEEF")
	fresh := filepath.Join(dir, "phone-0.maintenance.tmp-INFLIGHT")
	for _, name := range []string{stale, fresh} {
		require.NoError(t, os.WriteFile(name, []byte(`{"note": "half`), 0o644))
	}
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	_, err := l.StartMaintenance(t.Context(), "phone-0", "flashing", 0)
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, fresh)
	assert.Equal(t, "flashing", statusOf(t, l, "phone-0").Maintenance.Note)
}

// Records are opened as lock files are: never through a link.
func TestRecordThatIsALinkIsRefused(t *testing.T) {
	l, dir := newLab(t, phones(1)...)
	target := filepath.Join(t.TempDir(), "elsewhere")
	require.NoError(t, os.WriteFile(target, []byte(`{"note": "x"}`), 0o644))
	link := filepath.Join(dir, "phone-0.maintenance")
	require.NoError(t, os.Symlink(target, link))

	_, err := l.Lock(expired(t), q(""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), link+" is a symbolic link")
	_, err = statuses(t, l)
	require.Error(t, err)

	_, err = l.StartMaintenance(t.Context(), "phone-0", "replaced", 0)
	require.NoError(t, err, "a rename replaces the link itself")
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
	data, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, `{"note": "x"}`, string(data), "the link's target is untouched")
}

func TestMaintenanceString(t *testing.T) {
	since := time.Date(2020, 3, 4, 10, 2, 0, 0, time.Local)
	m := Maintenance{Note: "line one\nline\ttwo\x1b[31m", By: "ana@lab-1", Since: since, Until: since.Add(30 * time.Minute)}
	assert.Equal(t, "in maintenance since 2020-03-04 10:02 until 2020-03-04 10:32 by ana@lab-1: line one | line two\uFFFD[31m", m.String())
	now := time.Now()
	assert.Equal(t, "in maintenance since "+now.Format("15:04"), Maintenance{Since: now}.String())
	assert.True(t, Maintenance{}.Active(now))
	assert.False(t, Maintenance{Until: now}.Active(now))
}

// Over more than listAbove resources, one listing of the folder tells
// which records exist; it finds what opening each record would.
func TestRecordsOfALargeLab(t *testing.T) {
	for _, n := range []int{listAbove, listAbove + 1, 40} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			l, dir := newLab(t, phones(n)...)
			last := fmt.Sprintf("phone-%d", n-1)
			for _, id := range []string{"phone-1", last} {
				_, err := l.StartMaintenance(t.Context(), id, "flashing "+id, 0)
				require.NoError(t, err)
			}
			// Neither a record of phone-2 (on a file system that tells
			// case apart) nor one of phone-3: a name in another case, and
			// a temporary file left by a crash mid-write.
			require.NoError(t, os.WriteFile(filepath.Join(dir, "PHONE-2.maintenance"), []byte(`{"note": "x"}`), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "phone-3.maintenance.tmp-0123abcd"), []byte(`{"note": "x"}`), 0o644))

			sts, err := statuses(t, l)
			require.NoError(t, err)
			var out []string
			for _, st := range sts {
				if st.State == InMaintenance {
					out = append(out, st.Resource.ID()+": "+st.Maintenance.Note)
				}
			}
			assert.Equal(t, []string{"phone-1: flashing phone-1", last + ": flashing " + last}, out)

			a, err := l.Lock(expired(t), q(`{"id": {"$in": ["phone-1", "phone-2"]}}`))
			require.NoError(t, err)
			assert.Equal(t, "phone-2", a.ResourceID())
			require.NoError(t, a.Unlock())

			// A record that is a link is refused on this path too.
			require.NoError(t, os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(dir, "phone-0.maintenance")))
			_, err = l.Lock(expired(t), q(""))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "phone-0.maintenance is a symbolic link")
		})
	}
}
