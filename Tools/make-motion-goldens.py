#!/usr/bin/env python3
"""Motion-vector goldens from PyAV (its own bundled FFmpeg build, independent of the system FFmpeg 5.1
that Vidi links). Run with $(Tools/reference-venv.sh) (numpy + av).

For each fixture writes Fixtures/golden/media/<name>.mvs.json: one entry per frame in display order with
the picture type, the number of vectors, and an FNV-1a 64-bit hash over the vectors as int32 little-endian
rows (source, w, h, src_x, src_y, dst_x, dst_y, motion_x, motion_y, motion_scale) in side-data order,
so a test can check vector-for-vector equality without storing megabytes of vectors.
"""
import json
import sys
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ["h264-bframes-opengop.mp4", "h264-closedgop.mp4", "mpeg4-part2.mp4", "h264-dup-pts.mkv", "mpeg4-dup-pts.mkv"]
COLUMNS = ["source", "w", "h", "src_x", "src_y", "dst_x", "dst_y", "motion_x", "motion_y", "motion_scale"]


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def frames(path: Path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"flags2": "+export_mvs"}
        stream.thread_type = "SLICE"
        stream.thread_count = 1
        for frame in container.decode(stream):
            side = frame.side_data.get("MOTION_VECTORS")
            if side is None or len(side) == 0:
                rows = np.zeros((0, 10), dtype="<i4")
            else:
                a = side.to_ndarray()
                rows = np.stack([a[c].astype("<i4") for c in COLUMNS], axis=1).astype("<i4")
            # AVPictureType: 1 = I, 2 = P, 3 = B (av_get_picture_type_char prints ? for the rest).
            yield frame.pts, {1: "I", 2: "P", 3: "B"}.get(int(frame.pict_type), "?"), rows


def main() -> None:
    out_dir = ROOT / "Fixtures/golden/media"
    out_dir.mkdir(parents=True, exist_ok=True)
    # Optional arguments name the fixtures to redo (default: all).
    for name in sys.argv[1:] or FIXTURES:
        # Stable sort: frames that share a pts keep the decoder's output order (the display order).
        entries = sorted(frames(ROOT / "Fixtures/media" / name), key=lambda e: e[0])
        golden = {
            "source": f"PyAV {av.__version__}, libavcodec {'.'.join(map(str, av.library_versions['libavcodec']))}, "
                      "flags2=+export_mvs, single thread",
            "frames": [
                {"pts": pts, "type": kind, "count": int(rows.shape[0]), "fnv1a64": f"{fnv1a64(rows.tobytes()):016x}"}
                for pts, kind, rows in entries
            ],
        }
        lines = ",\n  ".join(json.dumps(f) for f in golden["frames"])
        text = f'{{"source": {json.dumps(golden["source"])},\n "frames": [\n  {lines}\n ]}}\n'
        (out_dir / f"{name}.mvs.json").write_text(text)
        print(name, len(entries), "frames", file=sys.stderr)


if __name__ == "__main__":
    main()
