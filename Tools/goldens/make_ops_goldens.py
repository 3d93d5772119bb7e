#!/usr/bin/env python3
"""Goldens for sort/top-k/gather/scatter/index-select/masked-select/concat/stack/chunk/pad/one-hot/cumsum,
one .npz per case under Fixtures/golden/ops/.

Run with the reference venv: $(Tools/reference-venv.sh) Tools/goldens/make_ops_goldens.py
Reference: PyTorch (torch.sort(stable=True), torch.topk, torch.gather, Tensor.scatter / scatter_add,
torch.index_select, torch.masked_select, torch.cat / stack / chunk, torch.nn.functional.pad,
torch.nn.functional.one_hot, torch.cumsum) in float32 on the CPU; gradients by torch.autograd with the
upstream gradient `gout` stored next to them: `grad_<input>` = d(sum(out * gout))/d(input).
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "ops")
rng = np.random.default_rng(2024)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def save(name, **arrays):
    np.savez(os.path.join(OUT, f"{name}.npz"), **{k: (v.detach().numpy() if torch.is_tensor(v) else np.asarray(v))
                                                   for k, v in arrays.items()})


def with_grad(name, fn, inputs, extra=None):
    """Runs fn on float inputs requiring grad; saves inputs, output, gout and input gradients."""
    ts = {k: torch.tensor(v, requires_grad=True) for k, v in inputs.items()}
    out = fn(**ts)
    gout = torch.tensor(randn(*out.shape))
    (out * gout).sum().backward()
    arrays = dict(inputs)
    arrays.update(out=out, gout=gout)
    arrays.update({f"grad_{k}": t.grad for k, t in ts.items()})
    arrays.update(extra or {})
    save(name, **arrays)


def sorting():
    # Values rounded to one decimal so rows contain ties: stability decides the index order.
    x = np.round(randn(4, 9), 1)
    x[0, :3] = x[0, 5]
    for axis in (-1, 0):
        for desc in (False, True):
            values, indices = torch.sort(torch.tensor(x), dim=axis, descending=desc, stable=True)
            tag = f"sort_axis{axis % 2}_{'desc' if desc else 'asc'}"
            with_grad(tag, lambda x: torch.sort(x, dim=axis, descending=desc, stable=True).values, {"x": x},
                      {"indices": indices})
    nan = np.array([3.0, np.nan, -1.0, 2.0, np.nan, -np.inf, 0.0], dtype=np.float32)
    for desc in (False, True):
        v, i = torch.sort(torch.tensor(nan), descending=desc, stable=True)
        save(f"sort_nan_{'desc' if desc else 'asc'}", x=nan, out=v, indices=i)
    ints = rng.integers(-5, 5, size=(3, 8)).astype(np.int64)
    v, i = torch.sort(torch.tensor(ints), dim=1, stable=True)
    save("sort_int64", x=ints, out=v, indices=i)


def topk():
    # Distinct values: PyTorch documents no order among equal elements, so goldens avoid ties.
    x = rng.permutation(40).astype(np.float32).reshape(4, 10) / 4 - 3
    for k, axis, largest in ((4, -1, True), (2, 0, False), (10, 1, True)):
        _, indices = torch.topk(torch.tensor(x), k, dim=axis, largest=largest, sorted=True)
        tag = f"topk_k{k}_axis{axis % 2}_{'largest' if largest else 'smallest'}"
        with_grad(tag, lambda x: torch.topk(x, k, dim=axis, largest=largest, sorted=True).values, {"x": x},
                  {"indices": indices})


def indexing():
    x = randn(3, 4, 5)
    index = torch.tensor(rng.integers(0, 4, size=(3, 2, 5)))
    with_grad("gather_axis1", lambda x: torch.gather(x, 1, index), {"x": x}, {"index": index})
    index0 = torch.tensor(rng.integers(0, 3, size=(2, 4, 5)))
    with_grad("gather_axis0", lambda x: torch.gather(x, 0, index0), {"x": x}, {"index": index0})

    # scatter: each column gets distinct target rows (duplicates are nondeterministic in PyTorch).
    base = randn(4, 5)
    src = randn(3, 5)
    sindex = torch.tensor(np.stack([rng.permutation(4)[:3] for _ in range(5)], axis=1))
    with_grad("scatter_axis0", lambda base, src: base.scatter(0, sindex, src), {"base": base, "src": src}, {"index": sindex})
    # scatter_add with duplicates (sums are deterministic up to rounding order).
    aindex = torch.tensor(rng.integers(0, 4, size=(6, 5)))
    asrc = randn(6, 5)
    with_grad("scatter_add_axis0", lambda base, src: base.scatter_add(0, aindex, src), {"base": base, "src": asrc},
              {"index": aindex})
    aindex1 = torch.tensor(rng.integers(0, 5, size=(4, 3)))
    with_grad("scatter_add_axis1", lambda base, src: base.scatter_add(1, aindex1, src), {"base": base, "src": randn(4, 3)},
              {"index": aindex1})

    y = randn(4, 3, 2)
    sel = torch.tensor([3, 0, 3, 1])
    with_grad("index_select_axis0", lambda y: torch.index_select(y, 0, sel), {"y": y}, {"index": sel})
    sel2 = torch.tensor([1, 1, 0])
    with_grad("index_select_axis2", lambda y: torch.index_select(y, 2, sel2), {"y": y}, {"index": sel2})

    m = randn(3, 4)
    mask = torch.tensor(rng.random((3, 4)) > 0.5)
    with_grad("masked_select", lambda m: torch.masked_select(m, mask), {"m": m}, {"mask": mask})
    row_mask = torch.tensor([True, False, True, True])
    with_grad("masked_select_broadcast", lambda m: torch.masked_select(m, row_mask), {"m": m}, {"mask": row_mask})

    labels = torch.tensor([2, 0, 1, 2, 3])
    save("one_hot", labels=labels, out=F.one_hot(labels, 5))


def joining():
    a, b, c = randn(2, 3), randn(4, 3), randn(2, 1)
    with_grad("cat_axis0", lambda a, b: torch.cat([a, b], 0), {"a": a, "b": b})
    with_grad("cat_axis1", lambda a, c: torch.cat([a, c], 1), {"a": a, "c": c})
    p, q, r = randn(2, 3), randn(2, 3), randn(2, 3)
    with_grad("stack_axis1", lambda p, q, r: torch.stack([p, q, r], 1), {"p": p, "q": q, "r": r})
    with_grad("stack_axis2", lambda p, q, r: torch.stack([p, q, r], 2), {"p": p, "q": q, "r": r})
    # chunk's sizes (the last may be smaller, and fewer chunks may come back than asked for).
    sizes = {f"chunk_{n}_of_{k}": np.array([t.shape[0] for t in torch.chunk(torch.arange(n), k)]) for n, k in
             ((10, 4), (6, 4), (5, 5), (3, 5), (12, 3))}
    save("chunk_sizes", **sizes)


def padding():
    x = randn(2, 3, 4)
    cases = [
        ("pad_constant_last", (1, 2), "constant", 0.5),
        ("pad_constant_two", (1, 0, 2, 1), "constant", -1.0),
        ("pad_reflect_last", (2, 3), "reflect", None),
        ("pad_reflect_two", (1, 2, 2, 0), "reflect", None),
        ("pad_replicate_last", (2, 3), "replicate", None),
        ("pad_replicate_two", (3, 1, 0, 2), "replicate", None),
    ]
    for name, pad, mode, value in cases:
        kwargs = {"value": value} if mode == "constant" else {}
        with_grad(name, lambda x: F.pad(x, pad, mode=mode, **kwargs), {"x": x}, {"pad": np.array(pad)})
    v = randn(1, 2, 3, 4)
    with_grad("pad_replicate_three", lambda v: F.pad(v, (1, 1, 2, 0, 1, 2), mode="replicate"), {"v": v},
              {"pad": np.array((1, 1, 2, 0, 1, 2))})
    with_grad("pad_reflect_three", lambda v: F.pad(v, (1, 2, 2, 1, 1, 0), mode="reflect"), {"v": v},
              {"pad": np.array((1, 2, 2, 1, 1, 0))})


def cumulative():
    x = randn(3, 4)
    with_grad("cumsum_axis1", lambda x: torch.cumsum(x, 1), {"x": x})
    with_grad("cumsum_axis0", lambda x: torch.cumsum(x, 0), {"x": x})
    ints = torch.tensor(rng.integers(-100, 100, size=(2, 5)).astype(np.int32))
    save("cumsum_int32", x=ints, out=torch.cumsum(ints, 1))


def sorting_long():
    # Lines long enough for Vidi's radix-sort path (>= 64), with many ties, NaN, infinities and signed zeros.
    # Its own generator, so adding it left the other cases' inputs unchanged.
    local = np.random.default_rng(77)
    x = np.round(local.uniform(-5, 5, size=(3, 300)), 0).astype(np.float32)
    x[0, 10] = np.nan
    x[1, 20] = -0.0
    x[1, 21] = 0.0
    x[2, 30] = np.inf
    x[2, 31] = -np.inf
    for desc in (False, True):
        v, i = torch.sort(torch.tensor(x), dim=1, descending=desc, stable=True)
        save(f"sort_long_{'desc' if desc else 'asc'}", x=x, out=v, indices=i)
    ints = local.integers(-1000, 1000, size=(2, 500)).astype(np.int32)
    v, i = torch.sort(torch.tensor(ints), dim=1, descending=True, stable=True)
    save("sort_long_int32_desc", x=ints, out=v, indices=i)


def main():
    os.makedirs(OUT, exist_ok=True)
    sorting()
    topk()
    indexing()
    joining()
    padding()
    cumulative()
    sorting_long()


if __name__ == "__main__":
    main()
