#!/usr/bin/env python3
"""Golden output of CLIP's image preprocessing, from Pillow + the transform openai/CLIP `clip/clip.py`
`_transform` builds: Resize(n_px, BICUBIC) (torchvision's output size on a PIL image), CenterCrop(n_px),
ToTensor, Normalize(CLIP's mean / std). torchvision is not installed: its three PIL steps are written out
(`resize` → `PIL.Image.resize(BICUBIC)`, `center_crop` offsets `int(round((size - n) / 2))`).

    $(Tools/reference-venv.sh) Tools/goldens/make_preprocess_goldens.py
Writes Fixtures/golden/retrieval/preprocess_input.png (a seeded 61 x 45 RGB image) and
preprocess_<n>.npy for n = 32 and 24 (upsampling and downsampling paths).
"""
import os

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "retrieval")
rng = np.random.default_rng(20261130)
y, x = np.mgrid[0:45, 0:61]
base = np.stack([np.sin(x / 5.0) * 100 + 120, np.cos(y / 4.0) * 90 + 110, (x + y) * 2.0], axis=-1)
pixels = np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)
path = os.path.join(OUT, "preprocess_input.png")
Image.fromarray(pixels, "RGB").save(path)
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
for n in (32, 24, 64):
    image = Image.open(path).convert("RGB")
    w, h = image.size
    short, long = min(w, h), max(w, h)
    new_short, new_long = n, int(n * long / short)
    size = (new_short, new_long) if w <= h else (new_long, new_short)
    image = image.resize(size, Image.BICUBIC)
    w, h = image.size
    top, left = int(round((h - n) / 2.0)), int(round((w - n) / 2.0))
    image = image.crop((left, top, left + n, top + n))
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = ((array - MEAN) / STD).transpose(2, 0, 1)
    np.save(os.path.join(OUT, f"preprocess_{n}.npy"), np.ascontiguousarray(array.astype(np.float32)))
print("wrote", OUT)
