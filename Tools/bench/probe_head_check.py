#!/usr/bin/env python3
"""Does a Vidi-trained MoSI network recognise motion outside its own training clips? (BENCHMARKS.md "Pretext
linear probe", 2026-12-01 diagnosis.) Loads the tiny backbone and the 9-way head of a `vidi train mosi`
checkpoint into the PyTorch replica of probe_upper_bound.py (same torchvision key names), prepares clips as
PretextBackbone.input does, runs in evaluation mode (BatchNorm running statistics) and prints:
  mosi    MoSI accuracy on each --mosi shard set (Vidi `Pipelines/mosi.yaml` shards): the training shards show
          what the network fits, shards from other videos or seeds what it learned (chance 1/9);
  head    on probe clips (frame shards as probe-eval reads them): the head's 9-way prediction mapped to the
          direction the picture moves, against the true direction, with the 4 x 9 confusion. The window of
          MoSI class (dx, dy) moves by (dx, dy), so the picture moves by (-dx, -dy): classes 0-1 = right,
          2-3 = left, 4-5 = down (+y, image rows), 6-7 = up, 8 = static; the probe's labels are the square's
          direction, right/left/down/up = +x/-x/+y/-y (SyntheticActions.track).

  probe_head_check.py --checkpoint runs/mosi-mask/mosi.safetensors --mosi 'mosi-mask-shards/*.tar' \\
      --mosi 'mosi-heldout-shards/*.tar' --probe probe1-val-shards/00000.tar
"""
import argparse, glob, io, json, sys
import os
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_upper_bound import TinyR3D, backbone_view, load, tensor  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
import tarfile  # noqa: E402

PICTURE_MOTION = [0, 0, 1, 1, 2, 2, 3, 3, -1]  # MoSI class -> probe label of the picture's motion (-1 static)


def load_vidi_mosi(path):
    """A `vidi train mosi` output or step checkpoint -> TinyR3D with 9 classes, evaluation mode."""
    net = TinyR3D(classes=9)
    state = {}
    for key, value in load_file(path).items():
        for prefix, to in (("model.encoder.backbone.", ""), ("encoder.backbone.", ""), ("model.fc.", "fc."), ("fc.", "fc.")):
            if key.startswith(prefix):
                state[to + key[len(prefix):]] = torch.from_numpy(value.copy())
                break
    net.load_state_dict(state)  # strict: every replica key must come from the checkpoint
    return net.eval()


def mosi_clips(paths):
    """MoSI shards -> backbone-view clips [N*9, ...] and labels."""
    clips, labels = [], []
    for path in paths:
        with tarfile.open(path) as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            for name in sorted(n for n in members if n.endswith(".clips.npy")):
                stack = np.load(io.BytesIO(tar.extractfile(members[name]).read()))
                clips.append(backbone_view(stack).astype(np.uint8))
                labels.append(np.load(io.BytesIO(tar.extractfile(members[name[:-len("clips.npy")] + "labels.npy"]).read())))
    return np.concatenate(clips), np.concatenate(labels).astype(np.int64)


def predict(net, x, batch=90):
    with torch.no_grad():
        return torch.cat([net(tensor(x[i:i + batch].astype(np.float32))).argmax(1) for i in range(0, len(x), batch)]).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--mosi", action="append", default=[], help="glob of MoSI shards (repeatable)")
    parser.add_argument("--probe", action="append", default=[], help="probe frame shard (repeatable)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    net = load_vidi_mosi(args.checkpoint)
    for pattern in args.mosi:
        x, y = mosi_clips(sorted(glob.glob(pattern)))
        print(json.dumps({"check": "mosi", "shards": pattern, "clips": len(y), "accuracy": float((predict(net, x) == y).mean())}))
    for path in args.probe:
        clips, labels = load(path)
        predicted = predict(net, backbone_view(clips))
        confusion = np.zeros((4, 9), int)
        np.add.at(confusion, (labels, predicted), 1)
        motion = np.array(PICTURE_MOTION)[predicted]
        print(json.dumps({"check": "head", "shards": path, "clips": len(labels), "direction_accuracy": float((motion == labels).mean()),
                          "static_fraction": float((motion == -1).mean()), "confusion_true_by_mosi_class": confusion.tolist()}))


if __name__ == "__main__":
    main()
