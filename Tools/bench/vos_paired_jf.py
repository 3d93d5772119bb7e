#!/usr/bin/env python3
"""Paired per-object J&F difference between two `vidi eval davis --json` outputs on the same set.

    vos_paired_jf.py SET LABEL X.json Y.json

Prints the mean of (J&F of X - J&F of Y) over the objects both score (per_sequence rows, one per object as
the DAVIS evaluation lists them), its standard error (the noise to compare it with), and how many objects
went up or down.
"""
import json
import math
import sys


def scores(path):
    rows = json.load(open(path))["per_sequence"]
    return {r["Sequence"]: (r["J-Mean"] + r["F-Mean"]) / 2
            for r in rows if r["J-Mean"] is not None and r["F-Mean"] is not None}


def main():
    name, label, x_path, y_path = sys.argv[1:5]
    x, y = scores(x_path), scores(y_path)
    d = [x[s] - y[s] for s in sorted(x) if s in y]
    mean = sum(d) / len(d)
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / (len(d) - 1) / len(d))
    print(f"{name}: {label}: mean per-sequence J&F difference {mean:+.4f} (standard error {se:.4f}; "
          f"{sum(v > 0 for v in d)} up, {sum(v < 0 for v in d)} down of {len(d)} objects)")


if __name__ == "__main__":
    main()
