#!/usr/bin/env python3
"""Makes the serialization fixtures under Fixtures/golden/serialization/.

Run with the reference venv (needs numpy, torch for bfloat16, and the `safetensors` package):
    $(Tools/reference-venv.sh) Tools/goldens/make_serialization_fixtures.py
The files are committed; tests read them, so a rerun only matters when this script changes. (A rerun may
reorder the two `__metadata__` keys of mixed.safetensors: the reference keeps metadata in a HashMap.)

safetensors files are written by the reference implementation (huggingface `safetensors`), .npz by
numpy's savez/savez_compressed. Each safetensors tensor also gets an `expected-<name>.npy` written by
numpy holding its values upcast to float32 (F16 by numpy, BF16 by torch) or in its own integer type.
"""
import io
import os
import struct
import sys
import zipfile
import zlib

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "serialization")


def halves():
    # Every interesting F16 class: zeros, subnormals, normals, the largest finite, infinities, NaN.
    bits = np.array([0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF, 0xFBFF,
                     0x7C00, 0xFC00, 0x7E00, 0x1234, 0x8001, 0xC500], dtype=np.uint16)
    return bits.view(np.float16).reshape(4, 4)


def bfloats():
    bits = np.array([0x0000, 0x8000, 0x0001, 0x3F80, 0xBF80, 0x4049, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0,
                     0x0080, 0x3E4C], dtype=np.uint16)
    return torch.from_numpy(bits.view(np.int16).copy()).view(torch.bfloat16).reshape(3, 4)


def mixed_tensors():
    rng = np.random.default_rng(7)
    return {
        "weights.f32": torch.from_numpy(rng.standard_normal((2, 3)).astype(np.float32)),
        "halves.f16": torch.from_numpy(halves()),
        "brains.bf16": bfloats(),
        "counts.i32": torch.tensor([[1, -2, 2147483647], [-2147483648, 0, 7]], dtype=torch.int32),
        "ids.i64": torch.tensor([0, -1, 9007199254740993, -9223372036854775808], dtype=torch.int64),
        "mask.bool": torch.tensor([True, False, False, True, True]),
        "pixels.u8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
        "deltas.i8": torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8),
        "empty.f32": torch.zeros((0, 3), dtype=torch.float32),
        "scalar.f32": torch.tensor(3.25, dtype=torch.float32),
    }


def writer_reference_tensors():
    # Deterministic values the Swift test rebuilds from the same formulas. The metadata has one key:
    # the reference keeps metadata in a Rust HashMap, so the order of several keys is not reproducible.
    return {
        "b.float": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1.0,
        "a.int": torch.arange(4, dtype=torch.int32) - 2,
        "c.long": torch.arange(3, dtype=torch.int64) * 1_000_000_007,
        "d.mask": torch.tensor([True, False, True]),
        "e.unicode-ü": torch.tensor([1.5], dtype=torch.float32),
    }


def expected_array(tensor):
    if tensor.dtype in (torch.float16, torch.bfloat16):
        return tensor.to(torch.float32).numpy()
    return tensor.numpy()


def zip64_npz(arrays):
    """An .npz whose directory uses zip64 records and extra fields throughout (what numpy writes for
    members over 4 GiB), built by hand at small size; Python's zipfile must read it back."""
    out = io.BytesIO()
    central = b""
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        data = buffer.getvalue()
        member = f"{name}.npy".encode()
        crc = zlib.crc32(data)
        offset = out.tell()
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                              len(member), len(local_extra)) + member + local_extra + data)
        extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(member), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + member + extra
    directory_offset = out.tell()
    out.write(central)
    record_offset = out.tell()
    count = len(arrays)
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(central), directory_offset))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, record_offset, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    return out.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    mixed = mixed_tensors()
    save_file(mixed, os.path.join(OUT, "mixed.safetensors"), metadata={"format": "pt", "note": "quote \" and ünïcode"})
    for name, tensor in mixed.items():
        np.save(os.path.join(OUT, f"expected-{name}.npy"), expected_array(tensor))
    save_file(writer_reference_tensors(), os.path.join(OUT, "writer-reference.safetensors"), metadata={"producer": "vidi-test"})

    rng = np.random.default_rng(11)
    arrays = {
        "frames": rng.integers(0, 256, size=(2, 3, 4), dtype=np.uint8),
        "features": rng.standard_normal((3, 5)).astype(np.float32),
        "labels": np.array([3, 1, 4, 1, 5], dtype=np.int64),
        "flags": np.array([True, False, True]),
        "scores": np.linspace(0, 1, 7),  # float64
        "repetitive": np.tile(np.arange(8, dtype=np.int32), 64),  # compresses well
    }
    np.savez(os.path.join(OUT, "arrays.npz"), **arrays)
    np.savez_compressed(os.path.join(OUT, "arrays-compressed.npz"), **arrays)
    for name, array in arrays.items():
        np.save(os.path.join(OUT, f"npz-{name}.npy"), array)
    zip64_path = os.path.join(OUT, "zip64.npz")
    with open(zip64_path, "wb") as f:
        f.write(zip64_npz({k: arrays[k] for k in ("features", "labels")}))
    with np.load(zip64_path) as z:  # the reference reader must accept it
        assert z.files == ["features", "labels"] and np.array_equal(z["labels"], arrays["labels"])
    assert all(i.file_size > 0 for i in zipfile.ZipFile(zip64_path).infolist())

    # Layout variants for the .npy -> tensor bridge: Fortran order, big-endian, wider/narrower types.
    base = np.arange(12, dtype=np.float32).reshape(3, 4) / 8 - 0.5
    np.save(os.path.join(OUT, "fortran-f4.npy"), np.asfortranarray(base))
    np.save(os.path.join(OUT, "c-order-f4.npy"), base)
    np.save(os.path.join(OUT, "bigendian-f4.npy"), base.astype(">f4"))
    np.save(os.path.join(OUT, "bigendian-i8.npy"), np.array([[1, -2], [3, 2**40]], dtype=">i8"))
    np.save(os.path.join(OUT, "fortran-i4-3d.npy"), np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)))
    np.save(os.path.join(OUT, "c-order-i4-3d.npy"), np.arange(24, dtype=np.int32).reshape(2, 3, 4))
    np.save(os.path.join(OUT, "float16.npy"), halves())
    np.save(os.path.join(OUT, "float64.npy"), np.array([0.1, -2.5, 1e-40, 3e38]))
    print(f"wrote fixtures to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
