package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/query"
)

// FitVersion is the version of the answers of /api/fit; it grows when a
// field changes meaning or goes away, not when one is added.
const FitVersion = 1

// errRequirements: the requirements of a request are not valid; the
// answer is 400 and says why.
var errRequirements = errors.New("invalid requirements")

// status answers /api/status: the lab as lockable status --json prints
// it (core.Status's JSON), measured against ?requirements= when given.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	q, err := requirements(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if q != nil {
		st, err := h.l.Status(r.Context(), q)
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
		return
	}
	snap := h.follow.ready(r.Context(), h.closed)
	if snap.err != nil {
		writeError(w, http.StatusServiceUnavailable, snap.err)
		return
	}
	writeBody(w, http.StatusOK, snap.body)
}

// requirements parses ?requirements=, bounded in size; nil when absent.
func requirements(r *http.Request) (*query.Query, error) {
	values, ok := r.URL.Query()["requirements"]
	if !ok {
		return nil, nil
	}
	text := ""
	if len(values) > 0 {
		text = values[0]
	}
	if len(text) > MaxRequirementsSize {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d bytes", errRequirements, len(text), MaxRequirementsSize)
	}
	q, err := query.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRequirements, err)
	}
	return q, nil
}

// fitAnswer is the answer of /api/fit.
type fitAnswer struct {
	Version int `json:"version"`
	// Requirements are the requirements with the defaults, as JSON.
	Requirements json.RawMessage `json:"requirements"`
	// Fitting are the ids of the resources that fit, in list order.
	Fitting   []string  `json:"fitting"`
	Resources []fitting `json:"resources"`
}

// fitting is how one resource measures up.
type fitting struct {
	ID    string     `json:"id"`
	State core.State `json:"state"`
	Fits  bool       `json:"fits"`
	// Reason is "fits" or the conditions the resource fails, as
	// lockable status --explain says them.
	Reason string `json:"reason"`
}

// fit answers /api/fit?requirements=...: which resources of the lab, as
// last read, fit the requirements (with the defaults), and why each of the
// others does not.
func (h *Handler) fit(w http.ResponseWriter, r *http.Request) {
	q, err := requirements(r)
	if err == nil && q == nil {
		err = fmt.Errorf("%w: give them as ?requirements=, such as os=android or {\"ram_gb\": {\"$gte\": 8}}", errRequirements)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	snap := h.follow.ready(r.Context(), h.closed)
	if snap.err != nil {
		writeError(w, http.StatusServiceUnavailable, snap.err)
		return
	}
	writeJSON(w, http.StatusOK, measure(h.l.Requirements(q), snap.status))
}

// measure measures every resource of st against full.
func measure(full *query.Query, st core.Status) fitAnswer {
	out := fitAnswer{Version: FitVersion, Requirements: json.RawMessage(full.String()), Fitting: []string{}, Resources: make([]fitting, len(st.Resources))}
	for i, r := range st.Resources {
		f := core.Fit{Resource: r.Resource}
		if !full.Match(r.Resource.JSON()) {
			f.Mismatches = full.Explain(r.Resource.JSON())
		}
		out.Resources[i] = fitting{ID: r.Resource.ID(), State: r.State, Fits: f.Fits(), Reason: f.Reason()}
		if f.Fits() {
			out.Fitting = append(out.Fitting, r.Resource.ID())
		}
	}
	return out
}

// health is the answer of /healthz.
type health struct {
	Status string    `json:"status"` // "ok" or "degraded"
	Time   time.Time `json:"time"`   // when the lab was last read
	Error  string    `json:"error,omitempty"`
}

// healthz answers 200 when the last reading of the lab succeeded, and 503
// with the reason when it did not (the list cannot be read or is invalid,
// the backend cannot be reached) or the lab has not been read yet.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	snap := h.follow.ready(r.Context(), h.closed)
	if snap.err != nil {
		writeJSON(w, http.StatusServiceUnavailable, health{Status: "degraded", Time: snap.at.UTC(), Error: snap.err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, health{Status: "ok", Time: snap.at.UTC()})
}
