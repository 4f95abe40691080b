#!/usr/bin/env bash
# Regenerates src/export/proto/onnx_pb.ts (typed ONNX protobuf messages for @bufbuild/protobuf) from the official
# onnx.proto beside it (onnx/onnx v1.22.0, onnx/onnx.proto, Apache-2.0). Needs protoc: apt-get install protobuf-compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "gen-onnx-proto: protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
dir=src/export/proto
protoc --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es --es_out="$dir" --es_opt=target=ts,import_extension=js \
  -I "$dir" "$dir/onnx.proto"
echo "wrote $dir/onnx_pb.ts"
