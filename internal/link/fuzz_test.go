package link

import (
	"bytes"
	"testing"
)

// FuzzReadFrame feeds arbitrary bytes to the frame decoder, which reads
// what a workerhost sends: it must return frames or an error, never panic
// or allocate past the limit.
func FuzzReadFrame(f *testing.F) {
	f.Add(rawFrame(header{stream: 2, typ: frameOpen, method: 1}, []byte("hello")))
	f.Add(rawFrame(header{stream: 3, typ: frameWindow}, []byte{0, 0, 1, 0}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		buf := make([]byte, headerSize)
		for {
			h, payload, err := readFrame(r, buf, 1<<16)
			if err != nil {
				return
			}
			if int(h.length) != len(payload) || h.length > 1<<16 {
				t.Fatalf("header length %d, payload %d bytes", h.length, len(payload))
			}
		}
	})
}
