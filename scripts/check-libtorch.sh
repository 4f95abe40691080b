#!/usr/bin/env bash
# Builds the addon against Debian 13 (trixie)'s libtorch 2.6 inside a cached debootstrap root and runs the test suite
# there (issue 14, item 2). --cuda: contrib's CUDA build of libtorch 2.6 + NCCL instead, compiled and linked only.
#
# usage: sudo scripts/check-libtorch.sh [--cuda] [--no-tests] [--refresh] [-- test files or folders...]
#   --cuda      install libtorch-cuda-dev + libnccl-dev + nvidia-cuda-dev and check that the addon compiles and links
#               with NCCL (there is no GPU here to run it on)
#   --no-tests  build only
#   --refresh   rebuild the variant's root from the cached base (after an interrupted install, say)
# Cache: $SIMCLR_TRIXIE_CACHE (default /var/cache/simclr-trixie): base/ (debootstrap), root-cpu/, root-cuda/, logs/.
# Needs root (debootstrap, chroot, mounts) and network access to a Debian mirror ($DEBIAN_MIRROR) and to npm.
set -euo pipefail

VARIANT=cpu
RUN_TESTS=1
REFRESH=0
TEST_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) VARIANT=cuda ;;
    --no-tests) RUN_TESTS=0 ;;
    --refresh) REFRESH=1 ;;
    --) shift; TEST_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "check-libtorch: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${SIMCLR_TRIXIE_CACHE:-/var/cache/simclr-trixie}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=$CACHE/base
ROOT=$CACHE/root-$VARIANT
WORK=/work/simclr           # the project's copy, inside the root
LOGS=$CACHE/logs
START=$SECONDS

log() { printf '[check-libtorch %s +%ss] %s\n' "$(date +%T)" "$((SECONDS - START))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mounts); run it with sudo"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
mkdir -p "$CACHE" "$LOGS"

# One run per variant at a time: two runs would share mounts and the dpkg database.
exec 9>"$CACHE/$VARIANT.lock"
flock -n 9 || die "another check-libtorch --$VARIANT run holds $CACHE/$VARIANT.lock"

# Packages of each variant. g++/make/python3: node-gyp; libnode-dev: Node's headers, so node-gyp does not download
# them; libopenblas0-openmp: fast BLAS (DESIGN.md 3); dataset-fashion-mnist: the real-data tests; python3-torch: the
# PyTorch 2.6 side of the safetensors interop test. The CUDA build wants the CUDA variant of Gloo's headers, and
# nvidia-cuda-dev/libnccl-dev for cuda_runtime_api.h and nccl.h, which ProcessGroupNCCL.hpp includes.
COMMON="ca-certificates g++ make python3 nodejs npm libnode-dev"
if [ "$VARIANT" = cuda ]; then
  PACKAGES="$COMMON libtorch-cuda-dev libgloo-cuda-dev libnccl-dev nvidia-cuda-dev"
else
  PACKAGES="$COMMON libtorch-dev libgloo-dev libopenblas0-openmp dataset-fashion-mnist python3-torch"
fi

# ---- mounts, undone on every exit ----
MOUNTS=()
cleanup() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || log "could not unmount ${MOUNTS[$i]}"
  done
  MOUNTS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_into() {  # mount_into ROOT: /proc, /sys, /dev (+pts, a private /dev/shm) for apt, npm and the tests
  local r=$1
  mount -t proc proc "$r/proc"; MOUNTS+=("$r/proc")
  mount -t sysfs sys "$r/sys"; MOUNTS+=("$r/sys")
  mount --bind /dev "$r/dev"; MOUNTS+=("$r/dev")
  mount --bind /dev/pts "$r/dev/pts"; MOUNTS+=("$r/dev/pts")
  mount -t tmpfs -o mode=1777 shm "$r/dev/shm"; MOUNTS+=("$r/dev/shm")
}

# A clean environment inside the root. The host's CA bundle travels in as /etc/simclr-host-ca.crt: where the host
# reaches npm through a proxy with its own CA, Node inside the root must trust that CA too.
in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    NODE_EXTRA_CA_CERTS=/etc/simclr-host-ca.crt npm_config_cafile=/etc/simclr-host-ca.crt \
    npm_config_nodedir=/usr npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
    ${HTTP_PROXY:+HTTP_PROXY=$HTTP_PROXY} ${HTTPS_PROXY:+HTTPS_PROXY=$HTTPS_PROXY} ${NO_PROXY:+NO_PROXY=$NO_PROXY} \
    "$@"
}

