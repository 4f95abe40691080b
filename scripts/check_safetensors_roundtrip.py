# Loads a safetensors file written by the TypeScript side into PyTorch and compares it with expected values.
# Usage: /usr/bin/python3 scripts/check_safetensors_roundtrip.py FILE.safetensors EXPECTED.json [FILE EXPECTED ...]
# Prints "OK FILE: N tensors match" or "FAIL FILE: problem" per pair; exits 0 only when every pair matches.
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

TORCH_DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
    "bool": torch.bool,
}


def layout_problems(path: str) -> list:
    """Checks the reference's layout rules: header padded to 8 bytes, each tensor aligned to its element size."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    problems = [] if n % 8 == 0 else [f"header length {n} is not a multiple of 8"]
    header = json.loads(raw[8:8 + n])
    for name, info in header.items():
        if name == "__metadata__":
            continue
        size = torch.empty((), dtype=safetensors_io.DTYPES[info["dtype"]]).element_size()
        if info["data_offsets"][0] % size != 0:
            problems.append(f"{name}: offset {info['data_offsets'][0]} not aligned to {size} bytes")
    return problems


def compare(tensors: dict, metadata: dict, expected: dict) -> list:
    problems = []
    if metadata != expected.get("metadata", {}):
        problems.append(f"metadata {metadata} != expected {expected.get('metadata', {})}")
    want = expected["tensors"]
    if set(tensors) != set(want):
        problems.append(f"tensor names {sorted(tensors)} != expected {sorted(want)}")
    for name in sorted(set(tensors) & set(want)):
        t, e = tensors[name], want[name]
        dtype = TORCH_DTYPES[e["dtype"]]
        if t.dtype != dtype or list(t.shape) != e["shape"]:
            problems.append(f"{name}: got {t.dtype} {list(t.shape)}, expected {dtype} {e['shape']}")
            continue
        ref = torch.tensor(e["data"], dtype=torch.float64 if t.is_floating_point() else torch.int64).reshape(e["shape"])
        got = t.double() if t.is_floating_point() else t.long()
        if not torch.equal(got, ref):
            problems.append(f"{name}: values differ: got {got.reshape(-1).tolist()}, expected {e['data']}")
    return problems


def check_pair(path: str, expected_path: str) -> bool:
    with open(expected_path) as f:
        expected = json.load(f)
    try:
        tensors, metadata = safetensors_io.read(path)
        problems = layout_problems(path) + compare(tensors, metadata, expected)
    except (ValueError, KeyError, OSError) as err:
        problems = [f"cannot read: {err}"]
    for p in problems:
        print(f"FAIL {path}: {p}")
    if not problems:
        print(f"OK {path}: {len(tensors)} tensors match")
    return not problems


def main() -> int:
    args = sys.argv[1:]
    if not args or len(args) % 2 != 0:
        print("usage: check_safetensors_roundtrip.py FILE.safetensors EXPECTED.json [FILE EXPECTED ...]", file=sys.stderr)
        return 2
    results = [check_pair(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
