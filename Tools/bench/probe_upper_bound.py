#!/usr/bin/env python3
"""Checks of the linear-probe experiment (BENCHMARKS.md "Pretext linear probe"), independent of Vidi's
training code: do the probe clips, as the backbone sees them, carry the square's direction, and can the
same tiny backbone learn it?

Reads `vidi run` frame shards (frames.npy [16, 112, 112, 3] + .json "label") with tarfile + numpy, prepares
clips as PretextBackbone.input does (8 evenly taken frames, nearest resampling to 32 x 32, (x/255 - 0.45) /
0.225), then prints one JSON line per check:
  oracle      direction from the track of the foreground centroid (pixels far from the per-pixel temporal
              median), no learning: 1.0 when the clips carry the motion;
  supervised  a PyTorch tiny r3d (torchvision's r3d_18 layout at widths 8-16-32-64) trained with labels on
              --supervised shards (AdamW 1e-3, batch 16), then the probe of probe-eval on its frozen pooled
              features: the probe's upper bound on this data;
  random      the same probe over a randomly initialised PyTorch tiny r3d.
Probe = per-dimension standardisation with the training split's statistics, softmax regression, 1000
full-batch AdamW steps at lr 1e-2 (what `vidi probe-eval` does).

  probe_upper_bound.py --train T.tar --val V.tar --supervised S.tar [--steps 600] [--seed 0]
"""
import argparse, io, json, tarfile
import numpy as np
import torch
import torch.nn as nn


def load(path):
    samples = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if member.isfile():
                key, _, suffix = member.name.partition(".")
                samples.setdefault(key, {})[suffix] = tar.extractfile(member).read()
    keys = sorted(k for k in samples if "frames.npy" in samples[k])
    clips = np.stack([np.load(io.BytesIO(samples[k]["frames.npy"])) for k in keys])
    labels = np.array([int(json.loads(samples[k]["json"])["label"]) for k in keys])
    return clips, labels


def load_vidi_weights(net, path, rename, optional=()):
    """A Vidi checkpoint (optionally under `model.`) into the PyTorch replica `net`: `rename` maps a Vidi key
    (prefix stripped) to the replica's name or None to skip it; every replica key not starting with one of
    `optional` must be filled. Returns `net` in evaluation mode."""
    from safetensors.numpy import load_file  # only the checkpoint readers need it
    state = {}
    for key, value in load_file(path).items():
        name = rename(key[len("model."):] if key.startswith("model.") else key)
        if name is not None:
            state[name] = torch.from_numpy(value.copy())
    missing = [k for k in net.state_dict() if k not in state and not k.startswith(tuple(optional))]
    if missing:
        raise SystemExit(f"checkpoint lacks {missing[:5]}")
    net.load_state_dict(state, strict=False)
    return net.eval()


