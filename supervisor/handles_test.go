package supervisor

import (
	"testing"

	"github.com/dynworker/dynworker/loader"
)

func TestHandleTableOneHandlePerWorker(t *testing.T) {
	l := loader.New(nil)
	a, _, _ := l.Lookup("ns", "a", nil)
	b, _, _ := l.Lookup("ns", "b", nil)
	var table handleTable

	ha := table.issue(a)
	if again := table.issue(a); again != ha {
		t.Errorf("second issue for one worker = %q; want the first handle %q", again, ha)
	}
	hb := table.issue(b)
	if hb == ha {
		t.Error("two workers got the same handle")
	}
	if table.lookup(ha) != a || table.lookup(hb) != b {
		t.Error("lookup does not return the issued workers")
	}
	if len(table.byHandle) != 2 {
		t.Errorf("%d handles for 2 workers", len(table.byHandle))
	}

	if table.remove(ha) != a || table.lookup(ha) != nil {
		t.Error("remove did not drop the handle")
	}
	if table.issue(a) == ha {
		t.Error("a removed handle was issued again")
	}
	table.removeWorker(b)
	if table.lookup(hb) != nil {
		t.Error("removeWorker did not drop the worker's handle")
	}
}
