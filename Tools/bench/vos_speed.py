#!/usr/bin/env python3
"""Frames/s of STCN's official PyTorch inference on CPU at 480p, and the same weights for Vidi.

Builds STCN (hkchengrex/STCN, checkout passed with --stcn) with the formula weights of
Tools/goldens/make_vos_goldens.py, writes them as safetensors (for `vidi segment --weights`), writes a
480p synthetic clip as PNG frames + first mask, and times InferenceCore (top-k 20, mem_every 5, the eval
script's defaults) over the clip with torch's threads set to --threads. Prints frames/s.

    Tools/bench/vos_speed.py --stcn /path/STCN --work /tmp/vos-speed --frames 20 --threads 2
"""
import argparse
import importlib.util
import os
import time

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stcn", required=True)
    parser.add_argument("--work", default="/tmp/vos-speed")
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("goldens", os.path.join(HERE, "..", "goldens", "make_vos_goldens.py"))
    goldens = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(goldens)
    goldens.patch_torch()
    torch.set_grad_enabled(False)
    torch.set_num_threads(args.threads)
    core = goldens.import_reference(args.stcn)
    import sys
    sys.path.insert(0, args.stcn)
    from model.eval_network import STCN
    net = STCN().eval()
    state = goldens.formula_state(net.state_dict())
    net.load_state_dict(state, strict=True)
    os.makedirs(os.path.join(args.work, "frames"), exist_ok=True)
    from safetensors.torch import save_file
    save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(args.work, "full-formula.safetensors"))

    rng = np.random.default_rng(0)
    h, w = 480, 854
    y, x = np.mgrid[0:h, 0:w]
    frames = []
    for t in range(args.frames):
        img = np.stack([x % 255, y % 255, (x + y + 7 * t) % 255], -1).astype(np.float64)
        a = ((y - 200) / 80.0) ** 2 + ((x - 300 - 8 * t) / 120.0) ** 2 <= 1
        img[a] = (220, 30, 30)
        img = np.clip(img + rng.normal(0, 5, img.shape), 0, 255).astype(np.uint8)
        frames.append(img)
        Image.fromarray(img).save(os.path.join(args.work, "frames", f"{t:05d}.png"))
        if t == 0:
            mask = Image.fromarray(a.astype(np.uint8))
            mask.putpalette([0, 0, 0, 128, 0, 0] + [0] * 762)
            mask.save(os.path.join(args.work, "first.png"))
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    start = time.time()
    rgb = torch.stack([(torch.from_numpy(f).permute(2, 0, 1).float() / 255 - mean) / std for f in frames])[None]
    msk = torch.from_numpy(((y - 200) / 80.0) ** 2 + ((x - 300) / 120.0) ** 2 <= 1).float()[None, None]
    processor = core.InferenceCore(net, rgb, 1, top_k=20, mem_every=5)
    processor.interact(msk, 0, rgb.shape[1])
    for ti in range(processor.t):
        torch.argmax(processor.prob[:, ti], dim=0)
    elapsed = time.time() - start
    print(f"STCN PyTorch CPU ({args.threads} threads): {args.frames} frames 854x480 in {elapsed:.1f} s = {args.frames / elapsed:.2f} frames/s")


if __name__ == "__main__":
    main()
