#!/usr/bin/env python3
"""WebDataset reading: Python's `webdataset` package against `vidi bench webdataset`, on the same shards.

Makes the shards once (webdataset.TarWriter; each sample an uint8 clip .npy of --shape, a float32 feature
.npy and a .cls label, like `vidi run` clip output), then alternates rounds: webdataset
(`WebDataset(urls).decode().to_tuple(...).batched(B)`, numpy stacking, one process) and Vidi's reader
(`vidi bench webdataset`, background decode threads). Keeps the best round of each; prints samples/s,
MB/s of shard bytes, and Vidi / webdataset.

Usage: webdataset_bench.py --vidi PATH [--samples 2000] [--shards 8] [--shape 8,64,64,3] [--batch 32]
                           [--rounds 3] [--decode-threads 2] [--markdown]
"""
import argparse
import io
import json
import os
import subprocess
import time

import numpy as np
import webdataset as wds

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data", "webdataset")


def make_shards(samples, shards, shape):
    folder = os.path.join(DATA, f"{samples}-{shards}-{'x'.join(map(str, shape))}")
    paths = [os.path.join(folder, f"{i:05d}.tar") for i in range(shards)]
    if all(os.path.exists(p) for p in paths):
        return folder, paths
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    per_shard = (samples + shards - 1) // shards
    index = 0
    for path in paths:
        with wds.TarWriter(path) as sink:
            for _ in range(per_shard):
                if index == samples:
                    break
                clip, features = io.BytesIO(), io.BytesIO()
                np.save(clip, rng.integers(0, 256, size=shape, dtype=np.uint8))
                np.save(features, rng.standard_normal(512).astype(np.float32))
                sink.write({"__key__": f"sample{index:06d}", "clip.npy": clip.getvalue(),
                            "features.npy": features.getvalue(), "cls": str(index % 10).encode()})
                index += 1
    return folder, paths


def python_round(paths, batch):
    start = time.perf_counter()
    dataset = wds.WebDataset(paths, shardshuffle=False).decode().to_tuple("clip.npy", "features.npy", "cls").batched(batch)
    count = 0
    for clips, features, labels in dataset:
        count += len(clips)
    return count, time.perf_counter() - start


def vidi_round(vidi, pattern, batch, threads):
    out = subprocess.run([vidi, "bench", "webdataset", "--shards", pattern, "--batch-size", str(batch),
                          "--decode-threads", str(threads), "--json"], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["samples"], result["seconds"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vidi", required=True)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--shape", default="8,64,64,3")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decode-threads", type=int, default=2)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    shape = tuple(int(v) for v in args.shape.split(","))
    folder, paths = make_shards(args.samples, args.shards, shape)
    pattern = os.path.join(folder, "{%05d..%05d}.tar" % (0, args.shards - 1))
    megabytes = sum(os.path.getsize(p) for p in paths) / 1e6

    best = {"webdataset": float("inf"), "vidi": float("inf")}
    counts = {}
    for round_index in range(args.rounds):
        for name in ("webdataset", "vidi"):
            if name == "webdataset":
                count, seconds = python_round(paths, args.batch)
            else:
                count, seconds = vidi_round(args.vidi, pattern, args.batch, args.decode_threads)
            counts[name] = count
            best[name] = min(best[name], seconds)
            print(f"round {round_index + 1} {name}: {count} samples in {seconds:.3f} s", flush=True)
    if counts["webdataset"] != counts["vidi"]:
        raise SystemExit(f"sample counts differ: {counts}")

    rows = []
    for name in ("webdataset", "vidi"):
        rows.append((name, counts[name] / best[name], megabytes / best[name]))
    ratio = rows[1][1] / rows[0][1]
    title = (f"{args.samples} samples in {args.shards} shards ({megabytes:.0f} MB; uint8 clip {'x'.join(map(str, shape))}"
             f" + float32[512] + cls), batch {args.batch}, Vidi decode threads {args.decode_threads}, best of {args.rounds}")
    if args.markdown:
        print(f"\n{title}\n")
        print("| reader | samples/s | MB/s |")
        print("|---|---:|---:|")
        for name, rate, mb in rows:
            print(f"| {name} | {rate:.0f} | {mb:.1f} |")
        print(f"| Vidi / webdataset | {ratio:.2f} | |")
    else:
        print(title)
        for name, rate, mb in rows:
            print(f"{name:>10}: {rate:8.0f} samples/s  {mb:7.1f} MB/s")
        print(f"Vidi / webdataset: {ratio:.2f}")


if __name__ == "__main__":
    main()
