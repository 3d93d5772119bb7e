#!/usr/bin/env python3
"""Reads a safetensors file with json + numpy only (no `safetensors` package) and prints it as JSON.

Tests run this on files Vidi wrote, so Python's view of the bytes is the reference. Besides decoding,
it checks the layout rules of the reference writer: 8-byte header padding, contiguous offsets that
cover the data section exactly, byte counts matching shape and dtype.
Output: {"metadata": {...} or null, "order": [names by offset], "tensors": {name: {"dtype", "shape", "values"}}}
"""
import json
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I32": "<i4", "I64": "<i8", "I16": "<i2",
          "I8": "i1", "U8": "u1", "BOOL": "?"}


def main(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", None)
    order = sorted(header, key=lambda k: header[k]["data_offsets"][0])
    position = 0
    tensors = {}
    for name in order:
        info = header[name]
        begin, end = info["data_offsets"]
        assert begin == position, f"{name}: offset {begin}, expected {position}"
        dtype = np.dtype(DTYPES[info["dtype"]])
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert end - begin == count * dtype.itemsize, f"{name}: size mismatch"
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": array.tolist()}
        position = end
    assert position == len(data), f"tensors cover {position} of {len(data)} data bytes"
    print(json.dumps({"metadata": metadata, "order": order, "tensors": tensors}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
