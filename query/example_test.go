package query_test

import (
	"fmt"

	"github.com/go-lockable/lockable/query"
)

func ExampleParse() {
	q, err := query.Parse(`{"os": "android", "ram_gb": {"$gte": 8}, "tags": "usb"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	fmt.Println(q.Match(`{"id": "pixel-7-01", "os": "android", "ram_gb": 8, "tags": ["usb", "5g"]}`))
	fmt.Println(q.Match(`{"id": "pixel-4-02", "os": "android", "ram_gb": 6, "tags": ["usb"]}`))
	// Output:
	// {"os":"android","ram_gb":{"$gte":8},"tags":"usb"}
	// true
	// false
}

func ExampleParse_shortForm() {
	q, err := query.Parse("os=android&online=true&network.ip=10.1.2.3")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	fmt.Println(q.Match(`{"os": "android", "online": true, "network": {"ip": "10.1.2.3"}}`))

	_, err = query.Parse("os=android&online")
	fmt.Println(err)
	// Output:
	// {"os":"android","online":true,"network.ip":"10.1.2.3"}
	// true
	// requirements: "online": not key=value (join conditions with &)
}

func ExampleParse_error() {
	_, err := query.Parse(`{"ram_gb": {"$in": 8}}`)
	fmt.Println(err)
	// Output:
	// requirements: "ram_gb": $in: wants an array of values, e.g. ["android", "ios"]
}

func ExampleQuery_Match() {
	q := query.MustParse(`{"network": {"ip": {"$regex": "^10\\.1\\."}}, "sims": {"$elemMatch": {"carrier": "acme", "slot": 0}}}`)
	resources := []string{
		`{"id": "a", "network": {"ip": "10.1.2.3", "vlan": 7}, "sims": [{"carrier": "acme", "slot": 0}]}`,
		`{"id": "b", "network": {"ip": "10.1.2.4"}, "sims": [{"carrier": "acme", "slot": 1}, {"carrier": "globex", "slot": 0}]}`,
		`{"id": "c", "network": {"ip": "10.2.0.1"}, "sims": [{"carrier": "acme", "slot": 0}]}`,
		`not JSON`,
	}
	for _, r := range resources {
		fmt.Println(q.Match(r))
	}
	// Output:
	// true
	// false
	// false
	// false
}

func ExampleQuery_With() {
	defaults := func(q *query.Query) *query.Query {
		return q.With("hostname", "lab-runner-3").With("online", true)
	}
	fmt.Println(defaults(query.MustParse(`{"os": "android"}`)))
	fmt.Println(defaults(query.MustParse(`{"os": "android", "hostname": "lab-runner-1"}`)))
	fmt.Println(defaults(query.MustParse(`{"os": "android", "online": null}`)))
	// Output:
	// {"os":"android","hostname":"lab-runner-3","online":true}
	// {"os":"android","hostname":"lab-runner-1","online":true}
	// {"os":"android","hostname":"lab-runner-3"}
}

func ExampleQuery_And() {
	q := query.MustParse(`{"os": "android"}`)
	extra := query.MustParse(`{"ram_gb": {"$gte": 8}, "online": null}`) // e.g. from LOCKABLE_REQUIREMENTS
	both := q.And(extra).With("online", true)
	fmt.Println(both)
	fmt.Println(both.Match(`{"os": "android", "ram_gb": 12, "online": false}`))
	// Output:
	// {"os":"android","ram_gb":{"$gte":8}}
	// true
}

func ExampleQuery_Explain() {
	q := query.MustParse(`{"os": "android", "ram_gb": {"$gte": 8}, "serial": {"$exists": true}}`)
	for _, m := range q.Explain(`{"os": "android", "ram_gb": 6}`) {
		fmt.Println(m)
	}
	// Output:
	// ram_gb: want {"$gte":8}, have 6
	// serial: want {"$exists":true}, missing
}

func ExampleNew() {
	q, err := query.New(map[string]any{
		"os":     map[string]any{"$in": []string{"android", "ios"}},
		"ram_gb": map[string]any{"$gte": 8},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	fmt.Println(q.Match(`{"os": "ios", "ram_gb": 8}`))
	// Output:
	// {"os":{"$in":["android","ios"]},"ram_gb":{"$gte":8}}
	// true
}

func ExampleQuery_Fields() {
	q := query.MustParse(`{"$or": [{"os": "android"}, {"ram_gbb": {"$gte": 8}}], "network": {"ip": "10.1.2.3"}}`)
	fmt.Println(q.Fields())
	// Output:
	// [os ram_gbb network network.ip]
}
