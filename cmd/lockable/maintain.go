package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-lockable/lockable/core"
)

// maintainFlags registers the flags of lockable maintain.
func (o *options) maintainFlags(fs *flag.FlagSet) {
	o.source(fs)
	fs.StringVar(&o.note, "note", "", "")
	fs.Var((*durationValue)(&o.window), "for", "")
	fs.BoolVar(&o.end, "end", false, "")
}

// maintain takes a resource out of service (lockable maintain ID --note
// TEXT [--for DURATION]), puts it back (--end ID), or lists the
// resources in maintenance (no id).
func (c *cli) maintain(ctx context.Context, o *options, args []string) error {
	id, err := c.maintainArgs(o, args)
	if err != nil {
		return err
	}
	if _, err := c.config(o); err != nil {
		return err
	}
	lk, err := c.open(ctx, o)
	if err != nil {
		return err
	}
	defer c.closeLockable(lk)
	switch {
	case id == "":
		return c.listMaintenance(ctx, lk)
	case o.end:
		return c.endMaintenance(ctx, lk, id)
	}
	return c.startMaintenance(ctx, lk, id, o)
}

// maintainArgs parses the flags, which may come before or after the id,
// and checks that they go together.
func (c *cli) maintainArgs(o *options, args []string) (string, error) {
	fs := flagSet("lockable maintain")
	o.maintainFlags(fs)
	var words []string
	for {
		rest, _, err := o.parse(fs, args)
		if err != nil {
			return "", err
		}
		if len(rest) == 0 {
			break
		}
		words, args = append(words, rest[0]), rest[1:]
	}
	switch {
	case slices.ContainsFunc(words, func(w string) bool { return strings.TrimSpace(w) == "" }):
		return "", usagef("lockable maintain: the resource id is empty; give the id of a resource in the list (lockable status lists them)")
	case len(words) > 1:
		return "", usagef("lockable maintain takes one resource id, got %q (see lockable --help)", strings.Join(words, " "))
	case len(words) == 0 && (o.end || o.set["note"] || o.set["for"]):
		return "", usagef("lockable maintain: which resource? lockable maintain ID --note TEXT [--for DURATION], or lockable maintain --end ID")
	case len(words) == 0:
		return "", nil
	case o.end && (o.set["note"] || o.set["for"]):
		return "", usagef("lockable maintain --end %s takes no --note or --for: it puts the resource back in service", words[0])
	case !o.end && len(o.note) > core.MaxNote:
		return "", usagef("lockable maintain %s: the note is %d bytes, and at most %d fit: say the rest elsewhere and point to it", words[0], len(o.note), core.MaxNote)
	case !o.end && strings.TrimSpace(o.note) == "":
		return "", usagef("lockable maintain %s needs --note TEXT: say why, for those who find it out of service", words[0])
	case o.set["for"] && o.window <= 0:
		return "", usagef("lockable maintain --for %s: give a positive duration (30m, 2h), or leave --for out for a maintenance that lasts until --end", o.window)
	}
	return words[0], nil
}

// startMaintenance puts id in maintenance, says so on stdout, and warns
// when it replaced another maintenance (whose note would otherwise be
// lost without a word) or when someone holds it. It looks at the
// resource once, before: a start changes neither.
func (c *cli) startMaintenance(ctx context.Context, lk *core.Lockable, id string, o *options) error {
	var before *core.ResourceStatus // nil when it cannot be told: the start says why
	if st, err := lk.Status(ctx, nil); err == nil {
		if k := slices.IndexFunc(st.Resources, func(r core.ResourceStatus) bool { return r.Resource.ID() == id }); k >= 0 {
			before = &st.Resources[k]
		}
	}
	m, err := lk.StartMaintenance(ctx, id, o.note, o.window)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: %s\n", id, c.secrets.String(m.String()))
	if before == nil {
		return nil
	}
	if before.Maintenance != nil {
		c.say("%s was in maintenance already; this replaces it (it was %s)", id, before.Maintenance)
	}
	if before.State == core.Held {
		c.say("%s is held by %s: it stays theirs until they release it, and nobody gets it after that", id, before.Holder)
	}
	return nil
}

// endMaintenance puts id back in service. One that was not in
// maintenance is told, and is no error: the resource is in service, as
// asked.
func (c *cli) endMaintenance(ctx context.Context, lk *core.Lockable, id string) error {
	m, err := lk.EndMaintenance(ctx, id)
	switch {
	case errors.Is(err, core.ErrNotInMaintenance):
		fmt.Fprintf(c.stdout, "%s: not in maintenance; nothing to end\n", id)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(c.stdout, "%s: back in service (it was %s)\n", id, c.secrets.String(m.String()))
	return nil
}

// listMaintenance writes the resources in maintenance as a table.
func (c *cli) listMaintenance(ctx context.Context, lk *core.Lockable) error {
	st, err := lk.Status(ctx, nil)
	if err != nil {
		return err
	}
	var in []core.ResourceStatus
	for _, r := range st.Resources {
		if r.Maintenance != nil {
			in = append(in, r)
		}
	}
	if len(in) == 0 {
		_, err := fmt.Fprintln(c.stdout, "no resource is in maintenance")
		return err
	}
	var b strings.Builder
	if err := writeMaintenance(&b, in); err != nil {
		return err
	}
	_, err = io.WriteString(c.stdout, c.secrets.String(b.String()))
	return err
}

// writeMaintenance writes one row per resource: ID, STATE, SINCE, UNTIL,
// BY, NOTE.
func writeMaintenance(w io.Writer, rows []core.ResourceStatus) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSINCE\tUNTIL\tBY\tNOTE")
	for _, r := range rows {
		m := r.Maintenance
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Resource.ID(), r.State, dateTime(m.Since), dateTime(m.Until), orDash(m.By), orDash(core.OneLine(m.Note)))
	}
	return errors.Join(tw.Flush(), bw.Flush())
}

// maintenanceColumn is the MAINTENANCE cell of lockable status: "by
// ana@lab-1 since 2025-03-04 10:02:03 until ...: note", "-" when in
// service.
func maintenanceColumn(m *core.Maintenance) string {
	if m == nil {
		return "-"
	}
	var b strings.Builder
	if m.By != "" {
		b.WriteString("by " + m.By + " ")
	}
	if !m.Since.IsZero() {
		b.WriteString("since " + dateTime(m.Since) + " ")
	}
	if !m.Until.IsZero() {
		b.WriteString("until " + dateTime(m.Until) + " ")
	}
	text := strings.TrimSpace(b.String())
	if note := core.OneLine(m.Note); note != "" {
		text = strings.TrimPrefix(text+": "+note, ": ")
	}
	return orDash(text)
}

// dateTime is a time as the tables show it, "-" for none.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