# ---- 1. the base root (debootstrap once; every variant starts from a copy) ----
if [ ! -f "$BASE/.simclr-base-ok" ]; then
  log "debootstrap trixie into $BASE (once; cached)"
  rm -rf "$BASE"
  debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware trixie "$BASE" "$MIRROR" \
    >"$LOGS/debootstrap.log" 2>&1 || die "debootstrap (see $LOGS/debootstrap.log)"
  # contrib (libtorch-cuda-dev) and non-free (nvidia-cuda-dev, libnccl-dev) are needed by --cuda
  printf 'deb %s trixie main contrib non-free non-free-firmware\ndeb %s trixie-updates main contrib non-free non-free-firmware\n' \
    "$MIRROR" "$MIRROR" >"$BASE/etc/apt/sources.list"
  touch "$BASE/.simclr-base-ok"
fi

# ---- 2. the variant's root, with its packages (skipped when the installed list already matches) ----
if [ "$REFRESH" = 1 ] || [ ! -f "$ROOT/.simclr-root-ok" ]; then
  log "copying the base root to $ROOT"
  rm -rf "$ROOT"
  cp -a "$BASE" "$ROOT"
  touch "$ROOT/.simclr-root-ok"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/simclr-host-ca.crt" 2>/dev/null || : >"$ROOT/etc/simclr-host-ca.crt"
mount_into "$ROOT"

# libtorch-cuda-2.6 depends on nvidia-cudnn, whose configure step downloads cuDNN from NVIDIA: that fails without
# NVIDIA's servers, after every file is unpacked. Accept exactly that: nvidia-cudnn half-configured and nothing else
# broken except packages left unconfigured because they depend on it.
only_cudnn_failed() {
  local states
  states=$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' | grep -v '^ii ' || true)
  printf '%s\n' "$states" >"$LOGS/dpkg-states-$VARIANT.txt"
  printf '%s\n' "$states" | grep -q '^iF  *nvidia-cudnn$' || return 1
  ! printf '%s\n' "$states" | grep -v '^iF  *nvidia-cudnn$' | grep -v '^iU ' | grep -v '^rc ' | grep -q .
}

if [ "$(cat "$ROOT/.simclr-packages" 2>/dev/null)" != "$PACKAGES" ]; then
  log "apt-get install ($VARIANT): $PACKAGES"
  in_root apt-get update -q >"$LOGS/apt-$VARIANT.log" 2>&1 || die "apt-get update (see $LOGS/apt-$VARIANT.log)"
  if ! in_root apt-get install -y -q --no-install-recommends $PACKAGES >>"$LOGS/apt-$VARIANT.log" 2>&1; then
    if [ "$VARIANT" = cuda ] && only_cudnn_failed; then
      log "apt-get: nvidia-cudnn's cuDNN download failed as expected (libcudnn.so.9 missing: compile and link only)"
    else
      die "apt-get install (see $LOGS/apt-$VARIANT.log and $LOGS/dpkg-states-$VARIANT.txt)"
    fi
  fi
  echo "$PACKAGES" >"$ROOT/.simclr-packages"
fi
TORCH_H=$ROOT/usr/include/torch/csrc/api/include/torch/version.h
log "in the root: libtorch $(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v == "" ? "" : ".") $3} END {print v}' "$TORCH_H"), node $(in_root node --version)"

