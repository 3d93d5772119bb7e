#!/usr/bin/env python3
"""Golden outputs of the official STCN and RDE-VOS PyTorch code for VidiSegmentation's tests.

The reference code is not part of Vidi; check both out and pass their folders:
  https://github.com/hkchengrex/STCN                   (used: eb83102e1957d9f21fb268ab202dad72ef06a1b0)
  https://github.com/Limingxing00/RDE-VOS-CVPR2022     (used: 548a889395e2370c07962692e01e3abf8f518153)

    Tools/goldens/make_vos_goldens.py --stcn /path/STCN --rde /path/RDE-VOS-CVPR2022

Runs on CPU (the scripts' `.cuda()` calls become no-ops, InferenceCore's 'cuda' device is read as 'cpu' when
its module is loaded; nothing is downloaded: the ImageNet initialisation of the encoders is skipped).
Weights are *seeded formula weights*: every tensor of the state dict is a pure function of its key name
and shape (SplitMix64 of FNV-1a(key) ^ seed, uniform in [-1, 1) in float32, times a scale), shaped so a
random network gives finite, decisive outputs: BatchNorm statistics at identity, the last BN of each
residual block at 0.2, residual branches of STCN's ResBlocks and SAM at 0.3, the key projection at 0.5,
the decoder head at 4, the value encoder's two mask input channels at 8. The Swift tests build the same weights with the same formula (ReferenceWeights.swift),
so no checkpoint is committed — only inputs and outputs (Fixtures/golden/vos/).
Needs numpy, torch, torchvision, opencv (RDE imports it).
"""
import argparse
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "golden", "vos")
MASK64 = (1 << 64) - 1
SEED = 2022


def fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h ^= byte
        h = (h * 0x100000001B3) & MASK64
    return h


def uniform_pm1(key, count, seed=SEED):
    with np.errstate(over="ignore"):
        s = np.uint64(fnv1a(key) ^ seed)
        z = s + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    return np.float32(2) * u - np.float32(1)


def factor(key):
    if key == "key_proj.key_proj.weight":
        return 0.5
    if key == "decoder.pred.weight":
        return 4.0
    if key.endswith("conv2.weight") and (key.startswith("value_encoder.fuser") or key.startswith("decoder")):
        return 0.3
    if key.startswith("mem_compress") and (key.endswith(".W.weight") or key.endswith("conv1.conv1.weight")):
        return 0.3
    return 1.0


def is_damped_bn(key):
    parts = key.split(".")
    if key.startswith("key_encoder.") and parts[-2] == "bn3":
        return True
    return key.startswith("value_encoder.layer") and parts[-2] == "bn2"


def formula_state(state):
    out = {}
    for key, value in state.items():
        prefix = key.rsplit(".", 1)[0]
        is_bn = prefix + ".running_mean" in state
        if key.endswith("num_batches_tracked"):
            out[key] = torch.zeros((), dtype=torch.int64)
        elif key.endswith("running_mean") or (is_bn and key.endswith(".bias")):
            out[key] = torch.zeros(value.shape)
        elif key.endswith("running_var"):
            out[key] = torch.ones(value.shape)
        elif is_bn and key.endswith(".weight"):
            out[key] = torch.full(value.shape, 0.2 if is_damped_bn(key) else 1.0)
        elif value.dim() >= 2:
            fan_in = int(np.prod(value.shape[1:]))
            scale = np.float32(math.sqrt(3.0 / fan_in) * factor(key))
            weight = (uniform_pm1(key, value.numel()) * scale).reshape(value.shape)
            if key == "value_encoder.conv1.weight":
                weight[:, 3:] *= np.float32(8)  # the mask channels: objects' values must differ clearly
            out[key] = torch.from_numpy(weight)
        else:
            out[key] = torch.from_numpy(uniform_pm1(key, value.numel()) * np.float32(0.05)).reshape(value.shape)
    return out


def patch_torch():
    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    from torch.utils import model_zoo
    model_zoo.load_url = lambda *a, **k: {}  # no ImageNet weights: formula weights replace them
    import torchvision.models as tvm
    original = tvm.resnet50
    tvm.resnet50 = lambda pretrained=False, **kw: original(weights=None)
    sklearn = types.ModuleType("sklearn")
    decomposition = types.ModuleType("sklearn.decomposition")
    decomposition.PCA = object
    sklearn.decomposition = decomposition
    sys.modules.setdefault("sklearn", sklearn)
    sys.modules.setdefault("sklearn.decomposition", decomposition)
    retrying = types.ModuleType("retrying")  # RDE-VOS retries ImageNet downloads; nothing is downloaded here
    retrying.retry = lambda *a, **k: (lambda f: f)
    sys.modules.setdefault("retrying", retrying)


