#!/usr/bin/env python3
"""Golden model inputs for VidiMedia's `VideoReader.modelInput` tests, made without Vidi.

    $(Tools/reference-venv.sh) Tools/make_model_input_goldens.py   # writes Fixtures/golden/model-input/

Two references:

1. Python preprocessing as model code does it (`model_inputs.npz`): full-size RGB from the ffmpeg CLI
   (`-pix_fmt rgb24`, autorotated: the same pixels torchcodec/PyAV give), then torchvision v2
   `resize(antialias=True)` (BILINEAR / BICUBIC) or PIL `Image.resize(BOX)` for area, `center_crop`,
   `to_dtype(scale=True)` (byte / 255) and `normalize`, then the layout. Frame indices use
   `FrameSampler.uniform`'s rule, floor((2k + 1) n / (2 count)).
2. Colour conversion from the raw decoded planes (`colour.npz`): the ffmpeg CLI dumps the decoder's
   own YUV planes (`-f rawvideo` in the stream's pix_fmt: no conversion), numpy upsamples chroma
   (nearest) and applies the stream's matrix and range (BT.601/BT.709 coefficients, limited range
   16-235/16-240 or full range). `wrong` holds the same frame with the other matrix (or, for full-range
   MJPEG, limited range): the tests check Vidi is far from it, so they tell the cases apart.
"""
import io
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision.transforms.v2.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.path.join(ROOT, "Fixtures", "media")
OUT = os.path.join(ROOT, "Fixtures", "golden", "model-input")

IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
CLIP = ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711])
UNIT = ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])


def probe(path, entries):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", entries,
                          "-of", "json", path], check=True, capture_output=True).stdout
    return json.loads(out)


