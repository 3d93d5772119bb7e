#!/usr/bin/env python3
"""Tensor-core benchmark: NumPy and `vidi bench` side by side, in one run, on the same machine.

Cases: SGEMM N×N×N (N = 1024, 2048) in GFLOP/s, and elementwise add of 16M float32 (allocating the output,
like `a + b` in both) in ms. Runs alternate NumPy / Vidi for several rounds and keep each side's best, so
background load hits both alike. Targets: SGEMM ≥ 90% of NumPy's GFLOP/s, add ≥ 80% of NumPy's speed.

    swift build -c release --product vidi
    $(Tools/reference-venv.sh) Tools/bench/tensor_bench.py [--rounds 3] [--markdown]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def numpy_best(fn, seconds):
    fn()
    best, start = float("inf"), time.perf_counter()
    runs = 0
    while runs < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best


def vidi(binary, args):
    out = subprocess.run([binary, "bench", *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vidi", default=os.path.join(ROOT, ".build", "release", "vidi"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum timed seconds per measurement")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not os.path.exists(args.vidi):
        sys.exit(f"{args.vidi} not found: run `swift build -c release --product vidi` first")

    rows = []
    rng = np.random.default_rng(0)
    for n in (1024, 2048):
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        flops = 2.0 * n ** 3
        np_best, vidi_best = 0.0, 0.0
        for _ in range(args.rounds):
            np_best = max(np_best, flops / numpy_best(lambda: a @ b, args.seconds) / 1e9)
            vidi_best = max(vidi_best, vidi(args.vidi, ["gemm", "--size", str(n), "--seconds", str(args.seconds)])["gflops"])
        rows.append((f"SGEMM {n}³ (GFLOP/s)", np_best, vidi_best, vidi_best / np_best, 0.90))

    count = 1 << 24
    a = rng.uniform(size=count).astype(np.float32)
    b = rng.uniform(size=count).astype(np.float32)
    np_ms, vidi_ms = float("inf"), float("inf")
    for _ in range(args.rounds):
        np_ms = min(np_ms, numpy_best(lambda: np.add(a, b), args.seconds) * 1e3)
        vidi_ms = min(vidi_ms, vidi(args.vidi, ["add", "--count", str(count), "--seconds", str(args.seconds)])["best_seconds"] * 1e3)
    rows.append(("add 16M float32 (ms)", np_ms, vidi_ms, np_ms / vidi_ms, 0.80))

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    header = f"numpy {np.__version__}, {os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={threads}, best of {args.rounds} rounds"
    if args.markdown:
        print(f"{header}\n")
        print("| case | NumPy | Vidi | Vidi / NumPy speed | target |")
        print("|---|---:|---:|---:|---:|")
        for name, np_value, vidi_value, ratio, target in rows:
            print(f"| {name} | {np_value:.1f} | {vidi_value:.1f} | {ratio:.2f} | ≥ {target:.2f} |")
    else:
        print(header)
        for name, np_value, vidi_value, ratio, target in rows:
            verdict = "ok" if ratio >= target else "BELOW TARGET"
            print(f"{name:24s} numpy {np_value:9.1f}  vidi {vidi_value:9.1f}  speed ratio {ratio:5.2f} (target {target:.2f}) {verdict}")


if __name__ == "__main__":
    main()
