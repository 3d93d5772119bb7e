#!/usr/bin/env python3
"""Generates the pipeline benchmark corpus with the ffmpeg CLI: N short synthetic videos (moving test
patterns, 1.6-2.4 s at 25 fps) in two flavours, CMD's MPEG-4 Part 2 at 320x240 (GOP 12, I+P only) and
x264 at 640x360 (default B-frames). Sources vary per video (pattern, seed, offset) so no two are equal.

Usage: pipeline_corpus.py OUT_DIR COUNT   (skips files that already exist)
"""
import os
import subprocess
import sys

FLAVOURS = {
    "mpeg4-240p": ["-vf", "scale=320:240", "-c:v", "mpeg4", "-g", "12", "-bf", "0", "-q:v", "4"],
    "h264-360p": ["-vf", "scale=640:360", "-c:v", "libx264", "-preset", "fast", "-crf", "23", "-pix_fmt", "yuv420p"],
}


def source(i):
    seconds = 1.6 + (i % 5) * 0.2
    kind = i % 4
    if kind == 0:
        src = f"testsrc2=size=640x360:rate=25:duration={seconds}"
    elif kind == 1:
        src = f"mandelbrot=size=640x360:rate=25:start_scale={2.0 + i * 0.01}"
    elif kind == 2:
        src = f"testsrc=size=640x360:rate=25:duration={seconds}"
    else:
        src = f"cellauto=size=640x360:rate=25:seed={i}:rule={18 + i % 100}"
    return src, seconds


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    for flavour, codec in FLAVOURS.items():
        folder = os.path.join(out, flavour)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            path = os.path.join(folder, f"v{i:04d}.mp4")
            if os.path.exists(path):
                continue
            src, seconds = source(i)
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-t", str(seconds), *codec,
                            "-an", path + ".tmp.mp4"], check=True)
            os.rename(path + ".tmp.mp4", path)


if __name__ == "__main__":
    main()
