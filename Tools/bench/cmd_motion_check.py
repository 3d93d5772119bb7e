#!/usr/bin/env python3
"""Does a Vidi-trained CMD clip encoder predict motion, and does it predict its direction? (BENCHMARKS.md
"Pretext linear probe", CMD diagnosis.) Loads a `vidi train cmd` checkpoint into a PyTorch replica of
CMDModel's motion branch (clip encoder = probe_upper_bound.TinyR3D, per-position predictor MLP, two-layer
motion encoder, motion projection MLP; Vidi's key names), prepares inputs as CMDModel.losses does
(PretextBackbone.resample: even frames, nearest pixels; time-mean of the last map; adaptive average pooling
of the motion features onto the same h x w grid), runs in evaluation mode and prints JSON lines:
  data     what separates a sample's positive motion clip from its 3 negatives (other times of the same
           video) in the maps themselves: the mean (dx, dy) over moving pixels (|v| > 0.05, i.e. 0.5 px) and
           the centroid of those pixels, per clip; `same_direction` = fraction of negatives whose mean motion
           points within 90 degrees of the positive's, `centroid_shift` = mean distance (crop pixels) between
           the positive's and the negatives' moving-pixel centroids;
  motion   the dense motion InfoNCE as trained, in chunks of --batch samples: top-1 accuracy of each
           position among all keys (chance 1 / (B L (1 + K))), and per sample/position the accuracy of the
           positive against the same position of each of its own 3 negatives (chance 0.5);
  direction  the same positions scored against the positive's own maps with every vector negated (same
           place, opposite direction): accuracy 0.5 = the prediction carries no direction; and the cosine
           between the motion features of a map and of its negation (1 = the motion encoder ignores sign).

  cmd_motion_check.py --checkpoint runs/cmd/cmd.safetensors --shards 'cmd-val-shards/*.tar' [--frames 8 --resolution 32]
"""
import argparse, glob, io, json, os, sys, tarfile
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_upper_bound import TinyR3D, load_vidi_weights  # noqa: E402


