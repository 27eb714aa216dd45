package etcd

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-lockable/lockable/internal/duration"
)

const (
	// DefaultTTL is how long a lock outlives its holder's last renewal
	// when the URL gives no ttl.
	DefaultTTL = 10 * time.Second
	// DefaultPrefix is the key prefix when the URL gives no path.
	DefaultPrefix = "/lockable"
	// defaultPort is etcd's client port, for hosts given without one.
	defaultPort = "2379"
	// DefaultTimeout bounds one request to etcd when the URL gives no
	// timeout: connecting, reading, writing.
	DefaultTimeout = 5 * time.Second
)

// settings is what a backend URL says.
type settings struct {
	endpoints []string // host:port
	prefix    string   // keys are prefix + "/res/" + resource id
	ttl       time.Duration
	timeout   time.Duration
	user      string
	password  string
}

// parseURL reads etcd://[user:password@]host1[:port],host2[:port]/prefix?ttl=10s&timeout=5s.
func parseURL(u *url.URL) (settings, error) {
	s := settings{prefix: DefaultPrefix, ttl: DefaultTTL, timeout: DefaultTimeout}
	for host := range strings.SplitSeq(u.Host, ",") {
		if host == "" {
			return settings{}, fmt.Errorf("an empty host in %q", u.Host)
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(host, defaultPort)
		}
		s.endpoints = append(s.endpoints, host)
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		s.prefix = p
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	for key, values := range u.Query() {
		v := values[len(values)-1]
		var err error
		switch key {
		case "ttl":
			s.ttl, err = parseTTL(v)
		case "timeout":
			s.timeout, err = parseTimeout(v)
		default:
			err = fmt.Errorf("unknown parameter %q: the parameters are ttl and timeout (such as ttl=10s&timeout=5s)", key)
		}
		if err != nil {
			return settings{}, err
		}
	}
	return s, nil
}

// parseTimeout reads the bound of one request: a positive duration.
func parseTimeout(v string) (time.Duration, error) {
	d, err := duration.Parse(v)
	if err == nil && d <= 0 {
		err = errors.New("is not positive")
	}
	if err != nil {
		return 0, fmt.Errorf("timeout %q %v (such as 5s)", v, err)
	}
	return d, nil
}

// parseTTL reads a lease time, at least 1s; etcd counts leases in whole
// seconds, so it is rounded up.
func parseTTL(v string) (time.Duration, error) {
	d, err := duration.Parse(v)
	if err != nil {
		return 0, fmt.Errorf("ttl %q %v (such as 10s)", v, err)
	}
	if d < time.Second {
		return 0, fmt.Errorf("ttl %q is shorter than etcd's smallest lease, 1s", v)
	}
	return time.Duration(math.Ceil(d.Seconds())) * time.Second, nil
}
