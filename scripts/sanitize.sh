#!/usr/bin/env bash
# The sanitizer job (CI): the addon built with ASan + UBSan runs the tensor and nn suites and a real-image training
# (pretrain, fine-tune, distill on generated JPEG/PNG/WebP photos at 224 px); then the real-image training and the
# strided-convolution test run again on glibc's default heap. Why both: ASan sees every access the addon makes, but
# libtorch and oneDNN's JIT kernels are not instrumented and ASan's allocator moves their overflows into unused
# redzones (issue 12's oneDNN overflow ran clean under ASan), while glibc's heap checks on free() abort on them.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
node scripts/install-native.mjs --asan
echo "sanitize: ASan+UBSan addon built in $((SECONDS - start)) s"
bash scripts/asan-run.sh node scripts/run-tests.mjs test/tensor test/nn test/pipeline/real_images.test.ts
# Default glibc malloc (no mmap-threshold tuning), freed memory filled with a pattern: use-after-free reads garbage.
SIMCLR_DEFAULT_MALLOC=1 MALLOC_PERTURB_=165 node scripts/run-tests.mjs test/pipeline/real_images.test.ts test/tensor/conv_pointwise_stride.test.ts
echo "sanitize: done in $((SECONDS - start)) s"
