package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// exampleLab writes a small lab into a temp dir: its resources list and
// its lock folder.
func exampleLab() (dir, list string) {
	dir, err := os.MkdirTemp("", "lockable-example")
	if err != nil {
		panic(err)
	}
	list = filepath.Join(dir, "resources.json")
	err = os.WriteFile(list, []byte(`[
  {"id": "pixel-1", "hostname": "lab-1", "online": true, "os": "android", "model": "Pixel 7"},
  {"id": "pixel-2", "hostname": "lab-1", "online": false, "os": "android"},
  {"id": "iphone-1", "hostname": "lab-2", "online": true, "os": "ios"}
]`), 0o666)
	if err != nil {
		panic(err)
	}
	return dir, list
}

// The Python-compatible form: the words are run by /bin/sh -c, which
// expands the resource's fields.
func Example() {
	dir, list := exampleLab()
	defer os.RemoveAll(dir)
	code := run(context.Background(), []string{
		"--resources", list, "--lock-folder", dir, "--hostname", "lab-1",
		"--requirements", `{"os": "android"}`,
		"echo", "holding", "$ID", `"($MODEL)"`,
	}, os.Environ(), nil, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// holding pixel-1 (Pixel 7)
	// exit 0
}

// Every resource with its state.
func Example_status() {
	dir, list := exampleLab()
	defer os.RemoveAll(dir)
	run(context.Background(), []string{"status", "--resources", list, "--lock-folder", dir, "--hostname", "lab-1"},
		nil, nil, os.Stdout, os.Stdout)
	// Output:
	// ID        STATE       HOLDER  SINCE
	// pixel-1   free        -       -
	// pixel-2   offline     -       -
	// iphone-1  other-host  -       -
}

// Nothing fits: lockable says why at once, and exits 125.
func Example_nothingFits() {
	dir, list := exampleLab()
	defer os.RemoveAll(dir)
	code := run(context.Background(), []string{
		"--resources", list, "--lock-folder", dir, "--hostname", "lab-1",
		"--requirements", "os=ios", "--explain", "true",
	}, nil, nil, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// lockable: how each resource measures up to {"os":"ios","hostname":"lab-1","online":true}:
	//   pixel-1: os: want "ios", have "android"
	//   pixel-2: os: want "ios", have "android"; online: want true, have false
	//   iphone-1: hostname: want "lab-1", have "lab-2"
	// lockable: no resource fits {"os":"ios","hostname":"lab-1","online":true} (3 resources in the list); closest: [pixel-1: os: want "ios", have "android"] [iphone-1: hostname: want "lab-1", have "lab-2"] [pixel-2: os: want "ios", have "android"; online: want true, have false]
	// exit 125
}
