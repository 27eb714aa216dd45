package examples

import (
	"os"
	"testing"

	"github.com/go-lockable/lockable/lockabletest"
)

// lab is the equipment that every test of the package shares: the
// gateway the phones connect through, held from before the first test
// to after the last.
var lab = lockabletest.NewFleet(map[string]string{
	"gateway": `{"type": "gateway"}`,
})

func TestMain(m *testing.M) {
	useExampleLab()
	os.Exit(lockabletest.Main(m, lab))
}

// useExampleLab points the tests at the bundled example lab unless the
// environment configures a lab. The example lab's devices are attached to
// the host lab-runner-1, which is not this machine, so without
// LOCKABLE_HOSTNAME none of them would count as local and every test
// would fail; a real suite gets both variables from its CI instead.
func useExampleLab() {
	if os.Getenv("LOCKABLE_RESOURCES") != "" {
		return
	}
	os.Setenv("LOCKABLE_RESOURCES", "resources.json")
	if os.Getenv("LOCKABLE_HOSTNAME") == "" {
		os.Setenv("LOCKABLE_HOSTNAME", "lab-runner-1")
	}
}
