#!/usr/bin/env python3
"""seqTransf golden from DRL's own code (foolwood/DRL, tvr/models/modeling.py `DRL.agg_video_feat` with
module_cross's `Transformer` as `transformerClip`), on seeded random weights.

DRL is not vendored: pass a checkout of https://github.com/foolwood/DRL (its `tvr` package is imported).
    /work/main/.venv-ref/bin/python Tools/goldens/make_drl_seqtransf_golden.py /path/to/DRL
Writes Fixtures/golden/retrieval/drl_seqtransf_*.npy: every parameter under its DRL state-dict name
(dots as underscores), the input frame features `video` [2, 5, 64], `video_mask` [2, 5] (the second video
has 3 valid frames), and `out`, what `agg_video_feat(video, video_mask, "seqTransf")` returns in eval mode.
"""
import os
import sys
import types

import numpy as np
import torch

checkout = sys.argv[1]
sys.path.insert(0, checkout)
from tvr.models.modeling import DRL  # noqa: E402  (DRL's own module)
from tvr.models.module_cross import Transformer as TransformerClip  # noqa: E402

torch.manual_seed(0)
width, layers, positions = 64, 2, 77
holder = torch.nn.Module()
holder.frame_position_embeddings = torch.nn.Embedding(positions, width)
holder.transformerClip = TransformerClip(width=width, layers=layers, heads=width // 64)
with torch.no_grad():
    for name, p in holder.named_parameters():
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight"):
            p.copy_(1 + 0.1 * torch.randn_like(p))
        else:
            p.copy_(0.1 * torch.randn_like(p))
holder.eval()

video = torch.randn(2, 5, width)
mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.float32)
with torch.no_grad():
    out = DRL.agg_video_feat(holder, video, mask, "seqTransf")  # the method body, run on our modules

folder = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "retrieval")
os.makedirs(folder, exist_ok=True)
def save(name, tensor):
    np.save(os.path.join(folder, "drl_seqtransf_" + name + ".npy"), tensor.detach().numpy().astype(np.float32))
for name, p in holder.state_dict().items():
    save(name.replace(".", "_"), p)
save("video", video)
save("video_mask", mask)
save("out", out)
print("wrote", len(holder.state_dict()) + 3, "arrays; out[1,0,:4] =", out[1, 0, :4].tolist())
