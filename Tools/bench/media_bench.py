#!/usr/bin/env python3
"""Media benchmark: Vidi's decoder against the C floor and its peers, on the same inputs, in one run.

Run through Tools/bench/media-bench.sh (builds `vidi` in release and the C floor, prepares a venv with
PyAV and decord). Everything is single-threaded. Each cell is the best of --repeats runs (other work on
the machine only ever makes a run slower). Prints a Markdown table: fps and each peer's ratio to Vidi.

Keyframes are converted to RGB by every tool (that is what `vidi keyframes` delivers). Speeds are frames per second of CPU time (user + system) by default, because the machine this runs on is
shared and wall time swings with other jobs; --clock wall uses wall time instead. CPU time is taken inside
the measured span for the C floor, vidi (from `bench decode --json`), PyAV and decord (in-process
`time.process_time`); for the ffmpeg CLI it is the child's rusage, which includes its process start-up.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (ffmpeg arguments that make it, description). Test patterns with a little temporal noise so the
# encoder has real residuals and motion to code (a clean test pattern decodes unrealistically fast).
INPUTS = {
    "h264-360p.mp4": (["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6",
                       "-vf", "noise=alls=6:allf=t", "-c:v", "libx264", "-preset", "medium",
                       "-bf", "3", "-g", "60", "-pix_fmt", "yuv420p"],
                      "H.264 640x360, 180 frames, B-frames"),
    # x264's default GOP (keyint 250), as in most real files: 2 keyframes in 300 frames.
    "h264-1080p.mp4": (["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=10",
                        "-vf", "noise=alls=6:allf=t", "-c:v", "libx264", "-preset", "medium",
                        "-bf", "3", "-pix_fmt", "yuv420p"],
                       "H.264 1920x1080, 300 frames, B-frames, x264's default GOP"),
    "mpeg4-240p.mp4": (["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=10",
                        "-vf", "noise=alls=6:allf=t", "-c:v", "mpeg4", "-g", "12", "-bf", "0", "-q:v", "4"],
                       "MPEG-4 Part 2 320x240, 300 frames, GOP 12, I+P"),
}

MODES = ["plain", "mvs", "rgb", "keyframes"]
MODE_TITLES = {"plain": "decode", "mvs": "decode + motion vectors", "rgb": "decode + RGB",
               "keyframes": "keyframes only, to RGB"}


def make_inputs(data_dir):
    os.makedirs(data_dir, exist_ok=True)
    for name, (args, _) in INPUTS.items():
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            subprocess.run(["ffmpeg", "-v", "error", "-y", *args, path], check=True)
    return {name: os.path.join(data_dir, name) for name in INPUTS}


def best_of(repeats, fn):
    """Runs fn() -> frames `repeats` times in-process; returns (frames, best wall s, best CPU s)."""
    best, best_cpu, frames = float("inf"), float("inf"), None
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        frames = fn()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu_start)
    return frames, best, best_cpu


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---- peers -------------------------------------------------------------------------------------------

def c_floor(binary, path, mode, repeats):
    out = subprocess.run([binary, path, mode, str(repeats)], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    return result["frames"], result["seconds"], result["cpu_seconds"]


def vidi(binary, path, mode, repeats):
    flags = {"plain": [], "mvs": ["--motion"], "rgb": ["--rgb"], "keyframes": ["--keyframes"]}[mode]
    best, best_cpu, frames = float("inf"), float("inf"), None
    for _ in range(repeats):
        out = subprocess.run([binary, "bench", "decode", path, "--threads", "1", "--json", *flags],
                             check=True, capture_output=True, text=True)
        result = json.loads(out.stdout)
        frames, best, best_cpu = result["frames"], min(best, result["seconds"]), min(best_cpu, result["cpu_seconds"])
    return frames, best, best_cpu


def ffmpeg_cli(path, mode, repeats):
    args = {"plain": [], "mvs": ["-flags2", "+export_mvs"], "rgb": [], "keyframes": ["-skip_frame", "nokey"]}[mode]
    out_args = ["-pix_fmt", "rgb24"] if mode in ("rgb", "keyframes") else []
    command = ["ffmpeg", "-v", "error", "-nostdin", "-threads", "1", *args, "-i", path,
               "-map", "0:v:0", *out_args, "-f", "null", "-"]
    frames = int(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                                 "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path],
                                check=True, capture_output=True, text=True).stdout.strip())
    if mode == "keyframes":
        frames = None  # ffmpeg's null muxer duplicates frames to keep the rate; count is not comparable
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, children_cpu() - cpu_start)
    return frames, best, best_cpu


def pyav(path, mode, repeats):
    import av

    def run():
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            if mode == "mvs":
                stream.codec_context.options = {"flags2": "+export_mvs"}
            if mode == "keyframes":
                stream.codec_context.skip_frame = "NONKEY"
            frames = 0
            for frame in container.decode(stream):
                frames += 1
                if mode == "mvs":
                    vectors = frame.side_data.get("MOTION_VECTORS")
                    if vectors is not None:
                        vectors.to_ndarray()
                elif mode in ("rgb", "keyframes"):
                    frame.to_ndarray(format="rgb24")
            return frames

    return best_of(repeats, run)


def decord_rgb(path, mode, repeats):
    import decord

    def run():
        reader = decord.VideoReader(path, ctx=decord.cpu(0), num_threads=1)
        if mode == "keyframes":
            keys = reader.get_key_indices()
            reader.get_batch(keys).asnumpy()
            return len(keys)
        frames = 0
        for _ in range(len(reader)):
            reader.next().asnumpy()
            frames += 1
        return frames

    return best_of(repeats, run)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vidi", help="release build of vidi")
    parser.add_argument("--floor", help="decode_floor binary")
    parser.add_argument("--data", default=os.path.join(HERE, ".data"), help="where the inputs are generated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write all measurements to this JSON file")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="time the table is based on")
    parser.add_argument("--table-from", help="only print the table of a JSON file an earlier run wrote")
    args = parser.parse_args()
    if args.table_from:
        with open(args.table_from) as f:
            results = json.load(f)
        for row in results:
            for entry in row["tools"].values():
                if "error" not in entry:
                    entry["seconds"] = entry[f"{args.clock}_seconds"]
                    entry["fps"] = entry["frames"] / entry["seconds"] if entry["frames"] else None
        print_table(results, args.clock)
        return
    if not (args.vidi and args.floor):
        parser.error("--vidi and --floor are required to run the benchmark")

    inputs = make_inputs(args.data)
    peers = [
        ("C floor", lambda p, m: c_floor(args.floor, p, m, 1), MODES),
        ("vidi", lambda p, m: vidi(args.vidi, p, m, 1), MODES),
        ("ffmpeg CLI", lambda p, m: ffmpeg_cli(p, m, 1), MODES),
        ("PyAV", lambda p, m: pyav(p, m, 1), MODES),
        ("decord", lambda p, m: decord_rgb(p, m, 1), ["rgb", "keyframes"]),
    ]
    results = []
    for name, path in inputs.items():
        for mode in MODES:
            row = {"input": name, "mode": mode, "tools": {}}
            # Round-robin: every repeat runs each tool once, so a burst of load elsewhere hits all of them.
            for _ in range(args.repeats):
                for tool, fn, modes in peers:
                    if mode not in modes or "error" in row["tools"].get(tool, {}):
                        continue
                    try:
                        frames, wall, cpu = fn(path, mode)
                    except Exception as error:  # a broken peer must not hide the others' numbers
                        row["tools"][tool] = {"error": str(error).splitlines()[0][:80]}
                        continue
                    best = row["tools"].setdefault(tool, {"frames": frames, "wall_seconds": wall, "cpu_seconds": cpu})
                    best["wall_seconds"] = min(best["wall_seconds"], wall)
                    best["cpu_seconds"] = min(best["cpu_seconds"], cpu)
            for tool, entry in row["tools"].items():
                if "error" not in entry:
                    entry["seconds"] = entry[f"{args.clock}_seconds"]
                    entry["fps"] = entry["frames"] / entry["seconds"] if entry["frames"] else None
                print(f"{name:16} {mode:9} {tool:10} {entry}", file=sys.stderr, flush=True)
            results.append(row)

    print_table(results, args.clock)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def cell(entry, vidi_seconds):
    if "error" in entry:
        return "error"
    speed = f"{entry['fps']:,.0f}" if entry.get("fps") else f"{entry['seconds'] * 1000:.0f} ms"
    if vidi_seconds:
        # ratio = tool time / vidi time: > 1 means Vidi is faster.
        return f"{speed} ({entry['seconds'] / vidi_seconds:.2f}x)"
    return speed


def print_table(results, clock):
    tools = ["C floor", "vidi", "ffmpeg CLI", "PyAV", "decord"]
    print("| input | mode | frames | " + " | ".join(tools) + " |")
    print("|---|---|---|" + "---|" * len(tools))
    vidi_seconds_by = {}
    for row in results:
        vidi_entry = row["tools"].get("vidi", {})
        vidi_seconds = vidi_entry.get("seconds")
        if vidi_seconds:
            vidi_seconds_by[(row["input"], row["mode"])] = vidi_seconds
        frames = vidi_entry.get("frames", "")
        cells = [cell(row["tools"][t], vidi_seconds) if t in row["tools"] else "" for t in tools]
        print(f"| {row['input']} | {MODE_TITLES[row['mode']]} | {frames} | " + " | ".join(cells) + " |")
    print()
    print(f"Frames per second of {'CPU' if clock == 'cpu' else 'wall'} time, best of the repeats; in brackets "
          "the tool's time over Vidi's for the same work (> 1: Vidi is faster).")
    for row in results:
        entry = row["tools"].get("vidi", {})
        plain = vidi_seconds_by.get((row["input"], "plain"))
        rgb = vidi_seconds_by.get((row["input"], "rgb"))
        if row["mode"] == "keyframes" and entry.get("seconds") and plain and rgb:
            # Vidi's keyframes come out as RGB, so the like-for-like comparison is with decode + RGB.
            print(f"- {row['input']}: Vidi's {entry['frames']} keyframes (RGB) take {entry['seconds'] * 1000:.1f} ms: "
                  f"{plain / entry['seconds']:.1f}x less than decoding every frame ({plain * 1000:.1f} ms), "
                  f"{rgb / entry['seconds']:.1f}x less than decoding every frame to RGB ({rgb * 1000:.1f} ms)")

if __name__ == "__main__":
    main()
