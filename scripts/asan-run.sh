#!/usr/bin/env bash
# Runs a command (node ...) with the sanitizer build of the addon (`npm run build:native:asan`): the ASan and UBSan
# runtimes are preloaded into node, which is not itself instrumented. Usage: scripts/asan-run.sh node --import tsx ...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
addon="$root/build-asan/build/Release/simclr_native.node"
[ -f "$addon" ] || { echo "asan-run: $addon missing; run npm run build:native:asan" >&2; exit 2; }
export SIMCLR_ADDON="$addon"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# Leak checking is off: node and V8 keep allocations until exit by design. abort_on_error gives a core-style exit
# code the test runner reports; halt_on_error stops at the first report.
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1:detect_odr_violation=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
exec "$@"
