package query_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/go-lockable/lockable/query"
)

// typical is the requirement the speed targets name: hostname
// equality, online true, $in over 3 strings, $gte on a number and an
// element of a tags array.
const typical = `{"hostname": "lab-runner-3", "online": true, "os": {"$in": ["android", "ios", "linux"]},
	"ram_gb": {"$gte": 8}, "tags": "usb"}`

// generateResources makes n varied resources, the same ones every run: a
// lab of devices over eight hosts, with nested objects, arrays of strings
// and of objects, and optional fields, keys in the order of SPEC's example
// (id first), so that a requirement's fields are spread over the text.
func generateResources(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	oses := []string{"android", "ios", "linux", "windows", "zephyr"}
	tags := []string{"usb", "5g", "wifi", "nfc", "camera", "gps", "ethernet"}
	out := make([]string, n)
	for i := range out {
		r := []member{
			{"id", fmt.Sprintf("dev-%05d", i)},
			{"hostname", fmt.Sprintf("lab-runner-%d", rng.IntN(8))},
			{"online", rng.IntN(10) != 0},
			{"os", oses[rng.IntN(len(oses))]},
			{"ram_gb", []int{1, 2, 4, 6, 8, 12, 16}[rng.IntN(7)]},
			{"tags", pick(rng, tags)},
			{"network", map[string]any{"ip": fmt.Sprintf("10.%d.%d.%d", rng.IntN(4), rng.IntN(256), rng.IntN(256)), "vlan": rng.IntN(100)}},
			{"serial", fmt.Sprintf("%08X", rng.Uint32())},
		}
		if rng.IntN(2) == 0 {
			r = append(r, member{"sims", []any{map[string]any{"carrier": "acme", "slot": 0}, map[string]any{"carrier": "globex", "slot": 1}}})
		}
		if rng.IntN(3) == 0 {
			r = append(r, member{"firmware", map[string]any{"version": fmt.Sprintf("1.%d.%d", rng.IntN(10), rng.IntN(10)), "signed": true}})
		}
		out[i] = object(r)
	}
	return out
}

type member struct {
	key   string
	value any
}

// object writes members as a JSON object in their order.
func object(members []member) string {
	text := []byte{'{'}
	for i, m := range members {
		if i > 0 {
			text = append(text, ',')
		}
		k, _ := json.Marshal(m.key)
		v, err := json.Marshal(m.value)
		if err != nil {
			panic(err)
		}
		text = append(append(append(text, k...), ':'), v...)
	}
	return string(append(text, '}'))
}

func pick(rng *rand.Rand, from []string) []string {
	var out []string
	for _, s := range from {
		if rng.IntN(3) == 0 {
			out = append(out, s)
		}
	}
	return out
}

// indented returns the resources as a pretty-printed file holds them:
// one field per line, indented inside the list's array.
func indented(resources []string) []string {
	out := make([]string, len(resources))
	for i, r := range resources {
		var b bytes.Buffer
		if err := json.Indent(&b, []byte(r), "  ", "  "); err != nil {
			panic(err)
		}
		out[i] = b.String()
	}
	return out
}

// BenchmarkMatch reports the time of one pass over 10,000 resources (ns/op)
// and per resource (ns/match), for resources as a compact list holds them
// and as a pretty-printed one does (pretty/...).
func BenchmarkMatch(b *testing.B) {
	compact := generateResources(10000)
	for _, form := range []struct {
		name      string
		resources []string
	}{{"compact", compact}, {"pretty", indented(compact)}} {
		b.Run(form.name, func(b *testing.B) { benchmarkMatch(b, form.resources) })
	}
}

func benchmarkMatch(b *testing.B, resources []string) {
	for _, bc := range []struct{ name, query string }{
		{"typical", typical},
		{"defaults", `{"hostname": "lab-runner-3", "online": true}`},
		{"full-scan", `{"serial": {"$exists": true}, "location": null}`},
		{"nested", `{"network.ip": {"$regex": "^10\\.1\\."}, "sims": {"$elemMatch": {"carrier": "acme", "slot": 0}}, "firmware.signed": true}`},
		{"logical", `{"$or": [{"os": "android", "ram_gb": {"$gte": 8}}, {"tags": {"$all": ["usb", "5g"]}}], "online": {"$ne": false}}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := query.MustParse(bc.query)
			matched := 0
			b.ReportAllocs()
			for b.Loop() {
				matched = 0
				for _, r := range resources {
					if q.Match(r) {
						matched++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(resources)), "ns/match")
			b.ReportMetric(float64(matched), "matched")
		})
	}
}

// BenchmarkCompile reports the time to compile the typical requirement, and
// to add the hostname and online defaults to it.
func BenchmarkCompile(b *testing.B) {
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := query.Parse(typical); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+defaults", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q, err := query.Parse(`{"os": {"$in": ["android", "ios", "linux"]}, "ram_gb": {"$gte": 8}, "tags": "usb"}`)
			if err != nil {
				b.Fatal(err)
			}
			q.With("hostname", "lab-runner-3").With("online", true)
		}
	})
}