def import_reference(root):
    for name in list(sys.modules):
        if name.split(".")[0] in ("model", "inference_core", "inference_memory_bank", "util", "dataset"):
            del sys.modules[name]
    sys.path.insert(0, root)
    from model import mod_resnet
    mod_resnet.load_weights_sequential = lambda *a, **k: None
    # InferenceCore allocates on 'cuda': load the module with that device read as 'cpu'.
    source = open(os.path.join(root, "inference_core.py")).read().replace("'cuda'", "'cpu'")
    module = types.ModuleType("inference_core")
    module.__file__ = os.path.join(root, "inference_core.py")
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    sys.modules["inference_core"] = module
    sys.path.remove(root)
    return module


def save(name, array):
    os.makedirs(OUT, exist_ok=True)
    array = np.ascontiguousarray(array)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(os.path.join(OUT, name + ".npy"), array)


def make_clip(rng, frames=6, h=73, w=107):
    """Smooth coloured shapes moving on a gradient: two objects (ids 1, 2)."""
    y, x = np.mgrid[0:h, 0:w]
    clip = np.zeros((frames, h, w, 3), np.uint8)
    labels = np.zeros((frames, h, w), np.uint8)
    for t in range(frames):
        img = np.stack([x * 2, y * 3, (x + y)], -1).astype(np.float64) % 255
        a = ((y - 30 - t) / 14.0) ** 2 + ((x - 30 - 3 * t) / 18.0) ** 2 <= 1
        b = ((y - 45) / 12.0) ** 2 + ((x - 75 + 2 * t) / 12.0) ** 2 <= 1
        img[a] = (230, 40, 40)
        img[b] = (40, 60, 220)
        img += rng.normal(0, 6, img.shape)
        clip[t] = np.clip(img, 0, 255).astype(np.uint8)
        labels[t][a] = 1
        labels[t][b & ~a] = 2
    return clip, labels


def run_clip(core_module, net, clip, first_mask, top_k, mem_every, args=None):
    """What eval_davis.py does with one sequence (normalise, InferenceCore.interact, unpad, argmax)."""
    from util.tensor_util import unpad  # noqa: imported from the reference on sys.path
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    rgb = torch.stack([(torch.from_numpy(f).permute(2, 0, 1).float() / 255 - mean) / std for f in clip])[None]
    labels = [1, 2]
    msk = torch.stack([torch.from_numpy((first_mask == l).astype(np.float32)) for l in labels])[:, None]
    if args is None:
        core = core_module.InferenceCore(net, rgb, len(labels), top_k=top_k, mem_every=mem_every)
    else:
        core = core_module.InferenceCore(args, net, rgb, len(labels), top_k=top_k, mem_every=mem_every)
    core.interact(msk, 0, rgb.shape[1])
    probs, masks = [], []
    for ti in range(core.t):
        prob = unpad(core.prob[:, ti], core.pad)
        prob = torch.nn.functional.interpolate(prob, clip.shape[1:3], mode="bilinear", align_corners=False)
        probs.append(prob[:, 0])
        masks.append(torch.argmax(prob, dim=0)[0])
    return torch.stack(probs, 1).numpy(), torch.stack(masks).numpy().astype(np.int32)


