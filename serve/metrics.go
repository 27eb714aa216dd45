package serve

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/go-lockable/lockable/core"
)

// metrics answers /metrics: the lab's metrics in the format the scraper
// asks for (Prometheus text by default).
func (h *Handler) metrics(w http.ResponseWriter, r *http.Request) {
	snap := h.follow.ready(r.Context(), h.closed)
	families := h.families(snap)
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)
	w.Header().Set("Content-Type", string(format))
	w.Header().Set("Cache-Control", "no-store")
	enc := expfmt.NewEncoder(w, format)
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			return // the client is gone; nothing to tell it
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		_ = c.Close()
	}
}

// families are the metrics now: the lab's state from snap, and what the
// readings counted so far.
func (h *Handler) families(snap *snapshot) []*dto.MetricFamily {
	up := 0.0
	if snap.err == nil {
		up = 1
	}
	out := []*dto.MetricFamily{
		gauge("lockable_up", "Whether the last reading of the lab (the resources list and the locks) succeeded.", one(up)),
		gauge("lockable_resources", "Resources by state, at the last reading of the lab; all 0 when it failed (lockable_up is 0).", byState(snap.status)...),
		gauge("lockable_waiters", "Waiters in the lab's queue, by priority, at the last reading of the lab.", byPriority(snap.status)...),
	}
	if n := len(snap.status.Resources); n > 0 && n <= h.cfg.maxResourceSeries {
		help := fmt.Sprintf("Each resource's state: one series per resource, of value 1, labelled with its id and state; only for labs of up to %d resources.", h.cfg.maxResourceSeries)
		out = append(out, gauge("lockable_resource_state", help, perResource(snap.status)...))
	}
	return append(out, h.counted()...)
}

// counted are the metrics the readings counted.
func (h *Handler) counted() []*dto.MetricFamily {
	s := h.follow.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	return []*dto.MetricFamily{
		histogramFamily("lockable_wait_seconds", "How long each new holder waited for its resource, as its lock records it.", s.wait),
		histogramFamily("lockable_hold_seconds", "How long each lock seen released had been held.", s.hold),
		counter("lockable_locks_taken_total", "Locks taken, as the readings saw new holders.", s.taken),
		counter("lockable_handovers_total", "Resources taken by a holder that had asked before they were released (it waited for them).", s.handovers),
		counter("lockable_locks_lost_total", "Locks that ended with their lease running out rather than by a release (etcd; leases of 6 s or more, up to 100 held).", s.lost),
		counter("lockable_resources_list_reload_errors_total", "Readings of the lab in which the resources list could not be loaded or was invalid.", s.listErrs),
		counter("lockable_lab_read_errors_total", "Readings of the lab in which the locks could not be read (the backend), the list being fine.", s.labErrs),
		gauge("lockable_serve_streams", "Live pages (event streams) open now.", one(float64(h.streams.Load()))),
	}
}

// byState counts the resources of st in each state, every state core
// knows included.
func byState(st core.Status) []*dto.Metric {
	counts := map[string]int{}
	var order []string
	for s := core.State(0); !strings.HasPrefix(s.String(), "State("); s++ {
		counts[s.String()] = 0
		order = append(order, s.String())
	}
	for _, r := range st.Resources {
		name := r.State.String()
		if _, ok := counts[name]; !ok {
			order = append(order, name)
		}
		counts[name]++
	}
	out := make([]*dto.Metric, len(order))
	for i, name := range order {
		out[i] = labelled(float64(counts[name]), "state", name)
	}
	return out
}

// byPriority counts the waiters of st's queue by priority; one series
// of 0 when nobody waits. A lab has few priorities in use, so the label
// stays small.
func byPriority(st core.Status) []*dto.Metric {
	counts := map[int]int{}
	var order []int
	for _, w := range st.Queue {
		if _, ok := counts[w.Priority]; !ok {
			order = append(order, w.Priority)
		}
		counts[w.Priority]++
	}
	if len(order) == 0 {
		return []*dto.Metric{labelled(0, "priority", "0")}
	}
	out := make([]*dto.Metric, len(order))
	for i, p := range order {
		out[i] = labelled(float64(counts[p]), "priority", strconv.Itoa(p))
	}
	return out
}

func perResource(st core.Status) []*dto.Metric {
	out := make([]*dto.Metric, len(st.Resources))
	for i, r := range st.Resources {
		out[i] = labelled(1, "id", r.Resource.ID(), "state", r.State.String())
	}
	return out
}

func gauge(name, help string, ms ...*dto.Metric) *dto.MetricFamily {
	return &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum(), Metric: ms}
}

func counter(name, help string, n uint64) *dto.MetricFamily {
	v := float64(n)
	return &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_COUNTER.Enum(),
		Metric: []*dto.Metric{{Counter: &dto.Counter{Value: &v}}}}
}

func histogramFamily(name, help string, h histogram) *dto.MetricFamily {
	count, sum := h.count, h.sum
	buckets := make([]*dto.Bucket, len(h.bounds))
	var cumulative uint64
	for i := range h.bounds {
		cumulative += h.counts[i]
		c, bound := cumulative, h.bounds[i]
		buckets[i] = &dto.Bucket{CumulativeCount: &c, UpperBound: &bound}
	}
	return &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_HISTOGRAM.Enum(),
		Metric: []*dto.Metric{{Histogram: &dto.Histogram{SampleCount: &count, SampleSum: &sum, Bucket: buckets}}}}
}

// one is a metric without labels.
func one(v float64) *dto.Metric {
	return &dto.Metric{Gauge: &dto.Gauge{Value: &v}}
}

// labelled is a gauge with labels given as name, value pairs.
func labelled(v float64, pairs ...string) *dto.Metric {
	m := one(v)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, value := pairs[i], pairs[i+1]
		m.Label = append(m.Label, &dto.LabelPair{Name: &name, Value: &value})
	}
	return m
}
