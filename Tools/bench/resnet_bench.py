#!/usr/bin/env python3
"""ResNet-50 inference: PyTorch (CPU, eval, no_grad) and `vidi bench resnet50` side by side, in one run.

Both run torchvision's ResNet-50 architecture (PyTorch's copy is the one the golden tests use,
Tools/goldens/make_nn_goldens.py, since torchvision is not installed) on 224×224 input at batch 1 and 8.
Rounds alternate PyTorch / Vidi and keep each side's best, so background load hits both alike.

    swift build -c release --product vidi
    $(Tools/reference-venv.sh) Tools/bench/resnet_bench.py [--rounds 3] [--batch 1 8] [--threads 1] [--markdown]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def reference_resnet50():
    spec = importlib.util.spec_from_file_location("nn_goldens", os.path.join(ROOT, "Tools", "goldens", "make_nn_goldens.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ResNet(module.Bottleneck, [3, 4, 6, 3]).eval()


def torch_best(model, x, seconds):
    with torch.no_grad():
        model(x)
        best, start, runs = float("inf"), time.perf_counter(), 0
        while runs < 3 or time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - t0)
            runs += 1
    return best


def vidi_best(binary, batch, size, seconds, threads):
    extra = ["--threads", str(threads)] if threads else []
    out = subprocess.run([binary, "bench", "resnet50", "--batch", str(batch), "--size", str(size),
                          "--seconds", str(seconds), "--json", *extra], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["best_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vidi", default=os.path.join(ROOT, ".build", "release", "vidi"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum timed seconds per measurement")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--threads", type=int, default=0, help="threads for both (torch.set_num_threads and "
                        "OpenBLAS); 0 keeps each library's default")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.vidi):
        sys.exit(f"{args.vidi} not found: run `swift build -c release --product vidi` first")

    if args.threads:
        torch.set_num_threads(args.threads)
    model = reference_resnet50()
    rows = []
    for batch in args.batch:
        x = torch.rand(batch, 3, args.size, args.size) * 2 - 1
        t_best, v_best = float("inf"), float("inf")
        for _ in range(args.rounds):
            t_best = min(t_best, torch_best(model, x, args.seconds))
            v_best = min(v_best, vidi_best(args.vidi, batch, args.size, args.seconds, args.threads))
        rows.append((batch, batch / t_best, batch / v_best))

    header = (f"ResNet-50 forward {args.size}x{args.size}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
              f"{os.cpu_count()} CPUs, best of {args.rounds} rounds")
    if args.markdown:
        print(f"{header}\n")
        print("| batch | PyTorch images/s | Vidi images/s | Vidi / PyTorch |")
        print("|---:|---:|---:|---:|")
        for batch, t, v in rows:
            print(f"| {batch} | {t:.2f} | {v:.2f} | {v / t:.2f} |")
    else:
        print(header)
        for batch, t, v in rows:
            print(f"batch {batch:3d}: pytorch {t:8.2f} img/s  vidi {v:8.2f} img/s  ratio {v / t:5.2f}")


if __name__ == "__main__":
    main()
