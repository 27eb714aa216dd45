package serve

import (
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape GETs the metrics as Prometheus does and parses them with its
// text parser.
func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := get(t, url+"/metrics", "Accept", "text/plain;version=0.0.4")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	require.NoError(t, err, "metrics:\n%s", body)
	return families
}

// value is the value of the family's metric with the given labels (name,
// value pairs); -1 when there is none.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	mf, ok := families[name]
	if !ok {
		return -1
	}
	for _, m := range mf.GetMetric() {
		if hasLabels(m, labels) {
			switch {
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func hasLabels(m *dto.Metric, labels []string) bool {
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	got := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			got++
		}
	}
	return got == len(want)
}

func TestMetricsParseAndFollowALock(t *testing.T) {
	lab := newTestLab(t, phones(2)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)

	m := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(m, "lockable_up"))
	assert.Equal(t, 2.0, value(m, "lockable_resources", "state", "free"))
	assert.Equal(t, 0.0, value(m, "lockable_resources", "state", "held"), "every state has its series")
	assert.Equal(t, 1.0, value(m, "lockable_resource_state", "id", "phone-0", "state", "free"))
	assert.Equal(t, 0.0, value(m, "lockable_locks_taken_total"))
	assert.Equal(t, 0.0, value(m, "lockable_hold_seconds"))
	assert.Equal(t, 1.0, value(m, "lockable_serve_streams"))
	assert.Equal(t, dto.MetricType_HISTOGRAM, m["lockable_wait_seconds"].GetType())

	other := startHolder(t, lab, "id=phone-1", "")
	other.expect(t, "locked")
	events.waitFor(t, "phone-1 held", func(r *eventReader) bool { return r.heldBy("phone-1") == other.pid() })
	m = scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(m, "lockable_resources", "state", "free"))
	assert.Equal(t, 1.0, value(m, "lockable_resources", "state", "held"))
	assert.Equal(t, 1.0, value(m, "lockable_resource_state", "id", "phone-1", "state", "held"))
	assert.Equal(t, 1.0, value(m, "lockable_locks_taken_total"))
	assert.Equal(t, 1.0, value(m, "lockable_wait_seconds"), "its lock says how long it queued")

	other.release(t)
	events.waitFor(t, "phone-1 free", func(r *eventReader) bool { return r.state("phone-1") == "free" })
	m = scrape(t, srv.URL)
	assert.Equal(t, 2.0, value(m, "lockable_resources", "state", "free"))
	assert.Equal(t, 1.0, value(m, "lockable_hold_seconds"), "one hold ended")
	assert.Equal(t, 0.0, value(m, "lockable_handovers_total"), "nobody waited")
	assert.Equal(t, 0.0, value(m, "lockable_locks_lost_total"))
}

// A resource released to a process that waited for it is a hand-over.
func TestMetricsCountAHandOver(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab)
	events := openEvents(t, srv.URL+"/events")
	events.next(t)

	first := startHolder(t, lab, "id=phone-0", "first")
	first.expect(t, "locked")
	events.waitFor(t, "the first holder", func(r *eventReader) bool { return r.heldBy("phone-0") == first.pid() })
	assert.Equal(t, 0.0, value(scrape(t, srv.URL), "lockable_waiters", "priority", "0"), "nobody waits")
	second := startHolder(t, lab, "id=phone-0", "second")
	second.expect(t, "waiting")
	require.Eventually(t, func() bool { // once it is queued, and the page has read the lab since
		return value(scrape(t, srv.URL), "lockable_waiters", "priority", "0") == 1
	}, 20*time.Second, 10*time.Millisecond, "the waiter is counted")
	first.release(t)
	second.expect(t, "locked")
	events.waitFor(t, "the second holder", func(r *eventReader) bool { return r.heldBy("phone-0") == second.pid() })
	m := scrape(t, srv.URL)
	assert.Equal(t, 2.0, value(m, "lockable_locks_taken_total"))
	assert.Equal(t, 1.0, value(m, "lockable_handovers_total"))
	assert.Equal(t, 1.0, value(m, "lockable_hold_seconds"))
	assert.Equal(t, 2.0, value(m, "lockable_wait_seconds"))
	require.Eventually(t, func() bool { // it leaves the queue a moment after it takes the lock
		return value(scrape(t, srv.URL), "lockable_waiters", "priority", "0") == 0
	}, 20*time.Second, 10*time.Millisecond, "the waiter was served")
}

// A lab larger than the bound has no series per resource: the metrics
// keep a fixed size, whatever the lab's.
func TestMetricsPerResourceOnlyUpToTheBound(t *testing.T) {
	lab := newTestLab(t, phones(3)...)
	_, srv := serveLab(t, lab, WithMaxResourceSeries(2))
	m := scrape(t, srv.URL)
	assert.NotContains(t, m, "lockable_resource_state")
	assert.Equal(t, 3.0, value(m, "lockable_resources", "state", "free"))

	_, srv = serveLab(t, lab, WithMaxResourceSeries(3))
	m = scrape(t, srv.URL)
	assert.Len(t, m["lockable_resource_state"].GetMetric(), 3)
}

// The scraper may ask for another format: the encoder of Prometheus's
// own libraries answers it.
func TestMetricsNegotiateTheFormat(t *testing.T) {
	lab := newTestLab(t, phones(1)...)
	_, srv := serveLab(t, lab)
	resp, body := get(t, srv.URL+"/metrics", "Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/vnd.google.protobuf")
	dec := expfmt.NewDecoder(strings.NewReader(body), expfmt.ResponseFormat(resp.Header))
	var mf dto.MetricFamily
	require.NoError(t, dec.Decode(&mf))
	assert.Equal(t, "lockable_up", mf.GetName())
}
