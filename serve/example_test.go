package serve_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
	"github.com/go-lockable/lockable/serve"
)

// A team mounts the dashboard in a server of its own, under /lab/.
func Example() {
	ctx := context.Background()
	locks, _ := os.MkdirTemp("", "lockable-example")
	defer os.RemoveAll(locks)
	src := provider.List([]map[string]any{
		{"id": "pixel-7-01", "hostname": "lab-runner-1", "online": true, "os": "android"},
		{"id": "iphone-14-01", "hostname": "lab-runner-1", "online": true, "os": "ios"},
	})
	lk, err := core.New(ctx, src, core.WithHostname("lab-runner-1"), core.WithLockFolder(locks))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lk.Close()
	h := serve.New(lk, src)
	defer h.Close() // before lk.Close: it ends the live pages

	mux := http.NewServeMux()
	mux.Handle("/lab/", http.StripPrefix("/lab", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/lab/api/fit?requirements=os%3Dandroid")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Print(string(body))

	// The same explanation in Go, without the handler:
	st, _ := lk.Status(ctx, query.MustParse("os=android"))
	fmt.Println(st.Resources[1])
	// Output:
	// 200 OK
	// {"version":1,"requirements":{"os":"android","hostname":"lab-runner-1","online":true},"fitting":["pixel-7-01"],"resources":[{"id":"pixel-7-01","state":"free","fits":true,"reason":"fits"},{"id":"iphone-14-01","state":"free","fits":false,"reason":"os: want \"android\", have \"ios\""}]}
	// iphone-14-01: os: want "android", have "ios"
}
