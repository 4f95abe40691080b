// glibc malloc settings, applied when the host asks (TuneMalloc: the CLI and benchmarks do; a library user may).
// Training allocates and frees the same few-megabyte
// activation buffers every step; by default glibc serves them with mmap and returns them to the kernel on
// free, so every step pays fresh page faults (measured here: a 3 MB uint8->float conversion took 25-50 ms,
// 0.13 ms with these settings). Keeping freed memory in the heap is what PyTorch users get from jemalloc or
// tcmalloc. They change the whole host process's heap, so loading the addon alone does not apply them.
// SIMCLR_DEFAULT_MALLOC=1 keeps glibc's defaults even when asked.
#include <malloc.h>
#include <cstdlib>
#include "errors.h"

// tuneMalloc() -> whether the settings were applied (false under SIMCLR_DEFAULT_MALLOC=1).
NAPI_ENTRY(TuneMalloc) {
  const char* optOut = std::getenv("SIMCLR_DEFAULT_MALLOC");
  if (optOut != nullptr && optOut[0] == '1') return Napi::Boolean::New(info.Env(), false);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);  // allocations below 256 MB come from the heap, reused after free
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);  // do not hand freed heap memory back below 1 GB of slack
  mallopt(M_TOP_PAD, 256 * 1024 * 1024);          // grow the heap in large steps
  return Napi::Boolean::New(info.Env(), true);
}