def resample(x, frames, side):
    """[N, T, H, W, C] -> [N, C, frames, side, side] float, as PretextBackbone.resample picks values."""
    n, t, h, w, _ = x.shape
    x = x[:, [k * t // frames for k in range(frames)]]
    x = x[:, :, [y * h // side for y in range(side)]][:, :, :, [i * w // side for i in range(side)]]
    return torch.from_numpy(np.ascontiguousarray(x.astype(np.float32).transpose(0, 4, 1, 2, 3)))


def mlp(i, hidden, o):
    return nn.Sequential(nn.Linear(i, hidden), nn.ReLU(), nn.Linear(hidden, o))


class CMDMotion(nn.Module):
    def __init__(self, frames, side, motion_frames=4, c=64, m=32, d=64):
        super().__init__()
        self.frames, self.side, self.motion_frames = frames, side, motion_frames
        self.clip_encoder = TinyR3D()
        self.motion_encoder = nn.Sequential(nn.Conv3d(2, m // 2, 3, (1, 2, 2), 1), nn.BatchNorm3d(m // 2), nn.ReLU(),
                                            nn.Conv3d(m // 2, m, 3, (1, 2, 2), 1), nn.BatchNorm3d(m), nn.ReLU())
        self.predictor = mlp(c, 2 * d, d)
        self.motion_projection = mlp(m, 2 * d, d)

    def predicted(self, clips):  # uint8 [N, T, H, W, 3] -> [N, L, D], grid
        x = (resample(clips, self.frames, self.side) / 255 - 0.45) / 0.225
        e = self.clip_encoder
        x = e.layer4(e.layer3(e.layer2(e.layer1(e.stem(x))))).mean(2)  # [N, C, h, w]
        n, c, h, w = x.shape
        return self.predictor(x.reshape(n, c, h * w).permute(0, 2, 1)), (h, w)

    def motion(self, maps, grid):  # [N, T, H, W, 2] -> [N, L, D]
        x = self.motion_encoder(resample(maps, self.motion_frames, self.side))
        x = F.adaptive_avg_pool3d(x, (1,) + grid)
        n, m = x.shape[:2]
        return self.motion_projection(x.reshape(n, m, -1).permute(0, 2, 1))


def load_model(path, frames, side):
    net = CMDMotion(frames, side)
    wanted = {"clip_encoder.backbone.": "clip_encoder.", "motion_encoder.": "motion_encoder.", "predictor.": "predictor.",
              "motion_projection.": "motion_projection."}

    def rename(key):
        for prefix, to in wanted.items():
            if key.startswith(prefix) and not (to + key[len(prefix):]).startswith("clip_encoder.fc."):
                return to + key[len(prefix):]
        return None
    return load_vidi_weights(net, path, rename, optional=("clip_encoder.fc.",))


def samples(paths):
    for path in paths:
        with tarfile.open(path) as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            for name in sorted(n for n in members if n.endswith(".clip.npy")):
                base = name[:-len("clip.npy")]
                read = lambda suffix: np.load(io.BytesIO(tar.extractfile(members[base + suffix]).read()))
                yield read("clip.npy"), read("motion.npy"), read("negatives.npy")


def moving_stats(maps):
    """[T, H, W, 2] -> mean (dx, dy) over moving pixels, centroid (x, y), moving fraction."""
    v = maps.reshape(-1, maps.shape[1], maps.shape[2], 2)
    moving = np.linalg.norm(v, axis=-1) > 0.05
    if not moving.any():
        return None
    t, ys, xs = np.nonzero(moving)
    return v[moving].mean(0), np.array([xs.mean(), ys.mean()]), moving.mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint")
    parser.add_argument("--shards", required=True, help="glob of CMD shards (held-out videos)")
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = list(samples(sorted(glob.glob(args.shards))))
    same, shift, still = [], [], 0
    for clip, motion, negatives in data:
        p = moving_stats(motion)
        for negative in negatives:
            q = moving_stats(negative)
            if p is None or q is None:
                still += 1
                continue
            same.append(float(np.dot(p[0], q[0]) > 0))
            shift.append(float(np.linalg.norm(p[1] - q[1])))
    moving = [s[2] for s in (moving_stats(m) for _, m, _ in data) if s is not None]
    print(json.dumps({"check": "data", "samples": len(data), "pairs": len(same), "pairs_without_motion": still,
                      "same_direction": float(np.mean(same)), "centroid_shift_px": float(np.mean(shift)),
                      "moving_fraction_of_positive": float(np.mean(moving))}))
    if not args.checkpoint:
        return
    net = load_model(args.checkpoint, args.frames, args.resolution)
    top1, own, flipped, self_cos, chance, moving_cells = [], [], [], [], [], []
    win = lambda a, b: (a > b + 1e-4).float() + 0.5 * ((a - b).abs() <= 1e-4).float()  # a tie counts half
    with torch.no_grad():
        for start in range(0, len(data) - args.batch + 1, args.batch):
            chunk = data[start:start + args.batch]
            clips = np.stack([c for c, _, _ in chunk]); future = np.stack([m for _, m, _ in chunk])
            negatives = np.stack([n for _, _, n in chunk])
            b, k = negatives.shape[:2]
            q, grid = net.predicted(clips)
            q = F.normalize(q, dim=-1)                                            # [B, L, D]
            l = q.shape[1]
            pos = F.normalize(net.motion(future, grid), dim=-1)                   # [B, L, D]
            neg = F.normalize(net.motion(negatives.reshape((b * k,) + negatives.shape[2:]), grid), dim=-1).reshape(b, k, l, -1)
            rev = F.normalize(net.motion(-future, grid), dim=-1)
            keys = torch.cat([pos.reshape(b * l, -1), neg.reshape(b * k * l, -1)])
            logits = q.reshape(b * l, -1) @ keys.T
            top1.append((logits.argmax(1) == torch.arange(b * l)).float())
            chance.append(1 / keys.shape[0])
            sp = (q * pos).sum(-1)                                                # [B, L]
            sn = (q.unsqueeze(1) * neg).sum(-1)                                   # [B, K, L]
            own.append(win(sp.unsqueeze(1), sn).flatten())
            cos = (pos * rev).sum(-1)                                             # 1 where the cell has no motion
            moving_cells.append((cos < 0.999).float().flatten())
            flipped.append(win(sp, (q * rev).sum(-1))[cos < 0.999])
            self_cos.append(cos[cos < 0.999])
    cat = lambda xs: float(torch.cat(xs).mean())
    print(json.dumps({"check": "motion", "checkpoint": args.checkpoint, "grid": list(grid), "top1_all_keys": cat(top1),
                      "top1_chance": float(np.mean(chance)), "positive_vs_own_negatives": cat(own)}))
    print(json.dumps({"check": "direction", "cells_whose_features_change_with_sign": cat(moving_cells),
                      "positive_vs_negated_positive": cat(flipped),
                      "cosine_motion_feature_vs_negated": cat(self_cos)}))


if __name__ == "__main__":
    main()
