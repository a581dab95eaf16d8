// Package proto holds the .proto files of dynworker and the Go code generated
// from them by scripts/genproto.sh.
package proto
