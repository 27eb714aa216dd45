package provider

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// HealthCheckField is the field in which a resource may carry its own
// health check: a command line, run by /bin/sh -c with the resource's
// variables before the resource is handed out, so that the lab says how
// each kind of device is checked. A command from the list runs only when
// the user opts in (lockable --health-check-from-list,
// lockabletest.WithHealthCheckFromList): a list fetched from a server
// must not run commands on the hosts that read it.
const HealthCheckField = "health_check"

// HealthCheck returns the resource's own health check (HealthCheckField)
// and whether it has one.
func (r Resource) HealthCheck() (string, bool) {
	v := gjson.Get(r.raw, HealthCheckField)
	return v.Str, v.Type == gjson.String
}

// careProblem checks the fields lockable itself reads from a resource
// beyond id, hostname and online: a health check must be a command line.
func careProblem(elem gjson.Result, id string) string {
	hc := elem.Get(HealthCheckField)
	switch {
	case !hc.Exists():
		return ""
	case hc.Type != gjson.String:
		return fmt.Sprintf("%q of resource %s is %s; it must be a command line (a string), run with --health-check-from-list", HealthCheckField, quoteID(id), describe(hc))
	case strings.TrimSpace(hc.Str) == "":
		return fmt.Sprintf("%q of resource %s is empty; give a command line, or leave the field out", HealthCheckField, quoteID(id))
	case strings.ContainsRune(hc.Str, 0):
		return fmt.Sprintf("%q of resource %s holds a NUL character, which no command line can", HealthCheckField, quoteID(id))
	}
	return ""
}
