#!/usr/bin/env python3
"""Reads a `vidi run` WebDataset output with Python's own tarfile + numpy (and webdataset when installed)
and prints a JSON summary, so tests check the shards with an independent reader.

Usage: check_shards.py OUTPUT_DIR
Summary: {"shards": {name: [keys]}, "samples": {key: {suffix: description}}, "stats": {...}, "failures": [...]}
where a .npy is described as {"dtype", "shape", "sum"}, a .json by its parsed value, an image by
{"format", "bytes"} and anything else by {"bytes"}. Exits 1 on any malformed member.
"""
import io
import json
import os
import sys
import tarfile

import numpy as np


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def describe(suffix, data):
    if suffix.endswith(".npy"):
        array = np.load(io.BytesIO(data), allow_pickle=False)
        total = array.astype(np.float64).sum() if array.size else 0.0
        return {"dtype": str(array.dtype), "shape": list(array.shape), "sum": float(total)}
    if suffix.endswith("json"):
        return json.loads(data.decode("utf-8"))
    if suffix.endswith(".jpg") or suffix.endswith(".jpeg"):
        if data[:3] != b"\xff\xd8\xff":
            fail(f"{suffix}: not a JPEG")
        return {"format": "jpeg", "bytes": len(data)}
    if suffix.endswith(".png"):
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            fail(f"{suffix}: not a PNG")
        return {"format": "png", "bytes": len(data)}
    if suffix.endswith(".txt"):
        return data.decode("utf-8")
    return {"bytes": len(data)}


def main():
    if len(sys.argv) != 2:
        fail(__doc__)
    root = sys.argv[1]
    shards, samples = {}, {}
    for name in sorted(os.listdir(root)):
        if not name.endswith(".tar") or name.startswith("."):
            continue
        keys = []
        with tarfile.open(os.path.join(root, name), "r") as tar:
            for member in tar.getmembers():
                if not member.isfile():
                    fail(f"{name}: {member.name} is not a regular file")
                if member.mtime != 0 or member.uid != 0 or member.gid != 0 or member.mode != 0o644:
                    fail(f"{name}: {member.name} has non-deterministic header fields")
                # WebDataset's rule: the key is the basename up to its first dot.
                key, _, suffix = os.path.basename(member.name).partition(".")
                if key not in samples:
                    if keys and key in keys:
                        fail(f"{name}: sample {key} is split across the archive")
                    samples[key] = {}
                    keys.append(key)
                if suffix in samples[key]:
                    fail(f"{name}: duplicate member {member.name}")
                samples[key][suffix] = describe(suffix, tar.extractfile(member).read())
        shards[name[:-4]] = keys

    try:
        import webdataset as wds  # optional second reader
        seen = []
        for name in sorted(shards):
            for sample in wds.WebDataset(os.path.join(root, name + ".tar"), shardshuffle=False):
                seen.append(sample["__key__"])
        expected = [k for name in sorted(shards) for k in shards[name]]
        if seen != expected:
            fail(f"webdataset read keys {seen}, tarfile read {expected}")
    except ImportError:
        pass

    stats = {}
    for name in sorted(os.listdir(root)):
        if name.endswith("_stats.json") and not name.startswith("."):
            with open(os.path.join(root, name)) as f:
                stats[name[: -len("_stats.json")]] = json.load(f)
    failures = []
    path = os.path.join(root, "failures.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            failures = [json.loads(line) for line in f if line.strip()]
    json.dump({"shards": shards, "samples": samples, "stats": stats, "failures": failures}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
