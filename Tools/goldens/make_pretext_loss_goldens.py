#!/usr/bin/env python3
"""Goldens for VidiPretext's losses, written with numpy alone from reference/pretext.md's definitions
(independently of Vidi): MoSI cross-entropy, HiCo visual InfoNCE and pairwise topical focal BCE, CMD dense
motion InfoNCE and context InfoNCE, on seeded random inputs.

    /work/main/.venv-ref/bin/python Tools/goldens/make_pretext_loss_goldens.py   # from the repository root

Writes Fixtures/golden/pretext/loss_<name>.npy (float32 inputs, float64 expected values).
"""
import os
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "pretext")
rng = np.random.default_rng(20261130)


def save(name, array):
    np.save(os.path.join(OUT, f"loss_{name}.npy"), array)


def log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def normalize(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def cross_entropy(logits, targets):
    return -np.mean(log_softmax(logits)[np.arange(len(targets)), targets])


os.makedirs(OUT, exist_ok=True)
f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)

# MoSI: 9-class cross-entropy.
logits = f32(18, 9)
labels = np.tile(np.arange(9), 2).astype(np.int64)
save("mosi_logits", logits); save("mosi_labels", labels)
save("mosi", np.array(cross_entropy(logits.astype(np.float64), labels)))

# HiCo visual: B videos x 3 clips; anchors clip 0 and 1, positive each other, negatives other videos' clips.
B, V, D, tau = 4, 3, 16, 0.1
proj = f32(B, V, D)
z = normalize(proj.reshape(B * V, D).astype(np.float64))
sim = z @ z.T / tau
losses = []
for b in range(B):
    for c in (0, 1):
        i = b * V + c
        pos = b * V + (1 - c)
        others = [j for j in range(B * V) if j // V != b]
        row = np.concatenate([[sim[i, pos]], sim[i, others]])
        losses.append(-(row[0] - np.log(np.exp(row).sum())))
save("hico_projections", proj)
save("hico_visual", np.array(np.mean(losses)))

# HiCo topical: pair head on concatenated features, focal BCE gamma 0.5.
F, H, gamma = 8, 12, 0.5
feats = f32(B * V, F)
w1, b1, w2, b2 = f32(H, 2 * F) * 0.3, f32(H) * 0.1, f32(1, H) * 0.3, f32(1) * 0.1
n = B * V
pair = np.zeros((n, n))
for i in range(n):
    for j in range(n):
        x = np.concatenate([feats[i], feats[j]]).astype(np.float64)
        pair[i, j] = (w2 @ np.maximum(w1 @ x + b1, 0) + b2)[0]
videos = np.repeat(np.arange(B), V)
p = 1 / (1 + np.exp(-pair))
same = videos[:, None] == videos[None, :]
pos_mask = same & ~np.eye(n, dtype=bool)
neg_mask = ~same
tcl = -np.mean(((1 - p) ** gamma * np.log(p))[pos_mask]) - np.mean((p ** gamma * np.log(1 - p))[neg_mask])
for name, a in [("hico_features", feats), ("hico_w1", w1), ("hico_b1", b1), ("hico_w2", w2), ("hico_b2", b2)]:
    save(name, a)
save("hico_pair_logits", pair.astype(np.float32))
save("hico_topical", np.array(tcl))

# CMD motion: dense InfoNCE over positions; candidates every position of every future and negative clip.
B, K, D, L = 3, 3, 16, 10
pred, fut, neg = f32(B, D, L), f32(B, D, L), f32(B, K, D, L)
q = normalize(pred.transpose(0, 2, 1).reshape(B * L, D).astype(np.float64))
keys = np.concatenate([normalize(fut.transpose(0, 2, 1).reshape(B * L, D).astype(np.float64)),
                       normalize(neg.transpose(0, 1, 3, 2).reshape(B * K * L, D).astype(np.float64))])
save("cmd_predicted", pred); save("cmd_future", fut); save("cmd_negatives", neg)
save("cmd_motion", np.array(cross_entropy(q @ keys.T / tau, np.arange(B * L))))

# CMD context: clip feature picks its keyframe among the batch's keyframes.
clip, key = f32(5, D), f32(5, D)
save("cmd_clip", clip); save("cmd_keyframe", key)
save("cmd_context", np.array(cross_entropy(normalize(clip.astype(np.float64)) @ normalize(key.astype(np.float64)).T / tau, np.arange(5))))
# HiCo visual with extra negative keys (HiCoModel's reversed clips): every anchor must also reject them.
# Drawn last so the inputs above stay as they were.
B, V, D, M = 4, 3, 16, 4
proj, extra = f32(B, V, D), f32(M, D)
z = normalize(proj.reshape(B * V, D).astype(np.float64))
e = normalize(extra.astype(np.float64))
losses = []
for b in range(B):
    for c in (0, 1):
        i = b * V + c
        others = [z[j] for j in range(B * V) if j // V != b] + list(e)
        row = np.concatenate([[z[i] @ z[b * V + 1 - c] / tau], np.array(others) @ z[i] / tau])
        losses.append(-(row[0] - np.log(np.exp(row).sum())))
save("hico_extra_projections", proj); save("hico_extra_negatives", extra)
save("hico_visual_extra", np.array(np.mean(losses)))
print("wrote", OUT)
