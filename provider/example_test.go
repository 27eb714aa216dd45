package provider_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/go-lockable/lockable/provider"
)

func ExampleFile() {
	src := provider.File("testdata/lab.json")
	resources, err := src.Resources(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range resources {
		fmt.Println(r.ID(), r.Hostname(), r.Online(), r.Get("network.ip"))
	}
	// Output:
	// pixel-7-01 lab-runner-1 true 10.1.2.31
	// iphone-14-01 lab-runner-1 true 10.1.2.41
	// 42 lab-runner-2 false
}

func ExampleList() {
	src := provider.List([]map[string]any{
		{"id": "rpi4-01", "hostname": "lab-runner-1", "online": true, "tags": []string{"gpio", "usb"}},
		{"id": 7, "hostname": "lab-runner-1"},
	})
	resources, err := src.Resources(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range resources {
		fmt.Println(r.ID(), r.JSON())
	}
	// Output:
	// rpi4-01 {"hostname":"lab-runner-1","id":"rpi4-01","online":true,"tags":["gpio","usb"]}
	// 7 {"hostname":"lab-runner-1","id":7}
}

func ExampleValidate() {
	data := []byte(`[
  {"id": "pixel-7-01", "os": "android"},
  {"id": "pixel-7-01", "os": "android"},
  {"id": "../../etc/passwd"},
  {"name": "no id"}
]`)
	_, err := provider.Validate("resources.json", data)
	fmt.Println(errors.Is(err, provider.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// resources.json:3:3: [1]: duplicate id "pixel-7-01", first used at [0] (2:3); ids must be unique
	// resources.json:4:3: [2]: id "../../etc/passwd" contains '/'; ids become lock file names (<lock folder>/<id>.pid), so an id must be a plain file name; rename the resource
	// resources.json:5:3: [3]: no "id"; every resource needs a unique id, a string or a number
}

func ExampleValidationError() {
	_, err := provider.Validate("resources.json", []byte(`[{"id": "a"}, {"id": true}]`))
	var verr *provider.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Printf("element %d at %d:%d: %s\n", p.Index, p.Line, p.Column, p.Message)
		}
	}
	// Output:
	// element 1 at 1:15: "id" is a boolean (true); use a string or a number
}

func ExampleHTTP() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, `[{"id": "test-server-01", "cpus": 16}]`)
	}))
	defer srv.Close()

	src := provider.HTTP(srv.URL, provider.WithRetries(2), provider.WithBearerToken("lab-token"))
	first, err := src.Resources(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := src.Resources(context.Background()) // 304 Not Modified: the same slice
	fmt.Println(first[0].ID(), first[0].Get("cpus").Int(), &first[0] == &again[0])
	// Output:
	// test-server-01 16 true
}

func ExampleOpen() {
	src := provider.Open("testdata/lab.json") // or an http:// or https:// URL
	resources, err := src.Resources(context.Background())
	fmt.Println(len(resources), err)
	// Output:
	// 3 <nil>
}
