#!/usr/bin/env bash
# GPU check for a session lent a GPU machine (issue 14, item 5): builds the addon against that machine's PyTorch
# libtorch, runs the CUDA tests, an NCCL process-group smoke (world size 1) and the pretraining-step benchmark, and
# writes $OUT/gpu-results.json. Made for one run of under 8 minutes on a machine with no network.
#
# Before the session, on this machine:  scripts/pack-device.sh   (Node, its headers and node_modules into .device/)
# On the GPU machine (device tool):     run(command="scripts/gpu-check.sh", carry=[".device"], timeout_s=540)
# Environment: OUT (results folder; default ./gpu-check-out), PYTHON (a python with torch; default: the first of
# python3, /usr/bin/python3 that imports torch), GPU_CHECK_BUDGET_S (default 450: every step ends by then),
# GPU_CHECK_BUILD_S (default 300: the addon build's limit; 2 busy cores need more), SIMCLR_USE_CARRIED_NODE=1 (use
# .device/node even where a Node exists: how the carried Node is tested on CPU).
# Without a GPU it runs as far as it goes (a dry run): the GPU steps record why they were skipped.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
OUT=${OUT:-$REPO/gpu-check-out}
STEPS=$OUT/steps
LOGS=$OUT/logs
DEVICE_DIR=$REPO/.device
BUDGET_S=${GPU_CHECK_BUDGET_S:-450}
START=$SECONDS
mkdir -p "$STEPS" "$LOGS"
rm -f "$STEPS"/* "$LOGS"/*

log() { printf '[gpu-check +%3ss] %s\n' "$((SECONDS - START))" "$*" >&2; }
left() { echo $((BUDGET_S - (SECONDS - START))); }

# record NAME STATUS SECONDS NOTE: one line per step; data a step produces goes to steps/NAME.json.
record() {
  printf '%s\t%s\t%s\n' "$2" "$3" "$4" >"$STEPS/$1.tsv"
  log "$1: $2 (${3} s)${4:+ - $4}"
}

# run_step NAME LIMIT_S COMMAND...: runs COMMAND with a time limit that never passes the budget; output in
# logs/NAME.log. Returns COMMAND's status, so later steps can depend on it.
run_step() {
  local name=$1 limit=$2 remaining rc=0 t0=$SECONDS
  shift 2
  remaining=$(left)
  if [ "$remaining" -lt 20 ]; then record "$name" skipped 0 "out of the ${BUDGET_S} s budget"; return 1; fi
  [ "$limit" -le "$remaining" ] || limit=$remaining
  log "$name: $* (limit ${limit} s)"
  timeout --kill-after=10 "$limit" "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  case $rc in
    0) record "$name" ok $((SECONDS - t0)) "" ;;
    124|137) record "$name" timeout $((SECONDS - t0)) "stopped after ${limit} s (logs/$name.log)" ;;
    *) record "$name" failed $((SECONDS - t0)) "exit $rc: $(tail -n 3 "$LOGS/$name.log" | tr '\n\t' '  ' | cut -c1-400)" ;;
  esac
  return $rc
}

# The results file is written however the script ends (python3 is always there: PyTorch needs it).
write_results() {
  "${PYTHON:-python3}" - "$STEPS" "$OUT/gpu-results.json" "$((SECONDS - START))" <<'EOF' || log "could not write gpu-results.json"
import json, os, sys
steps_dir, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
steps = {}
for f in sorted(os.listdir(steps_dir)):
    name, ext = os.path.splitext(f)
    entry = steps.setdefault(name, {})
    with open(os.path.join(steps_dir, f)) as fh:
        if ext == '.tsv':
            status, secs, note = (fh.read().rstrip('\n').split('\t') + ['', '', ''])[:3]
            entry.update(status=status, seconds=int(secs or 0), **({'note': note} if note else {}))
        elif ext == '.json':
            try:
                entry['data'] = json.load(fh)
            except ValueError as e:
                entry['data_error'] = str(e)
failed = [n for n, s in steps.items() if s.get('status') in ('failed', 'timeout')]
result = {'ok': not failed, 'failed_steps': failed, 'total_seconds': total, 'steps': steps}
with open(out, 'w') as fh:
    json.dump(result, fh, indent=2)
print(json.dumps(result, indent=2))
EOF
}
trap write_results EXIT

# ---- 1. the machine: GPU, PyTorch, compilers ----
t0=$SECONDS
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then PYTHON=$candidate; break; fi
done
if [ -z "${PYTHON:-}" ] || ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  PYTHON=python3
  record machine failed 0 "no python with torch (tried python3, /usr/bin/python3; set PYTHON)"
  exit 1
fi
"$PYTHON" - >"$STEPS/machine.json" 2>"$LOGS/machine.log" <<'EOF'
import json, os, shutil, subprocess, sys, torch
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
facts = {
    'python': sys.executable, 'torch': torch.__version__, 'torch_dir': os.path.dirname(torch.__file__),
    'torch_cuda': torch.version.cuda, 'cuda_available': torch.cuda.is_available(),
    'cxx11_abi': torch.compiled_with_cxx11_abi(),
    'nvidia_smi': run('nvidia-smi', '--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'),
    'nvcc': (run('nvcc', '--version') or '').splitlines()[-1:] or None,
    'gxx': (run('g++', '--version') or '').splitlines()[:1] or None,
    'make': shutil.which('make'), 'cpus': os.cpu_count(),
}
if torch.cuda.is_available():
    facts['device_name'] = torch.cuda.get_device_name(0)
    facts['nccl'] = '.'.join(map(str, torch.cuda.nccl.version()))
try:
    import torchvision
    facts['torchvision'] = torchvision.__version__
except ImportError:
    facts['torchvision'] = None
print(json.dumps(facts))
EOF
record machine ok $((SECONDS - t0)) "$("$PYTHON" -c 'import json, sys; f = json.load(open(sys.argv[1]))
print("torch %s, CUDA %s, GPU %s" % (f["torch"], f["torch_cuda"], f.get("device_name")))' "$STEPS/machine.json")"
CUDA_OK=$("$PYTHON" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["cuda_available"]))' "$STEPS/machine.json")

# ---- 2. Node, node_modules and Node's headers: the machine's own, else what scripts/pack-device.sh carried ----
t0=$SECONDS
# xz may be missing on a bare machine; Python's lzma reads the same files.
unxz_to_stdout() {
  if command -v xz >/dev/null; then xz -dc "$1"; else "$PYTHON" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
node_ok() { command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; }
if [ "${SIMCLR_USE_CARRIED_NODE:-0}" = 1 ] || ! node_ok; then
  [ -f "$DEVICE_DIR/node.xz" ] || { record node failed 0 "no Node >= 20 here and no $DEVICE_DIR/node.xz: run scripts/pack-device.sh and carry .device"; exit 1; }
  mkdir -p "$DEVICE_DIR/bin"
  unxz_to_stdout "$DEVICE_DIR/node.xz" >"$DEVICE_DIR/bin/node"
  chmod +x "$DEVICE_DIR/bin/node"
  export PATH=$DEVICE_DIR/bin:$PATH
  NODE_FROM=carried
else
  NODE_FROM=machine
fi
node_ok || { record node failed $((SECONDS - t0)) "$(command -v node) does not run or is older than 20"; exit 1; }
if [ ! -d node_modules ]; then
  [ -f "$DEVICE_DIR/node_modules.tar.xz" ] || { record node failed $((SECONDS - t0)) "no node_modules and no $DEVICE_DIR/node_modules.tar.xz"; exit 1; }
  unxz_to_stdout "$DEVICE_DIR/node_modules.tar.xz" | tar -xf -
fi
LOCK_NOTE=""
if [ -f "$DEVICE_DIR/MANIFEST" ] && ! grep -q "package-lock.json sha256 $(sha256sum package-lock.json | cut -d' ' -f1)" "$DEVICE_DIR/MANIFEST"; then
  LOCK_NOTE="; node_modules was packed for another package-lock.json"
fi
# node-gyp reads Node's headers from npm_config_nodedir; without them it would try to download them.
NODE_PREFIX=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ "$NODE_FROM" = machine ] && [ -f "$NODE_PREFIX/include/node/node_api.h" ]; then
  export npm_config_nodedir=$NODE_PREFIX
else
  [ -f "$DEVICE_DIR/node-headers.tar.xz" ] || { record node failed $((SECONDS - t0)) "no Node headers and no $DEVICE_DIR/node-headers.tar.xz"; exit 1; }
  mkdir -p "$DEVICE_DIR/node-headers"
  unxz_to_stdout "$DEVICE_DIR/node-headers.tar.xz" | tar -xf - -C "$DEVICE_DIR/node-headers"
  export npm_config_nodedir=$DEVICE_DIR/node-headers
fi
record node ok $((SECONDS - t0)) "node $(node --version) ($NODE_FROM), headers $npm_config_nodedir$LOCK_NOTE"

# ---- 3. the addon, against this PyTorch's libtorch ----
LIBTORCH=$("$PYTHON" -c 'import torch, os; print(os.path.dirname(torch.__file__))')
if [ -d "$LIBTORCH/include/torch" ]; then
  export LIBTORCH
else
  # Debian's python3-torch keeps its headers in /usr/include (libtorch-dev): the dry run on CPU builds against that.
  log "no headers under $LIBTORCH/include: building against the system libtorch"
  unset LIBTORCH
fi
node native/libtorch-paths.cjs defines >"$LOGS/defines.txt" 2>>"$LOGS/machine.log" || true
run_step build "${GPU_CHECK_BUILD_S:-300}" npx node-gyp rebuild -j "$(nproc)" || exit 1
"$PYTHON" - "${LIBTORCH:-system}" "$LOGS/defines.txt" "$LOGS/build.log" >"$STEPS/build.json" <<'EOF'
import json, sys
log = open(sys.argv[3], encoding='utf8', errors='replace').read()
print(json.dumps({'libtorch': sys.argv[1], 'defines': open(sys.argv[2]).read().split(), 'warnings': log.count('warning:')}))
EOF
run_step load 60 node -e "const a = require('./build/Release/simclr_native.node');
  console.log(JSON.stringify({ cuda: a.CudaIsAvailable(), devices: a.CudaDeviceCount() }));" || exit 1
tail -n 1 "$LOGS/load.log" >"$STEPS/load.json"

# ---- 4. the CUDA tests: every test file that mentions CUDA (without a GPU they skip their CUDA parts) ----
mapfile -t CUDA_TESTS < <(grep -rlE --include='*.test.ts' 'cuda' test | sort)
if [ ${#CUDA_TESTS[@]} -eq 0 ]; then
  record cuda-tests skipped 0 "no test file mentions cuda"
else
  run_step cuda-tests 180 node scripts/run-tests.mjs "${CUDA_TESTS[@]}" || true
  "$PYTHON" - "$LOGS/cuda-tests.log" "${CUDA_TESTS[@]}" >"$STEPS/cuda-tests.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding='utf8', errors='replace').read()
counts = {k: int(v) for k, v in re.findall(r'^ℹ (tests|pass|fail|skipped|cancelled) (\d+)', text, re.M)}
print(json.dumps({'files': sys.argv[2:], **counts, 'failures': re.findall(r'^\s*✖ (.*)$', text, re.M)[:20]}))
EOF
fi

# ---- 5. NCCL: a world-size-1 process group, collectives on a CUDA tensor (the script says skipped without CUDA) ----
run_step nccl-smoke 90 node --import tsx scripts/gpu-nccl-smoke.ts || true
grep '^{' "$LOGS/nccl-smoke.log" | tail -n 1 >"$STEPS/nccl-smoke.json" || true
if grep -q '"status":"skipped"' "$STEPS/nccl-smoke.json"; then
  record nccl-smoke skipped 0 "$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["reason"])' "$STEPS/nccl-smoke.json")"
fi

# ---- 6. the pretraining-step benchmark against PyTorch on the GPU, fp32 and bf16 ----
# bench/pretrain_step.ts --device cuda --precision P; its PyTorch side runs in $PYTHON (SIMCLR_BENCH_PYTHON), the
# PyTorch whose libtorch the addon was built against, and needs torchvision. Whatever is missing is recorded instead.
export SIMCLR_BENCH_PYTHON=$PYTHON
MISSING=()
"$PYTHON" -c 'import torchvision' 2>/dev/null \
  || MISSING+=("torchvision is not installed for $PYTHON (bench/pretrain_step_pytorch.py builds its ResNet-18 from it)")
if [ "$CUDA_OK" != 1 ]; then
  record bench skipped 0 "no CUDA device"
elif [ ${#MISSING[@]} -gt 0 ]; then
  record bench skipped 0 "$(IFS=';'; echo "${MISSING[*]}")"
else
  for precision in fp32 bf16; do
    run_step "bench-$precision" 120 node --single-threaded-gc --import tsx bench/pretrain_step.ts \
      --device cuda --precision "$precision" --rounds 3 --steps 20 --warmup 5 || true
    grep -E '^(#|\|)' "$LOGS/bench-$precision.log" | "$PYTHON" -c 'import json,sys; print(json.dumps({"table": sys.stdin.read().splitlines()}))' \
      >"$STEPS/bench-$precision.json" || true
  done
fi
printf '%s\n' "${MISSING[@]}" | "$PYTHON" -c 'import json,sys; print(json.dumps({"missing": [l for l in sys.stdin.read().splitlines() if l]}))' >"$STEPS/bench.json"

# Fails when a step failed or ran out of time (skipped steps do not count).
! grep -qE '^(failed|timeout)' "$STEPS"/*.tsv
