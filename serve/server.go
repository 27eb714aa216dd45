package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts of the server Serve runs. An event stream sets its own
// deadline for each write and lifts the read deadline, so that these
// bound every other request and the streams still last.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10 // a URL with 4 KiB of requirements, percent-encoded
	// ShutdownGrace bounds a graceful shutdown: requests still running
	// after it are cut.
	ShutdownGrace = 5 * time.Second
)

// Serve serves h on ln until ctx is done, then shuts down gracefully: it
// ends the event streams (Close), lets the other requests finish within
// ShutdownGrace, and returns nil. It returns the error that ended serving
// otherwise, and ErrClosed at once when h is closed. It closes ln, and h. The server reads a request's header
// within 5 s, the whole request within 10 s, and each answer (each event)
// is written within 10 s.
func (h *Handler) Serve(ctx context.Context, ln net.Listener) error {
	h.mu.Lock()
	closed := h.isClosed
	h.mu.Unlock()
	if closed {
		_ = ln.Close()
		return ErrClosed
	}
	srv := h.server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		h.Close()
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	h.Close() // the streams end, so that Shutdown need not wait for them
	bounded, cancel := context.WithTimeout(context.Background(), h.cfg.shutdownGrace)
	defer cancel()
	err := srv.Shutdown(bounded)
	<-served // http.ErrServerClosed
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutting down within %s: %w", h.cfg.shutdownGrace, err)
	}
	return nil
}

func (h *Handler) server() *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       h.cfg.readTimeout,
		WriteTimeout:      h.cfg.writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(h.cfg.log.Handler(), slog.LevelWarn),
	}
}

// ErrClosed: the handler was closed.
var ErrClosed = errors.New("serve: handler closed")
