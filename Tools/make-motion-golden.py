#!/usr/bin/env python3
"""Motion-vector goldens for the `vidi motion --dump` CLI tests, made with PyAV (its own FFmpeg build,
independent of Vidi): decode each fixture single-threaded with flags2=+export_mvs and record, per frame in
display order, the picture type, the pts in seconds, the vector count and the sum of each of the ten
dump columns; plus every vector of one P-frame (and one B-frame where there is one) in full.

    /work/venv-ref/bin/python Tools/make-motion-golden.py   # writes Fixtures/golden/cli/motion-*.json
"""
import json
import os

import av
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
COLUMNS = ["source", "w", "h", "src_x", "src_y", "dst_x", "dst_y", "motion_x", "motion_y", "motion_scale"]
FIXTURES = ["mpeg4-part2.mp4", "h264-bframes-opengop.mp4"]


def golden(path):
    frames, full = [], {}
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        stream.codec_context.options = {"flags2": "+export_mvs"}
        for index, frame in enumerate(container.decode(stream)):
            side = frame.side_data.get("MOTION_VECTORS")
            rows = np.zeros((0, 10), dtype=np.int64)
            if side is not None:
                raw = side.to_ndarray()
                rows = np.stack([raw[c].astype(np.int64) for c in COLUMNS], axis=1)
            # av_get_picture_type_char's letters (AV_PICTURE_TYPE_I/P/B = 1/2/3); anything else is "?".
            kind = {1: "I", 2: "P", 3: "B"}.get(int(frame.pict_type), "?")
            frames.append({"type": kind, "time": float(frame.time), "count": int(rows.shape[0]),
                           "column_sums": [int(s) for s in rows.sum(axis=0)] if rows.size else [0] * 10})
            if kind in ("P", "B") and kind not in full and rows.shape[0] > 0:
                full[kind] = {"index": index, "rows": rows.tolist()}
    return {"source": f"PyAV {av.__version__} (FFmpeg {av.ffmpeg_version_info}), thread_count 1, "
                      "flags2=+export_mvs", "columns": COLUMNS, "frames": frames, "full": full}


if __name__ == "__main__":
    out_dir = os.path.join(ROOT, "Fixtures", "golden", "cli")
    os.makedirs(out_dir, exist_ok=True)
    for name in FIXTURES:
        data = golden(os.path.join(ROOT, "Fixtures", "media", name))
        out = os.path.join(out_dir, "motion-" + name.rsplit(".", 1)[0] + ".json")
        with open(out, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        print(out, os.path.getsize(out), "bytes", len(data["frames"]), "frames")
