#!/usr/bin/env python3
"""Cut a synthetic localization set down to its first held-out videos, to evaluate a sub-split alone.

    first_videos.py --count 200 annotations.json annotations.first200.json
        ground truth: every training video and the first 200 validation videos (by id: `vidi synth
        localization` numbers them validation_<index>, zero-padded, so id order is index order)
    first_videos.py --like annotations.first200.json pred.json first200/pred.json
        predictions: only the videos of that ground truth

Predictions must be cut too: ActivityNet's evaluation (and `vidi eval detection`) counts a prediction in a
video without ground truth as a false positive. Every other key of either file is kept as it is.
"""
import argparse
import json


def first_held_out(truth, count):
    database = truth["database"]
    held_out = sorted(vid for vid, v in database.items() if v.get("subset") == "validation")
    if len(held_out) < count:
        raise SystemExit(f"only {len(held_out)} validation videos, asked for {count}")
    keep = set(held_out[:count])
    return dict(truth, database={vid: v for vid, v in database.items() if v.get("subset") != "validation" or vid in keep})


def predictions_like(truth, predictions):
    videos = truth["database"]
    return dict(predictions, results={vid: p for vid, p in predictions["results"].items() if vid in videos})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--count", type=int, help="validation videos to keep (ground truth in, ground truth out)")
    mode.add_argument("--like", help="ground truth whose videos the predictions are cut to")
    parser.add_argument("source")
    parser.add_argument("destination")
    args = parser.parse_args()
    with open(args.source) as f:
        source = json.load(f)
    if args.count is not None:
        out = first_held_out(source, args.count)
    else:
        with open(args.like) as f:
            out = predictions_like(json.load(f), source)
    with open(args.destination, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
