package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// mod is one of the modules released together.
type mod struct {
	path string   // module path
	dir  string   // directory in the repository, slash-separated
	deps []string // paths of the siblings it requires
}

const libPath = "github.com/go-lockable/lockable"

// modules are the four modules, each after those it requires.
var modules = []mod{
	{path: libPath, dir: "."},
	{path: libPath + "/etcd", dir: "etcd", deps: []string{libPath}},
	{path: libPath + "/serve", dir: "serve", deps: []string{libPath, libPath + "/etcd"}}, // etcd for its tests
	{path: libPath + "/cmd/lockable", dir: "cmd/lockable", deps: []string{libPath, libPath + "/etcd", libPath + "/serve"}},
}

// repo is the repository's work tree.
type repo struct {
	root string
}

// git runs git in the repository and returns its standard output.
func (r repo) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// files lists the committed files of m (git ls-files), as paths relative
// to the module's directory. Files of nested modules are left in: the zip
// leaves them out, as the module proxy does.
func (r repo) files(m mod) ([]string, error) {
	out, err := r.git("ls-files", "-z", "--", m.dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		if f == "" {
			continue
		}
		rel := f
		if m.dir != "." {
			rel = strings.TrimPrefix(f, m.dir+"/")
		}
		files = append(files, rel)
	}
	return files, nil
}

// goMod returns m's go.mod rewritten for version: its siblings required
// at version, without replace directives.
func (r repo) goMod(m mod, version string) ([]byte, error) {
	name := filepath.Join(r.root, filepath.FromSlash(m.dir), "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		return nil, err
	}
	for _, dep := range m.deps {
		if err := f.AddRequire(dep, version); err != nil {
			return nil, err
		}
	}
	for _, rep := range f.Replace {
		if err := f.DropReplace(rep.Old.Path, rep.Old.Version); err != nil {
			return nil, err
		}
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}

// goWork returns go.work with the siblings that modules require at
// version replaced by their directories. The go command reads the go.mod
// of every version a module requires, workspace or not (golang/go#54264),
// and a version not yet tagged has none anywhere: these replacements give
// the work tree's, so that the workspace builds before, and after, the
// tags are pushed.
func (r repo) goWork(version string) ([]byte, error) {
	name := filepath.Join(r.root, "go.work")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseWork(name, data, nil)
	if err != nil {
		return nil, err
	}
	required := map[string]bool{}
	for _, m := range modules {
		for _, dep := range m.deps {
			required[dep] = true
		}
	}
	for _, rep := range f.Replace {
		if required[rep.Old.Path] {
			if err := f.DropReplace(rep.Old.Path, rep.Old.Version); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range modules {
		if !required[m.path] {
			continue
		}
		dir := "./" + m.dir
		if m.dir == "." {
			dir = "./"
		}
		if err := f.AddReplace(m.path, version, dir, ""); err != nil {
			return nil, err
		}
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}

// zipFile is one file of a module zip: from the work tree, or given.
type zipFile struct {
	rel  string // relative to the module
	name string // on disk
	data []byte // when not nil, the content instead of the disk's
}

func (f zipFile) Path() string { return f.rel }

func (f zipFile) Lstat() (fs.FileInfo, error) {
	fi, err := os.Lstat(f.name)
	if err != nil || f.data == nil {
		return fi, err
	}
	return sizedInfo{fi, int64(len(f.data))}, nil
}

func (f zipFile) Open() (io.ReadCloser, error) {
	if f.data != nil {
		return io.NopCloser(bytes.NewReader(f.data)), nil
	}
	return os.Open(f.name)
}

// sizedInfo is a file's info with the size of the content given for it.
type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (s sizedInfo) Size() int64 { return s.size }

// built is one module at one version, as a proxy serves it.
type built struct {
	m       mod
	version string
	goMod   []byte
	goSum   []byte // nil: the work tree's, unchanged
	zip     []byte
}

// build makes m's zip at version from its committed files, with its go.mod
// rewritten for version and the given go.sum content (nil: the disk's).
func (r repo) build(m mod, version string, goSum []byte) (built, error) {
	rels, err := r.files(m)
	if err != nil {
		return built{}, err
	}
	gm, err := r.goModFor(m, version)
	if err != nil {
		return built{}, err
	}
	files := make([]zip.File, 0, len(rels))
	for _, rel := range rels {
		f := zipFile{rel: rel, name: filepath.Join(r.root, filepath.FromSlash(path.Join(m.dir, rel)))}
		switch rel {
		case "go.mod":
			f.data = gm
		case "go.sum":
			f.data = goSum // nil: the disk's
		}
		files = append(files, f)
	}
	var b bytes.Buffer
	if err := zip.Create(&b, module.Version{Path: m.path, Version: version}, files); err != nil {
		return built{}, fmt.Errorf("zip %s@%s: %w", m.path, version, err)
	}
	return built{m: m, version: version, goMod: gm, goSum: goSum, zip: b.Bytes()}, nil
}

// goModFor is the go.mod m has at version: rewritten when it requires
// siblings, the work tree's otherwise.
func (r repo) goModFor(m mod, version string) ([]byte, error) {
	if len(m.deps) == 0 {
		return os.ReadFile(filepath.Join(r.root, filepath.FromSlash(m.dir), "go.mod"))
	}
	return r.goMod(m, version)
}

// info is the .info file a proxy serves for a version.
func (b built) info(at time.Time) []byte {
	return fmt.Appendf(nil, "{\"Version\":%q,\"Time\":%q}\n", b.version, at.UTC().Format(time.RFC3339))
}
