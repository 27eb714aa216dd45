package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// sandbox runs the go command as an outside user would: outside the
// workspace, with a module cache of its own, our modules from a local
// proxy and the rest from the usual one.
type sandbox struct {
	dir string // everything lives here
	env []string
	log func(format string, args ...any)
}

func newSandbox(dir, proxy string, log func(string, ...any)) (*sandbox, error) {
	upstream, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOPROXY: %w", err)
	}
	s := &sandbox{dir: dir, log: log}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "GOROOT=") || strings.HasPrefix(kv, "GOCACHE=") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env,
		"GOPROXY=file://"+filepath.ToSlash(proxy)+","+strings.TrimSpace(string(upstream)),
		"GONOSUMDB="+libPath, // ours are in no checksum database
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOFLAGS=-modcacherw", // so that the cache can be removed
		"GOMODCACHE="+filepath.Join(dir, "modcache"),
		"GOBIN="+filepath.Join(dir, "bin"),
		"GOPATH="+filepath.Join(dir, "gopath"),
	)
	return s, nil
}

// run runs a program in dir (relative to the sandbox), with extra
// environment, and returns its combined output.
func (s *sandbox) run(dir string, extra []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = filepath.Join(s.dir, dir)
	cmd.Env = append(append([]string{}, s.env...), extra...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	s.log("  $ (cd %s && %s %s)", dir, name, strings.Join(args, " "))
	start := time.Now()
	err := cmd.Run()
	s.log("    %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		return out.String(), fmt.Errorf("%s %s in %s: %w\n%s", name, strings.Join(args, " "), dir, err, out.String())
	}
	return out.String(), nil
}

// write writes files (name: content) into dir of the sandbox.
func (s *sandbox) write(dir string, files map[string]string) error {
	for name, content := range files {
		path := filepath.Join(s.dir, dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// rehearse publishes the work tree at version into a proxy in work and
// uses it as an outside user would.
func rehearse(r repo, work, version string, log func(string, ...any)) error {
	mods, err := r.buildAll(version)
	if err != nil {
		return err
	}
	proxy := filepath.Join(work, "proxy")
	if err := publish(proxy, mods, time.Now()); err != nil {
		return err
	}
	log("published %d modules at %s into %s", len(mods), version, proxy)
	s, err := newSandbox(work, proxy, log)
	if err != nil {
		return err
	}
	for _, step := range []struct {
		name string
		run  func(*sandbox, string) error
	}{
		{"go install the command", installCommand},
		{"go get the etcd module alone", getEtcd},
		{"go get the serve module alone", getServe},
		{"go test with lockabletest", testWithLockabletest},
	} {
		log("%s", step.name)
		if err := step.run(s, version); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
	}
	return nil
}

const rehearsalLab = `[{"id": "p1", "hostname": "rehearsal-host", "online": true, "type": "phone"}]`

// installCommand installs the command at version, checks that it names
// its version, and holds a resource with it.
func installCommand(s *sandbox, version string) error {
	if err := s.write("install", map[string]string{"resources.json": rehearsalLab}); err != nil {
		return err
	}
	if _, err := s.run("install", nil, "go", "install", libPath+"/cmd/lockable@"+version); err != nil {
		return err
	}
	lockable := filepath.Join(s.dir, "bin", "lockable")
	out, err := s.run("install", nil, lockable, "version")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(out, "lockable "+version+" (") {
		return fmt.Errorf("lockable version says %q, want lockable %s", strings.TrimSpace(out), version)
	}
	out, err = s.run("install", nil, lockable, "--resources", "resources.json", "--lock-folder", "locks",
		"--hostname", "rehearsal-host", "--", "echo holding $ID")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "holding p1" {
		return fmt.Errorf("the installed command printed %q, want holding p1", out)
	}
	return nil
}

// getEtcd adds the etcd module alone to a new module and builds a program
// that links it: its scheme is then known.
func getEtcd(s *sandbox, version string) error {
	err := s.write("etcduser", map[string]string{
		"go.mod": "module example.com/etcduser\n\ngo 1.26\n",
		"main.go": `package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/go-lockable/lockable/core"
	_ "github.com/go-lockable/lockable/etcd"
	"github.com/go-lockable/lockable/provider"
)

// main tries a backend nobody listens on: the error must say so, not that
// the scheme is unknown.
func main() {
	_, err := core.New(context.Background(), provider.List(nil), core.WithBackend("etcd://127.0.0.1:1/lab?timeout=200ms"))
	if err == nil || errors.Is(err, core.ErrUnknownBackend) {
		fmt.Println("unexpected:", err)
		os.Exit(1)
	}
	fmt.Println("linked")
}
`,
	})
	if err != nil {
		return err
	}
	for _, args := range [][]string{
		{"get", libPath + "/etcd@" + version},
		{"mod", "tidy"},
		{"build", "-o", "etcduser", "."},
	} {
		if _, err := s.run("etcduser", nil, "go", args...); err != nil {
			return err
		}
	}
	out, err := s.run("etcduser", nil, filepath.Join(s.dir, "etcduser", "etcduser"))
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "linked" {
		return fmt.Errorf("the program printed %q", out)
	}
	return nil
}

// getServe adds the serve module alone to a new module and runs a
// program that mounts the dashboard and reads the lab's status from it.
func getServe(s *sandbox, version string) error {
	err := s.write("serveuser", map[string]string{
		"go.mod": "module example.com/serveuser\n\ngo 1.26\n",
		"main.go": `package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"

	"github.com/go-lockable/lockable/core"
	"github.com/go-lockable/lockable/provider"
	"github.com/go-lockable/lockable/serve"
)

func main() {
	src := provider.List([]map[string]any{{"id": "p1", "hostname": "h", "online": true}})
	lk, err := core.New(context.Background(), src, core.WithHostname("h"), core.WithLockFolder(os.Args[1]))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer lk.Close()
	h := serve.New(lk, src)
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/api/status")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
}
`,
	})
	if err != nil {
		return err
	}
	for _, args := range [][]string{
		{"get", libPath + "/serve@" + version},
		{"mod", "tidy"},
		{"build", "-o", "serveuser", "."},
	} {
		if _, err := s.run("serveuser", nil, "go", args...); err != nil {
			return err
		}
	}
	out, err := s.run("serveuser", nil, filepath.Join(s.dir, "serveuser", "serveuser"), filepath.Join(s.dir, "serveuser-locks"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(out, `{"version":1,"hostname":"h","resources":[{"id":"p1","state":"free"`) {
		return fmt.Errorf("the program printed %q", out)
	}
	return nil
}

// testWithLockabletest runs go test on a new module whose test holds a
// resource with lockabletest.Require.
func testWithLockabletest(s *sandbox, version string) error {
	err := s.write("testuser", map[string]string{
		"go.mod":         "module example.com/testuser\n\ngo 1.26\n",
		"resources.json": rehearsalLab,
		"lab_test.go": `package lab

import (
	"testing"

	"github.com/go-lockable/lockable/lockabletest"
)

func TestPhone(t *testing.T) {
	phone := lockabletest.Require(t, "type=phone")
	if phone.ResourceID() != "p1" {
		t.Fatalf("got %s", phone.ResourceID())
	}
}
`,
	})
	if err != nil {
		return err
	}
	env := []string{"LOCKABLE_HOSTNAME=rehearsal-host", "LOCKABLE_ON_UNAVAILABLE=fail",
		"LOCKABLE_LOCK_FOLDER=" + filepath.Join(s.dir, "testuser-locks")}
	for _, args := range [][]string{
		{"get", libPath + "@" + version},
		{"mod", "tidy"},
		{"test", "-count=1", "-v", "./..."},
	} {
		out, err := s.run("testuser", env, "go", args...)
		if err != nil {
			return err
		}
		if args[0] == "test" && !strings.Contains(out, "--- PASS: TestPhone") {
			return errors.New("the test did not pass:\n" + out)
		}
	}
	return nil
}
