package serve

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/query"
)

// The test binary doubles as the other processes of these tests, which
// take and release resources: with holderRole set in its environment,
// TestMain runs a holder instead of the tests.
const (
	holderRole      = "LOCKABLE_SERVE_TEST_ROLE"
	holderResources = "LOCKABLE_SERVE_TEST_RESOURCES"
	holderLocks     = "LOCKABLE_SERVE_TEST_LOCKS"
	holderBackend   = "LOCKABLE_SERVE_TEST_BACKEND"
	holderHost      = "LOCKABLE_SERVE_TEST_HOST"
	holderWants     = "LOCKABLE_SERVE_TEST_WANTS"
	holderOwner     = "LOCKABLE_SERVE_TEST_OWNER"
)

// The tests leave no goroutine behind: a handler's follower and streams
// end with Close, a Lockable's watches with its Close.
func TestMain(m *testing.M) {
	if os.Getenv(holderRole) != "" {
		if err := hold(); err != nil {
			fmt.Fprintln(os.Stderr, "holder:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// hold takes the resource that holderWants names, says "locked <id>
// <unix ms>", and releases it when its stdin says anything or ends, then
// says "released <unix ms>". While another holds the resource, it says
// "waiting" once Lock waits for it (core logs that it does).
func hold() error {
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	opts := []core.Option{core.WithHostname(os.Getenv(holderHost)), core.WithLogger(slog.New(waitingSayer{}))}
	if b := os.Getenv(holderBackend); b != "" {
		opts = append(opts, core.WithBackend(b))
	} else {
		opts = append(opts, core.WithLockFolder(os.Getenv(holderLocks)))
	}
	l, err := core.New(ctx, provider.File(os.Getenv(holderResources)), opts...)
	if err != nil {
		return err
	}
	defer l.Close()
	q, err := query.Parse(os.Getenv(holderWants))
	if err != nil {
		return err
	}
	a, err := l.Lock(ctx, q, core.WithOwner(os.Getenv(holderOwner)))
	if err != nil {
		return err
	}
	fmt.Println("locked", a.ResourceID(), time.Now().UnixMilli())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := a.Unlock(); err != nil {
		return err
	}
	fmt.Println("released", time.Now().UnixMilli())
	return nil
}

// waitingSayer is the holder's log: it says "waiting" when core logs that
// Lock waits, and drops everything else.
type waitingSayer struct{}

func (waitingSayer) Enabled(context.Context, slog.Level) bool { return true }
func (w waitingSayer) WithAttrs([]slog.Attr) slog.Handler     { return w }
func (w waitingSayer) WithGroup(string) slog.Handler          { return w }

func (waitingSayer) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "waiting") {
		fmt.Println("waiting")
	}
	return nil
}
