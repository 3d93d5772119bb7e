#!/usr/bin/env python3
"""Golden tensors for VidiTensor's core ops (Tests/VidiTensorTests).

Reference: NumPy for forward values, PyTorch (CPU, float64 where noted) for gradients and for GELU/SiLU.
Inputs come from a seeded NumPy generator and are saved next to the outputs, so the Swift tests load both.

    $(Tools/reference-venv.sh) Tools/goldens/tensor_core.py     # writes Fixtures/golden/tensor-core/*.npy
"""
import math
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "tensor-core")
rng = np.random.default_rng(20261122)


def save(name, array):
    array = np.require(np.asarray(array), requirements="C")  # keeps rank 0 (ascontiguousarray would not)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(os.path.join(OUT, name + ".npy"), array)


def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def t64(a):
    """float64 torch tensor requiring grad (gradients in double, then stored as float32)."""
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def binary_ops():
    a = f32(2, 3, 4)
    b = f32(3, 1)
    b[np.abs(b) < 0.3] = 0.7  # keep divisors away from zero
    save("binary_a", a)
    save("binary_b", b)
    save("add_out", a + b)
    save("sub_out", a - b)
    save("mul_out", a * b)
    save("div_out", a / b)
    save("maximum_out", np.maximum(a, b))
    save("minimum_out", np.minimum(a, b))
    base = f32(2, 3, 4, low=0.5, high=2.0)
    save("pow_base", base)
    save("pow_out", np.power(base, b))
    # Integer-valued floats so equality holds for some pairs.
    ia = rng.integers(-2, 3, size=(4, 3)).astype(np.float32)
    ib = rng.integers(-2, 3, size=(3,)).astype(np.float32)
    save("compare_a", ia)
    save("compare_b", ib)
    for name, fn in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                     ("gt", np.greater), ("ge", np.greater_equal)]:
        save(f"{name}_out", fn(ia, ib))
    save("clamp_out", np.clip(a, -0.5, 1.0))
    # int32 arithmetic (wrapping not exercised; division truncates toward zero like C).
    xa = rng.integers(-50, 50, size=(3, 4)).astype(np.int32)
    xb = rng.integers(1, 7, size=(4,)).astype(np.int32) * np.array([1, -1, 1, -1], dtype=np.int32)
    save("int_a", xa)
    save("int_b", xb)
    save("int_add_out", xa + xb)
    save("int_mul_out", xa * xb)
    save("int_div_out", np.trunc(xa / xb).astype(np.int32))


def unary_ops():
    x = f32(5, 7, low=-3, high=3)
    save("unary_x", x)
    t = torch.tensor(x)
    save("neg_out", -x)
    save("abs_out", np.abs(x))
    save("exp_out", np.exp(x))
    save("tanh_out", np.tanh(x))
    save("sigmoid_out", 1 / (1 + np.exp(-x.astype(np.float64))))
    save("relu_out", np.maximum(x, 0))
    save("leaky_relu_out", np.where(x > 0, x, 0.2 * x))
    save("gelu_out", torch.nn.functional.gelu(t).numpy())
    save("gelu_tanh_out", torch.nn.functional.gelu(t, approximate="tanh").numpy())
    save("silu_out", torch.nn.functional.silu(t).numpy())
    save("sin_out", np.sin(x))
    save("cos_out", np.cos(x))
    save("floor_out", np.floor(x))
    save("sign_out", np.sign(x))
    p = f32(5, 7, low=0.05, high=4)
    save("positive_x", p)
    save("log_out", np.log(p))
    save("sqrt_out", np.sqrt(p))
    save("rsqrt_out", 1 / np.sqrt(p.astype(np.float64)))
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51], dtype=np.float32)
    save("round_x", halves)
    save("round_out", np.round(halves))  # half to even


