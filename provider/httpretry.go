package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// attemptError is a failed attempt: what went wrong and whether, and
// when, to try again.
type attemptError struct {
	err        error
	retryable  bool
	retryAfter time.Duration // the server's Retry-After, 0 when none
	answered   bool          // the server answered with an error status
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// fetch makes attempts until one succeeds, one fails for good, the
// retries or the budget are spent, or ctx ends.
func (s *HTTPSource) fetch(ctx context.Context) ([]Resource, error) {
	start := time.Now()
	var answer *attemptError // the server's last error status
	for attempt := 1; ; attempt++ {
		limit := min(s.cfg.timeout, s.cfg.budget-time.Since(start))
		res, err := s.attempt(ctx, limit)
		var ae *attemptError
		if !errors.As(err, &ae) {
			return res, err
		}
		if ae.answered {
			answer = ae
		}
		if ctx.Err() != nil {
			return nil, s.stopped(ctx, ae)
		}
		wait, again, note := s.nextWait(ae, attempt, time.Since(start))
		if !again {
			if answer != nil && answer != ae {
				note += fmt.Sprintf("; the server's last answer: %v", answer.err)
			}
			return nil, fmt.Errorf("%w: GET %s: %w%s", ErrUnavailable, s.display, ae.err, note)
		}
		s.cfg.logger.Warn("resources list: attempt failed, retrying", "url", s.display,
			"attempt", attempt, "error", s.secrets.String(ae.err.Error()), "wait", wait)
		if err := s.cfg.sleep(ctx, wait); err != nil {
			return nil, s.stopped(ctx, ae)
		}
	}
}

// nextWait returns how long to wait before the next attempt, or false and
// a note on why there is none.
func (s *HTTPSource) nextWait(ae *attemptError, attempt int, elapsed time.Duration) (time.Duration, bool, string) {
	if !ae.retryable {
		return 0, false, ""
	}
	if attempt > s.cfg.retries {
		return 0, false, fmt.Sprintf(" (gave up after %d attempts)", attempt)
	}
	wait := ae.retryAfter
	if wait <= 0 {
		wait = backoff(s.cfg.backoffMin, s.cfg.backoffMax, attempt)
	}
	if elapsed+wait >= s.cfg.budget {
		return 0, false, fmt.Sprintf(" (gave up after %d attempts: waiting %s more would pass the retry budget of %s)",
			attempt, wait.Round(time.Millisecond), s.cfg.budget)
	}
	return wait, true, ""
}

// stopped is the error of a fetch that ctx ended.
func (s *HTTPSource) stopped(ctx context.Context, last *attemptError) error {
	return fmt.Errorf("fetching resources list %s: %w (last attempt: %v)", s.display, ctx.Err(), last.err)
}

// backoff returns the wait before retry number attempt: minWait doubled
// each time up to maxWait, then jittered down by up to half, so that many
// clients do not retry in step.
func backoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	d := maxWait
	if shift := attempt - 1; shift < 32 && minWait<<shift < maxWait {
		d = minWait << shift
	}
	half := d / 2
	return d - half + rand.N(half+1)
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date,
// relative to now; 0 when absent or unreadable.
func retryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		return time.Duration(max(min(secs, int64(24*time.Hour/time.Second)), 0)) * time.Second
	}
	if t, err := http.ParseTime(value); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
