#!/usr/bin/env python3
"""Two or more `vidi` builds on the same model in alternating rounds: CPU seconds per run, steadier than wall
time on a shared machine. CPU of N runs = CPU(warm-up + N+1 runs) - CPU(warm-up + 1 run), so model
construction is not counted. With --wall: wall seconds per run instead (best and median of --wall-runs timed
runs after a warm-up, as `vidi bench --json` reports them), which is where idle cores show at --threads 2.
One compute thread unless --threads says otherwise. A "binary" may be a wrapper script that sets environment
variables before running a build (to compare settings of one build).

    python3 Tools/bench/vidi_builds_ab.py --model resnet50 --batch 8 /path/to/old/vidi .build/release/vidi
"""
import argparse
import json
import resource
import subprocess


def cpu_seconds(binary, model, batch, runs, extra, threads):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([binary, "bench", model, "--batch", str(batch), "--threads", str(threads), "--seconds", "0",
                    "--runs", str(runs), *extra], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def wall_seconds(binary, model, batch, runs, extra, threads):
    """(best, median) wall seconds of one run, from the bench's JSON line."""
    result = subprocess.run([binary, "bench", model, "--batch", str(batch), "--threads", str(threads), "--seconds", "0",
                             "--runs", str(runs), "--json", *extra], check=True, capture_output=True, text=True)
    line = json.loads(result.stdout.strip().splitlines()[-1])
    return line["best_seconds"], line["median_seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--wall", action="store_true", help="wall seconds per run instead of CPU seconds")
    parser.add_argument("--wall-runs", type=int, default=10)
    args = parser.parse_args()
    extra = ["--train"] if args.train else []
    if args.wall:
        best, medians = {}, {}
        for _ in range(args.rounds):
            for binary in args.binaries:
                low, middle = wall_seconds(binary, args.model, args.batch, args.wall_runs, extra, args.threads)
                best[binary] = min(best.get(binary, float("inf")), low)
                medians.setdefault(binary, []).append(middle)
        first = best[args.binaries[0]]
        for binary, seconds in best.items():
            print(f"{binary}: {seconds:.4f} wall-s per run (best), medians per round "
                  f"{', '.join(f'{m:.4f}' for m in medians[binary])}, {first / seconds:.2f}x the first")
        return
    best = {}
    for _ in range(args.rounds):
        for binary in args.binaries:
            per_run = (cpu_seconds(binary, args.model, args.batch, 4, extra, args.threads)
                       - cpu_seconds(binary, args.model, args.batch, 1, extra, args.threads)) / 3
            best[binary] = min(best.get(binary, float("inf")), per_run)
    first = best[args.binaries[0]]
    for binary, seconds in best.items():
        print(f"{binary}: {seconds:.3f} CPU-s per run, {args.batch / seconds:.2f} items per CPU-second, "
              f"{first / seconds:.2f}x the first")


if __name__ == "__main__":
    main()
