#!/usr/bin/env python3
"""Golden snippet features for `vidi features` (VidiLocalization's SnippetFeatureExtractor), made without Vidi.

    $(VIDI_REFERENCE_VENV=/path/to/venv Tools/reference-venv.sh) Tools/localization/make_feature_goldens.py
    (needs torchvision in that environment: pip install torchvision)

Writes Fixtures/golden/localization/features/:
  resnet18_w16.safetensors  torchvision's own `ResNet` / `BasicBlock` / `_make_layer` (a resnet18: two blocks
                            per stage) narrowed to widths 8, 16, 16, 16 so the file stays small, seeded random
                            weights and BatchNorm statistics, saved with torchvision's state-dict names.
                            16-d features, the width of the bundled synthetic RCL model, so
                            Pipelines/localize.yaml reuses it as a demonstration backbone (random weights: it
                            shows the path from video to predictions, it detects nothing).
  closedgop_s12_w8.npy      T x 16 features of Fixtures/media/h264-closedgop.mp4 (50 frames) with stride 12
                            and window 8: frames decoded by the ffmpeg CLI (rgb24), torchvision v2
                            resize(shorter side 40, bilinear, antialias) + center_crop(32) + ImageNet normalize,
                            the network's pooled features per frame (fc replaced by Identity), averaged over each
                            snippet's frames. Snippets follow SnippetLayout's rule: full windows at 0, 12, 24, 36,
                            then one partial window [48, 50) because frames 44-49 are otherwise left out.
  closedgop_s12_w8.json     the parameters above.
  r2plus1d18_w16.safetensors, r3d18_w16.safetensors
                            torchvision's own video `VideoResNet` / `BasicBlock` / `Conv2Plus1D` / `Conv3DSimple` /
                            `_make_layer` (r2plus1d_18 and r3d_18: two blocks per stage) narrowed to widths
                            4, 8, 8, 16 (stems: a 6-channel R(2+1)D middle, a plain r3d stem), seeded random weights
                            and BatchNorm statistics, torchvision's state-dict names.
  closedgop_<arch>_s12_w8.npy
                            T x 16 features of the same video, stride 12, window 8: each snippet's frames as one clip
                            [3, 8, 32, 32] (a partial last window repeats its last frame, SnippetLayout.clip), frames
                            resized as above with Kinetics mean/std, the network's pooled features (fc = Identity).
"""
import json
import os
import subprocess

import numpy as np
import torch
import torch.nn as nn
import torchvision.transforms.v2.functional as F
from safetensors.torch import save_file
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.video import resnet as video_resnet
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "localization", "features")
VIDEO = os.path.join(ROOT, "Fixtures", "media", "h264-closedgop.mp4")
STRIDE, WINDOW, RESIZE, CROP = 12, 8, 40, 32
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
KINETICS = ([0.43216, 0.394666, 0.37645], [0.22803, 0.22145, 0.216989])
VIDEO_WIDTHS = [4, 8, 8, 16]


