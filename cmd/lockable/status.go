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
	fit    bool // with --explain: show how it measures up
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
	lk, err := c.open(ctx, o)
	if err != nil {
		return err
	}
	defer c.closeLockable(lk)
	st, err := lk.Status(ctx, q)
	if err != nil {
		return err
	}
	if q != nil && !o.explain {
		st.Resources = st.Fitting()
	}
	var out bytes.Buffer
	if o.json {
		err = writeJSON(&out, st)
	} else {
		now := time.Now()
		err = writeTable(&out, asRows(st.Resources, o.explain), o.explain, now)
		if err == nil && len(st.Queue) > 0 {
			err = writeQueue(&out, st.Queue, now)
		}
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

func asRows(sts []core.ResourceStatus, explain bool) []row {
	rows := make([]row, len(sts))
	for i, st := range sts {
		rows[i] = row{status: st, fit: explain}
	}
	return rows
}

// writeTable writes the rows as an aligned table. The TOKEN and TTL
// columns are there only when some holder has a fencing token or a
// lease, as on etcd; the lock folder has neither. The MAINTENANCE column
// is there only when some resource is in maintenance.
func writeTable(w io.Writer, rows []row, explain bool, now time.Time) error {
	bw := bufio.NewWriter(w) // tabwriter writes cell by cell
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	leases, maintenance := hasLeases(rows), hasMaintenance(rows)
	header := "ID\tSTATE\tHOLDER\tSINCE"
	if leases {
		header += "\tTOKEN\tTTL"
	}
	if explain {
		header += "\tFIT"
	}
	if maintenance {
		header += "\tMAINTENANCE"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		line := r.status.Resource.ID() + "\t" + r.status.State.String() + "\t" + holderColumns(r.status, now)
		if leases {
			line += "\t" + leaseColumns(r.status)
		}
		if explain {
			line += "\t" + r.status.Reason()
		}
		if maintenance {
			line += "\t" + maintenanceColumn(r.status.Maintenance)
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

// writeQueue writes the queue after the resources: each waiter's place,
// priority, who it is, since when it waits and what for.
func writeQueue(w io.Writer, queue []core.Waiter, now time.Time) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nQUEUE\tPRIORITY\tWAITER\tSINCE\tFOR")
	for _, q := range queue {
		reqs := make([]string, len(q.Requirements))
		for i, r := range q.Requirements {
			reqs[i] = string(r)
		}
		since := fmt.Sprintf("%s (%s)", q.Since.Local().Format(time.DateTime), now.Sub(q.Since).Round(time.Second))
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", q.Position, q.Priority, q.Who(), since, strings.Join(reqs, " and "))
	}
	return errors.Join(tw.Flush(), bw.Flush())
}

// hasMaintenance reports whether some resource is in maintenance: the
// table then has a MAINTENANCE column, last, since notes are long.
func hasMaintenance(rows []row) bool {
	for _, r := range rows {
		if r.status.Maintenance != nil {
			return true
		}
	}
	return false
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

// writeJSON writes the status as core renders it: one JSON object,
// {"version", "hostname", "requirements", "resources": [...], "queue":
// [...]}.
func writeJSON(w io.Writer, st core.Status) error {
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}
