#!/usr/bin/env python3
"""Optimizer, gradient-clipping and schedule goldens under Fixtures/golden/optim/, one .npz per case.

Run with the reference venv: $(Tools/reference-venv.sh) Tools/goldens/make_optim_goldens.py
References: torch.optim.SGD / Adam / AdamW, torch.nn.utils.clip_grad_norm_ / clip_grad_value_,
torch.optim.lr_scheduler.SequentialLR(LinearLR, CosineAnnealingLR) -- PyTorch itself, in float32.
LARS has no PyTorch class: its reference is the numpy implementation below of the LARS used by
facebookresearch/barlowtwins (and SimCLR): trust ratio eta*||w||/||g + wd*w||, skipped (with weight
decay) for 1-D parameters, then heavy-ball momentum.

Each case file holds: p<i>_init, then for step s (0-based) g<i>_step<s> (the gradient given) and
p<i>_step<s> (the parameter after the step), all float32.
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "optim")
STEPS = 4
SHAPES = [(3, 4), (5,)]


def initial(seed):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    # A parameter whose gradient is exactly zero in step 2 exercises zero-norm branches (LARS, clipping).
    grads[2][1][:] = 0
    return params, grads


def run_torch(name, make_optimizer, seed):
    params, grads = initial(seed)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    optimizer = make_optimizer(tensors)
    record = {f"p{i}_init": p for i, p in enumerate(params)}
    for step in range(STEPS):
        for i, t in enumerate(tensors):
            t.grad = torch.tensor(grads[step][i])
            record[f"g{i}_step{step}"] = grads[step][i]
        optimizer.step()
        for i, t in enumerate(tensors):
            record[f"p{i}_step{step}"] = t.detach().numpy().copy()
    np.savez(os.path.join(OUT, f"{name}.npz"), **record)


def lars_numpy(name, lr, momentum, weight_decay, eta, seed):
    params, grads = initial(seed)
    params = [p.copy() for p in params]
    buffers = [np.zeros_like(p) for p in params]
    record = {f"p{i}_init": p.copy() for i, p in enumerate(params)}
    for step in range(STEPS):
        for i, p in enumerate(params):
            g = grads[step][i]
            record[f"g{i}_step{step}"] = g
            dp = g.astype(np.float32)
            if p.ndim != 1:
                dp = dp + np.float32(weight_decay) * p
                param_norm = np.linalg.norm(p)
                update_norm = np.linalg.norm(dp)
                q = np.float32(eta) * param_norm / update_norm if param_norm > 0 and update_norm > 0 else np.float32(1)
                dp = dp * np.float32(q)
            buffers[i] = np.float32(momentum) * buffers[i] + dp
            params[i] = (p - np.float32(lr) * buffers[i]).astype(np.float32)
            record[f"p{i}_step{step}"] = params[i].copy()
    np.savez(os.path.join(OUT, f"{name}.npz"), **record)


def clipping():
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal(s).astype(np.float32) * 3 for s in SHAPES]
    record = {f"g{i}": g for i, g in enumerate(grads)}
    for max_norm in (1.0, 100.0):
        ts = [torch.zeros(g.shape, requires_grad=True) for g in grads]
        for t, g in zip(ts, grads):
            t.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(ts, max_norm=max_norm)
        tag = f"norm{int(max_norm)}"
        record[f"{tag}_total"] = np.array(total.item(), dtype=np.float32)
        for i, t in enumerate(ts):
            record[f"{tag}_g{i}"] = t.grad.numpy().copy()
    ts = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for t, g in zip(ts, grads):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(ts, clip_value=1.5)
    for i, t in enumerate(ts):
        record[f"value1.5_g{i}"] = t.grad.numpy().copy()
    np.savez(os.path.join(OUT, "clip.npz"), **record)


def schedule():
    # 5 warm-up steps from 0.1 x base to base, then cosine down to eta_min over the remaining 15 steps.
    base, warmup, total, start, eta_min = 0.3, 5, 20, 0.1, 0.01
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=start, end_factor=1.0, total_iters=warmup)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=eta_min)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[warmup])
    lrs = []
    for _ in range(total + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.savez(os.path.join(OUT, "cosine_warmup.npz"), lr=np.array(lrs, dtype=np.float64),
             config=np.array([base, warmup, total, start, eta_min], dtype=np.float64))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    run_torch("sgd_plain", lambda ps: torch.optim.SGD(ps, lr=0.1), 1)
    run_torch("sgd_momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01), 2)
    run_torch("sgd_nesterov", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02), 3)
    run_torch("adam", lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01), 4)
    run_torch("adam_amsgrad", lambda ps: torch.optim.Adam(ps, lr=0.02, amsgrad=True), 5)
    run_torch("adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.1), 6)
    lars_numpy("lars", lr=0.3, momentum=0.9, weight_decay=1e-4, eta=0.001, seed=7)
    clipping()
    schedule()


if __name__ == "__main__":
    main()
