#!/usr/bin/env python3
"""Pretext generation throughput: `vidi run Pipelines/{mosi,hico,cmd}.yaml` vs the numpy/PyAV peer
(pretext_baseline.py) on the same generated corpus, 2 workers/processes each, best of --repeats.
Prints samples/s and the ratio per task.

Usage: pretext_bench.py --vidi PATH [--count 24] [--repeats 2] [--data DIR]   (run from the repository root
through Tools/bench/pretext_bench.sh, which builds vidi in release mode)
Corpus: --count 640x480 images (ffmpeg testsrc2 frames, PNG) for MoSI, and --count 320x240 10 s videos
(testsrc2, 25 fps) in MPEG-4 Part 2 GOP 12 I+P (CMD's re-encoding) for HiCo and CMD.
"""
import argparse, os, shutil, subprocess, sys, time


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def corpus(data, count):
    images, videos = os.path.join(data, "images"), os.path.join(data, "videos")
    os.makedirs(images, exist_ok=True); os.makedirs(videos, exist_ok=True)
    for i in range(count):
        png = os.path.join(images, f"img{i:03d}.png")
        if not os.path.exists(png):
            ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=640x480:r=25", "-ss", str(i * 0.37), "-frames:v", "1", png)
        mp4 = os.path.join(videos, f"vid{i:03d}.mp4")
        if not os.path.exists(mp4):
            ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=320x240:r=25", "-ss", str(i), "-t", "10", "-c:v", "mpeg4",
                   "-g", "12", "-bf", "0", "-q:v", "4", mp4)
    for name, folder, ext in [("images.txt", images, ".png"), ("videos.txt", videos, ".mp4")]:
        with open(os.path.join(data, name), "w") as f:
            for x in sorted(os.listdir(folder)):
                if x.endswith(ext):
                    f.write(os.path.join(os.path.basename(folder), x) + "\n")


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vidi", required=True)
    p.add_argument("--count", type=int, default=24)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--data", default="Tools/bench/.data/pretext")
    a = p.parse_args()
    corpus(a.data, a.count)
    rows = []
    for task, manifest in [("mosi", "images.txt"), ("hico", "videos.txt"), ("cmd", "videos.txt")]:
        m = os.path.join(a.data, manifest)
        out = os.path.join(a.data, "out-" + task)
        v = min(timed([a.vidi, "run", f"Pipelines/{task}.yaml", "--input", m, "--output", out + "-vidi",
                       "--workers", str(a.workers), "--overwrite"]) for _ in range(a.repeats))
        shutil.rmtree(out + "-py", ignore_errors=True)
        py = min(timed([sys.executable, "Tools/bench/pretext_baseline.py", task, m, out + "-py",
                        "--processes", str(a.workers)]) for _ in range(a.repeats))
        rows.append((task, a.count / v, a.count / py, py / v))
    print(f"| task | vidi samples/s | numpy/PyAV samples/s | ratio |")
    print(f"|---|---|---|---|")
    for task, v, py, r in rows:
        print(f"| {task} | {v:.2f} | {py:.2f} | {r:.1f}x |")


if __name__ == "__main__":
    main()
