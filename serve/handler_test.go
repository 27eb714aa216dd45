package serve

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusAndEventsFollowAnotherProcess(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	assert.Equal(t, "text/event-stream", events.resp.Header.Get("Content-Type"))
	first := events.next(t)
	require.Equal(t, "status", first.name, "the whole lab comes first")
	assert.Equal(t, EventsVersion, first.data.Version)
	assert.Equal(t, lab.path, first.data.Source)
	assert.Equal(t, []string{"phone-0", "phone-1"}, events.order)
	assert.Equal(t, "free", events.state("phone-0"))

	other := startHolder(t, lab, "id=phone-0", "make hil")
	other.expect(t, "locked")
	events.waitFor(t, "phone-0 held by the other process", func(r *eventReader) bool { return r.heldBy("phone-0") == other.pid() })
	got := events.lab["phone-0"]
	require.NotNil(t, got.Holder)
	assert.Equal(t, other.pid(), got.Holder.PID)
	assert.Equal(t, "make hil", got.Holder.Owner)
	assert.Equal(t, "free", events.state("phone-1"))

	resp, body := get(t, srv.URL+"/api/status")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var st struct {
		Version   int            `json:"version"`
		Hostname  string         `json:"hostname"`
		Resources []resourceView `json:"resources"`
	}
	decode(t, body, &st)
	assert.Equal(t, 1, st.Version)
	assert.Equal(t, testHost, st.Hostname)
	require.Len(t, st.Resources, 2)
	assert.Equal(t, "held", st.Resources[0].State)
	assert.Equal(t, other.pid(), st.Resources[0].Holder.PID)

	other.release(t)
	events.waitFor(t, "phone-0 free again", func(r *eventReader) bool { return r.state("phone-0") == "free" })
	_, body = get(t, srv.URL+"/api/status")
	decode(t, body, &st)
	assert.Equal(t, "free", st.Resources[0].State)
}

// The events after the first carry only what changed, and nothing is
// sent when nothing did.
func TestEventsAfterTheFirstAreUpdates(t *testing.T) {
	lab := newTestLab(t, phones(3)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)

	other := startHolder(t, lab, "id=phone-1", "")
	other.expect(t, "locked")
	ev := events.next(t)
	require.Equal(t, "update", ev.name)
	var st struct {
		Version   int            `json:"version"`
		Hostname  string         `json:"hostname"`
		Resources []resourceView `json:"resources"`
	}
	decode(t, string(ev.data.Status), &st)
	assert.Equal(t, 1, st.Version, "an update has the status's other fields")
	assert.Equal(t, testHost, st.Hostname)
	require.Len(t, st.Resources, 1, "only the resource that changed")
	assert.Equal(t, "phone-1", st.Resources[0].ID)
	assert.Equal(t, "held", st.Resources[0].State)
	id, err := strconv.Atoi(ev.id)
	require.NoError(t, err)
	assert.Positive(t, id)
}

func TestStatusMeasuresAgainstRequirements(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab)
	resp, body := get(t, srv.URL+"/api/status?requirements=os%3Dios")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"requirements":{"os":"ios","hostname":"bench-1","online":true}`)
	assert.Contains(t, body, `"fits":false,"mismatches":[{"field":"os","condition":"ios","actual":"android"}]`)

	resp, body = get(t, srv.URL+"/api/status?requirements=%7Bos")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, `"error":"invalid requirements: `)
}

func TestFitSaysWhichFitAndWhyTheOthersDoNot(t *testing.T) {
	lab := newTestLab(t,
		map[string]any{"id": "pixel-1", "hostname": testHost, "online": true, "os": "android", "ram_gb": 8},
		map[string]any{"id": "iphone-1", "hostname": testHost, "online": true, "os": "ios", "ram_gb": 6},
		map[string]any{"id": "pixel-2", "hostname": testHost, "online": false, "os": "android", "ram_gb": 8},
	)
	_, srv := serveLab(t, lab)
	resp, body := get(t, srv.URL+"/api/fit?requirements="+escape(`{"os": "android", "ram_gb": {"$gte": 8}}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var fit struct {
		Version      int             `json:"version"`
		Requirements json.RawMessage `json:"requirements"`
		Fitting      []string        `json:"fitting"`
		Resources    []struct {
			ID, State, Reason string
			Fits              bool
		} `json:"resources"`
	}
	decode(t, body, &fit)
	assert.Equal(t, FitVersion, fit.Version)
	assert.JSONEq(t, `{"os":"android","ram_gb":{"$gte":8},"hostname":"bench-1","online":true}`, string(fit.Requirements))
	assert.Equal(t, []string{"pixel-1"}, fit.Fitting)
	require.Len(t, fit.Resources, 3)
	assert.Equal(t, "pixel-1", fit.Resources[0].ID)
	assert.Equal(t, "free", fit.Resources[0].State)
	assert.True(t, fit.Resources[0].Fits)
	assert.Equal(t, "fits", fit.Resources[0].Reason)
	assert.Equal(t, "offline", fit.Resources[2].State)
	assert.False(t, fit.Resources[2].Fits)
	assert.Equal(t, `os: want "android", have "ios"; ram_gb: want {"$gte":8}, have 6`, fit.Resources[1].Reason, "as status --explain says it")
	assert.Equal(t, "online: want true, have false", fit.Resources[2].Reason)

	// The short form too.
	_, body = get(t, srv.URL+"/api/fit?requirements="+escape("os=ios"))
	decode(t, body, &fit)
	assert.Equal(t, []string{"iphone-1"}, fit.Fitting)

	for _, tc := range []struct{ requirements, want string }{
		{`{"os": {"$regex": "("}}`, "invalid requirements: "},
		{"os", "invalid requirements: "},
		{strings.Repeat("a=b&", MaxRequirementsSize/4+1), "over the limit of 4096 bytes"},
	} {
		resp, body := get(t, srv.URL+"/api/fit?requirements="+escape(tc.requirements))
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, tc.requirements)
		var p problem
		decode(t, body, &p)
		assert.Contains(t, p.Error, tc.want)
	}
	resp, body = get(t, srv.URL+"/api/fit")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "give them as ?requirements=")
}
