package supervisor_test

import (
	"os"
	"testing"

	"github.com/dynworker/dynworker/workerhost"
)

// TestMain makes the test binary serve as the workerhost when the
// supervisor under test starts it with the argument "workerhost".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "workerhost" {
		os.Exit(workerhost.Main(os.Args[2:], os.Stderr))
	}
	os.Exit(m.Run())
}
