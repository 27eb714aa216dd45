package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-lockable/lockable/internal/redact"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/serve"
)

// connectBound bounds connecting to the backend when lockable serve
// starts: a service that cannot reach its lab should say so, not hang.
const connectBound = 30 * time.Second

// serve runs the dashboard of the lab the options describe on --listen,
// until SIGINT or SIGTERM, then shuts down gracefully and exits 0.
func (c *cli) serve(ctx context.Context, o *options, args []string) error {
	if err := c.subcommand(o, "serve", o.serveFlags, args); err != nil {
		return err
	}
	if _, err := c.config(o); err != nil {
		return err
	}
	if sigs := stopSignals(); len(sigs) > 0 { // with none, NotifyContext would take every signal
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, sigs...)
		defer stop()
	}
	src := provider.Open(o.resources)
	connect, cancel := context.WithTimeout(ctx, connectBound)
	lk, err := c.openWith(connect, o, src)
	cancel()
	if err != nil {
		return err
	}
	defer c.closeLockable(lk)
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return listenError(o.listen, err)
	}
	name := redact.URL(o.resources)
	h := serve.New(lk, src, serve.WithLogger(c.logger()), serve.WithSourceName(name))
	c.say("serving the lab of %s on http://%s/ (SIGINT or SIGTERM stops)", name, ln.Addr())
	return h.Serve(ctx, ln) // it logs when the lab cannot be read, and when it can again
}

// stopSignals are the signals that stop lockable serve: SIGTERM, and
// SIGINT unless lockable was started with it ignored (a script's
// background job). Go keeps an inherited ignore only for SIGHUP and
// SIGINT, so SIGTERM is always one of them.
func stopSignals() []os.Signal {
	var out []os.Signal
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			out = append(out, sig)
		}
	}
	return out
}

// listenError says that --listen cannot be listened on, and what to do:
// a bad address is bad usage, a taken one a failure.
func listenError(addr string, err error) error {
	var ae *net.AddrError
	var pe *net.ParseError
	if errors.As(err, &ae) || errors.As(err, &pe) {
		return usagef("--listen %s: %v; give host:port, such as 127.0.0.1:7878 or :7878 (every interface)", addr, err)
	}
	return fmt.Errorf("listen on %s: %w; give another address with --listen", addr, err)
}

// logger is where lockable serve logs: stderr, one line per event, with
// the known credentials blanked.
func (c *cli) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(redacting{w: c.stderr, secrets: c.secrets}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// redacting writes to w with the secrets blanked.
type redacting struct {
	w       io.Writer
	secrets *redact.Redactor
}

func (r redacting) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.secrets.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
