package command

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-lockable/lockable/core"
	"github.com/tidwall/gjson"
)

// ResourceEnv returns the environment variables that describe the held
// resources, as the command line's command and every lab care command
// get them: the first resource's, then, when indexed, every resource's
// again with the suffix _0, _1, ... py says to name and write the fields
// as the Python lockable does.
func ResourceEnv(allocs []*core.Allocation, indexed, py bool) []string {
	env := allocationEnv(allocs[0], "", py)
	if indexed {
		for i, a := range allocs {
			env = append(env, allocationEnv(a, "_"+strconv.Itoa(i), py)...)
		}
	}
	return env
}

// allocationEnv returns one allocation's variables, each name ending in
// suffix: the resource's top-level fields, then LOCKABLE_RESOURCE,
// LOCKABLE_RESOURCE_ID, LOCKABLE_ALLOCATION_ID and LOCKABLE_FENCING_TOKEN
// (0 on the lock folder).
func allocationEnv(a *core.Allocation, suffix string, py bool) []string {
	r := a.Resource()
	return append(fieldEnv(r.JSON(), suffix, py),
		"LOCKABLE_RESOURCE"+suffix+"="+compact(r.JSON()),
		"LOCKABLE_RESOURCE_ID"+suffix+"="+r.ID(),
		"LOCKABLE_ALLOCATION_ID"+suffix+"="+a.ID(),
		"LOCKABLE_FENCING_TOKEN"+suffix+"="+strconv.FormatInt(a.FencingToken(), 10),
	)
}

// fieldEnv turns an object's top-level fields into variables. Of fields
// whose names become the same variable, the first counts; a value holding
// a NUL character, which no environment can carry, is left out. py names
// and writes them as the Python lockable does: the key upper-cased and
// nothing else, the value as Python's str() (PYL lockable/cli.py, main).
func fieldEnv(object, suffix string, py bool) []string {
	var env []string
	seen := map[string]bool{}
	name, value := envName, envValue
	if py {
		name, value = pyEnvName, pyStr
	}
	gjson.Parse(object).ForEach(func(key, val gjson.Result) bool {
		name := name(key.String())
		v := value(val)
		if name == "" || seen[name] || strings.ContainsRune(v, 0) {
			return true
		}
		seen[name] = true
		env = append(env, name+suffix+"="+v)
		return true
	})
	return env
}

// envName makes a variable name of a field name: upper-cased, with every
// character other than A-Z, 0-9 and _ replaced by _, and a leading digit
// prefixed by _.
func envName(field string) string {
	var b strings.Builder
	if field != "" && field[0] >= '0' && field[0] <= '9' {
		b.WriteByte('_')
	}
	for _, r := range strings.ToUpper(field) {
		if r == '_' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// pyEnvName is the Python lockable's variable name for a field: the key
// upper-cased (key.upper()), other characters as they are; a name with
// "=" cannot be a variable and is left out.
func pyEnvName(field string) string {
	if strings.ContainsRune(field, '=') {
		return ""
	}
	return strings.ToUpper(field)
}

// envValue is a string as it is and anything else as compact JSON.
func envValue(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.String()
	}
	return compact(v.Raw)
}

func compact(raw string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(raw)) != nil {
		return raw
	}
	return b.String()
}
