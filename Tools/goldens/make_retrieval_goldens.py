#!/usr/bin/env python3
"""Golden values for VidiRetrieval's WTI / TI scoring, CDCR, the symmetric loss and the retrieval metrics.

Reference: a NumPy implementation written from DRL (foolwood/DRL, tvr/models/modeling.py
`DRL.wti_interaction`, `--cdcr 2` (TI) and `--cdcr 3` (WTI); tvr/models/until_module.py `CrossEn`;
tvr/utils/metrics.py `compute_metrics`), float64, independent of Vidi. Writes Fixtures/golden/retrieval/*.npy.

    $(Tools/reference-venv.sh) Tools/goldens/make_retrieval_goldens.py
"""
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "retrieval")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261130)


def save(name, array):
    array = np.asarray(array)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(os.path.join(OUT, name + ".npy"), np.require(array, requirements="C"))


def mask_from_lengths(lengths, n):
    return (np.arange(n)[None, :] < np.asarray(lengths)[:, None]).astype(np.float64)


def weight_mlp(x, w0, b0, w2, b2):
    """Linear(D, D) -> ReLU -> Linear(D, 1) on unnormalised features; [B, N, D] -> [B, N]."""
    h = np.maximum(x @ w0.T + b0, 0)
    return (h @ w2.T + b2)[..., 0]