def confident(probs, masks, margin=0.1):
    """The official argmax, -1 where the top probability beats the second by less than `margin`."""
    top2 = np.sort(probs, axis=0)[-2:]
    return np.where(top2[1] - top2[0] >= margin, masks, -1).astype(np.int32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stcn", required=True)
    parser.add_argument("--rde", required=True)
    args = parser.parse_args()
    patch_torch()
    torch.set_grad_enabled(False)
    rng = np.random.default_rng(7)

    clip, labels = make_clip(rng)
    os.makedirs(OUT, exist_ok=True)
    clip.tofile(os.path.join(OUT, "clip_6x73x107.rgb"))
    save("clip_first_mask", labels[0].astype(np.int32))

    # ---- STCN ----
    stcn_core = import_reference(args.stcn)
    sys.path.insert(0, args.stcn)
    from model.eval_network import STCN
    from model.aggregate import aggregate
    from model.network import MemoryReader
    import inference_memory_bank as stcn_bank
    net = STCN().eval()
    net.load_state_dict(formula_state(net.state_dict()), strict=True)

    # memory read with top-k (inference) and full softmax (training), small random tensors
    mk = torch.from_numpy(rng.normal(0, 1, (1, 64, 3, 5, 7)).astype(np.float32))
    qk = torch.from_numpy(rng.normal(0, 1, (1, 64, 5, 7)).astype(np.float32))
    mv = torch.from_numpy(rng.normal(0, 1, (2, 16, 3, 5, 7)).astype(np.float32))
    bank = stcn_bank.MemoryBank(k=2, top_k=20)
    bank.add_memory(mk[:, :, 0:1], mv[:, :, 0:1])
    bank.add_memory(mk[:, :, 1:3], mv[:, :, 1:3])
    save("memread_keys", mk.numpy()); save("memread_query", qk.numpy()); save("memread_values", mv.numpy())
    save("memread_topk20", bank.match_memory(qk).numpy())
    reader = MemoryReader()
    affinity = reader.get_affinity(mk, qk)
    save("memread_softmax", torch.bmm(mv.flatten(2), affinity.expand(2, -1, -1)).view(2, 16, 5, 7).numpy())

    probs = torch.from_numpy(rng.uniform(0, 1, (3, 1, 6, 5)).astype(np.float32))
    probs[0, 0, 0, 0] = 0.0
    probs[1, 0, 0, 1] = 1.0
    save("aggregate_input", probs.numpy()); save("aggregate_output", aggregate(probs, keep_bg=True).numpy())

    # one step by hand: keys, value encoder, memory read, decoder (frame 0 -> frame 1)
    from util.tensor_util import pad_divide_by
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    frames = [pad_divide_by(((torch.from_numpy(f).permute(2, 0, 1).float() / 255 - mean) / std)[None], 16)[0] for f in clip[:2]]
    k0, v0q, f16, f8, f4 = net.encode_key(frames[0])
    masks = torch.stack([torch.from_numpy((labels[0] == l).astype(np.float32)) for l in (1, 2)])[:, None]
    masks = pad_divide_by(masks, 16)[0]
    prob0 = aggregate(masks, keep_bg=True)
    value0 = net.encode_value(frames[0], f16, prob0[1:])
    save("step_key0", k0.numpy()); save("step_qvalue0", v0q.numpy()); save("step_f16", f16.numpy())
    save("step_value0", value0.numpy())
    step_bank = stcn_bank.MemoryBank(k=2, top_k=20)
    step_bank.add_memory(k0.unsqueeze(2), value0)
    k1, v1q, _, f8_1, f4_1 = net.encode_key(frames[1])
    readout = step_bank.match_memory(k1)
    save("step_readout1", readout.numpy())
    out1 = net.segment_with_query(step_bank, f8_1, f4_1, k1, v1q)
    save("step_probabilities1", out1.numpy())
    save("step_aggregated1", aggregate(out1, keep_bg=True).numpy())

    stcn_probs, stcn_masks = run_clip(stcn_core, net, clip, labels[0], top_k=20, mem_every=2)
    save("stcn_clip_masks", confident(stcn_probs, stcn_masks))
    sys.path.remove(args.stcn)

    # ---- RDE-VOS ----
    rde_core = import_reference(args.rde)
    sys.path.insert(0, args.rde)
    from model.eval_network import RDE_VOS
    rde = RDE_VOS().eval()
    rde.load_state_dict(formula_state(rde.state_dict()), strict=True)
    key = torch.from_numpy(rng.normal(0, 1, (1, 64, 2, 5, 7)).astype(np.float32))
    value = torch.from_numpy(rng.normal(0, 1, (1, 2, 512, 2, 5, 7)).astype(np.float32))
    ck, cv = rde.mem_compress(key, value)
    save("sam_key_input", key.numpy()); save("sam_value_input", value.numpy())
    save("sam_key_output", ck.numpy()); save("sam_value_output", cv.numpy())
    rde_args = types.SimpleNamespace(mode="two-frames-compress")
    rde_probs, rde_masks = run_clip(rde_core, rde, clip, labels[0], top_k=40, mem_every=2, args=rde_args)
    save("rde_clip_masks", confident(rde_probs, rde_masks))
    for name, p in (("stcn", stcn_probs), ("rde", rde_probs)):
        top2 = np.sort(p, axis=0)[-2:]
        print(name, "finite", np.isfinite(p).all(), "margin>0.2:", float(((top2[1] - top2[0]) > 0.2).mean()),
              "labels", np.bincount(np.where(name == "stcn", stcn_masks, rde_masks).ravel(), minlength=3))


if __name__ == "__main__":
    main()
