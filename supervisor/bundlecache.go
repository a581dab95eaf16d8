package supervisor

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"google.golang.org/protobuf/proto"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
)

// defaultBundleCacheSize bounds the total size of cached linked scripts.
const defaultBundleCacheSize = 64 << 20

// bundleCache keeps the linked scripts that workerhosts made, keyed by
// namespace and a hash of the modules, so a later load of the same code
// skips linking. The supervisor never links code itself: a script comes
// from the workerhost that linked it. Keys include the namespace, so a
// workerhost that was taken over cannot plant a script for another
// namespace's code. Entries are evicted least recently used first.
type bundleCache struct {
	max int

	mu    sync.Mutex
	size  int
	order *list.List // of *bundleEntry, most recently used first
	items map[string]*list.Element
}

type bundleEntry struct {
	key    string
	script string
}

func newBundleCache(max int) *bundleCache {
	return &bundleCache{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

// bundleKey returns the cache key of code in namespace. Only the main
// module and the modules affect the linked script.
func bundleKey(namespace string, code *pb.WorkerCode) string {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&pb.WorkerCode{
		MainModule: code.GetMainModule(),
		Modules:    code.GetModules(),
	})
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(namespace))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *bundleCache) get(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.items[key]
	if el == nil {
		return ""
	}
	c.order.MoveToFront(el)
	return el.Value.(*bundleEntry).script
}

func (c *bundleCache) put(key, script string) {
	if key == "" || len(script) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.items[key]; el != nil {
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&bundleEntry{key: key, script: script})
	c.size += len(script)
	for c.size > c.max {
		last := c.order.Back()
		e := last.Value.(*bundleEntry)
		c.order.Remove(last)
		delete(c.items, e.key)
		c.size -= len(e.script)
	}
}
