#!/usr/bin/env python3
"""Convert a PyTorch checkpoint (.pth / .pt, pickled state dict or TorchScript archive) to .safetensors
that VidiNN's `Module.loadStateDict(path:)` reads. Key names are kept, so a torchvision / CLIP / STCN
checkpoint loads into the VidiNN module of the same architecture without renaming.

    $(Tools/reference-venv.sh) Tools/convert_checkpoint.py resnet50-0676ba61.pth resnet50.safetensors
    python Tools/convert_checkpoint.py ViT-B-32.pt clip_visual.safetensors --select visual. --float32
    python Tools/convert_checkpoint.py ckpt.pth out.safetensors --strip module.   # DataParallel prefixes

Nested checkpoints are unwrapped: the first of `state_dict`, `model`, `network`, `net` that holds a dict.
Needs torch and safetensors (pip install torch safetensors).
"""
import argparse
import sys


def fail(message):
    print(f"convert_checkpoint: {message}", file=sys.stderr)
    sys.exit(1)


try:
    import torch
except ImportError:
    fail("PyTorch is not installed in this Python ({}). Install it (pip install torch) or run with a "
         "Python that has it, e.g. the one Tools/reference-venv.sh creates.".format(sys.executable))
try:
    from safetensors.torch import save_file
except ImportError:
    fail("the safetensors package is not installed (pip install safetensors).")


def load_state_dict(path):
    """A flat {name: tensor} from a pickled checkpoint or a TorchScript archive (CLIP's .pt files)."""
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as pickled_error:
        try:
            return torch.jit.load(path, map_location="cpu").state_dict()
        except Exception:
            fail(f"cannot read {path} as a PyTorch checkpoint: {pickled_error}")
    for key in ("state_dict", "model", "network", "net"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if hasattr(obj, "state_dict") and not isinstance(obj, dict):
        obj = obj.state_dict()
    if not isinstance(obj, dict):
        fail(f"{path} holds a {type(obj).__name__}, not a state dict")
    return obj


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", help=".pth / .pt checkpoint")
    parser.add_argument("output", help=".safetensors file to write")
    parser.add_argument("--select", default="", help="keep only keys starting with this prefix, and drop it (e.g. visual.)")
    parser.add_argument("--strip", action="append", default=[], help="remove this prefix where present (repeatable)")
    parser.add_argument("--float32", action="store_true", help="convert float16/bfloat16/float64 tensors to float32")
    args = parser.parse_args()

    state = load_state_dict(args.input)
    out, skipped = {}, []
    for name, value in state.items():
        if not torch.is_tensor(value):
            skipped.append(name)
            continue
        if args.select:
            if not name.startswith(args.select):
                continue
            name = name[len(args.select):]
        for prefix in args.strip:
            if name.startswith(prefix):
                name = name[len(prefix):]
        if name in out:
            fail(f"two keys become '{name}' after --select/--strip")
        if args.float32 and value.is_floating_point():
            value = value.float()
        # safetensors refuses tensors that share storage; each gets its own contiguous copy.
        out[name] = value.detach().contiguous().clone()
    if not out:
        fail(f"no tensors left to write from {args.input} (check --select)")
    save_file(out, args.output, metadata={"source": args.input})
    total = sum(t.numel() for t in out.values())
    print(f"wrote {len(out)} tensors ({total} values) to {args.output}"
          + (f"; skipped non-tensor entries: {', '.join(skipped)}" if skipped else ""))


if __name__ == "__main__":
    main()
