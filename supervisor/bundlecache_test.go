package supervisor

import (
	"strings"
	"testing"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

func TestBundleCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newBundleCache(10)
	c.put("a", "aaaa")
	c.put("b", "bbbb")
	_ = c.get("a")
	c.put("c", "cccc") // over 10 bytes: b, the least recently used, goes
	if c.get("b") != "" {
		t.Error("b is still cached; want it evicted")
	}
	if c.get("a") != "aaaa" || c.get("c") != "cccc" {
		t.Error("a or c was evicted; want both kept")
	}
	c.put("big", strings.Repeat("x", 11))
	if c.get("big") != "" {
		t.Error("a script larger than the cache was cached")
	}
}

func TestBundleKeyDependsOnNamespaceAndModules(t *testing.T) {
	code := &pb.WorkerCode{MainModule: "a.js", Modules: []*pb.Module{{Name: "a.js", Content: &pb.Module_Js{Js: "1"}}}}
	other := &pb.WorkerCode{MainModule: "a.js", Modules: []*pb.Module{{Name: "a.js", Content: &pb.Module_Js{Js: "2"}}}}
	withEnv := &pb.WorkerCode{MainModule: "a.js", Modules: code.Modules, Env: &pb.Value{Kind: &pb.Value_Bool{Bool: true}}}
	if bundleKey("ns", code) == bundleKey("other", code) {
		t.Error("same key in two namespaces")
	}
	if bundleKey("ns", code) == bundleKey("ns", other) {
		t.Error("same key for different modules")
	}
	if bundleKey("ns", code) != bundleKey("ns", withEnv) {
		t.Error("env changed the key; only modules link")
	}
}
