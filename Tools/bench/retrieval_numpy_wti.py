#!/usr/bin/env python3
"""The numpy peer for `vidi bench retrieval`: DRL's WTI formula (foolwood/DRL `wti_interaction`, eval
branch) on the same synthetic features, computed the way the research code does on CPU: per block of
texts, one BLAS matmul to S[a, b, t, v], padding zeroed, maxima, weighted sums. Prints pairs/s.

    $(Tools/reference-venv.sh) Tools/bench/retrieval_numpy_wti.py --texts 256 --videos 2048
"""
import argparse
import time

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--texts", type=int, default=256)
p.add_argument("--videos", type=int, default=2048)
p.add_argument("--tokens", type=int, default=32)
p.add_argument("--frames", type=int, default=12)
p.add_argument("--dim", type=int, default=512)
p.add_argument("--block", type=int, default=16, help="texts per einsum block")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
rng = np.random.default_rng(a.seed)
t = rng.standard_normal((a.texts, a.tokens, a.dim), dtype=np.float32)
v = rng.standard_normal((a.videos, a.frames, a.dim), dtype=np.float32)
tl = rng.integers(4, a.tokens + 1, a.texts)
tm = (np.arange(a.tokens)[None] < tl[:, None]).astype(np.float32)
vm = np.ones((a.videos, a.frames), np.float32)
wt = np.where(tm > 0, rng.random((a.texts, a.tokens), dtype=np.float32), 0); wt /= wt.sum(-1, keepdims=True)
wv = np.where(vm > 0, rng.random((a.videos, a.frames), dtype=np.float32), 0); wv /= wv.sum(-1, keepdims=True)
t /= np.linalg.norm(t, axis=-1, keepdims=True)
v /= np.linalg.norm(v, axis=-1, keepdims=True)


vflat = np.ascontiguousarray(v.reshape(-1, a.dim).T)


def wti(tb, tmb, wtb):
    # One BLAS matmul for S (np.einsum would not use BLAS here), then DRL's masking and reductions.
    s = (tb.reshape(-1, a.dim) @ vflat).reshape(len(tb), a.tokens, a.videos, a.frames).transpose(0, 2, 1, 3)
    s = s * tmb[:, None, :, None] * vm[None, :, None, :]
    t2v = np.einsum("abt,at->ab", s.max(-1), wtb)
    v2t = np.einsum("abv,bv->ab", s.max(-2), wv)
    return (t2v + v2t) / 2


start = time.perf_counter()
sim = np.concatenate([wti(t[i:i + a.block], tm[i:i + a.block], wt[i:i + a.block]) for i in range(0, a.texts, a.block)])
elapsed = time.perf_counter() - start
print(f"numpy WTI: {a.texts}x{a.videos} pairs, {a.tokens} tokens x {a.frames} frames x {a.dim}: "
      f"{elapsed:.3f} s, {a.texts * a.videos / elapsed:,.0f} pairs/s")