def where_ops():
    cond = rng.uniform(size=(2, 1, 4)) > 0.5
    a = f32(3, 4)
    b = f32(2, 3, 1)
    save("where_cond", cond)
    save("where_a", a)
    save("where_b", b)
    save("where_out", np.where(cond, a, b))
    mask = rng.uniform(size=(3, 1)) > 0.5
    save("masked_mask", mask)
    save("masked_fill_out", np.where(mask, np.float32(-7.0), a))


def reductions():
    x = f32(3, 4, 5)
    save("reduce_x", x)
    x64 = x.astype(np.float64)
    save("sum_all_out", np.array(x64.sum()))
    save("sum_1_out", x64.sum(axis=1))
    save("sum_02_keep_out", x64.sum(axis=(0, 2), keepdims=True))
    save("mean_12_out", x64.mean(axis=(1, 2)))
    save("max_1_out", x.max(axis=1))
    save("min_02_out", x.min(axis=(0, 2)))
    save("argmax_1_out", x.argmax(axis=1).astype(np.int64))
    save("argmin_all_out", np.array(x.argmin()).astype(np.int64))
    save("var_02_out", x64.var(axis=(0, 2), ddof=1))
    save("var_biased_2_out", x64.var(axis=2, ddof=0))
    save("std_1_out", x64.std(axis=1, ddof=1))
    save("logsumexp_2_out", torch.logsumexp(torch.tensor(x64), dim=2).numpy())
    save("prod_1_out", x64.prod(axis=1))


def matmuls():
    a = f32(5, 7)
    b = f32(7, 3)
    save("mm_a", a)
    save("mm_b", b)
    save("mm_out", a.astype(np.float64) @ b.astype(np.float64))
    ba = f32(2, 1, 4, 5)
    bb = f32(3, 5, 6)
    save("bmm_a", ba)
    save("bmm_b", bb)
    save("bmm_out", np.matmul(ba.astype(np.float64), bb.astype(np.float64)))
    v = f32(7)
    save("mv_v", v)
    save("vm_out", v.astype(np.float64) @ b.astype(np.float64))
    save("mv_out", a.astype(np.float64) @ v.astype(np.float64))
    save("dot_out", np.array(v.astype(np.float64) @ v.astype(np.float64)))
    # Gradients of sum(w * (A @ B)) with broadcast batch axes, by PyTorch autograd in float64.
    w = f32(2, 3, 4, 6)
    save("bmm_w", w)
    ta, tb = t64(ba), t64(bb)
    (torch.tensor(w, dtype=torch.float64) * (ta @ tb)).sum().backward()
    save("bmm_grad_a", ta.grad.numpy())
    save("bmm_grad_b", tb.grad.numpy())


def reduction_grads():
    x = f32(3, 4, 5)
    save("rgrad_x", x)
    for name, fn in [("var", lambda t: t.var(dim=(0, 2))), ("max", lambda t: t.amax(dim=1)),
                     ("prod", lambda t: t.prod(dim=1)), ("logsumexp", lambda t: torch.logsumexp(t, dim=2)),
                     ("mean", lambda t: t.mean(dim=(1, 2)))]:
        tx = t64(x)
        out = fn(tx)
        w = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
        (out * w).sum().backward()
        save(f"rgrad_{name}", tx.grad.numpy())


def xoshiro_reference():
    """Independent Python xoshiro256** + SplitMix64 (Blackman & Vigna's reference C, transcribed)."""
    mask = (1 << 64) - 1
    x = 42

    def splitmix():
        nonlocal x
        x = (x + 0x9E3779B97F4A7C15) & mask
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    s = [splitmix() for _ in range(4)]

    def rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & mask

    out = []
    for _ in range(8):
        result = (rotl((s[1] * 5) & mask, 7) * 9) & mask
        t = (s[1] << 17) & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(result)
    # Stored as int64 bit patterns (.npy has no portable uint64 reader in the test support).
    save("xoshiro_seed42", np.array(out, dtype=np.uint64).view(np.int64))


def main():
    os.makedirs(OUT, exist_ok=True)
    binary_ops()
    unary_ops()
    where_ops()
    reductions()
    matmuls()
    reduction_grads()
    xoshiro_reference()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
