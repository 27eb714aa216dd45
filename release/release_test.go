package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/sumdb/dirhash"
)

func thisRepo(t *testing.T) repo {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return repo{root: root}
}

func TestBuildAllMakesWhatAProxyWouldServe(t *testing.T) {
	const v = "v0.0.1-test.1"
	mods, err := thisRepo(t).buildAll(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 4 {
		t.Fatalf("built %d modules", len(mods))
	}
	for _, b := range mods {
		zr, err := zip.NewReader(bytes.NewReader(b.zip), int64(len(b.zip)))
		if err != nil {
			t.Fatal(err)
		}
		prefix := b.m.path + "@" + v + "/"
		names := map[string]bool{}
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, prefix) {
				t.Errorf("%s: %s is outside %s", b.m.path, f.Name, prefix)
			}
			names[strings.TrimPrefix(f.Name, prefix)] = true
		}
		if !names["go.mod"] {
			t.Errorf("%s: no go.mod in the zip", b.m.path)
		}
		for name := range names {
			// A nested module's files belong to it, not to this one.
			if b.m.dir == "." && (strings.HasPrefix(name, "etcd/") || strings.HasPrefix(name, "serve/") || strings.HasPrefix(name, "cmd/lockable/") || strings.HasPrefix(name, "release/")) {
				t.Errorf("the library's zip holds %s, a file of another module", name)
			}
		}
		f, err := modfile.Parse("go.mod", b.goMod, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Replace) > 0 {
			t.Errorf("%s's go.mod keeps replace directives", b.m.path)
		}
		for _, dep := range b.m.deps {
			found := false
			for _, req := range f.Require {
				found = found || req.Mod.Path == dep && req.Mod.Version == v
			}
			if !found {
				t.Errorf("%s does not require %s at %s", b.m.path, dep, v)
			}
			if !bytes.Contains(b.goSum, []byte(dep+" "+v+" h1:")) || !bytes.Contains(b.goSum, []byte(dep+" "+v+"/go.mod h1:")) {
				t.Errorf("%s's go.sum lacks the hashes of %s %s:\n%s", b.m.path, dep, v, b.goSum)
			}
		}
	}
}

// The hashes written into go.sum are those the go command computes for
// the zip the proxy serves.
func TestSumLinesAreTheGoCommandsHashes(t *testing.T) {
	mods, err := thisRepo(t).buildAll("v0.0.1-test.1")
	if err != nil {
		t.Fatal(err)
	}
	lib := mods[0]
	path := filepath.Join(t.TempDir(), "lib.zip")
	if err := os.WriteFile(path, lib.zip, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := dirhash.HashZip(path, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := lib.sumLines()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(lines[0], " "+want) {
		t.Errorf("zip hash line %q, want the hash %s", lines[0], want)
	}
}

func TestReleaseVersion(t *testing.T) {
	for _, ok := range []string{"v0.9.0", "v0.9.0-rc.1", "v1.0.0"} {
		if _, err := releaseVersion(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.9.0", "v0.9", "v0.9.0+meta", "latest", ""} {
		if _, err := releaseVersion(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// go.work gives the work tree's copy of each sibling a module requires,
// at the version it requires (a version not yet tagged has no go.mod
// anywhere else), and keeps its use directives.
func TestGoWorkReplacesTheRequiredSiblings(t *testing.T) {
	const v = "v0.0.1-test.1"
	data, err := thisRepo(t).goWork(v)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range f.Replace {
		if r.Old.Version != v {
			t.Errorf("%s replaced at %q, want %s", r.Old.Path, r.Old.Version, v)
		}
		got[r.Old.Path] = r.New.Path
	}
	want := map[string]string{libPath: "./", libPath + "/etcd": "./etcd", libPath + "/serve": "./serve"}
	if len(got) != len(want) {
		t.Errorf("replacements %v, want %v", got, want)
	}
	for path, dir := range want {
		if got[path] != dir {
			t.Errorf("%s => %q, want %q", path, got[path], dir)
		}
	}
	if len(f.Use) != len(modules)+1 {
		t.Errorf("go.work uses %d modules, want the %d and the release tool", len(f.Use), len(modules))
	}
}
