#!/usr/bin/env python3
"""Goldens for the 8-bit plane resampler (CYUVConvert `plane_resample.h`), made without Vidi.

    $(Tools/reference-venv.sh) Tools/make_plane_resample_goldens.py   # writes Fixtures/golden/model-input/plane_resample.npz

Each case is one seeded 8-bit plane (a gradient plus noise, so both smooth areas and sharp steps occur) and
its full resize: torchvision v2 `resize(antialias=True)` on the uint8 [1, H, W] tensor (BILINEAR / BICUBIC,
torch's uint8 kernels, one thread), or PIL `Image.resize(BOX)` on mode "L" for area. Arrays per case:
`<name>_source` (H x W uint8) and `<name>_<filter>` (h x w uint8) for bilinear, bicubic and area.
The tests resize the source over several output windows and compare with the same window of the output.
"""
import os

import numpy as np
import torch
import torchvision.transforms.v2.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "golden", "model-input", "plane_resample.npz")

# (name, source height, width, output height, width): odd sizes, downscales of 1.4x-13x (8, 16 and 64
# padded taps), upscales, one axis unchanged, one tiny plane, and 360p luma/chroma to the clips112 size.
GEOMETRIES = [
    ("odd_down", 37, 53, 13, 22),
    ("up", 9, 7, 20, 31),
    ("down_up", 40, 30, 17, 45),
    ("same_height", 24, 33, 24, 10),
    ("same_width", 33, 24, 10, 24),
    ("tiny", 3, 2, 5, 1),
    ("luma_360p", 180, 320, 64, 113),
    ("chroma_360p", 90, 160, 64, 113),
    ("strong_down", 200, 390, 15, 30),
]
FILTERS = ["bilinear", "bicubic", "area"]


def plane(rng, h, w):
    y, x = np.mgrid[0:h, 0:w]
    smooth = (x * 255 // max(w - 1, 1) + y * 128 // max(h - 1, 1)) % 256
    noise = rng.integers(-60, 61, (h, w))
    steps = np.where((x // 5 + y // 3) % 7 == 0, 255, 0)  # saturating stripes: bicubic over- and undershoots
    return np.clip(np.where(steps > 0, steps, smooth + noise), 0, 255).astype(np.uint8)


def resize(source, h, w, kind):
    if kind == "area":
        return np.asarray(Image.fromarray(source, mode="L").resize((w, h), Image.BOX))
    mode = InterpolationMode.BILINEAR if kind == "bilinear" else InterpolationMode.BICUBIC
    return F.resize(torch.from_numpy(source)[None], [h, w], interpolation=mode, antialias=True)[0].numpy()


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(13)
    arrays = {}
    for name, h, w, oh, ow in GEOMETRIES:
        source = plane(rng, h, w)
        arrays[f"{name}_source"] = source
        for kind in FILTERS:
            arrays[f"{name}_{kind}"] = np.ascontiguousarray(resize(source, oh, ow, kind))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUT}")


if __name__ == "__main__":
    main()
