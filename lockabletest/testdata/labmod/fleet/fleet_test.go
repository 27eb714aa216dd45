// Package fleet is a test suite with a TestMain fleet.
package fleet

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/lockabletest"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

var lab = lockabletest.NewFleet(map[string]string{
	"gateway": `{"type": "gateway"}`,
})

func TestMain(m *testing.M) {
	code := lockabletest.Main(m, lab)
	fmt.Println("GATEWAY FREE AFTER MAIN", gatewayFree())
	os.Exit(code)
}

// gatewayFree reports whether one try of another Lockable, as another
// process would have, takes the gateway.
func gatewayFree() string {
	lk, err := core.New(context.Background(), provider.File(os.Getenv("LOCKABLE_RESOURCES")),
		core.WithHostname(os.Getenv("LOCKABLE_HOSTNAME")), core.WithLockFolder(os.Getenv("LOCKABLE_LOCK_FOLDER")))
	if err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	a, err := lk.Lock(ctx, query.MustParse(`{"type": "gateway"}`))
	if err != nil {
		return err.Error()
	}
	a.Unlock()
	return "true"
}

func TestGateway(t *testing.T) {
	gw := lab.Get(t, "gateway")
	fmt.Println("TEST USES", gw.ResourceID())
}

func TestPanic(t *testing.T) {
	lab.Get(t, "gateway")
	if os.Getenv("LAB_PANIC") != "" {
		panic("deliberate panic")
	}
}