def masked_softmax(logits, mask):
    logits = np.where(mask > 0, logits, -np.inf)
    logits = logits - logits.max(-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(-1, keepdims=True)


def interaction(text, tmask, video, vmask, kind, wt=None, wv=None):
    """S[a,b,t,v] on L2-normalised features, padding zeroed; returns sim [A,B] and the max indices."""
    tn = text / np.linalg.norm(text, axis=-1, keepdims=True)
    vn = video / np.linalg.norm(video, axis=-1, keepdims=True)
    s = np.einsum("atd,bvd->abtv", tn, vn)
    s = s * tmask[:, None, :, None] * vmask[None, :, None, :]
    t2v = s.max(-1)            # [A, B, T]
    idx_t2v = s.argmax(-1)     # first maximum, as torch.max on CPU
    v2t = s.max(-2)            # [A, B, V]
    idx_v2t = s.argmax(-2)
    if kind == "ti":
        t2v = t2v.sum(2) / tmask.sum(-1)[:, None]
        v2t = v2t.sum(2) / vmask.sum(-1)[None, :]
    else:
        t2v = np.einsum("abt,at->ab", t2v, wt)
        v2t = np.einsum("abv,bv->ab", v2t, wv)
    return (t2v + v2t) / 2, idx_t2v, idx_v2t, tn, vn


def zscore(x):
    return (x - x.mean(0)) / x.std(0, ddof=1)


def cdcr(tn, vn, tmask, vmask, idx_t2v, idx_v2t, alpha1, alpha2, wt=None, wv=None):
    """Matched-token CDCR: each valid token with its best frame of the paired video and vice versa."""
    b = tn.shape[0]
    d = tn.shape[-1]
    t_rows, v_matched, t_weight = [], [], []
    for a in range(b):
        for t in range(tn.shape[1]):
            if tmask[a, t] > 0:
                t_rows.append(tn[a, t])
                v_matched.append(vn[a, idx_t2v[a, a, t]])
                t_weight.append(None if wt is None else wt[a, t])
    v_rows, t_matched, v_weight = [], [], []
    for a in range(b):
        for v in range(vn.shape[1]):
            if vmask[a, v] > 0:
                v_rows.append(vn[a, v])
                t_matched.append(tn[a, idx_v2t[a, a, v]])
                v_weight.append(None if wv is None else wv[a, v])
    za, zb = zscore(np.array(t_rows)), zscore(np.array(v_matched))
    xa, xb = zscore(np.array(v_rows)), zscore(np.array(t_matched))
    if wt is None:  # DRL --cdcr 2 (TI): mean over matched pairs
        c1 = za.T @ zb / za.shape[0]
        c2 = xa.T @ xb / xa.shape[0]
    else:           # DRL --cdcr 3 (WTI): weighted by the token / frame weights, divided by the batch size
        c1 = (za * np.array(t_weight)[:, None]).T @ zb / b
        c2 = (xa * np.array(v_weight)[:, None]).T @ xb / b
    c = (c1 + c2) / 2
    on = ((np.diag(c) - 1) ** 2).sum()
    off = (c ** 2).sum() - (np.diag(c) ** 2).sum()
    return alpha1 * on + alpha2 * off


def cross_entropy_diag(sim):
    m = sim.max(-1, keepdims=True)
    logp = sim - m - np.log(np.exp(sim - m).sum(-1, keepdims=True))
    return -np.diag(logp).mean()


def compute_metrics(x):
    """DRL's compute_metrics: every position of the sorted row equal to the diagonal counts (ties)."""
    sx = np.sort(-x, axis=1)
    d = np.diag(-x)[:, None]
    ind = np.where(sx - d == 0)[1]
    return np.array([np.sum(ind == 0) * 100 / len(ind), np.sum(ind < 5) * 100 / len(ind),
                     np.sum(ind < 10) * 100 / len(ind), np.median(ind) + 1, np.mean(ind) + 1])


def weights(prefix, d):
    w0 = rng.standard_normal((d, d)) / np.sqrt(d)
    b0 = rng.standard_normal(d) * 0.1
    w2 = rng.standard_normal((1, d)) / np.sqrt(d)
    b2 = rng.standard_normal(1) * 0.1
    for name, value in (("0_weight", w0), ("0_bias", b0), ("2_weight", w2), ("2_bias", b2)):
        save(f"{prefix}_{name}", value)
    return w0, b0, w2, b2


def case(name, a, b, t, v, d, tlen, vlen, square, tie_frames=False):
    text = rng.standard_normal((a, t, d))
    video = rng.standard_normal((b, v, d))
    if tie_frames:
        video[:, 1] = video[:, 0]                # exact ties in the max over frames
        video[0, :] = -np.abs(video[0, :])       # video 0 negative everywhere ...
        text[:, :] = np.abs(text[:, :])          # ... so the zeroed padding wins its max
    tmask, vmask = mask_from_lengths(tlen, t), mask_from_lengths(vlen, v)
    tw = weights(f"{name}_text_weight_fc", d)
    vw = weights(f"{name}_video_weight_fc", d)
    wt = masked_softmax(weight_mlp(text, *tw), tmask)
    wv = masked_softmax(weight_mlp(video, *vw), vmask)
    save(f"{name}_text", text); save(f"{name}_text_mask", tmask)
    save(f"{name}_video", video); save(f"{name}_video_mask", vmask)
    save(f"{name}_text_weights", wt); save(f"{name}_video_weights", wv)
    wti, i1, i2, tn, vn = interaction(text, tmask, video, vmask, "wti", wt, wv)
    ti, j1, j2, _, _ = interaction(text, tmask, video, vmask, "ti")
    save(f"{name}_wti", wti); save(f"{name}_ti", ti)
    if square:
        logit_scale = 2.3                        # the parameter; the loss multiplies by exp(2.3)
        scale = np.exp(logit_scale)
        for kind, sim, k1, k2, w1, w2 in (("wti", wti, i1, i2, wt, wv), ("ti", ti, j1, j2, None, None)):
            sym = (cross_entropy_diag(sim * scale) + cross_entropy_diag((sim * scale).T)) / 2
            reg = cdcr(tn, vn, tmask, vmask, k1, k2, 0.14, 0.05, w1, w2)
            save(f"{name}_{kind}_symmetric_loss", np.array(sym))
            save(f"{name}_{kind}_cdcr", np.array(reg))
            save(f"{name}_{kind}_total_loss", np.array(sym + 0.001 * reg))


case("basic", 5, 4, 7, 6, 16, [7, 3, 1, 5, 2], [6, 2, 4, 1], square=False)
case("train", 4, 4, 6, 5, 12, [6, 3, 2, 4], [5, 5, 3, 2], square=True)
case("ties", 4, 4, 5, 4, 8, [5, 2, 3, 4], [3, 4, 2, 4], square=True, tie_frames=True)

# Metrics on a matrix with ties and a NaN-free mixture of ranks.
sim = rng.standard_normal((12, 12)).round(1)     # rounding to 0.1 creates ties
sim[3, 3] = sim[3, 5] = sim[3, 7] = 9.0          # the matching pair tied at the top with two others
save("metrics_sim", sim.astype(np.float32))
sim32 = sim.astype(np.float32)                    # rank exactly the float32 values Swift reads
save("metrics_t2v", compute_metrics(sim32))
save("metrics_v2t", compute_metrics(sim32.T))
print("wrote", OUT)
