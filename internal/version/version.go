// Package version tells which version of lockable is running, for the
// User-Agent of the HTTP source and for `lockable version`.
package version

import "runtime/debug"

// modulePath is the path of this module.
const modulePath = "github.com/go-lockable/lockable"

// String returns the module's version as recorded in the build ("v1.2.3",
// or a pseudo-version), or "devel" when the build recorded none.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info)
}

func fromBuildInfo(info *debug.BuildInfo) string {
	v := info.Main.Version
	if info.Main.Path != modulePath {
		v = ""
		for _, dep := range info.Deps {
			if dep.Path == modulePath {
				v = dep.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
