package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"main module tagged", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, "v1.2.3"},
		{"main module devel", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "devel"},
		{"as a dependency", debug.BuildInfo{
			Main: debug.Module{Path: "example.com/lab", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "github.com/other/x", Version: "v9.9.9"}, {Path: modulePath, Version: "v0.4.0"}},
		}, "v0.4.0"},
		{"not found", debug.BuildInfo{Main: debug.Module{Path: "example.com/lab", Version: "v2.0.0"}}, "devel"},
		{"replaced by a directory", debug.BuildInfo{
			Main: debug.Module{Path: "example.com/lab", Version: "(devel)"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "../lockable"}}},
		}, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fromBuildInfo(&tt.info, modulePath))
		})
	}
}

// go install github.com/go-lockable/lockable/cmd/lockable@v0.9.0 records
// the command's module as the main one and the library as a dependency.
func TestFromBuildInfoOfAnInstalledCommand(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Path: CommandModule, Version: "v0.9.0"},
		Deps: []*debug.Module{{Path: modulePath, Version: "v0.9.0"}, {Path: EtcdModule, Version: "v0.9.0"}},
	}
	assert.Equal(t, "v0.9.0", fromBuildInfo(info, CommandModule))
	assert.Equal(t, "v0.9.0", fromBuildInfo(info, modulePath))
	assert.Equal(t, "v0.9.0", fromBuildInfo(info, EtcdModule))
}

func TestStringIsNeverEmpty(t *testing.T) {
	assert.NotEmpty(t, String())
}
