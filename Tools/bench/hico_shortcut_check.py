#!/usr/bin/env python3
"""Does a Vidi-trained HiCo network match clips of one video by their motion or by their background?
(BENCHMARKS.md "Pretext linear probe", HiCo diagnosis.) Loads a `vidi train hico` checkpoint into a PyTorch
replica of HiCoModel (clip encoder = probe_upper_bound.TinyR3D, visual MLP, topical MLP and pair head; Vidi's
key names; evaluation mode), decodes held-out synthetic-action videos with PyAV and builds, per video i, an
anchor clip A_i (frames 0-60 at stride 4) and a partner clip B_i (frames 16-76: 0.53 s later, within HiCo's
close-pair distance). The background of each video is the per-pixel temporal median of its 80 frames, its
moving square the pixels more than 60 (sum over RGB) away from it (the oracle of probe_upper_bound.py).
Partner variants:
  same        B_i as decoded;
  no_square   video i's background alone, 16 still frames (what is left when the square is removed);
  swapped     video i's moving square pasted on the background of video i+1 (cyclically);
  reversed    B_i with its frames in reverse order (the square moves the other way).
Prints JSON lines: for the visual head (cosine of the L2-normalised projections) and the topical pair head
(logit), the top-1 accuracy of each anchor among the partners of all videos (chance 1/N) for same and
no_square; for swapped, the fraction of anchors whose best partner carries their own square (motion) and
the fraction whose best partner carries their own background; and the fraction of anchors that score B_i
above reversed B_i (0.5 = blind to the direction of motion).

  hico_shortcut_check.py --checkpoint runs/hico/hico.safetensors --videos Tools/bench/.data/actions/pretext-val
"""
import argparse, glob, json, os, sys
import av
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_upper_bound import TinyR3D, backbone_view, load_vidi_weights, tensor  # noqa: E402


class HiCoReplica(nn.Module):
    def __init__(self, c=64, d=128):
        super().__init__()
        self.encoder = TinyR3D()
        self.visual_head = nn.Sequential(nn.Linear(c, c), nn.ReLU(), nn.Linear(c, d))
        self.topical_head = nn.Sequential(nn.Linear(c, c), nn.ReLU(), nn.Linear(c, d))
        self.pair_fc1 = nn.Linear(2 * d, 2 * d)
        self.pair_fc2 = nn.Linear(2 * d, 1)

    def embed(self, clips):  # uint8-valued [N, 16, H, W, 3] -> visual z [N, d], topical t [N, d]
        f = self.encoder.features(tensor(backbone_view(clips)))
        return F.normalize(self.visual_head(f), dim=1), self.topical_head(f)

    def pair_logits(self, a, b):  # [N, d], [M, d] -> [N, M]
        x = torch.cat([a[:, None].expand(-1, len(b), -1), b[None].expand(len(a), -1, -1)], dim=2)
        return self.pair_fc2(torch.relu(self.pair_fc1(x)))[..., 0]


def load_model(path):
    net = HiCoReplica()
    names = net.state_dict()

    def rename(key):
        key = key.replace("encoder.backbone.", "encoder.", 1)
        return key if key in names else None
    return load_vidi_weights(net, path, rename, optional=("encoder.fc.",))


def decode(path):
    with av.open(path) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--videos", required=True, help="folder of synth-actions videos (80 frames each)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    videos = [decode(p) for p in sorted(glob.glob(os.path.join(args.videos, "*.mp4")))]
    anchor, partner = slice(0, 64, 4), slice(16, 80, 4)
    backgrounds = [np.median(v, axis=0) for v in videos]
    masks = [np.abs(v.astype(np.float32) - b).sum(-1, keepdims=True) > 60 for v, b in zip(videos, backgrounds)]
    n = len(videos)
    clips = {
        "anchor": np.stack([v[anchor] for v in videos]),
        "same": np.stack([v[partner] for v in videos]),
        "no_square": np.stack([np.repeat(b[None], 16, 0) for b in backgrounds]),
        "swapped": np.stack([np.where(masks[i][partner], videos[i][partner], backgrounds[(i + 1) % n][None]) for i in range(n)]),
    }
    clips["reversed"] = clips["same"][:, ::-1]
    net = load_model(args.checkpoint)
    with torch.no_grad():
        emb = {k: net.embed(v.astype(np.float32)) for k, v in clips.items()}
        za, ta = emb["anchor"]
        target = torch.arange(n)
        for head in ("visual", "topical"):
            score = (lambda k: za @ emb[k][0].T) if head == "visual" else (lambda k: net.pair_logits(ta, emb[k][1]))
            best = {k: score(k).argmax(1) for k in ("same", "no_square", "swapped")}
            same_vs_reversed = (score("same").diagonal() > score("reversed").diagonal()).float().mean()
            print(json.dumps({
                "check": head, "checkpoint": args.checkpoint, "videos": n, "chance": 1 / n,
                "top1_same": float((best["same"] == target).float().mean()),
                "top1_no_square": float((best["no_square"] == target).float().mean()),
                "swapped_picks_own_square": float((best["swapped"] == target).float().mean()),
                "swapped_picks_own_background": float((best["swapped"] == (target - 1) % n).float().mean()),
                "same_above_reversed": float(same_vs_reversed)}))


if __name__ == "__main__":
    main()
