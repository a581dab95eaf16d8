package loader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeInstance is an Instance that only records its stop.
type fakeInstance struct {
	done chan struct{}
	once sync.Once
}

func newFakeInstance() *fakeInstance { return &fakeInstance{done: make(chan struct{})} }

func (f *fakeInstance) Done() <-chan struct{} { return f.done }
func (f *fakeInstance) Stop()                 { f.once.Do(func() { close(f.done) }) }

func TestLookupProvidesOnce(t *testing.T) {
	l := New(func(context.Context, *Worker) (Instance, error) { return newFakeInstance(), nil })
	defer l.Close()

	var provides atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			w, provide, err := l.Lookup("ns", "a", nil)
			if err != nil {
				t.Error(err)
				return
			}
			if provide {
				provides.Add(1)
				_ = w.Provide(validCode(), nil)
			}
			if _, err := w.Instance(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := provides.Load(); n != 1 {
		t.Errorf("%d callers were asked for code; want 1", n)
	}
}

func TestInstanceSharesStartAndRestarts(t *testing.T) {
	var starts atomic.Int32
	l := New(func(context.Context, *Worker) (Instance, error) {
		starts.Add(1)
		return newFakeInstance(), nil
	})
	defer l.Close()
	w, err := l.Load("ns", validCode(), nil)
	if err != nil {
		t.Fatal(err)
	}

	first, _ := w.Instance(context.Background())
	again, _ := w.Instance(context.Background())
	if first != again || starts.Load() != 1 {
		t.Fatalf("two uses started %d instances; want 1", starts.Load())
	}
	first.Stop()
	if _, err := w.Instance(context.Background()); err != nil || starts.Load() != 2 {
		t.Errorf("use after stop: err %v, %d starts; want a second start", err, starts.Load())
	}
	if !w.Evict() || w.StopReason() != "evicted" {
		t.Errorf("Evict did not record the eviction: %q", w.StopReason())
	}
}

func TestFailureSticks(t *testing.T) {
	l := New(func(context.Context, *Worker) (Instance, error) {
		return nil, Permanent(errors.New("top level threw"))
	})
	defer l.Close()

	w, provide, _ := l.Lookup("ns", "bad", nil)
	if !provide {
		t.Fatal("first lookup was not asked for code")
	}
	_ = w.Provide(validCode(), nil)
	if _, err := w.Instance(context.Background()); err == nil {
		t.Fatal("start succeeded; want the permanent error")
	}
	again, provide, _ := l.Lookup("ns", "bad", nil)
	if provide || again != w {
		t.Error("a failed ID asked for code again; workerd keeps the failure")
	}
	if _, err := again.Instance(context.Background()); err == nil || err.Error() != "top level threw" {
		t.Errorf("second use: %v; want the first failure", err)
	}
}

func TestFindUnknown(t *testing.T) {
	l := New(nil)
	if _, err := l.Find("ns", "nope"); !errors.Is(err, ErrWorkerNotFound) {
		t.Errorf("Find = %v; want ErrWorkerNotFound", err)
	}
	l.Close()
	if _, _, err := l.Lookup("ns", "x", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Lookup after Close = %v; want ErrClosed", err)
	}
}
