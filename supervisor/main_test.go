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
		if err := workerhost.Serve(); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
