#!/usr/bin/env python3
"""PyAV (and decord, when installed) on the same file and the same measurements as MediaBench.
Run with $(Tools/reference-venv.sh). Usage: media_library_peers.py FILE [THREADS]"""
import random
import sys
import time

import av

path = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def timed(name, frames, fn):
    """Process CPU time (robust when other jobs share the cores) and wall time, as MediaBench prints."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(f"{name:<36} {frames:6d} frames  cpu {dc:7.3f} s {frames / dc:9.1f} fps   wall {dt:7.3f} s {frames / dt:9.1f} fps")


def decode(mvs=False, rgb=None):
    with av.open(path) as c:
        s = c.streams.video[0]
        s.thread_type = "SLICE" if mvs else ("AUTO" if threads != 1 else "SLICE")
        s.thread_count = threads
        if mvs:
            s.codec_context.options = {"flags2": "+export_mvs"}
        n = 0
        for f in c.decode(s):
            if mvs:
                f.side_data.get("MOTION_VECTORS")
            if rgb == "full":
                f.to_ndarray(format="rgb24")
            elif rgb == "224":
                f.reformat(width=398, height=224, format="rgb24").to_ndarray()
            n += 1
        return n


n = decode()
print(f"PyAV {av.__version__} on {path}, {n} frames, threads {threads}")
timed("PyAV decode only", n, decode)
timed("PyAV decode + motion vectors", n, lambda: decode(mvs=True))
timed("PyAV decode + RGB (to_ndarray)", n, lambda: decode(rgb="full"))
timed("PyAV decode + RGB 398x224", n, lambda: decode(rgb="224"))

try:
    import decord
    vr = decord.VideoReader(path, num_threads=threads)
    rng = random.Random(1)
    idx = [rng.randrange(len(vr)) for _ in range(100)]
    timed("decord vr[i] x100 random", 100, lambda: [vr[i].asnumpy() for i in idx])
    timed("decord get_batch 100 random", 100, lambda: vr.get_batch(idx).asnumpy())
except ImportError:
    print("decord not installed")
