// Package version tells which version of lockable is running, for the
// User-Agent of the HTTP source and for `lockable version`.
package version

import "runtime/debug"

// The paths of lockable's modules.
const (
	modulePath = "github.com/go-lockable/lockable"
	// CommandModule is the command line's module.
	CommandModule = modulePath + "/cmd/lockable"
	// EtcdModule is the etcd backend's module.
	EtcdModule = modulePath + "/etcd"
)

// String returns the library module's version as recorded in the build
// ("v1.2.3", or a pseudo-version), or "devel" when the build recorded
// none.
func String() string { return Of(modulePath) }

// Of returns the version of the module at path as this program's build
// recorded it, as the main module or as a dependency (go install
// .../cmd/lockable@v0.9.0 records v0.9.0), or "devel" when it recorded
// none (a build from a work tree, or a module replaced by a directory).
func Of(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info, path)
}

func fromBuildInfo(info *debug.BuildInfo, path string) string {
	v := ""
	if info.Main.Path == path {
		v = info.Main.Version
	}
	for _, dep := range info.Deps {
		if dep.Path == path && dep.Replace == nil {
			v = dep.Version
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
