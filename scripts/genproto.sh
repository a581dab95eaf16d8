#!/usr/bin/env bash
# Regenerates the Go code under proto/ from the .proto files with pinned
# generator versions. Needs protoc (Debian's protobuf-compiler) on PATH.
# With an argument, writes the generated files under that directory instead,
# so a check can compare them with the committed ones.
set -euo pipefail

PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/proto}"
bin="$root/.cache/protoc-bin"
mkdir -p "$bin" "$out"

GOBIN="$bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
GOBIN="$bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"

cd "$root/proto"
PATH="$bin:$PATH" protoc -I . \
  --go_out="$out" --go_opt=paths=source_relative \
  --go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
  dynworker/v1/dynworker.proto workerhost/v1/workerhost.proto
