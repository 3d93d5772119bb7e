#!/usr/bin/env python3
"""Pipeline benchmark: `vidi run Pipelines/keyframes-motion.yaml` against a PyAV + multiprocessing
baseline doing the same work (pipeline_baseline.py), on generated corpora, 2 workers each. Reports
videos/s, frames/s (frames = every frame of every video, counted by ffprobe), peak RSS (/usr/bin/time -v),
and peak RSS as the manifest grows from 50 to 500 videos.

Usage: pipeline_bench.py --vidi PATH [--count 50] [--data DIR] [--workers 2]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (elapsed seconds, peak RSS MiB, CPU seconds)."""
    full = ["/usr/bin/time", "-v"] + cmd
    if shutil.which("taskset"):
        full = ["taskset", "-c", "0,1"] + full
    proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    err = proc.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    cpu = float(re.search(r"User time \(seconds\): (\S+)", err).group(1)) + float(re.search(r"System time \(seconds\): (\S+)", err).group(1))
    if proc.returncode not in (0, 1):
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"{cmd[0]} failed with {proc.returncode}")
    return seconds, rss, cpu


def frame_count(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", path], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().split(",")[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vidi", required=True)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--data", default=os.path.join(HERE, ".data", "pipeline"))  # made absolute below
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeats", type=int, default=2, help="alternate vidi and PyAV runs; keep each one's fastest")
    args = parser.parse_args()
    args.data = os.path.abspath(args.data)  # manifests hold absolute paths (relative ones resolve against the manifest's folder)

    subprocess.run([sys.executable, os.path.join(HERE, "pipeline_corpus.py"), args.data, str(args.count)], check=True)
    spec = os.path.join(ROOT, "Pipelines", "keyframes-motion.yaml")
    rows = []
    for flavour in ["mpeg4-240p", "h264-360p"]:
        folder = os.path.join(args.data, flavour)
        videos = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".mp4"))[: args.count]
        manifest = os.path.join(args.data, f"{flavour}.txt")
        with open(manifest, "w") as f:
            f.write("\n".join(videos) + "\n")
        frames = sum(frame_count(v) for v in videos)
        out = os.path.join(args.data, "out", flavour)
        shutil.rmtree(out, ignore_errors=True)
        vidi_runs, pyav_runs = [], []
        for _ in range(args.repeats):  # alternating, so background load hits both alike
            vidi_runs.append(timed([args.vidi, "run", spec, "--input", manifest, "--output", out + "-vidi",
                                    "--workers", str(args.workers), "--overwrite"]))
            pyav_runs.append(timed([args.python, os.path.join(HERE, "pipeline_baseline.py"), "--manifest", manifest,
                                    "--output", out + "-pyav", "--processes", str(args.workers)]))
        vs, vrss, vcpu = min(vidi_runs)
        ps, prss, pcpu = min(pyav_runs)
        rows.append(dict(flavour=flavour, videos=len(videos), frames=frames, vidi_s=vs, vidi_rss=vrss, vidi_cpu=vcpu,
                         pyav_s=ps, pyav_rss=prss, pyav_cpu=pcpu))

    # Memory stays flat with corpus size: the same 50 MPEG-4 videos listed 1x and 10x.
    videos = open(os.path.join(args.data, "mpeg4-240p.txt")).read().split()
    rss = {}
    for repeat in (1, 10):
        manifest = os.path.join(args.data, f"mpeg4-x{repeat}.txt")
        with open(manifest, "w") as f:
            f.write("\n".join(videos * repeat) + "\n")
        out = os.path.join(args.data, "out", f"rss-x{repeat}")
        seconds, peak, _cpu = timed([args.vidi, "run", spec, "--input", manifest, "--output", out,
                                  "--workers", str(args.workers), "--overwrite"])
        rss[len(videos) * repeat] = (peak, seconds)

    print("| corpus | videos | frames | vidi videos/s | vidi frames/s | PyAV videos/s | PyAV frames/s | speed-up (wall) | CPU s vidi / PyAV | speed-up (CPU) | peak RSS MiB vidi / PyAV |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['flavour']} | {r['videos']} | {r['frames']} | {r['videos'] / r['vidi_s']:.1f} | {r['frames'] / r['vidi_s']:.0f} "
              f"| {r['videos'] / r['pyav_s']:.1f} | {r['frames'] / r['pyav_s']:.0f} | {r['pyav_s'] / r['vidi_s']:.2f}x "
              f"| {r['vidi_cpu']:.2f} / {r['pyav_cpu']:.2f} | {r['pyav_cpu'] / r['vidi_cpu']:.2f}x | {r['vidi_rss']:.0f} / {r['pyav_rss']:.0f} |")
    print()
    print("| manifest (mpeg4-240p) | vidi peak RSS MiB | seconds |")
    print("|---|---|---|")
    for n, (peak, seconds) in sorted(rss.items()):
        print(f"| {n} videos | {peak:.0f} | {seconds:.1f} |")
    json.dump({"rows": rows, "rss": rss}, open(os.path.join(args.data, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
