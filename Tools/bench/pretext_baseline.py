#!/usr/bin/env python3
"""The Python peer of Vidi's pretext generation (Pipelines/mosi.yaml, hico.yaml, cmd.yaml): the same work
per input written with numpy and PyAV, one sample per input, written as .npy into a WebDataset-style tar
per worker. Used by Tools/bench/pretext_bench.py for throughput only (it follows reference/pretext.md, not
Vidi's random streams).

    pretext_baseline.py {mosi|hico|cmd} MANIFEST OUTPUT_DIR [--processes 2]
"""
import argparse, io, math, os, random, sys, tarfile
from multiprocessing import Pool

import av
import numpy as np


def bilinear(img, box, out_h, out_w):
    """torch interpolate(bilinear, align_corners=False) of img[y:y+h, x:x+w] (H x W x C)."""
    x, y, w, h = box
    def axis(start, length, out):
        s = np.maximum((np.arange(out) + 0.5) * length / out - 0.5, 0)
        i0 = np.minimum(s.astype(np.int64), length - 1)
        i1 = np.minimum(i0 + 1, length - 1)
        return start + i0, start + i1, (s - i0).astype(np.float32)
    x0, x1, wx = axis(x, w, out_w)
    y0, y1, wy = axis(y, h, out_h)
    f = img.astype(np.float32)
    top = f[y0][:, x0] * (1 - wx)[None, :, None] + f[y0][:, x1] * wx[None, :, None]
    bot = f[y1][:, x0] * (1 - wx)[None, :, None] + f[y1][:, x1] * wx[None, :, None]
    return top * (1 - wy)[:, None, None] + bot * wy[:, None, None]


def luma(x):
    return 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]


def jitter(frame, rng):
    x = frame.astype(np.float32) / 255
    b, c, s = (rng.uniform(0.5, 1.5) for _ in range(3))
    h = rng.uniform(-0.25, 0.25)
    for op in rng.sample(range(4), 4):
        if op == 0:
            x = np.clip(x * b, 0, 1)
        elif op == 1:
            x = np.clip(c * x + (1 - c) * luma(x).mean(), 0, 1)
        elif op == 2:
            x = np.clip(s * x + (1 - s) * luma(x)[..., None], 0, 1)
        else:
            r, g, bl = x[..., 0], x[..., 1], x[..., 2]
            mx, mn = x.max(-1), x.min(-1)
            d = mx - mn
            sat = np.where(mx > 0, d / np.maximum(mx, 1e-12), 0)
            dd = np.maximum(d, 1e-12)
            hue = np.where(mx == r, (g - bl) / dd, np.where(mx == g, 2 + (bl - r) / dd, 4 + (r - g) / dd))
            hue = np.where(d > 0, hue / 6 + h, 0) % 1.0
            k = np.minimum((hue * 6).astype(np.int64), 5)
            f = hue * 6 - k
            p, q, t = mx * (1 - sat), mx * (1 - sat * f), mx * (1 - sat * (1 - f))
            choices = [np.stack(v, -1) for v in [(mx, t, p), (q, mx, p), (p, mx, t), (p, q, mx), (t, p, mx), (mx, p, q)]]
            x = np.select([k[..., None] == i for i in range(6)], choices)
    if rng.random() < 0.3:
        x = np.repeat(luma(x)[..., None], 3, -1)
    return np.clip(np.round(x * 255), 0, 255).astype(np.uint8)


SPEEDS = [(-2, 0), (-1, 0), (1, 0), (2, 0), (0, -2), (0, -1), (0, 1), (0, 2), (0, 0)]


def mosi(path, rng):
    with av.open(path) as c:
        img = next(c.decode(video=0)).to_ndarray(format="rgb24")
    h, w = img.shape[:2]
    S, K, T = 320, 112, 16
    nh, nw = (S, int(S / h * w)) if h <= w else (int(S / w * h), S)
    img = np.clip(np.round(bilinear(img, (0, 0, w, h), nh, nw)), 0, 255).astype(np.uint8)
    clips = []
    for dx, dy in SPEEDS:
        if rng.random() < 0.5:
            dx = -dx; flip = True
        else:
            flip = False
        cx, cy = rng.randint(0, nw - S), rng.randint(0, nh - S)
        def pos(v):
            dist = (S - K) * v / 2
            start = rng.randint(int(max(0, -dist)), int(min(S - K, S - K - dist)))
            return np.clip(np.linspace(start, start + dist, T).astype(np.int64), 0, S - K)
        xs, ys = pos(dx), pos(dy)
        frames = np.stack([jitter(img[cy + ys[t]:cy + ys[t] + K, cx + xs[t]:cx + xs[t] + K], rng) for t in range(T)])
        if flip:
            frames = frames[:, :, ::-1]
        t0, r = rng.randint(0, T - 1), rng.uniform(0.3, 0.5)
        m = int(K * r)
        mx, my = rng.randint(0, K - m), rng.randint(0, K - m)
        out = np.repeat(frames[t0:t0 + 1], T, 0)
        out[:, my:my + m, mx:mx + m] = frames[:, my:my + m, mx:mx + m]
        clips.append(out)
    return {"clips.npy": np.stack(clips), "labels.npy": np.arange(9, dtype=np.int64)}


