#!/usr/bin/env python3
"""Where a VOS run's predicted pixels went, beyond J&F (BENCHMARKS.md, "Why the fine-tunes collapsed").

    python Tools/bench/vos_result_stats.py DAVIS_ROOT RESULTS [EVAL_JSON]

Over every object and scored frame (the first and last are excluded, as in the DAVIS evaluation): the predicted
object area over the true area, the share of predicted pixels that carry the right object id, and the share of
true pixels found. With EVAL_JSON (`vidi eval davis --json` of the same results), also how many objects were
tracked at all: an object whose J-Mean equals its F-Mean was never segmented, even in part, after the first
frame (every frame scores J = F = 1 with the object absent or 0 with it present). Reads the palette PNGs with
torchvision (the reference venv).
"""
import json
import os
import sys

from torchvision.io import ImageReadMode, decode_png, read_file


def labels(path):
    return decode_png(read_file(path), ImageReadMode.UNCHANGED)[0]


def main(root, results, eval_json=None):
    predicted = true = right = 0
    for seq in open(os.path.join(root, "ImageSets/2017/val.txt")).read().split():
        names = sorted(os.listdir(os.path.join(root, "Annotations/480p", seq)))[1:-1]
        for name in names:
            truth = labels(os.path.join(root, "Annotations/480p", seq, name))
            guess = labels(os.path.join(results, seq, name))
            predicted += int((guess > 0).sum())
            true += int((truth > 0).sum())
            right += int(((guess > 0) & (guess == truth)).sum())
    line = (f"{results}: predicted/true area {predicted / max(true, 1):.2f}, "
            f"predicted pixels on the right object {right / max(predicted, 1):.2f}, true pixels found {right / max(true, 1):.2f}")
    if eval_json:
        rows = json.load(open(eval_json))["per_sequence"]
        line += f", objects tracked {sum(r['J-Mean'] != r['F-Mean'] for r in rows)}/{len(rows)}"
    print(line)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
