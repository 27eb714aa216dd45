package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-lockable/lockable/core"
	_ "github.com/go-lockable/lockable/etcd" // registers etcd:// for core.WithBackend
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// Hold a test server of a lab that many CI hosts share, and stop using it
// if the lock is lost. It needs an etcd cluster, so it has no output to
// check.
func Example() {
	lk, err := core.New(context.Background(), provider.File("lab.json"),
		core.WithBackend("etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379/lab?ttl=10s"))
	if err != nil {
		fmt.Println(err) // etcd did not answer, or the URL is wrong
		return
	}
	defer lk.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	server, err := lk.Lock(ctx, query.MustParse(`{"type": "server", "hostname": null}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- deploy(server.Get("address").String(), server.FencingToken()) }()
	select {
	case err = <-done:
	case <-server.Lost():
		err = server.Err() // another holder may have the server now: stop
	}
	err = errors.Join(err, server.Unlock())
	if errors.Is(err, core.ErrLost) {
		fmt.Println("lost the server; the deployment's result cannot be trusted:", err)
	}
}

// deploy stands for the work done on the server; it passes the fencing
// token along so that the server can refuse a stale holder.
func deploy(address string, token int64) error { return nil }
