#!/usr/bin/env python3
"""Golden outputs for VidiPipeline's motion stages, computed with PyAV (FFmpeg's decoder, vectors from
AV_FRAME_DATA_MOTION_VECTORS side data) and numpy, independently of Vidi:

  Fixtures/golden/pipeline/mpeg4-part2.motion8.npy            dense motion, cell 8 (aligned blocks), frames 0-11
  Fixtures/golden/pipeline/h264-bframes-opengop.motion16.npy  dense motion, cell 16 (8x8 blocks: per-pixel mean), frames 0-11
  Fixtures/golden/pipeline/motion_vectors.json                per file and frame (display order): vector count and
                                                              per-column sums of the ten motion-vector-extractor columns

Run with a Python that has PyAV: $(Tools/reference-venv.sh) Tools/make_pipeline_goldens.py
The dense-motion definition is the one in Tools/bench/pipeline_baseline.py (shared code).
"""
import json
import os
import sys

import av
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "bench"))
from pipeline_baseline import dense_motion  # noqa: E402

ROOT = os.path.dirname(HERE)
MEDIA = os.path.join(ROOT, "Fixtures", "media")
OUT = os.path.join(ROOT, "Fixtures", "golden", "pipeline")
COLUMNS = ["source", "w", "h", "src_x", "src_y", "dst_x", "dst_y", "motion_x", "motion_y", "motion_scale"]


def decode(name):
    with av.open(os.path.join(MEDIA, name)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"flags2": "+export_mvs"}
        stream.codec_context.thread_count = 1
        for frame in container.decode(stream):
            yield frame, stream.codec_context.height, stream.codec_context.width


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, cell in [("mpeg4-part2.mp4", 8), ("h264-bframes-opengop.mp4", 16)]:
        maps = []
        for i, (frame, height, width) in enumerate(decode(name)):
            if i == 12:
                break
            maps.append(dense_motion(frame.side_data.get("MOTION_VECTORS"), height, width, cell))
        np.save(os.path.join(OUT, f"{name.rsplit('.', 1)[0]}.motion{cell}.npy"), np.stack(maps))
    summary = {}
    for name in ["mpeg4-part2.mp4", "h264-bframes-opengop.mp4"]:
        frames = []
        for frame, _, _ in decode(name):
            side = frame.side_data.get("MOTION_VECTORS")
            if side is None:
                frames.append({"count": 0, "sums": [0] * 10})
                continue
            mv = side.to_ndarray()
            frames.append({"count": int(len(mv)), "sums": [int(mv[c].astype(np.int64).sum()) for c in COLUMNS]})
        summary[name] = frames
    with open(os.path.join(OUT, "motion_vectors.json"), "w") as f:  # one frame per line
        f.write("{\n" + ",\n".join('"%s": [\n%s\n]' % (k, ",\n".join(json.dumps(fr, sort_keys=True) for fr in summary[k]))
                                     for k in sorted(summary)) + "\n}\n")


if __name__ == "__main__":
    main()
