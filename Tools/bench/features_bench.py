#!/usr/bin/env python3
"""`vidi features` against the PyTorch way of making the same snippet features, on the same video, in one run.

    swift build -c release --product vidi
    $(Tools/reference-venv.sh) Tools/bench/features_bench.py [VIDEO] [--rounds 3]   (needs torchvision)

Both sides: a full-width torchvision resnet18 (seeded random weights, saved to a temporary safetensors
file that vidi loads), every frame of 16-frame windows at stride 8, shorter side 256, centre crop 224,
ImageNet mean/std, frame embeddings averaged per window. PyTorch: PyAV decodes every frame to RGB,
torchvision v2 resizes (antialias), batches of 64 frames through the network (torch.inference_mode).
Vidi: `vidi features --batch 16` (snippets per forward pass; each frame embedded once).
Rounds alternate Vidi and PyTorch; the table gives the median wall time of each and the ratio. Vidi's time
is the whole command (process start, weights load, writing the .npy); PyTorch's starts after the model is built.
Threads: both use every core (torch's default intra-op threads, OpenBLAS's).
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import av
import numpy as np
import torch
import torchvision
import torchvision.transforms.v2.functional as F
from safetensors.torch import save_file
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRIDE, WINDOW, RESIZE, CROP = 8, 16, 256, 224
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def windows(n):
    full = (n - WINDOW) // STRIDE + 1 if n >= WINDOW else 0
    if full == 0:
        return [range(0, n)]
    out = [range(i * STRIDE, i * STRIDE + WINDOW) for i in range(full)]
    if (full - 1) * STRIDE + WINDOW < n and full * STRIDE < n:
        out.append(range(full * STRIDE, n))
    return out


def torch_features(model, path):
    with av.open(path) as container:
        frames = [torch.from_numpy(f.to_ndarray(format="rgb24")).permute(2, 0, 1) for f in container.decode(video=0)]
    embedded = []
    with torch.inference_mode():
        for i in range(0, len(frames), 64):
            batch = [F.center_crop(F.resize(x, [RESIZE], interpolation=InterpolationMode.BILINEAR, antialias=True), [CROP, CROP])
                     for x in frames[i:i + 64]]
            x = F.normalize(F.to_dtype(torch.stack(batch), torch.float32, scale=True), MEAN, STD)
            embedded.append(model(x))
    per_frame = torch.cat(embedded).numpy()
    return np.stack([per_frame[list(r)].mean(axis=0) for r in windows(len(frames))])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("video", nargs="?", default=os.path.join(ROOT, "Fixtures", "media", "h264-closedgop.mp4"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--vidi", default=os.path.join(ROOT, ".build", "release", "vidi"))
    args = parser.parse_args()
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    tmp = tempfile.mkdtemp()
    weights = os.path.join(tmp, "resnet18.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
    model.fc = torch.nn.Identity()
    stem = os.path.splitext(os.path.basename(args.video))[0]
    vidi_times, torch_times = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        subprocess.run([args.vidi, "features", args.video, "--weights", weights, "--out", tmp, "--stride", str(STRIDE),
                        "--window", str(WINDOW), "--batch", "16"], check=True, capture_output=True)
        vidi_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference = torch_features(model, args.video)
        torch_times.append(time.perf_counter() - start)
    got = np.load(os.path.join(tmp, stem + ".npy"))
    diff = float(np.abs(got - reference).max())
    v, t = statistics.median(vidi_times), statistics.median(torch_times)
    print(f"| video | snippets | vidi features (s) | PyTorch (s) | PyTorch / vidi | max abs diff | features' std |")
    print(f"|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {os.path.basename(args.video)} | {got.shape[0]} | {v:.2f} | {t:.2f} | {t / v:.2f}x | {diff:.4f} | {reference.std():.4f} |")


if __name__ == "__main__":
    main()
