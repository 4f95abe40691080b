#!/usr/bin/env bash
# Packs into .device/ (git-ignored) what scripts/gpu-check.sh needs on a GPU machine that has no network and may have
# no Node: this machine's Node binary, Node's API headers for node-gyp, and node_modules (issue 14, item 5).
#
# usage: scripts/pack-device.sh          then run the check with carry [".device"] (about 40 MB; 64 MiB travel in all)
# Node must be a portable build (NodeSource's or nodejs.org's: linked only against glibc and libstdc++); Debian's own
# nodejs links libnode.so and cannot travel alone. node.xz is reused while the Node binary is unchanged (xz takes
# minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE=$(command -v node) || { echo "pack-device: node is not on PATH" >&2; exit 1; }
NODE=$(readlink -f "$NODE")
NODEDIR=${npm_config_nodedir:-$(dirname "$(dirname "$NODE")")}
HEADERS=(common.gypi config.gypi node_api.h node_api_types.h js_native_api.h js_native_api_types.h node_version.h)

# A binary that needs more than the C/C++ runtime would fail to start on the GPU machine.
if ldd "$NODE" | grep -v -E 'linux-vdso|ld-linux|lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s)\.so' | grep -q '=>'; then
  echo "pack-device: $NODE links more than glibc/libstdc++ and would not run elsewhere:" >&2
  ldd "$NODE" >&2
  exit 1
fi
[ -f package-lock.json ] && [ -d node_modules ] || { echo "pack-device: run npm ci first (node_modules/ is packed)" >&2; exit 1; }
for h in "${HEADERS[@]}"; do
  [ -f "$NODEDIR/include/node/$h" ] || { echo "pack-device: $NODEDIR/include/node/$h is missing (set npm_config_nodedir)" >&2; exit 1; }
done

mkdir -p .device
NODE_SUM=$(sha256sum "$NODE" | cut -d' ' -f1)
if [ "$(cat .device/node.sha256 2>/dev/null)" != "$NODE_SUM" ] || [ ! -f .device/node.xz ]; then
  echo "pack-device: compressing $NODE ($("$NODE" --version))" >&2
  xz -T0 -6 -c "$NODE" >.device/node.xz.tmp && mv .device/node.xz.tmp .device/node.xz
  echo "$NODE_SUM" >.device/node.sha256
fi
# Only the headers an N-API addon and node-gyp's configure step read (the whole include/node is 54 MB).
tar -C "$NODEDIR" -cJf .device/node-headers.tar.xz "${HEADERS[@]/#/include/node/}"
# TypeScript and @types only serve the type check; tsx, node-gyp and the runtime dependencies are what the check runs.
tar --exclude=node_modules/typescript --exclude=node_modules/@types -cf - node_modules | xz -T0 -6 >.device/node_modules.tar.xz
{
  echo "node $("$NODE" --version) sha256 $NODE_SUM"
  echo "package-lock.json sha256 $(sha256sum package-lock.json | cut -d' ' -f1)"
  echo "packed $(date -u +%FT%TZ) on $(uname -m)"
} >.device/MANIFEST
du -ch .device/node.xz .device/node-headers.tar.xz .device/node_modules.tar.xz | sed 's/^/pack-device: /' >&2