def backbone_view(clips, frames=8, side=32):
    """[N, T, H, W, 3] uint8 -> [N, frames, side, side, 3] float, as PretextBackbone.resample picks pixels."""
    n, t, h, w, _ = clips.shape
    x = clips[:, [k * t // frames for k in range(frames)]]
    return x[:, :, [y * h // side for y in range(side)]][:, :, :, [i * w // side for i in range(side)]].astype(np.float32)


def oracle(x):
    background = np.median(x, axis=1, keepdims=True)
    moving = (np.abs(x - background).sum(-1) > 60).astype(np.float64)
    ys, xs = np.mgrid[0:x.shape[2], 0:x.shape[3]]
    mass = moving.sum((2, 3)) + 1e-9
    cx, cy = (moving * xs).sum((2, 3)) / mass, (moving * ys).sum((2, 3)) / mass
    dx, dy = cx[:, -1] - cx[:, 0], cy[:, -1] - cy[:, 0]
    return np.where(np.abs(dx) > np.abs(dy), np.where(dx > 0, 0, 1), np.where(dy > 0, 2, 3))  # right left down up


def tensor(x):
    return torch.from_numpy(((x / 255 - 0.45) / 0.225).transpose(0, 4, 1, 2, 3).copy())


def conv_bn(i, o, kernel, stride, padding, relu):
    layers = [nn.Conv3d(i, o, kernel, stride, padding, bias=False), nn.BatchNorm3d(o)]
    return nn.Sequential(*(layers + [nn.ReLU()] if relu else layers))


class Block(nn.Module):
    def __init__(self, i, o, stride):
        super().__init__()
        self.conv1 = conv_bn(i, o, 3, stride, 1, True)
        self.conv2 = conv_bn(o, o, 3, 1, 1, False)
        self.downsample = conv_bn(i, o, 1, stride, 0, False) if stride != 1 or i != o else None

    def forward(self, x):
        return torch.relu(self.conv2(self.conv1(x)) + (x if self.downsample is None else self.downsample(x)))


class TinyR3D(nn.Module):
    """torchvision's r3d_18 layout and key names (stem, layer1-4, fc) at widths 8-16-32-64, so a Vidi
    checkpoint's encoder.backbone.* weights load as they are (probe_head_check.py)."""

    def __init__(self, widths=(8, 16, 32, 64), classes=4):
        super().__init__()
        self.stem = conv_bn(3, widths[0], (3, 7, 7), (1, 2, 2), (1, 3, 3), True)
        i = widths[0]
        for stage, o in enumerate(widths):
            setattr(self, f"layer{stage + 1}", nn.Sequential(Block(i, o, 1 if stage == 0 else 2), Block(o, o, 1)))
            i = o
        self.fc = nn.Linear(widths[-1], classes)

    def features(self, x):
        x = self.stem(x)
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return x.mean((2, 3, 4))

    def forward(self, x):
        return self.fc(self.features(x))


def probe(net, train, val, seed):
    net.eval()
    with torch.no_grad():
        ft, fv = net.features(train[0]), net.features(val[0])
    mean, std = ft.mean(0), ft.std(0, unbiased=False)
    std[std < 1e-6] = 1
    ft, fv = (ft - mean) / std, (fv - mean) / std
    torch.manual_seed(seed)
    fc = nn.Linear(ft.shape[1], 4)
    optimizer = torch.optim.AdamW(fc.parameters(), 1e-2, weight_decay=0)
    for _ in range(1000):
        optimizer.zero_grad()
        nn.functional.cross_entropy(fc(ft), train[1]).backward()
        optimizer.step()
    with torch.no_grad():
        return [(fc(f).argmax(1) == y).float().mean().item() for f, y in ((ft, train[1]), (fv, val[1]))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", required=True)
    parser.add_argument("--val", required=True)
    parser.add_argument("--supervised", required=True)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    (xt, yt), (xv, yv), (xs, ys) = load(args.train), load(args.val), load(args.supervised)
    vt, vv = backbone_view(xt), backbone_view(xv)
    print(json.dumps({"check": "oracle", "train_accuracy": float((oracle(vt) == yt).mean()), "val_accuracy": float((oracle(vv) == yv).mean())}))
    train, val = (tensor(vt), torch.from_numpy(yt)), (tensor(vv), torch.from_numpy(yv))
    torch.manual_seed(args.seed)
    random = TinyR3D()
    torch.manual_seed(args.seed)
    net = TinyR3D()
    xs, ys = tensor(backbone_view(xs)), torch.from_numpy(ys)
    optimizer = torch.optim.AdamW(net.parameters(), 1e-3)
    order = torch.Generator().manual_seed(args.seed)
    for _ in range(args.steps):
        net.train()
        batch = torch.randint(0, len(ys), (16,), generator=order)
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(xs[batch]), ys[batch]).backward()
        optimizer.step()
    for name, model in (("supervised", net), ("random", random)):
        train_accuracy, val_accuracy = probe(model, train, val, args.seed)
        print(json.dumps({"check": name, "supervised_videos": len(ys), "steps": args.steps if name == "supervised" else 0,
                          "train_accuracy": train_accuracy, "val_accuracy": val_accuracy}))


if __name__ == "__main__":
    main()
