#!/usr/bin/env python3
"""Mean and spread over seeds of compare_heads.sh's evaluations, as one Markdown table.

    Tools/localization/seed_table.py /tmp/cmp-s1 /tmp/cmp-s2 /tmp/cmp-s3
    Tools/localization/seed_table.py --paired rcl bmn /tmp/cmp-s1 /tmp/cmp-s2 /tmp/cmp-s3

Each folder is one seed's $OUT. A row is printed for every model name found in at least one folder; a
cell is "mean ± h" with h half the range (max - min) over the seeds that have it, and the row says how many
seeds it has. Columns: average mAP at tIoU 0.3:0.1:0.7 and per duration bucket, the same at
0.5:0.05:0.95, and mAP at 0.95 over all actions. Then the longest bucket per threshold at 0.5:0.05:0.95
(mean over seeds) with each seed's average.

--paired A B adds, per column, the difference A - B seed by seed (only the seeds that have both), as
"mean ± h" over those differences, then each seed's difference on the longest bucket at both threshold
sets, and their mean ± standard error. Pairing removes what the two models share at one seed (the same batch order and the same
held-out videos), so its spread can be smaller than either model's own.
"""
import argparse
import glob
import json
import os
import statistics
import sys


def load(folder, name, tag):
    with open(os.path.join(folder, f"{name}.eval.{tag}.json")) as f:
        return json.load(f)


def cells(evaluation, last_threshold=False):
    values = [evaluation["average_mAP"]] + [b["average_mAP"] for b in evaluation["by_duration"]]
    if last_threshold:
        values.append(evaluation["mAP"][-1])
    return values


def fmt(samples):
    mean = sum(samples) / len(samples)
    if len(samples) == 1:
        return f"{100 * mean:.1f}"
    return f"{100 * mean:.1f} ± {100 * (max(samples) - min(samples)) / 2:.1f}"


def seed_rows(folders, name):
    """{folder: the row's values} for the folders (seeds) that have this model."""
    rows = {}
    for d in folders:
        try:
            rows[d] = cells(load(d, name, "0.3_0.1_0.7")) + cells(load(d, name, "0.5_0.05_0.95"), last_threshold=True)
        except FileNotFoundError:
            continue
    return rows


def paired_differences(rows_a, rows_b):
    """[(folder, [a - b per column])] over the folders that have both models, in folder order."""
    return [(d, [x - y for x, y in zip(rows_a[d], rows_b[d])]) for d in rows_a if d in rows_b]


def mean_and_standard_error(samples):
    standard_error = statistics.stdev(samples) / len(samples) ** 0.5
    return f"{100 * statistics.mean(samples):+.2f} ± {100 * standard_error:.2f}"


def main(folders, paired=None):
    names = sorted({os.path.basename(p).split(".eval.")[0] for d in folders for p in glob.glob(os.path.join(d, "*.eval.0.3_0.1_0.7.json"))})
    first = load(folders[0], names[0], "0.3_0.1_0.7")
    buckets = [b["range"] for b in first["by_duration"]]
    header = ["model", "seeds", "avg 0.3:0.7"] + buckets + ["avg 0.5:0.95"] + buckets + ["mAP@0.95"]
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    for name in names:
        rows = seed_rows(folders, name)
        columns = list(zip(*rows.values()))
        print(f"| {name} | {len(rows)} | " + " | ".join(fmt(c) for c in columns) + " |")
    if paired:
        a, b = paired
        differences = paired_differences(seed_rows(folders, a), seed_rows(folders, b))
        if not differences:
            sys.exit(f"no folder has both {a} and {b}")
        columns = list(zip(*(values for _, values in differences)))
        print(f"| {a} − {b}, paired | {len(differences)} | " + " | ".join(fmt(c) for c in columns) + " |")
        # Longest bucket: the last bucket column of each threshold set.
        longest = [len(buckets), 1 + 2 * len(buckets)]
        print()
        print(f"{a} − {b} on the longest bucket, seed by seed (0.3:0.7 / 0.5:0.95): "
              + "; ".join(f"{d}: " + " / ".join(f"{100 * values[i]:+.1f}" for i in longest) for d, values in differences))
        if len(differences) > 1:
            print("mean ± standard error over seeds (sample sd / √n): "
                  + " / ".join(mean_and_standard_error([values[i] for _, values in differences]) for i in longest))
    # The longest bucket per threshold at 0.5:0.95 (mean over seeds), where the heads are closest.
    print()
    first = load(folders[0], names[0], "0.5_0.05_0.95")
    print("| model (longest bucket) | " + " | ".join(f"{t:g}" for t in first["tiou"]) + " | per seed (average) |")
    print("|---|" + "---:|" * (len(first["tiou"]) + 1))
    for name in names:
        runs = []
        for d in folders:
            try:
                runs.append(load(d, name, "0.5_0.05_0.95")["by_duration"][-1])
            except FileNotFoundError:
                continue
        means = [sum(r["mAP"][i] for r in runs) / len(runs) for i in range(len(first["tiou"]))]
        print(f"| {name} | " + " | ".join(f"{100 * m:.1f}" for m in means) + " | "
              + ", ".join(f"{100 * r['average_mAP']:.1f}" for r in runs) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paired", nargs=2, metavar=("A", "B"), help="also the per-seed difference A - B")
    parser.add_argument("folders", nargs="+", help="one compare_heads.sh $OUT per seed")
    args = parser.parse_args()
    main(args.folders, args.paired)
