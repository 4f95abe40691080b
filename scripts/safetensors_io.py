# Minimal hand-written safetensors reader/writer for torch tensors (no `safetensors` package here).
# Format: huggingface/safetensors README: u64 LE header size, JSON header padded with spaces, raw LE data.
import json
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100_000_000  # the reference implementation's limit

assert sys.byteorder == "little", "safetensors data is little-endian; this writer assumes a little-endian host"


def tensor_bytes(t: torch.Tensor) -> bytes:
    """The raw little-endian bytes of a tensor, row-major."""
    flat = t.detach().cpu().contiguous().reshape(-1)
    if flat.numel() == 0:
        return b""
    return flat.view(torch.uint8).numpy().tobytes()


def serialize(tensors: dict, metadata: dict | None = None) -> bytes:
    """Bytes of a safetensors file. Tensors are laid out like the reference: larger dtypes first, then by name."""
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"metadata must map strings to strings, got {k!r}: {v!r}")
        header["__metadata__"] = dict(metadata)
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    chunks, offset = [], 0
    for name, t in order:
        if t.dtype not in NAMES:
            raise TypeError(f"tensor {name!r}: dtype {t.dtype} has no safetensors name")
        data = tensor_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(path: str, tensors: dict, metadata: dict | None = None) -> None:
    with open(path, "wb") as f:
        f.write(serialize(tensors, metadata))


def parse(buf: bytes, where: str = "<buffer>"):
    """(tensors dict, metadata dict) from the bytes of a safetensors file; validates like the reference."""
    if len(buf) < 8:
        raise ValueError(f"{where}: file too short for a safetensors header")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER or 8 + n > len(buf):
        raise ValueError(f"{where}: header length {n} is out of range for a file of {len(buf)} bytes")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    data = buf[8 + n:]
    tensors, expected = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{where}: tensor {name!r} has unknown dtype {info['dtype']!r}")
        if begin != expected or end < begin or end > len(data):
            raise ValueError(f"{where}: tensor {name!r} has bad data_offsets {info['data_offsets']}")
        numel = 1
        for s in info["shape"]:
            numel *= s
        size = torch.empty((), dtype=dtype).element_size()
        if numel * size != end - begin:
            raise ValueError(f"{where}: tensor {name!r} shape {info['shape']} needs {numel * size} bytes, has {end - begin}")
        if numel == 0:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
        else:
            raw = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.uint8)
            tensors[name] = raw.view(dtype).reshape(info["shape"]).clone()
        expected = end
    if expected != len(data):
        raise ValueError(f"{where}: data section is {len(data)} bytes but tensors cover {expected}")
    return tensors, metadata


def read(path: str):
    with open(path, "rb") as f:
        return parse(f.read(), path)
