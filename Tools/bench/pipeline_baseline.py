#!/usr/bin/env python3
"""The Python baseline for the pipeline benchmark: what Pipelines/keyframes-motion.yaml does, written the
way a user would with PyAV + numpy + multiprocessing, producing the same WebDataset members:
  <key>.json               source path
  <key>.keyframes.npy      uint8 (K, H, W, 3), keyframes decoded with skip_frame=NONKEY
  <key>.motion.npy         float32 (T, floor(H/8), floor(W/8), 2): per 8x8 cell, the mean over its pixels of
                           (dst - src) of the past-referenced block covering the pixel (0 where none)
  <key>.frame_types.txt    I/P/B/? per frame, display order
Decoding is single-threaded per file (frame threading corrupts exported motion vectors); parallelism is
across files with a process pool, results written in manifest order to shards of 100 samples.

Usage: pipeline_baseline.py --manifest LIST.txt --output DIR [--processes 2] [--cell 8]
"""
import argparse
import io
import json
import os
import tarfile
from multiprocessing import Pool

import av
import numpy as np

CELL = 8
TYPES = {0: "?", 1: "I", 2: "P", 3: "B"}


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def dense_motion(vectors, height, width, cell):
    gh, gw = height // cell, width // cell  # edge pixels that do not fill a cell are left out
    grid = np.zeros((gh, gw, 2), np.float32)
    if vectors is None:
        return grid
    mv = vectors.to_ndarray()
    mv = mv[mv["source"] < 0]
    if len(mv) == 0:
        return grid
    scale = mv["motion_scale"].astype(np.float32)
    dx = -mv["motion_x"] / scale  # dst - src, with src = dst + motion / scale
    dy = -mv["motion_y"] / scale
    w, h = mv["w"].astype(np.int64), mv["h"].astype(np.int64)
    x0 = mv["dst_x"].astype(np.int64) - w // 2
    y0 = mv["dst_y"].astype(np.int64) - h // 2
    aligned = (x0 % cell == 0).all() and (y0 % cell == 0).all() and (w % cell == 0).all() and (h % cell == 0).all()
    if aligned:
        # Every cell lies inside one block: expand blocks into their cells and assign (last block wins).
        nx, ny = w // cell, h // cell
        reps = nx * ny
        bi = np.repeat(np.arange(len(mv)), reps)
        k = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        cx = x0[bi] // cell + k % nx[bi]
        cy = y0[bi] // cell + k // nx[bi]
        keep = (cx >= 0) & (cx < gw) & (cy >= 0) & (cy < gh)
        grid[cy[keep], cx[keep], 0] = dx[bi][keep]
        grid[cy[keep], cx[keep], 1] = dy[bi][keep]
        return grid
    pixels = np.zeros((height, width, 2), np.float32)
    for i in range(len(mv)):
        ys, xs = max(y0[i], 0), max(x0[i], 0)
        ye, xe = min(y0[i] + h[i], height), min(x0[i] + w[i], width)
        if ye > ys and xe > xs:
            pixels[ys:ye, xs:xe] = (dx[i], dy[i])
    return pixels[: gh * cell, : gw * cell].reshape(gh, cell, gw, cell, 2).mean(axis=(1, 3), dtype=np.float32)


def process(job):
    index, path = job
    key = f"{index:09d}"
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.codec_context.options = {"flags2": "+export_mvs"}
            stream.codec_context.thread_count = 1  # frame threading corrupts exported vectors
            height, width = stream.codec_context.height, stream.codec_context.width
            maps, types = [], []
            for frame in container.decode(stream):
                types.append(TYPES.get(int(frame.pict_type), "?"))
                maps.append(dense_motion(frame.side_data.get("MOTION_VECTORS"), height, width, CELL))
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            keyframes = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        members = [
            ("json", json.dumps({"key": key, "source": path}, sort_keys=True).encode()),
            ("keyframes.npy", npy_bytes(np.stack(keyframes))),
            ("motion.npy", npy_bytes(np.stack(maps))),
            ("frame_types.txt", ("\n".join(types) + "\n").encode()),
        ]
        return key, members, None, len(types)
    except Exception as error:  # a bad file must not stop the batch
        return key, None, f"{type(error).__name__}: {error}", 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--per-shard", type=int, default=100)
    args = parser.parse_args()
    paths = [line.strip() for line in open(args.manifest) if line.strip()]
    os.makedirs(args.output, exist_ok=True)
    tar, failures, frames = None, [], 0
    with Pool(args.processes) as pool:
        for i, (key, members, error, count) in enumerate(pool.imap(process, enumerate(paths), chunksize=1)):
            if i % args.per_shard == 0:
                if tar:
                    tar.close()
                tar = tarfile.open(os.path.join(args.output, f"{i // args.per_shard:05d}.tar"), "w")
            frames += count
            if error:
                failures.append({"key": key, "reason": error})
                continue
            for suffix, data in members:
                info = tarfile.TarInfo(f"{key}.{suffix}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    if tar:
        tar.close()
    with open(os.path.join(args.output, "failures.jsonl"), "w") as f:
        for failure in failures:
            f.write(json.dumps(failure) + "\n")
    print(json.dumps({"videos": len(paths), "failed": len(failures), "frames": frames}))


if __name__ == "__main__":
    main()
