package etcd

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The gRPC status codes of etcd's answers that lockable acts on. The
// JSON gateway maps them to HTTP statuses in ways that differ between
// builds, so lockable reads the code, not the status.
const (
	codeUnknown          = 2  // also "context deadline exceeded" of a write without a leader
	codeDeadlineExceeded = 4  // the member gave up on the request
	codeNotFound         = 5  // a lease that does not exist
	codeInternal         = 13 // the member is broken
	codeUnavailable      = 14 // no leader, or the member is stopping
	codeDataLoss         = 15 // the member is broken
	codeUnauthenticated  = 16 // an auth token that expired or is unknown
)

// maxErrorBody bounds what is read of an answer that is an error.
const maxErrorBody = 64 << 10

// errLeaseNotFound: etcd knows no such lease (it expired, or was
// revoked).
var errLeaseNotFound = errors.New("etcdserver: requested lease not found")

// apiError is an error that etcd answered.
type apiError struct {
	Code    int    // the gRPC status code; 0 when the answer had none
	Message string // etcd's, such as "etcdserver: no leader"
	Status  int    // the HTTP status
}

func (e *apiError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("HTTP %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
	}
	return e.Message
}

// elsewhere reports whether another member may answer where this one
// failed: it has no leader, gave up, or is broken.
func (e *apiError) elsewhere() bool {
	switch e.Code {
	case codeUnknown, codeDeadlineExceeded, codeInternal, codeUnavailable, codeDataLoss:
		return true
	case 0:
		return e.Status >= http.StatusInternalServerError
	}
	return false
}

// statusBody is an error as the gateway writes it: {"error":"msg",
// "message":"msg","code":N} from a call (etcd 3.4, 3.5),
// {"code":N,"message":"msg","details":[]} (3.6), and from a stream the
// same wrapped in {"error":{...}}, where 3.4 and 3.5 name the code
// grpc_code.
type statusBody struct {
	Code     int             `json:"code"`
	GRPCCode int             `json:"grpc_code"`
	Message  string          `json:"message"`
	Error    json.RawMessage `json:"error"`
}

// parseError reads an error answer of any of those shapes; an answer that
// is not JSON (another server on the port) keeps its text.
func parseError(status int, body []byte) *apiError {
	e := &apiError{Status: status}
	var s statusBody
	if err := json.Unmarshal(body, &s); err != nil {
		e.Message = snippet(body)
		return e
	}
	s = s.unwrapped()
	e.Code = cmp.Or(s.GRPCCode, s.Code)
	e.Message = cmp.Or(s.Message, snippet(body))
	return e
}

// unwrapped returns the status a stream's answer wraps in "error", or s
// itself, with the message that 3.4 also gives as "error".
func (s statusBody) unwrapped() statusBody {
	var inner statusBody
	if bytes.HasPrefix(bytes.TrimSpace(s.Error), []byte("{")) && json.Unmarshal(s.Error, &inner) == nil {
		return inner
	}
	if s.Message == "" {
		_ = json.Unmarshal(s.Error, &s.Message)
	}
	return s
}

// snippet is the start of a body, for a message.
func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// hasCode reports whether err is etcd's answer with the gRPC code.
func hasCode(err error, code int) bool {
	var e *apiError
	return errors.As(err, &e) && e.Code == code
}

// elsewhere reports whether err leaves a chance that another member, or
// the same one a moment later, answers: no connection, or a member that
// cannot serve. A done context leaves none.
func elsewhere(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *apiError
	if errors.As(err, &e) {
		return e.elsewhere()
	}
	var ue *url.Error
	return errors.As(err, &ue) // no answer at all
}
