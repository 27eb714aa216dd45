package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/semver"
)

// releaseVersion checks that s is a version a release can have: semantic,
// canonical, without build metadata.
func releaseVersion(s string) (string, error) {
	if !semver.IsValid(s) || semver.Canonical(s) != s {
		return "", fmt.Errorf("%q is not a release version such as v0.9.0 or v0.9.0-rc.1", s)
	}
	return s, nil
}

// prepare rewrites the go.mod and go.sum of the modules that require
// siblings for version: the siblings required at version, no replace,
// and the hashes of the siblings' committed files.
func prepare(r repo, version string, log func(string, ...any)) error {
	if err := r.clean("go.mod", "go.sum", "go.work"); err != nil {
		return err
	}
	// go.work first: it is one of the library's files, in its hash.
	work, err := r.goWork(version)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.root, "go.work"), work, 0o644); err != nil {
		return err
	}
	log("go.work: the siblings at %s are the work tree's", version)
	mods, err := r.buildAll(version)
	if err != nil {
		return err
	}
	for _, b := range mods {
		if len(b.m.deps) == 0 {
			continue
		}
		dir := filepath.Join(r.root, filepath.FromSlash(b.m.dir))
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), b.goMod, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), b.goSum, 0o644); err != nil {
			return err
		}
		log("%s/go.mod and go.sum: %s requires %s at %s", b.m.dir, b.m.path, strings.Join(b.m.deps, ", "), version)
	}
	log("commit them, then: go run ./release check %s && go run ./release tag %s", version, version)
	return nil
}

// check verifies that the work tree is ready to be tagged version.
func check(r repo, version string, log func(string, ...any)) error {
	if err := r.clean(); err != nil {
		return err
	}
	if err := r.newerThanTags(version); err != nil {
		return err
	}
	changelog, err := os.ReadFile(filepath.Join(r.root, "CHANGELOG.md"))
	if err != nil {
		return err
	}
	if !bytes.Contains(changelog, []byte("## "+version)) {
		return fmt.Errorf("CHANGELOG.md has no section ## %s", version)
	}
	mods, err := r.buildAll(version)
	if err != nil {
		return err
	}
	for _, b := range mods {
		if len(b.m.deps) == 0 {
			continue
		}
		dir := filepath.Join(r.root, filepath.FromSlash(b.m.dir))
		for name, want := range map[string][]byte{"go.mod": b.goMod, "go.sum": b.goSum} {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want) {
				return fmt.Errorf("%s/%s is not what %s needs (siblings at %s, no replace, their hashes): run go run ./release prepare %s", b.m.dir, name, version, version, version)
			}
		}
	}
	work, err := r.goWork(version)
	if err != nil {
		return err
	}
	if got, err := os.ReadFile(filepath.Join(r.root, "go.work")); err != nil || !bytes.Equal(got, work) {
		return errors.Join(err, fmt.Errorf("go.work does not replace the siblings at %s with the work tree's: run go run ./release prepare %s", version, version))
	}
	log("ready to tag %s", version)
	return nil
}

// tag checks, then tags HEAD for every module, each after those it
// requires.
func tag(r repo, version string, log func(string, ...any)) error {
	if err := check(r, version, log); err != nil {
		return err
	}
	var tags []string
	for _, m := range modules {
		t := version
		if m.dir != "." {
			t = m.dir + "/" + version
		}
		if _, err := r.git("tag", "-a", "-m", m.path+" "+version, t); err != nil {
			return err
		}
		log("tagged %s", t)
		tags = append(tags, t)
	}
	log("push them, in this order: git push origin %s", strings.Join(tags, " "))
	return nil
}

// clean fails when the work tree has changes, but for files named as
// allowed.
func (r repo) clean(allowed ...string) error {
	out, err := r.git("status", "--porcelain")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		name := filepath.Base(strings.TrimSpace(line[2:]))
		ok := false
		for _, a := range allowed {
			ok = ok || name == a
		}
		if !ok {
			return fmt.Errorf("the work tree has changes (%s): commit them first, so that the hashes are those of the tagged files", strings.TrimSpace(line))
		}
	}
	return nil
}

// newerThanTags fails unless version is newer than every tag of the
// four modules.
func (r repo) newerThanTags(version string) error {
	out, err := r.git("tag", "--list")
	if err != nil {
		return err
	}
	for _, t := range strings.Fields(out) {
		v := t[strings.LastIndex(t, "/")+1:]
		if semver.IsValid(v) && semver.Compare(v, version) >= 0 {
			return fmt.Errorf("the tag %s is not older than %s", t, version)
		}
	}
	return nil
}
