#!/usr/bin/env python3
"""Golden tensors for VidiTensor's neural-network ops (Tests/VidiTensorTests/NN*Tests.swift).

Reference: PyTorch (CPU) in float64 for forward values and autograd gradients; inputs come from a seeded
NumPy generator, are rounded to float32, and are saved next to the results so the Swift tests load both.
Each differentiable case also stores the gradients of L = sum(out * w), w = linspace(0.5, 1.5, out.numel)
reshaped like the output, with respect to every float input (`<case>_grad_<input>`).

    $(Tools/reference-venv.sh) Tools/goldens/make_nnops_goldens.py   # writes Fixtures/golden/nn-ops/*.npy
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "nn-ops")
rng = np.random.default_rng(20261122)


def save(name, array):
    array = np.require(np.asarray(array), requirements="C")
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(os.path.join(OUT, name + ".npy"), array)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def case(name, fn, grads=True, **inputs):
    """Saves inputs, fn(**inputs) computed in float64, and (if grads) d sum(out*w) / d input."""
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=grads) for k, v in inputs.items()}
    for key, value in inputs.items():
        save(f"{name}_{key}", value)
    out = fn(**tensors)
    save(f"{name}_out", out.detach().numpy())
    if grads:
        w = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
        (out * w).sum().backward()
        for key, t in tensors.items():
            save(f"{name}_grad_{key}", t.grad.numpy())


def convolutions():
    case("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
         x=f32(2, 4, 9), w=f32(6, 2, 3), b=f32(6))
    case("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
         x=f32(2, 3, 7, 6), w=f32(4, 3, 3, 2), b=f32(4))
    case("conv2d_depthwise", lambda x, w: F.conv2d(x, w, None, padding=1, groups=4),
         x=f32(1, 4, 5, 5), w=f32(4, 1, 3, 3))
    case("conv2d_pointwise", lambda x, w, b: F.conv2d(x, w, b), x=f32(2, 3, 4, 4), w=f32(5, 3, 1, 1), b=f32(5))
    case("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(0, 1, 1), dilation=(2, 1, 1)),
         x=f32(1, 2, 4, 5, 5), w=f32(3, 2, 2, 3, 3), b=f32(3))
    # Stride 1 (the shifted-GEMM path): 'same' 3x3, dilated 1-D, dilated and padded 3-D, grouped.
    case("conv2d_s1", lambda x, w, b: F.conv2d(x, w, b, padding=1), x=f32(2, 3, 6, 5), w=f32(4, 3, 3, 3), b=f32(4))
    case("conv1d_s1", lambda x, w, b: F.conv1d(x, w, b, padding=2, dilation=3), x=f32(2, 3, 9), w=f32(2, 3, 3), b=f32(2))
    case("conv3d_s1", lambda x, w, b: F.conv3d(x, w, b, padding=(1, 2, 0), dilation=(1, 2, 1), groups=2),
         x=f32(1, 4, 3, 4, 5), w=f32(2, 2, 2, 3, 2), b=f32(2))
    case("convt1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=2, output_padding=1),
         x=f32(2, 3, 5), w=f32(3, 2, 4), b=f32(2))
    case("convt2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
         x=f32(2, 4, 3, 4), w=f32(4, 3, 3, 3), b=f32(3))
    case("convt2d_grouped", lambda x, w: F.conv_transpose2d(x, w, None, stride=(2, 1), dilation=(1, 2), groups=2),
         x=f32(1, 4, 3, 3), w=f32(4, 1, 2, 2))
    case("convt3d", lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(1, 2, 2), padding=(0, 1, 0)),
         x=f32(1, 2, 2, 3, 3), w=f32(2, 3, 2, 3, 2), b=f32(3))


def softmax_and_norms():
    big = f32(3, 4, 5) * 10
    big[1] += 1000.0  # large logits: a naive exp would overflow
    case("softmax", lambda x: F.softmax(x, dim=1), x=big)
    small = f32(2, 3, 6) * 10
    small[0, 0] -= 1.0e4  # very negative logits: log-softmax stays finite and exact
    case("log_softmax", lambda x: F.log_softmax(x, dim=-1), x=small)
    case("layer_norm", lambda x, w, b: F.layer_norm(x, (3, 4), w, b, eps=1e-5),
         x=f32(2, 3, 4) + 3, w=f32(3, 4), b=f32(3, 4))
    case("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b, eps=1e-5),
         x=f32(2, 6, 3, 2), w=f32(6), b=f32(6))
    # Batch norm, training: output and gradients, plus the running statistics after one update.
    x, w, b = f32(4, 3, 2, 2) * 2 + 1, f32(3), f32(3)
    running_mean, running_var = f32(3), f32(3, low=0.5, high=2.0)
    save("batch_norm_train_running_mean", running_mean)
    save("batch_norm_train_running_var", running_var)
    rm, rv = torch.tensor(running_mean, dtype=torch.float64), torch.tensor(running_var, dtype=torch.float64)
    case("batch_norm_train", lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2, eps=1e-5),
         x=x, w=w, b=b)
    save("batch_norm_train_new_running_mean", rm.numpy())
    save("batch_norm_train_new_running_var", rv.numpy())
    case("batch_norm_eval", lambda x, w, b: F.batch_norm(
        x, torch.tensor(running_mean, dtype=torch.float64), torch.tensor(running_var, dtype=torch.float64),
        w, b, training=False, eps=1e-5), x=x, w=w, b=b)


def pooling():
    case("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2, padding=1, dilation=2, ceil_mode=True), x=f32(2, 3, 11))
    case("max_pool2d", lambda x: F.max_pool2d(x, (3, 2), stride=(2, 3), padding=(1, 1), dilation=(1, 2)), x=f32(2, 2, 7, 8))
    case("max_pool2d_ceil", lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), x=f32(1, 2, 6, 7))
    case("max_pool3d", lambda x: F.max_pool3d(x, (2, 3, 2), stride=(2, 2, 1), padding=(1, 1, 0)), x=f32(1, 2, 5, 6, 5))
    case("avg_pool1d", lambda x: F.avg_pool1d(x, 4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
         x=f32(2, 3, 10))
    x = f32(2, 2, 7, 6)
    case("avg_pool2d_incl", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=True), x=x)
    case("avg_pool2d_excl", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), x=x)
    case("avg_pool3d", lambda x: F.avg_pool3d(x, (2, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1), ceil_mode=True),
         x=f32(1, 2, 5, 4, 6))
    case("adaptive_avg1d", lambda x: F.adaptive_avg_pool1d(x, 4), x=f32(2, 3, 10))
    case("adaptive_avg2d", lambda x: F.adaptive_avg_pool2d(x, (3, 7)), x=f32(1, 3, 7, 5))
    case("adaptive_avg3d", lambda x: F.adaptive_avg_pool3d(x, (2, 3, 4)), x=f32(1, 2, 5, 6, 7))
    case("adaptive_max1d", lambda x: F.adaptive_max_pool1d(x, 4), x=f32(2, 3, 10))
    case("adaptive_max2d", lambda x: F.adaptive_max_pool2d(x, (3, 7)), x=f32(1, 3, 7, 5))
    case("adaptive_max3d", lambda x: F.adaptive_max_pool3d(x, (2, 3, 4)), x=f32(1, 2, 5, 6, 7))


def interpolation():
    def up(**kw):
        return lambda x: F.interpolate(x, **kw)
    case("nearest1d", up(size=8, mode="nearest"), x=f32(2, 3, 5))
    case("nearest2d_scale", up(scale_factor=1.7, mode="nearest"), x=f32(1, 2, 4, 5))
    case("nearest3d", up(size=(3, 5, 2), mode="nearest"), x=f32(1, 2, 4, 3, 5))
    case("linear_align", up(size=11, mode="linear", align_corners=True), x=f32(2, 3, 6))
    case("linear_down", up(size=4, mode="linear", align_corners=False), x=f32(2, 3, 6))
    case("bilinear_align", up(size=(7, 9), mode="bilinear", align_corners=True), x=f32(1, 2, 5, 4))
    case("bilinear_scale", up(scale_factor=1.5, mode="bilinear", align_corners=False), x=f32(1, 2, 5, 4))
    case("bilinear_down", up(size=(3, 3), mode="bilinear", align_corners=False), x=f32(1, 2, 5, 4))
    case("trilinear", up(size=(5, 3, 7), mode="trilinear", align_corners=False), x=f32(1, 2, 3, 4, 5))
    case("trilinear_align", up(scale_factor=(2.0, 1.5, 0.5), mode="trilinear", align_corners=True), x=f32(1, 2, 3, 4, 6))


def linear_sampling():
    """1-D sampling at fractional positions; reference: grid_sample(align_corners=True, zeros padding)."""
    def sample(signal, positions):
        batched = signal.dim() == 3
        x = signal if batched else signal[None]
        p = positions if batched else positions.reshape(1, -1)
        t = x.shape[-1]
        gx = p.reshape(p.shape[0], -1) * (2.0 / (t - 1)) - 1.0
        grid = torch.stack([gx, torch.zeros_like(gx)], dim=-1)[:, None]  # [B, 1, P, 2]
        out = F.grid_sample(x[:, :, None, :], grid, mode="bilinear", padding_mode="zeros", align_corners=True)
        out = out[:, :, 0, :]  # [B, C, P]
        if batched:
            return out.reshape(x.shape[0], x.shape[1], *positions.shape[1:])
        return out[0].reshape(x.shape[1], *positions.shape)
    positions = np.array([[0.3, 2.75, 8.6, 9.4], [-0.6, 10.5, -2.2, 4.1]], dtype=np.float32)
    case("sample_linear", sample, signal=f32(3, 10), positions=positions)
    batched_positions = rng.uniform(-0.8, 6.8, size=(2, 5)).astype(np.float32)
    case("sample_linear_batched", sample, signal=f32(2, 3, 7), positions=batched_positions)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    convolutions()
    softmax_and_norms()
    pooling()
    interpolation()
    linear_sampling()


if __name__ == "__main__":
    main()
