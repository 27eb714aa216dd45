package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/internal/config"
	"github.com/go-lockable/lockable/query"
)

// row is one resource as lockable status shows it.
type row struct {
	status core.ResourceStatus
	fit    *core.Fit // with --explain
}

// status lists the resources (those that fit --requirements, if given)
// with their states, as a table or as JSON.
func (c *cli) status(ctx context.Context, o *options, args []string) error {
	if err := c.subcommand(o, "status", o.statusFlags, args); err != nil {
		return err
	}
	cfg, err := c.config(o)
	if err != nil {
		return err
	}
	q, err := o.statusQuery(cfg)
	if err != nil {
		return err
	}
	lk, _, err := c.open(o)
	if err != nil {
		return err
	}
	defer c.closeLockable(lk)
	rows, err := statusRows(ctx, lk, q, o.explain)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if o.json {
		err = writeJSON(&out, rows, o.explain)
	} else {
		err = writeTable(&out, rows, o.explain, time.Now())
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(c.stdout, c.secrets.String(out.String()))
	return err
}

// statusQuery is the requirements status filters by, with the extra
// conditions of LOCKABLE_REQUIREMENTS, or nil for every resource. With
// --explain and no requirements, every resource is measured against the
// default requirements alone.
func (o *options) statusQuery(cfg config.Config) (*query.Query, error) {
	switch len(o.requirements) {
	case 0:
		if o.explain {
			return query.Parse("")
		}
		return nil, nil
	case 1:
		return parseRequirement(cfg, o.requirements[0])
	}
	return nil, usagef("lockable status takes one --requirements")
}

// statusRows gathers the rows: every resource with --explain (with how
// it measures up to q) or without q, else those that fit q.
func statusRows(ctx context.Context, lk *core.Lockable, q *query.Query, explain bool) ([]row, error) {
	var sts []core.ResourceStatus
	var err error
	if q == nil || explain {
		sts, err = lk.Status(ctx)
	} else {
		sts, err = lk.Match(ctx, q)
	}
	if err != nil || !explain {
		return asRows(sts), err
	}
	fits, err := lk.Explain(ctx, q)
	if err != nil {
		return nil, err
	}
	return explained(sts, fits), nil
}

func asRows(sts []core.ResourceStatus) []row {
	rows := make([]row, len(sts))
	for i, st := range sts {
		rows[i] = row{status: st}
	}
	return rows
}

// explained joins states and fits by resource id: the list may have been
// reloaded between the two calls.
func explained(sts []core.ResourceStatus, fits []core.Fit) []row {
	byID := make(map[string]*core.Fit, len(fits))
	for i := range fits {
		byID[fits[i].Resource.ID()] = &fits[i]
	}
	rows := make([]row, 0, len(sts))
	for _, st := range sts {
		if f := byID[st.Resource.ID()]; f != nil {
			rows = append(rows, row{status: st, fit: f})
		}
	}
	return rows
}

// writeTable writes the rows as an aligned table. The TOKEN and TTL
// columns are there only when some holder has a fencing token or a
// lease, as on etcd; the lock folder has neither.
func writeTable(w io.Writer, rows []row, explain bool, now time.Time) error {
	bw := bufio.NewWriter(w) // tabwriter writes cell by cell
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	leases := hasLeases(rows)
	header := "ID\tSTATE\tHOLDER\tSINCE"
	if leases {
		header += "\tTOKEN\tTTL"
	}
	if explain {
		header += "\tFIT"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		line := r.status.Resource.ID() + "\t" + r.status.State.String() + "\t" + holderColumns(r.status, now)
		if leases {
			line += "\t" + leaseColumns(r.status)
		}
		if explain {
			line += "\t" + fitText(*r.fit)
		}
		fmt.Fprintln(tw, line)
	}
	return errors.Join(tw.Flush(), bw.Flush())
}

// holderColumns are the HOLDER and SINCE cells: "-" when not held or not
// known.
func holderColumns(st core.ResourceStatus, now time.Time) string {
	if st.State != core.Held {
		return "-\t-"
	}
	since := "-"
	if !st.Holder.Since.IsZero() {
		since = fmt.Sprintf("%s (%s)", st.Holder.Since.Local().Format(time.DateTime), now.Sub(st.Holder.Since).Round(time.Second))
	}
	return st.Holder.Who() + "\t" + since
}

// hasLeases reports whether some held resource has a fencing token or a
// lease time.
func hasLeases(rows []row) bool {
	for _, r := range rows {
		if r.status.State == core.Held && (r.status.Token != 0 || r.status.TTL != 0) {
			return true
		}
	}
	return false
}

// leaseColumns are the TOKEN and TTL cells: the holder's fencing token
// and the time its lease has left, "-" when not held or not known.
func leaseColumns(st core.ResourceStatus) string {
	token, ttl := "-", "-"
	if st.State == core.Held && st.Token != 0 {
		token = strconv.FormatInt(st.Token, 10)
	}
	if st.State == core.Held && st.TTL != 0 {
		ttl = st.TTL.Round(time.Second).String()
	}
	return token + "\t" + ttl
}

// fitText is "fits" or the conditions the resource fails.
func fitText(f core.Fit) string {
	if f.Fits() {
		return "fits"
	}
	parts := make([]string, len(f.Mismatches))
	for i, m := range f.Mismatches {
		parts[i] = m.String()
	}
	return strings.Join(parts, "; ")
}

// explainedJSON is a status with --explain: core's rendering plus fits
// and the mismatches.
type explainedJSON struct {
	ID         string          `json:"id"`
	State      core.State      `json:"state"`
	Holder     *core.Holder    `json:"holder,omitempty"`
	Token      int64           `json:"fencing_token,omitempty"`
	TTL        float64         `json:"ttl_seconds,omitempty"`
	Resource   json.RawMessage `json:"resource"`
	Fits       bool            `json:"fits"`
	Mismatches []mismatchJSON  `json:"mismatches,omitempty"`
}

type mismatchJSON struct {
	Field     string          `json:"field"`
	Condition json.RawMessage `json:"condition"`
	Actual    json.RawMessage `json:"actual,omitempty"`
}

// writeJSON writes the rows as one JSON array.
func writeJSON(w io.Writer, rows []row, explain bool) error {
	var v any
	if explain {
		v = explainedRows(rows)
	} else {
		sts := make([]core.ResourceStatus, len(rows))
		for i, r := range rows {
			sts[i] = r.status
		}
		v = sts
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

func explainedRows(rows []row) []explainedJSON {
	out := make([]explainedJSON, len(rows))
	for i, r := range rows {
		st := r.status
		e := explainedJSON{ID: st.Resource.ID(), State: st.State, Resource: json.RawMessage(st.Resource.JSON()), Fits: r.fit.Fits()}
		if st.State == core.Held {
			e.Holder, e.Token, e.TTL = &st.Holder, st.Token, st.TTL.Seconds()
		}
		for _, m := range r.fit.Mismatches {
			e.Mismatches = append(e.Mismatches, mismatchJSON{Field: m.Field, Condition: rawOrNull(m.Condition), Actual: rawOrNil(m.Actual)})
		}
		out[i] = e
	}
	return out
}

func rawOrNull(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
