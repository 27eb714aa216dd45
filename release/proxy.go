package main

import (
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/module"
)

// publish writes the built modules into dir in the layout of a module
// proxy (GOPROXY=file://dir): <escaped path>/@v/{list,VERSION.info,
// VERSION.mod,VERSION.zip}.
func publish(dir string, mods []built, at time.Time) error {
	for _, b := range mods {
		escPath, err := module.EscapePath(b.m.path)
		if err != nil {
			return err
		}
		escVersion, err := module.EscapeVersion(b.version)
		if err != nil {
			return err
		}
		v := filepath.Join(dir, filepath.FromSlash(escPath), "@v")
		if err := os.MkdirAll(v, 0o755); err != nil {
			return err
		}
		for name, data := range map[string][]byte{
			"list":               []byte(b.version + "\n"),
			escVersion + ".info": b.info(at),
			escVersion + ".mod":  b.goMod,
			escVersion + ".zip":  b.zip,
		} {
			if err := os.WriteFile(filepath.Join(v, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