def narrow_resnet18(widths):
    """torchvision's resnet18 code path at reduced widths: its constructor, then its own _make_layer."""
    torch.manual_seed(0)
    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)  # replaced below; keeps torchvision's forward
    model.inplanes = widths[0]
    model.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(widths[0])
    model.layer1 = model._make_layer(BasicBlock, widths[0], 2)
    model.layer2 = model._make_layer(BasicBlock, widths[1], 2, stride=2)
    model.layer3 = model._make_layer(BasicBlock, widths[2], 2, stride=2)
    model.layer4 = model._make_layer(BasicBlock, widths[3], 2, stride=2)
    model.fc = nn.Linear(widths[3], 10)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, nn.BatchNorm2d):
                # Non-trivial eval statistics, so a wrong BatchNorm would show.
                module.weight.copy_(0.5 + torch.rand(module.num_features, generator=generator))
                module.bias.copy_(0.2 * torch.randn(module.num_features, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(module.num_features, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(module.num_features, generator=generator))
    return model.eval()


def randomize_batch_norms(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm2d, nn.BatchNorm3d)):
                # Non-trivial eval statistics, so a wrong BatchNorm would show.
                module.weight.copy_(0.5 + torch.rand(module.num_features, generator=generator))
                module.bias.copy_(0.2 * torch.randn(module.num_features, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(module.num_features, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(module.num_features, generator=generator))


def narrow_video_resnet(arch, widths):
    """torchvision's r2plus1d_18 / r3d_18 code path at reduced widths: its VideoResNet and _make_layer, with
    the stem's layers at narrow widths in torchvision's order (stem.0 conv, .1 bn, .2 relu, ...)."""
    torch.manual_seed(2 if arch == "r2plus1d_18" else 3)
    factorised = arch == "r2plus1d_18"
    conv = video_resnet.Conv2Plus1D if factorised else video_resnet.Conv3DSimple
    stem = video_resnet.R2Plus1dStem if factorised else video_resnet.BasicStem
    model = video_resnet.VideoResNet(video_resnet.BasicBlock, [conv] * 4, [1, 1, 1, 1], stem, num_classes=10)
    if factorised:
        model.stem = nn.Sequential(
            nn.Conv3d(3, 6, kernel_size=(1, 7, 7), stride=(1, 2, 2), padding=(0, 3, 3), bias=False), nn.BatchNorm3d(6), nn.ReLU(inplace=True),
            nn.Conv3d(6, widths[0], kernel_size=(3, 1, 1), stride=(1, 1, 1), padding=(1, 0, 0), bias=False),
            nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
    else:
        model.stem = nn.Sequential(
            nn.Conv3d(3, widths[0], kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
            nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
    model.inplanes = widths[0]
    model.layer1 = model._make_layer(video_resnet.BasicBlock, conv, widths[0], 2, stride=1)
    model.layer2 = model._make_layer(video_resnet.BasicBlock, conv, widths[1], 2, stride=2)
    model.layer3 = model._make_layer(video_resnet.BasicBlock, conv, widths[2], 2, stride=2)
    model.layer4 = model._make_layer(video_resnet.BasicBlock, conv, widths[3], 2, stride=2)
    model.fc = nn.Linear(widths[3], 10)
    randomize_batch_norms(model, 4)
    return model.eval()


def clip_frames(r, window):
    """SnippetLayout.clip: the window's frames, a partial window padded by repeating its last frame."""
    frames = list(r)
    return frames + [frames[-1]] * (window - len(frames))


def rgb_frames(path):
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                       "stream=width,height", "-of", "json", path], check=True, capture_output=True).stdout)
    w, h = probe["streams"][0]["width"], probe["streams"][0]["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-fps_mode", "passthrough", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def snippets(n, stride, window):
    """SnippetLayout's rule: full windows, plus one partial window if frames after them are left out."""
    full = (n - window) // stride + 1 if n >= window else 0
    if full == 0:
        return [range(0, min(window, n))]
    out = [range(i * stride, i * stride + window) for i in range(full)]
    if (full - 1) * stride + window < n and full * stride < n:
        out.append(range(full * stride, n))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    model = narrow_resnet18([8, 16, 16, 16])
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              os.path.join(OUT, "resnet18_w16.safetensors"), metadata={"format": "pt"})
    model.fc = nn.Identity()

    frames = rgb_frames(VIDEO)
    images = []
    for frame in frames:
        x = torch.from_numpy(frame.copy()).permute(2, 0, 1)
        x = F.resize(x, [RESIZE], interpolation=InterpolationMode.BILINEAR, antialias=True)
        x = F.center_crop(x, [CROP, CROP])
        x = F.normalize(F.to_dtype(x, torch.float32, scale=True), *IMAGENET)
        images.append(x)
    with torch.no_grad():
        per_frame = model(torch.stack(images)).numpy()
    layout = snippets(len(frames), STRIDE, WINDOW)
    features = np.stack([per_frame[list(r)].mean(axis=0) for r in layout]).astype(np.float32)
    np.save(os.path.join(OUT, "closedgop_s12_w8.npy"), features)
    with open(os.path.join(OUT, "closedgop_s12_w8.json"), "w") as f:
        json.dump({"video": "media/h264-closedgop.mp4", "frames": len(frames), "stride": STRIDE, "window": WINDOW,
                   "resize": RESIZE, "crop": CROP, "snippets": [[r.start, r.stop] for r in layout]}, f, indent=1)
    print("features", features.shape, "frames", len(frames), "snippets", [[r.start, r.stop] for r in layout])

    for arch, short in [("r2plus1d_18", "r2plus1d18"), ("r3d_18", "r3d18")]:
        net = narrow_video_resnet(arch, VIDEO_WIDTHS)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()},
                  os.path.join(OUT, f"{short}_w16.safetensors"), metadata={"format": "pt"})
        net.fc = nn.Identity()
        clips = []
        for r in layout:
            chosen = [F.normalize(F.to_dtype(F.center_crop(F.resize(torch.from_numpy(frames[i].copy()).permute(2, 0, 1), [RESIZE],
                                                                     interpolation=InterpolationMode.BILINEAR, antialias=True),
                                                            [CROP, CROP]), torch.float32, scale=True), *KINETICS)
                      for i in clip_frames(r, WINDOW)]
            clips.append(torch.stack(chosen, dim=1))  # [3, T, H, W]
        with torch.no_grad():
            video_features = net(torch.stack(clips)).numpy().astype(np.float32)
        np.save(os.path.join(OUT, f"closedgop_{short}_s12_w8.npy"), video_features)
        print(arch, "features", video_features.shape, "std %.3f" % video_features.std())


if __name__ == "__main__":
    main()
