#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ (the normal build/Release
# stays as it is), for scripts/asan-run.sh. Only the addon is instrumented: libtorch and node are not.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/build-asan"
mkdir -p "$work"
# node-gyp builds into ./build of the folder it runs in, so it runs in a folder that mirrors the sources.
ln -sfn "$root/native" "$work/native"
ln -sfn "$root/node_modules" "$work/node_modules"
cp "$root/binding.gyp" "$work/binding.gyp"
cd "$work"
sanitize="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# -O1 -g: readable ASan reports at a usable speed.
# The same Node headers npm's own install step uses (npm's nodedir setting, when there is one).
nodedir="$(cd "$root" && npm config get nodedir 2>/dev/null || true)"
args=(rebuild -j 2)
[ -n "$nodedir" ] && [ "$nodedir" != "undefined" ] && args+=(--nodedir "$nodedir")
CXXFLAGS="$sanitize -O1 -g" LDFLAGS="$sanitize" "$root/node_modules/.bin/node-gyp" "${args[@]}" >build.log 2>&1 ||
  { tail -40 build.log; exit 1; }
echo "build-asan/build/Release/simclr_native.node"
