#!/usr/bin/env python3
"""Vidi's models next to the same architectures in PyTorch CPU, in one run: inference or a training step.

Models (PyTorch side; the golden tests use the same module trees, Tools/goldens/make_nn_goldens.py, since
torchvision is not installed):
  resnet50          torchvision ResNet-50, 224x224 images, 1000 classes
  r2plus1d          torchvision R(2+1)D-18, 16x112x112 clips, 400 classes
  vit               CLIP ViT-B/32 image encoder (openai/CLIP VisionTransformer), 224x224, 512-d output
  text-transformer  CLIP's text encoder (77 tokens, width 512, 12 layers, 8 heads, causal mask, encode_text)
Inference: eval mode under torch.no_grad() / `vidi bench <model>`. --train: train mode, forward, loss
(cross-entropy on labels i mod classes for classifiers, mean square of the embedding for encoders), backward
and one SGD step (lr 1e-6, momentum 0.9) on both sides / `vidi bench <model> --train`.
Rounds alternate PyTorch / Vidi and keep each side's best, so background load hits both alike; the ratio
is Vidi items/s over PyTorch items/s (above 1: Vidi is faster), by wall time and per CPU-second (process CPU
time of the best run, all threads: steadier than wall time when other jobs share the cores). Seeded random weights on both sides.

--memory: peak RSS instead of speed. Each side runs in its own fresh process (a PyTorch child of this script,
`vidi bench ... --json`) that builds the model, runs one warm-up and `--runs` timed passes at one batch size
and reports its VmHWM (/proc/self/status), so neither side's number includes the other's.

    swift build -c release --product vidi
    $(Tools/reference-venv.sh) Tools/bench/model_bench.py --model resnet50 --batch 1 8 --threads 1 [--train] [--markdown]
    $(Tools/reference-venv.sh) Tools/bench/model_bench.py --model resnet50 --batch 8 --memory
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = ("resnet50", "r2plus1d", "vit", "text-transformer")


def reference_modules():
    spec = importlib.util.spec_from_file_location("nn_goldens", os.path.join(ROOT, "Tools", "goldens", "make_nn_goldens.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TextBlock(nn.Module):
    """openai/CLIP ResidualAttentionBlock with its causal attention mask."""

    def __init__(self, reference, width, heads, mask):
        super().__init__()
        self.block = reference.ResidualAttentionBlock(width, heads)
        self.register_buffer("mask", mask)

    def forward(self, x):
        b = self.block
        y = b.ln_1(x)
        x = x + b.attn(y, y, y, need_weights=False, attn_mask=self.mask)[0]
        return x + b.mlp(b.ln_2(x))


class TextTransformer(nn.Module):
    """openai/CLIP `encode_text`: embeddings, causal transformer (LND), ln_final, projection at the EOT token."""

    def __init__(self, reference, context=77, vocabulary=49408, width=512, layers=12, embed=512):
        super().__init__()
        mask = torch.full((context, context), float("-inf")).triu_(1)
        self.token_embedding = nn.Embedding(vocabulary, width)
        self.positional_embedding = nn.Parameter(torch.randn(context, width) * 0.01)
        self.resblocks = nn.Sequential(*[TextBlock(reference, width, width // 64, mask) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.randn(width, embed) * width ** -0.5)

    def forward(self, ids):
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.resblocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ self.text_projection


def build(name, batch):
    """The PyTorch model, its input at `batch`, and the training loss of its output."""
    ref = reference_modules()
    if name == "resnet50":
        model, x = ref.ResNet(ref.Bottleneck, [3, 4, 6, 3]), torch.rand(batch, 3, 224, 224) * 2 - 1
    elif name == "r2plus1d":
        model, x = ref.r2plus1d((64, 128, 256, 512), 45, 400), torch.rand(batch, 3, 16, 112, 112) * 2 - 1
    elif name == "vit":
        model, x = ref.VisionTransformer(224, 32, 768, 12, 12, 512), torch.rand(batch, 3, 224, 224) * 2 - 1
    else:
        model = TextTransformer(ref)
        x = torch.randint(0, 49407, (batch, 77))
        x[:, -1] = 49407                                   # end-of-text: the highest id, where encode_text reads
    if name in ("resnet50", "r2plus1d"):
        def loss(out):
            return F.cross_entropy(out, torch.arange(out.shape[0]) % out.shape[1])
    else:
        def loss(out):
            return (out * out).mean()
    return model, x, loss


def torch_best(model, x, loss, train, seconds, runs):
    model.train(train)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)

    def once():
        if train:
            optimizer.zero_grad()
            loss(model(x)).backward()
            optimizer.step()
        else:
            with torch.no_grad():
                model(x)
    once()
    best, best_cpu, start, count = float("inf"), float("inf"), time.perf_counter(), 0
    while count < runs or time.perf_counter() - start < seconds:
        t0, c0 = time.perf_counter(), time.process_time()
        once()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
        count += 1
    return best, best_cpu


def peak_rss_bytes():
    """This process's VmHWM (peak resident set), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def torch_child_rss(args, batch):
    """Peak RSS of a fresh PyTorch process running the same passes as the Vidi side."""
    command = [sys.executable, os.path.abspath(__file__), "--model", args.model, "--batch", str(batch),
               "--threads", str(args.threads), "--runs", str(args.runs), "--seconds", "0", "--child-rss"]
    command += ["--train"] if args.train else []
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def vidi_rss(args, batch):
    command = [args.vidi, "bench", args.model, "--batch", str(batch), "--threads", str(args.threads),
               "--seconds", "0", "--runs", str(args.runs), "--json"] + (["--train"] if args.train else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_bytes"]


def memory(args, mode):
    rows = []
    for batch in args.batch:
        rows.append((batch, torch_child_rss(args, batch), vidi_rss(args, batch)))
    header = (f"{args.model} {mode} peak RSS (VmHWM, one process per side), torch {torch.__version__}, "
              f"{args.threads} thread(s), warm-up + {args.runs} runs")
    if args.markdown:
        print(f"<!-- {header} -->")
        for batch, t, v in rows:
            print(f"| {args.model} | {mode} | {args.threads} | {batch} | {t / 2**20:.0f} | {v / 2**20:.0f} | {v / t:.2f} |")
    else:
        print(header)
        for batch, t, v in rows:
            print(f"batch {batch:3d}: pytorch {t / 2**20:8.0f} MiB  vidi {v / 2**20:8.0f} MiB  vidi / pytorch {v / t:5.2f}")


def vidi_best(args, batch):
    command = [args.vidi, "bench", args.model, "--batch", str(batch), "--threads", str(args.threads),
               "--seconds", str(args.seconds), "--runs", str(args.runs), "--json"] + (["--train"] if args.train else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["best_seconds"], result["best_cpu_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--vidi", default=os.path.join(ROOT, ".build", "release", "vidi"))
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--threads", type=int, default=1, help="threads for both sides (torch.set_num_threads, "
                        "`vidi bench --threads`)")
    parser.add_argument("--train", action="store_true", help="time a training step instead of inference")
    parser.add_argument("--rounds", type=int, default=3, help="alternating PyTorch / Vidi rounds; each keeps its best")
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum timed seconds per measurement")
    parser.add_argument("--runs", type=int, default=2, help="minimum timed runs per measurement")
    parser.add_argument("--markdown", action="store_true", help="print table rows for BENCHMARKS.md")
    parser.add_argument("--memory", action="store_true", help="compare peak RSS (each side in its own process) "
                        "instead of speed")
    parser.add_argument("--child-rss", action="store_true", help=argparse.SUPPRESS)  # the PyTorch side of --memory
    args = parser.parse_args()
    if args.child_rss:
        torch.manual_seed(8)
        torch.set_num_threads(args.threads)
        model, x, loss = build(args.model, args.batch[0])
        torch_best(model, x, loss, args.train, 0, args.runs)
        print(peak_rss_bytes())
        return
    if not os.path.exists(args.vidi):
        sys.exit(f"{args.vidi} not found: run `swift build -c release --product vidi` first")

    torch.manual_seed(8)
    torch.set_num_threads(args.threads)
    mode = "train step" if args.train else "inference"
    if args.memory:
        return memory(args, mode)
    rows = []
    for batch in args.batch:
        model, x, loss = build(args.model, batch)
        t_best, v_best = [float("inf")] * 2, [float("inf")] * 2
        for _ in range(args.rounds):
            t_best = [min(a, b) for a, b in zip(t_best, torch_best(model, x, loss, args.train, args.seconds, args.runs))]
            v_best = [min(a, b) for a, b in zip(v_best, vidi_best(args, batch))]
        rows.append((batch, batch / t_best[0], batch / v_best[0], batch / t_best[1], batch / v_best[1]))

    load = os.getloadavg()[0]
    header = (f"{args.model} {mode}, torch {torch.__version__}, {args.threads} thread(s), {os.cpu_count()} CPUs, "
              f"best of {args.rounds} rounds, load average {load:.1f}")
    # Per CPU-second: items over the process CPU time of the best run (all threads; steadier under load).
    if args.markdown:
        print(f"<!-- {header} -->")
        for batch, t, v, tc, vc in rows:
            print(f"| {args.model} | {mode} | {args.threads} | {batch} | {t:.2f} | {v:.2f} | {v / t:.2f} | {vc / tc:.2f} |")
    else:
        print(header)
        for batch, t, v, tc, vc in rows:
            print(f"batch {batch:3d}: pytorch {t:8.2f} items/s  vidi {v:8.2f} items/s  ratio {v / t:5.2f}  "
                  f"per CPU-second {tc:8.2f} vs {vc:8.2f}, ratio {vc / tc:5.2f}")


if __name__ == "__main__":
    main()