def hico(path, rng, progress=0.5):
    with av.open(path) as c:
        s = c.streams.video[0]
        fps = float(s.average_rate)
        frames = [f for f in c.decode(s)]  # PyAV has no exact random access: decode, keep the chosen ones
    n = len(frames)
    dur = n / fps
    tc = 16 * 4 / 30
    lo, hi = (tc, dur - tc) if dur >= 2 * tc else (dur / 2, dur / 2)
    d = progress
    c0 = rng.uniform(lo, hi)
    c1 = rng.uniform(max(c0 - d, lo), min(c0 + d, hi))
    c2 = rng.uniform(lo, hi)
    out = []
    for centre in (c0, c1, c2):
        idx = [min(n - 1, max(0, int((centre - tc / 2 + k * 4 / 30) * fps))) for k in range(16)]
        pics = [frames[i].reformat(width=None, height=128, format="rgb24", interpolation="BILINEAR").to_ndarray() for i in idx]
        h, w = pics[0].shape[:2]
        x, y = rng.randint(0, w - 112), rng.randint(0, h - 112)
        out.append(np.stack([p[y:y + 112, x:x + 112] for p in pics]))
    return {"clips.npy": np.stack(out)}


def dense(mvs, h, w):
    m = np.zeros((h, w, 2), np.float32)
    if mvs is None:
        return m
    a = mvs.to_ndarray()
    for v in a[a["source"] < 0]:
        dx, dy = -v["motion_x"] / v["motion_scale"], -v["motion_y"] / v["motion_scale"]
        x0, y0 = v["dst_x"] - v["w"] // 2, v["dst_y"] - v["h"] // 2
        m[max(0, y0):max(0, y0 + v["h"]), max(0, x0):max(0, x0 + v["w"])] = (dx, dy)
    return m


def cmd(path, rng):
    with av.open(path) as c:
        s = c.streams.video[0]
        s.codec_context.options = {"flags2": "+export_mvs"}
        frames, mvs, keys = [], [], []
        for i, f in enumerate(c.decode(s)):
            frames.append(f)
            mvs.append(f.side_data.get("MOTION_VECTORS"))
            if f.key_frame:
                keys.append(i)
        n = len(frames)
        starts = [st for st in range(0, n - 70 + 1) if any(st - 5 <= k <= st + 65 for k in keys)]
        st = rng.choice(starts)
        kf = rng.choice([k for k in keys if st - 5 <= k <= st + 65])
        ms = st + 62
        free = [m for m in range(n - 8 + 1) if abs(m - ms) >= 8]
        negs = []
        for _ in range(3):
            m = rng.choice(free); negs.append(m); free = [x for x in free if abs(x - m) >= 8]
        h, w = frames[0].height, frames[0].width
        area = h * w * rng.uniform(0.2, 1); ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = min(w, int(round(math.sqrt(area * ratio)))), min(h, int(round(math.sqrt(area / ratio))))
        box = (rng.randint(0, w - cw), rng.randint(0, h - ch), cw, ch)
        flip = rng.random() < 0.5
        def pic(i):
            p = np.clip(np.round(bilinear(frames[i].to_ndarray(format="rgb24"), box, 112, 112)), 0, 255).astype(np.uint8)
            return p[:, ::-1] if flip else p
        def maps(idx):
            out = []
            for i in idx:
                m = np.clip(bilinear(dense(mvs[i], h, w), box, 112, 112), -10, 10) / 10
                if flip:
                    m = m[:, ::-1].copy(); m[..., 0] *= -1
                out.append(m)
            return np.stack(out).astype(np.float32)
        return {"clip.npy": np.stack([pic(st + 4 * k) for k in range(16)]), "motion.npy": maps(range(ms, ms + 8)),
                "negatives.npy": np.stack([maps(range(m, m + 8)) for m in negs]), "keyframe.npy": pic(kf)}


def work(job):
    task, paths, out, worker = job
    rng = random.Random(worker)
    with tarfile.open(os.path.join(out, f"{worker:05d}.tar"), "w") as tar:
        for key, path in paths:
            sample = {"mosi": mosi, "hico": hico, "cmd": cmd}[task](path, rng)
            for name, array in sample.items():
                buf = io.BytesIO(); np.save(buf, array); data = buf.getvalue()
                info = tarfile.TarInfo(f"{key:09d}.{name}"); info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return len(paths)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("task", choices=["mosi", "hico", "cmd"])
    p.add_argument("manifest"); p.add_argument("output")
    p.add_argument("--processes", type=int, default=2)
    a = p.parse_args()
    base = os.path.dirname(os.path.abspath(a.manifest))
    paths = [os.path.join(base, l.strip()) for l in open(a.manifest) if l.strip() and not l.startswith("#")]
    os.makedirs(a.output, exist_ok=True)
    jobs = [(a.task, [(i, x) for i, x in enumerate(paths) if i % a.processes == w], a.output, w) for w in range(a.processes)]
    with Pool(a.processes) as pool:
        print(sum(pool.map(work, jobs)))


if __name__ == "__main__":
    main()
