package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// sumLines are the go.sum lines of b: its zip's hash and its go.mod's.
func (b built) sumLines() ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b.zip), int64(len(b.zip)))
	if err != nil {
		return nil, err
	}
	var names []string
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		entries[f.Name] = f
	}
	zipHash, err := dirhash.Hash1(names, func(name string) (io.ReadCloser, error) { return entries[name].Open() })
	if err != nil {
		return nil, err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b.goMod)), nil
	})
	if err != nil {
		return nil, err
	}
	return []string{
		fmt.Sprintf("%s %s %s", b.m.path, b.version, zipHash),
		fmt.Sprintf("%s %s/go.mod %s", b.m.path, b.version, modHash),
	}, nil
}

// goSum returns m's go.sum from the work tree with the lines of its
// siblings replaced by those of siblings (built at the release version).
func (r repo) goSum(m mod, siblings map[string]built) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(m.dir), "go.sum"))
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		path, _, _ := strings.Cut(line, " ")
		if line == "" || slices.Contains(m.deps, path) {
			continue
		}
		lines = append(lines, line)
	}
	for _, dep := range m.deps {
		b, ok := siblings[dep]
		if !ok {
			return nil, fmt.Errorf("%s requires %s, which was not built first", m.path, dep)
		}
		more, err := b.sumLines()
		if err != nil {
			return nil, err
		}
		lines = append(lines, more...)
	}
	slices.Sort(lines)
	return []byte(strings.Join(lines, "\n") + "\n"), nil
}

// buildAll builds the four modules at version, each with a go.sum that
// holds its siblings' hashes at version.
func (r repo) buildAll(version string) ([]built, error) {
	byPath := map[string]built{}
	var out []built
	for _, m := range modules {
		var sum []byte
		if len(m.deps) > 0 {
			var err error
			if sum, err = r.goSum(m, byPath); err != nil {
				return nil, err
			}
		}
		b, err := r.build(m, version, sum)
		if err != nil {
			return nil, err
		}
		byPath[m.path] = b
		out = append(out, b)
	}
	return out, nil
}