def rgb_frames(path):
    """All frames as [N, H, W, 3] uint8, autorotated, one output frame per decoded frame."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-fps_mode", "passthrough",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    w, h = size_after_rotation(path)
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3)


def size_after_rotation(path):
    s = probe(path, "stream=width,height:stream_side_data=rotation")["streams"][0]
    rot = 0
    for side in s.get("side_data_list", []):
        rot = int(side.get("rotation", 0))
    return (s["height"], s["width"]) if rot % 180 else (s["width"], s["height"])


def uniform(n, count):
    return [(2 * k + 1) * n // (2 * count) for k in range(count)]


def shorter_side(w, h, s):
    # torchvision _compute_resized_output_size: int(size * long / short)
    if w <= h:
        return s, int(s * h / w)
    return int(s * w / h), s


def preprocess(frames, resize, crop, interp):
    """frames [N, H, W, 3] uint8 -> [N, 3, h, w] uint8 after resize and centre crop (torchvision)."""
    t = torch.from_numpy(frames.copy()).permute(0, 3, 1, 2)
    if resize is not None:
        w, h = resize
        if interp == "area":
            t = torch.stack([torch.from_numpy(np.array(
                Image.fromarray(f.permute(1, 2, 0).numpy()).resize((w, h), Image.BOX))).permute(2, 0, 1) for f in t])
        else:
            mode = {"bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC}[interp]
            t = F.resize(t, [h, w], interpolation=mode, antialias=True)
    if crop is not None:
        t = F.center_crop(t, [crop[1], crop[0]])
    return t


def normalise(t, norm):
    x = F.to_dtype(t, torch.float32, scale=True)
    return F.normalize(x, mean=norm[0], std=norm[1])


def model_cases():
    cases = {}

    def add(name, file, count, resize_rule, crop, interp, layout, norm, clips=1):
        path = os.path.join(MEDIA, file)
        frames = rgb_frames(path)
        w0, h0 = frames.shape[2], frames.shape[1]
        resize = None
        if resize_rule is not None:
            kind, a, b = resize_rule
            resize = shorter_side(w0, h0, a) if kind == "shorter" else (a, b)
        idx = uniform(len(frames), count)
        t = preprocess(frames[idx], resize, crop, interp)  # [N, 3, h, w] uint8
        if layout == "hwcBytes":
            out = t.permute(0, 2, 3, 1).contiguous().numpy()
        else:
            x = normalise(t, norm)
            if layout == "chw":
                out = x.numpy()
            else:
                n, c, h, w = x.shape
                x = x.reshape(clips, n // clips, c, h, w)  # tchw
                out = (x if layout == "tchw" else x.permute(0, 2, 1, 3, 4)).contiguous().numpy()
        cases[name] = out
        print(f"{name}: {file} frames {idx} -> {out.shape} {out.dtype}")

    # (name, file, count, resize, crop (w, h), filter, layout, normalisation)
    add("bilinear_shorter64_crop56_chw_imagenet", "h264-bframes-opengop.mp4", 4, ("shorter", 64, 0), (56, 56),
        "bilinear", "chw", IMAGENET)
    add("bicubic_fixed80x60_hwc", "h264-bframes-opengop.mp4", 3, ("fixed", 80, 60), None, "bicubic", "hwcBytes", UNIT)
    add("area_fixed80x60_hwc", "h264-bframes-opengop.mp4", 3, ("fixed", 80, 60), None, "area", "hwcBytes", UNIT)
    add("odd_shorter100_tchw_unit", "odd-321x241.mp4", 4, ("shorter", 100, 0), None, "bilinear", "tchw", UNIT)
    add("rotated_fixed60x80_crop48_cthw_clip", "rotated-90.mp4", 4, ("fixed", 60, 80), (48, 48), "bilinear", "cthw", CLIP)
    add("tenbit_shorter60_chw_imagenet", "h264-10bit.mp4", 2, ("shorter", 60, 0), None, "bilinear", "chw", IMAGENET)
    # No resize: the pixels are the ffmpeg CLI's exactly, so layouts and normalisation are checked tightly.
    add("noresize_crop120x96_cthw_clip", "h264-bframes-opengop.mp4", 2, None, (120, 96), None, "cthw", CLIP)
    add("noresize_rotated_crop64_chw_imagenet", "rotated-90.mp4", 2, None, (64, 96), None, "chw", IMAGENET)
    add("mjpeg_fullrange_shorter48_chw_unit", "mjpeg.avi", 2, ("shorter", 48, 0), None, "bilinear", "chw", UNIT)
    add("bt709_hd_shorter90_crop96x90_hwc", "h264-bt709-hd.mp4", 1, ("shorter", 90, 0), (96, 90), "bilinear", "hwcBytes", UNIT)
    return cases


# Kr, Kb of each matrix.
MATRICES = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def yuv_to_rgb(y, u, v, matrix, full):
    kr, kb = MATRICES[matrix]
    kg = 1 - kr - kb
    y = y.astype(np.float64)
    u = u.astype(np.float64)
    v = v.astype(np.float64)
    if full:
        yn, un, vn = y / 255, (u - 128) / 255, (v - 128) / 255
    else:
        yn, un, vn = (y - 16) / 219, (u - 128) / 224, (v - 128) / 224
    r = yn + 2 * (1 - kr) * vn
    b = yn + 2 * (1 - kb) * un
    g = (yn - kr * r - kb * b) / kg
    rgb = np.stack([r, g, b], axis=-1) * 255
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def colour_cases():
    cases = {}
    for name, file, matrix, full, wrong in [
        ("mjpeg_fullrange_bt601", "mjpeg.avi", "bt601", True, ("bt601", False)),
        ("h264_bt709_hd", "h264-bt709-hd.mp4", "bt709", False, ("bt601", False)),
        ("h264_bt601_sd", "h264-bt601-sd.mp4", "bt601", False, ("bt709", False)),
        ("h264_unspecified_sd", "h264-bframes-opengop.mp4", "bt601", False, ("bt709", False)),
    ]:
        path = os.path.join(MEDIA, file)
        s = probe(path, "stream=width,height,pix_fmt")["streams"][0]
        w, h, fmt = s["width"], s["height"], s["pix_fmt"]
        assert fmt in ("yuv420p", "yuvj420p"), fmt
        raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v", "1", "-f", "rawvideo",
                              "-pix_fmt", fmt, "-"], check=True, capture_output=True).stdout
        cw, ch = (w + 1) // 2, (h + 1) // 2
        a = np.frombuffer(raw, np.uint8)
        y = a[:w * h].reshape(h, w)
        u = a[w * h:w * h + cw * ch].reshape(ch, cw).repeat(2, 0).repeat(2, 1)[:h, :w]
        v = a[w * h + cw * ch:w * h + 2 * cw * ch].reshape(ch, cw).repeat(2, 0).repeat(2, 1)[:h, :w]
        # Every 4th row and column keeps the file small; the tests sample Vidi's frame the same way.
        cases[name + "/rgb"] = yuv_to_rgb(y, u, v, matrix, full)[::4, ::4]
        cases[name + "/wrong"] = yuv_to_rgb(y, u, v, *wrong)[::4, ::4]
        print(f"{name}: {file} {w}x{h} {fmt} as {matrix} {'full' if full else 'limited'}; wrong = {wrong}")
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, "model_inputs.npz"), **model_cases())
    np.savez_compressed(os.path.join(OUT, "colour.npz"), **colour_cases())
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")


if __name__ == "__main__":
    sys.exit(main())
