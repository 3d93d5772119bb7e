#!/usr/bin/env python3
"""Two or more `vidi` builds on the same model in alternating rounds: CPU seconds per run, steadier than wall
time on a shared machine, and wall seconds per run (what idle cores cost at --threads 2; read it only on a
quiet machine). CPU of N runs = CPU(warm-up + N+1 runs) - CPU(warm-up + 1 run), so model
construction is not counted; the same for wall time. One compute thread unless --threads says otherwise. A "binary" may be a
wrapper script that sets environment variables before running a build (to compare settings of one build).

    python3 Tools/bench/vidi_builds_ab.py --model resnet50 --batch 8 /path/to/old/vidi .build/release/vidi
"""
import argparse
import resource
import subprocess
import time


def cpu_seconds(binary, model, batch, runs, extra, threads):
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([binary, "bench", model, "--batch", str(batch), "--threads", str(threads), "--seconds", "0",
                    "--runs", str(runs), *extra], check=True, capture_output=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    extra = ["--train"] if args.train else []
    best, best_wall = {}, {}
    for _ in range(args.rounds):
        for binary in args.binaries:
            cpu4, wall4 = cpu_seconds(binary, args.model, args.batch, 4, extra, args.threads)
            cpu1, wall1 = cpu_seconds(binary, args.model, args.batch, 1, extra, args.threads)
            best[binary] = min(best.get(binary, float("inf")), (cpu4 - cpu1) / 3)
            best_wall[binary] = min(best_wall.get(binary, float("inf")), (wall4 - wall1) / 3)
    first, first_wall = best[args.binaries[0]], best_wall[args.binaries[0]]
    for binary, seconds in best.items():
        wall = best_wall[binary]
        print(f"{binary}: {seconds:.3f} CPU-s per run, {args.batch / seconds:.2f} items per CPU-second, "
              f"{first / seconds:.2f}x the first; {wall:.3f} wall-s per run, {first_wall / wall:.2f}x the first")


if __name__ == "__main__":
    main()