# ---- 3. the project tree: tracked and untracked-but-not-ignored files (no node_modules, build, runs) ----
# Old copies are replaced except node_modules/ and build/; tar keeps modification times, so make recompiles only the
# sources that changed since the last run.
log "copying the project into $ROOT$WORK"
mkdir -p "$ROOT$WORK"
find "$ROOT$WORK" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name build -exec rm -rf {} +
(cd "$REPO" && git -c safe.directory="$REPO" ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$ROOT$WORK"

# ---- 4. dependencies and the addon ----
LOCK_HASH=$(sha256sum "$REPO/package-lock.json" | cut -d' ' -f1)
if [ ! -d "$ROOT$WORK/node_modules" ] || [ "$(cat "$ROOT$WORK/node_modules/.simclr-lock-hash" 2>/dev/null)" != "$LOCK_HASH" ]; then
  # npm ci runs the package's install script, node-gyp rebuild: the addon is built here on a cold run.
  log "npm ci (builds the addon)"
  rm -rf "$ROOT$WORK/build"
  in_root sh -c "cd $WORK && npm ci" >"$LOGS/build-$VARIANT.log" 2>&1 || { tail -40 "$LOGS/build-$VARIANT.log" >&2; die "npm ci (see $LOGS/build-$VARIANT.log)"; }
  echo "$LOCK_HASH" >"$ROOT$WORK/node_modules/.simclr-lock-hash"
else
  log "node-gyp configure build (incremental)"
  in_root sh -c "cd $WORK && npx node-gyp configure build -j 2" >"$LOGS/build-$VARIANT.log" 2>&1 \
    || { tail -40 "$LOGS/build-$VARIANT.log" >&2; die "addon build (see $LOGS/build-$VARIANT.log)"; }
fi
grep -E '^(warning|.*: warning:)' "$LOGS/build-$VARIANT.log" >&2 || true
log "defines: $(in_root sh -c "cd $WORK && node native/libtorch-paths.cjs defines")"

# ---- 5a. CUDA: prove the addon links against libtorch_cuda with NCCL (loading it needs libcudnn.so.9 and a GPU) ----
if [ "$VARIANT" = cuda ]; then
  ADDON=$WORK/build/Release/simclr_native.node
  in_root sh -c "cd $WORK && node native/libtorch-paths.cjs defines" | grep -q USE_C10D_NCCL \
    || die "libtorch-paths.cjs did not enable NCCL in the CUDA root"
  in_root readelf -d "$ADDON" | grep -q 'libtorch_cuda.so' || die "the addon does not link libtorch_cuda.so"
  in_root sh -c "nm -DC $ADDON | grep -q 'c10d::ProcessGroupNCCL::ProcessGroupNCCL'" || die "the addon does not reference ProcessGroupNCCL"
  # Every symbol the addon itself needs must resolve, except N-API's (node provides them when it loads the addon);
  # libraries that libtorch_cuda cannot find (libcudnn) are reported separately and expected here.
  UNRESOLVED=$(in_root ldd -r "$ADDON" 2>&1 | grep 'undefined symbol' | grep 'simclr_native.node' \
    | grep -v 'undefined symbol: napi_' || true)
  [ -z "$UNRESOLVED" ] || { printf '%s\n' "$UNRESOLVED" | head -20 >&2; die "unresolved symbols in the addon"; }
  log "missing at load time (expected without cuDNN): $(in_root ldd "$ADDON" | grep 'not found' | awk '{print $1}' | sort -u | tr '\n' ' ')"
  log "OK: the addon compiles and links against libtorch-cuda 2.6 with NCCL ($((SECONDS - START)) s)"
  exit 0
fi

# ---- 5b. CPU: the test suite ----
in_root node -e "require('$WORK/build/Release/simclr_native.node')" || die "the addon does not load in the root"
if [ "$RUN_TESTS" = 0 ]; then log "OK: built (tests skipped) ($((SECONDS - START)) s)"; exit 0; fi
log "npm test ${TEST_ARGS[*]:-} (log: $LOGS/test-$VARIANT.log)"
set +e
TEST_CMD="cd $WORK && npm test"
[ ${#TEST_ARGS[@]} -eq 0 ] || TEST_CMD+=" -- $(printf '%q ' "${TEST_ARGS[@]}")"
in_root sh -c "$TEST_CMD" 2>&1 | tee "$LOGS/test-$VARIANT.log" | grep --line-buffered '✖' >&2
STATUS=${PIPESTATUS[0]}
set -e
grep -E '^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$LOGS/test-$VARIANT.log" >&2 || true
[ "$STATUS" = 0 ] || die "npm test exited with $STATUS (see $LOGS/test-$VARIANT.log)"
log "OK: tests pass against Debian 13's libtorch ($((SECONDS - START)) s)"
