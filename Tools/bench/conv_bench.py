#!/usr/bin/env python3
"""Convolution benchmark: Vidi's conv2d against SGEMM of the same FLOPs, with PyTorch's conv2d as a peer.

Case: conv2d 3x3, 64 -> 64 channels, 56x56, batch 8, padding 1 (1.85 GFLOP). `vidi bench conv` times the
conv and a square SGEMM of equal FLOPs in alternating rounds inside one process and reports both per wall
second and per CPU-second (CPU time is the steadier measure on a shared machine; it is exact with one BLAS
thread, where no worker spins). PyTorch (its own oneDNN/MKL kernels) runs in this process, same threads.
Target: Vidi conv >= 60% of the SGEMM rate.

    swift build -c release --product vidi
    $(Tools/reference-venv.sh) Tools/bench/conv_bench.py [--threads 1 2] [--rounds 3] [--markdown]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def vidi(binary, threads, rounds, seconds):
    out = subprocess.run([binary, "bench", "conv", "--threads", str(threads), "--rounds", str(rounds),
                          "--seconds", str(seconds), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_conv(threads, rounds, seconds):
    """Best wall and CPU seconds of torch conv2d on the same case (None when torch is missing)."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(3)
    x = torch.rand(8, 64, 56, 56, generator=g) * 2 - 1
    w = (torch.rand(64, 64, 3, 3, generator=g) * 2 - 1) * 0.1
    best_wall, best_cpu = float("inf"), float("inf")
    with torch.no_grad():
        F.conv2d(x, w, padding=1)
        for _ in range(rounds):
            start, runs = time.perf_counter(), 0
            while runs < 3 or time.perf_counter() - start < seconds:
                t0, c0 = time.perf_counter(), time.process_time()
                F.conv2d(x, w, padding=1)
                best_wall = min(best_wall, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
                runs += 1
    return best_wall, best_cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vidi", default=os.path.join(ROOT, ".build", "release", "vidi"))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum timed seconds per measurement")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not os.path.exists(args.vidi):
        sys.exit(f"{args.vidi} not found: run `swift build -c release --product vidi` first")

    rows = []
    for threads in args.threads:
        v = vidi(args.vidi, threads, args.rounds, args.seconds)
        t = torch_conv(threads, args.rounds, args.seconds)
        gflop = v["gflop"]
        torch_rates = (gflop / t[0], gflop / t[1]) if t else (float("nan"), float("nan"))
        rows.append((threads, v, torch_rates))

    header = (f"conv2d 3x3 64->64 56x56 batch 8 ({rows[0][1]['gflop']:.2f} GFLOP), {os.cpu_count()} CPUs, "
              f"BLAS core {rows[0][1]['blas_core']}, best of {args.rounds} rounds; GFLOP/s per wall second | per CPU-second")
    if args.markdown:
        print(f"{header}\n")
        print("| threads | Vidi conv2d | SGEMM n=%d | Vidi conv / SGEMM | PyTorch conv2d | target |" % rows[0][1]["square_n"])
        print("|---:|---:|---:|---:|---:|---:|")
        for threads, v, tr in rows:
            print(f"| {threads} | {v['conv_gflops']:.1f} \\| {v['conv_gflops_per_cpu_s']:.1f} "
                  f"| {v['square_gflops']:.1f} \\| {v['square_gflops_per_cpu_s']:.1f} "
                  f"| {v['ratio_vs_square_sgemm']:.2f} \\| {v['cpu_ratio_vs_square_sgemm']:.2f} "
                  f"| {tr[0]:.1f} \\| {tr[1]:.1f} | ≥ 0.60 |")
    else:
        print(header)
        for threads, v, tr in rows:
            print(f"threads {threads}: vidi conv {v['conv_gflops']:6.1f} | {v['conv_gflops_per_cpu_s']:6.1f}   "
                  f"sgemm {v['square_gflops']:6.1f} | {v['square_gflops_per_cpu_s']:6.1f}   "
                  f"ratio {v['ratio_vs_square_sgemm']:.2f} | {v['cpu_ratio_vs_square_sgemm']:.2f} (target 0.60)   "
                  f"torch conv {tr[0]:6.1f} | {tr[1]:6.1f}")


if __name__ == "__main__":
    main()
