#!/usr/bin/env python3
"""DAVIS 2017 evaluation goldens for VidiSegmentation's `vidi eval davis`.

Writes a tiny DAVIS-layout dataset (Fixtures/davis/gt) and results (Fixtures/davis/results) made of seeded
shapes, runs the official evaluation code on them and stores its numbers in Fixtures/davis/official.json:
per object the per-frame J and F values and mean / recall / decay, the global measures, and
`db_statistics` on seeded series of many lengths (the uint8 bin edges wrap past 256 frames).

The official code is not part of Vidi: check out https://github.com/davisvideochallenge/davis2017-evaluation
(used: commit ac7c43fca936f9722837b7fbd337d284ba37004b) and pass its folder. Needs numpy, Pillow, opencv,
scikit-image, scipy, tqdm.

    Tools/goldens/make_davis_goldens.py --davis-eval /path/to/davis2017-evaluation
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "davis")


def palette():
    cmap = np.zeros((256, 3), dtype=np.uint8)
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= (c & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap.flatten().tolist()


def save(mask, path, mode="P", bits=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = Image.fromarray(mask.astype(np.uint8))  # mode L: 8-bit grayscale
    if mode == "P":
        image.putpalette(palette())  # becomes a palette image
    if bits:
        image.save(path, bits=bits)
    else:
        image.save(path)


def ellipse(h, w, cy, cx, ry, rx):
    y, x = np.mgrid[0:h, 0:w]
    return ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1


def noisy(mask, rng, flips):
    """Flips `flips` pixels next to the boundary, plus a shift, so J and F are neither 0 nor 1."""
    out = np.roll(mask, rng.integers(-2, 3), axis=1).copy()
    ys, xs = np.nonzero(out)
    if len(ys):
        for k in rng.choice(len(ys), size=min(flips, len(ys)), replace=False):
            out[max(ys[k] - 1, 0):ys[k] + 2, max(xs[k] - 1, 0):xs[k] + 2] ^= True
    return out


def make_sequences(rng):
    seqs = {}
    # two objects moving; object 2 leaves the frame; predictions miss / hallucinate on some frames
    h, w, n = 50, 70, 9
    gt, res = [], []
    for t in range(n):
        lab = np.zeros((h, w), np.uint8)
        pred = np.zeros((h, w), np.uint8)
        a = ellipse(h, w, 20 + t, 15 + 3 * t, 9, 12)
        b = ellipse(h, w, 30, 50 + 4 * t, 8, 6) if t < 6 else np.zeros((h, w), bool)
        lab[a] = 1
        lab[b] = 2
        pa, pb = noisy(a, rng, 4), noisy(b, rng, 3)
        if t == 3:
            pb[:] = False              # predicted empty, truth not
        if t >= 6 and t != 8:
            pb = ellipse(h, w, 10, 60, 4, 4)  # truth empty, predicted not (t=6, 7); both empty at t=8
        pred[pa] = 1
        pred[pb & ~pa] = 2
        gt.append(lab)
        res.append(pred)
    seqs["twoobjects"] = (gt, res, {})
    # void label 255 around an object, odd size
    h, w, n = 37, 53, 6
    gt, res = [], []
    for t in range(n):
        a = ellipse(h, w, 18, 20 + 2 * t, 10, 9)
        lab = np.zeros((h, w), np.uint8)
        ring = ellipse(h, w, 18, 20 + 2 * t, 12, 11) & ~a
        lab[a] = 1
        lab[ring] = 255
        gt.append(lab)
        res.append(noisy(a, rng, 5).astype(np.uint8))
    seqs["voidodd"] = (gt, res, {})
    # three objects, results never mention object 3; GT as 2-bit palette PNGs, results 8-bit grayscale
    h, w, n = 40, 40, 7
    gt, res = [], []
    for t in range(n):
        lab = np.zeros((h, w), np.uint8)
        lab[ellipse(h, w, 10, 10 + t, 6, 6)] = 1
        lab[ellipse(h, w, 28, 12, 7, 5 + t % 3)] = 2
        lab[ellipse(h, w, 25, 30 - t, 5, 5)] = 3
        pred = np.zeros((h, w), np.uint8)
        pred[noisy(lab == 1, rng, 2)] = 1
        pred[noisy(lab == 2, rng, 2)] = 2
        gt.append(lab)
        res.append(pred)
    seqs["missing"] = (gt, res, {"res_mode": "L", "gt_bits": 2})
    # full 480p frames: the boundary tolerance is 8 pixels there
    h, w, n = 480, 854, 4
    gt, res = [], []
    for t in range(n):
        a = ellipse(h, w, 240 + 10 * t, 300 + 20 * t, 120, 160)
        lab = np.zeros((h, w), np.uint8)
        lab[a] = 1
        pred = np.zeros((h, w), np.uint8)
        pred[ellipse(h, w, 244 + 10 * t, 306 + 20 * t, 112 + 3 * t, 170)] = 1
        gt.append(lab)
        res.append(pred)
    seqs["full480p"] = (gt, res, {})
    return seqs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--davis-eval", required=True, help="checkout of davis2017-evaluation")
    args = parser.parse_args()
    sys.path.insert(0, args.davis_eval)
    from davis2017.evaluation import DAVISEvaluation
    from davis2017.utils import db_statistics

    rng = np.random.default_rng(2017)
    shutil.rmtree(ROOT, ignore_errors=True)
    seqs = make_sequences(rng)
    for name, (gt, res, opts) in seqs.items():
        for t, (g, r) in enumerate(zip(gt, res)):
            save(g, f"{ROOT}/gt/Annotations/480p/{name}/{t:05d}.png", bits=opts.get("gt_bits"))
            save(r, f"{ROOT}/results/{name}/{t:05d}.png", mode=opts.get("res_mode", "P"))
    os.makedirs(f"{ROOT}/gt/ImageSets/2017", exist_ok=True)
    with open(f"{ROOT}/gt/ImageSets/2017/val.txt", "w") as f:
        f.write("\n".join(seqs) + "\n")

    # codalab=True: the official reader then needs no JPEGImages (the measures never read them)
    evaluation = DAVISEvaluation(davis_root=f"{ROOT}/gt", task="semi-supervised", gt_set="val", codalab=True)
    metrics = evaluation.evaluate(f"{ROOT}/results")
    J, F = metrics["J"], metrics["F"]
    # per-frame values: recompute through the same official functions the evaluation calls
    from davis2017.davis import DAVIS
    from davis2017.results import Results
    dataset = DAVIS(root=f"{ROOT}/gt", task="semi-supervised", subset="val", codalab=True)
    objects = []
    for seq in dataset.get_sequences():
        gt_masks, _, ids = dataset.get_all_masks(seq, True)
        gt_masks, ids = gt_masks[:, 1:-1], ids[1:-1]
        res_masks = Results(f"{ROOT}/results").read_masks(seq, ids)
        j, f = DAVISEvaluation._evaluate_semisupervised(gt_masks, res_masks, None, ("J", "F"))
        for k in range(gt_masks.shape[0]):
            jm, jr, jd = db_statistics(j[k])
            fm, fr, fd = db_statistics(f[k])
            objects.append({"name": f"{seq}_{k + 1}", "J": j[k].tolist(), "F": f[k].tolist(),
                            "J-Mean": jm, "J-Recall": jr, "J-Decay": jd, "F-Mean": fm, "F-Recall": fr, "F-Decay": fd})
            assert J["M_per_object"][f"{seq}_{k + 1}"] == jm
    glob = {"J&F-Mean": (np.mean(J["M"]) + np.mean(F["M"])) / 2, "J-Mean": np.mean(J["M"]), "J-Recall": np.mean(J["R"]),
            "J-Decay": np.mean(J["D"]), "F-Mean": np.mean(F["M"]), "F-Recall": np.mean(F["R"]), "F-Decay": np.mean(F["D"])}

    stats = []
    for n in [1, 2, 3, 4, 5, 7, 10, 33, 255, 256, 257, 300, 1000]:
        values = rng.random(n)
        if n >= 10:
            values[rng.integers(0, n, 2)] = np.nan
        m, o, d = db_statistics(values)
        stats.append({"values": [None if np.isnan(v) else v for v in values.tolist()],
                      "mean": None if np.isnan(m) else float(m), "recall": float(o),
                      "decay": None if np.isnan(d) else float(d)})

    out = {"source": "davis2017-evaluation ac7c43fca936f9722837b7fbd337d284ba37004b, DAVISEvaluation semi-supervised",
           "global": {k: float(v) for k, v in glob.items()}, "objects": objects, "db_statistics": stats}
    with open(f"{ROOT}/official.json", "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out["global"], indent=1))


if __name__ == "__main__":
    main()
