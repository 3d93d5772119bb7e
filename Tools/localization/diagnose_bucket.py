#!/usr/bin/env python3
"""Why a localizer loses AP on one duration bucket: misses and false positives, ground truth by ground truth.

    Tools/localization/diagnose_bucket.py --gt annotations.json \
        --final bmn=/tmp/s1/bmn.pred.json --final rcl=/tmp/s1/rcl.pred.json \
        --raw rcl=/tmp/s1/rcl.raw.json --raw0 rcl=/tmp/s1/rcl.raw0.json [--bucket 0.27,0.8] [--tiou 0.5,0.7]

--final: the predictions `vidi localize` writes (after Soft-NMS). --raw / --raw0 (optional, RCL): every
candidate before suppression (`vidi localize --no-suppression --keep 5000`), after the model's refinement
and with `--refine 0` (the initial queries scored). The bucket selects ground truth and predictions as
`vidi eval detection --duration-buckets` does (DurationBuckets.swift); matching and AP follow ActivityNet's
eval_detection.py. Printed per model and threshold:
  - AP of the bucket (mean over classes), and the AP it would have with each kind of false positive removed
    (DETAD's false-positive analysis): `dup` a second detection of an already matched action, `loc` a
    detection of the right class at tIoU < t of its best action, `cls` tIoU >= t with an action of another
    class, `bg` overlapping no action (tIoU < 0.1);
  - every ground truth of the bucket it does not match, with the cause: `no-query` (no initial query of
    the continuous query set within tIoU t: geometry), `refine` (an initial query within t but none after
    refinement), `rank` (a candidate within t exists but scores below the 300 kept for suppression),
    `nms` (kept for suppression, gone after it), `class` (detected at tIoU >= t with another label only),
    `taken` (a detection within t matched another action first).
With --shapes, the false positives of the right class (`dup`, `loc`) are also sorted by their shape against
the same-class action they overlap most: `merge` (covers it and reaches into another same-class action),
`extend` (covers it, overhangs into background by more than 10 % of its length), `part` (lies inside it,
covering less than 90 % of it), `shift` (neither, a near-copy of a matched action included); printed with
the count above the class's last true positive and the AP with that shape removed.
"""
import argparse
import json
import math
from collections import defaultdict


def tiou(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


def load_gt(path, subset):
    db = json.load(open(path))["database"]
    out = {}
    for vid, v in db.items():
        if subset and v.get("subset") != subset:
            continue
        duration = v.get("duration") or max((a["segment"][1] for a in v["annotations"]), default=1)
        out[vid] = (duration, [(a["segment"][0], a["segment"][1], a["label"]) for a in v["annotations"]])
    return out


def load_pred(path):
    results = json.load(open(path))["results"]
    return {vid: [(p["segment"][0], p["segment"][1], p["label"], p["score"]) for p in ps] for vid, ps in results.items()}


def in_bucket(seg, duration, lo, hi, last=True):
    f = (seg[1] - seg[0]) / max(duration, 1e-9)
    return f >= lo and (f <= hi if last else f < hi)


def bucket_predictions(gt, pred, lo, hi):
    """DurationBuckets' rule: a prediction belongs to the bucket of its best-overlapping action of its class."""
    kept = []
    for vid, ps in pred.items():
        if vid not in gt:
            continue
        duration, actions = gt[vid]
        for p in ps:
            best, match = 0.0, None
            for a in actions:
                if a[2] == p[2]:
                    o = tiou(p, a)
                    if o > best:
                        best, match = o, a
            if in_bucket(match if match else p, duration, lo, hi):
                kept.append((vid,) + p)
    return kept


def ap_of(tp_flags, n_gt):
    """All-point interpolated AP of a score-sorted list of TP (True) / FP (False) flags."""
    if n_gt == 0:
        return 0.0
    tp = fp = 0
    precision, recall = [], []
    for flag in tp_flags:
        tp += flag
        fp += not flag
        precision.append(tp / (tp + fp))
        recall.append(tp / n_gt)
    p = [0.0] + precision + [0.0]
    r = [0.0] + recall + [1.0]
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    return sum((r[i] - r[i - 1]) * p[i] for i in range(1, len(r)) if r[i] != r[i - 1])


def match(gt_bucket, preds, t, details=None):
    """ActivityNet's greedy matching per class; returns per class the sorted kinds, and matched GT keys.
    With `details` (a list), appends (class, prediction, kind, best tIoU, segment of the TP that took its action)."""
    by_class = defaultdict(list)
    for p in preds:
        by_class[p[3]].append(p)
    flags, matched = {}, set()
    classes = sorted({a[2] for _, acts in gt_bucket.items() for a in acts})
    for c in classes:
        ps = sorted(by_class.get(c, []), key=lambda p: -p[4])   # stable: ties keep file order, like the official code
        out, taker = [], {}
        for vid, s, e, label, score in ps:
            acts = [(i, a) for i, a in enumerate(gt_bucket.get(vid, [])) if a[2] == c]
            ious = sorted(((tiou((s, e), a), i) for i, a in acts), reverse=True)
            kind = None
            for o, i in ious:
                if o < t:
                    break
                if (vid, i) in matched:
                    continue
                matched.add((vid, i))
                taker[(vid, i)] = (s, e, score)
                kind = "tp"
                break
            if kind is None:
                best = ious[0][0] if ious else 0.0
                other = max((tiou((s, e), a) for a in gt_bucket.get(vid, []) if a[2] != c), default=0.0)
                if best >= t:
                    kind = "dup"
                elif other >= t:
                    kind = "cls"
                elif best >= 0.1:
                    kind = "loc"
                else:
                    kind = "bg"
            out.append(kind)
            if details is not None:
                best = ious[0] if ious else (0.0, -1)
                details.append((c, (vid, s, e, score), kind, best[0], taker.get((vid, best[1]))))
        flags[c] = out
    return classes, flags, matched


def shape_of(seg, action, others):
    """`merge`, `extend`, `part` or `shift` of a same-class false positive against its best action (see --shapes)."""
    s, e = seg[0], seg[1]
    L = action[1] - action[0]
    inter = max(0.0, min(e, action[1]) - max(s, action[0]))
    if inter >= 0.9 * L and (action[0] - s > 0.1 * L or e - action[1] > 0.1 * L):
        return "merge" if any(min(e, o[1]) - max(s, o[0]) > 0 for o in others) else "extend"
    if inter >= 0.9 * (e - s) and inter < 0.9 * L:
        return "part"
    return "shift"


def inference_queries(T):
    """RCL.inferenceQueries (the default query set) in grid units."""
    lengths, L = [], 0.4
    while L < T - 1e-9:
        lengths.append(L)
        L *= 1.25
    lengths.append(float(T))
    out = []
    for L in lengths:
        step, centre = max(0.5, L / 8), min(L / 2, T / 2)
        while centre <= T - min(L / 2, T / 2) + 1e-9:
            out.append((max(0.0, centre - L / 2), min(float(T), centre + L / 2)))
            centre += step
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gt", required=True)
    ap.add_argument("--subset", default="validation")
    ap.add_argument("--final", action="append", default=[], help="NAME=predictions.json")
    ap.add_argument("--raw", action="append", default=[], help="NAME=candidates.json (no suppression, refined)")
    ap.add_argument("--raw0", action="append", default=[], help="NAME=candidates.json (no suppression, --refine 0)")
    ap.add_argument("--bucket", default="0.27,0.8")
    ap.add_argument("--tiou", default="0.5,0.7")
    ap.add_argument("--grid", type=int, default=64, help="the model's grid length (initial-query geometry)")
    ap.add_argument("--queries", default="", help="python file defining inference_queries(T) to test another query set")
    ap.add_argument("--list-fp", action="store_true", help="print every false positive ranked above its class's last true positive")
    ap.add_argument("--shapes", action="store_true", help="sort same-class false positives by shape: merge, extend, part, shift")
    args = ap.parse_args()
    lo, hi = map(float, args.bucket.split(","))
    thresholds = [float(x) for x in args.tiou.split(",")]
    gt = load_gt(args.gt, args.subset)
    gt_bucket = {vid: [a for a in acts if in_bucket(a, d, lo, hi)] for vid, (d, acts) in gt.items()}
    keys = [(vid, i) for vid, acts in gt_bucket.items() for i in range(len(acts))]
    print(f"bucket {lo}-{hi}: {len(keys)} actions in {sum(1 for a in gt_bucket.values() if a)} videos")
    finals = {n: load_pred(p) for n, p in (x.split("=", 1) for x in args.final)}
    raws = {n: load_pred(p) for n, p in (x.split("=", 1) for x in args.raw)}
    raws0 = {n: load_pred(p) for n, p in (x.split("=", 1) for x in args.raw0)}
    queries = inference_queries(args.grid)
    if args.queries:
        scope = {}
        exec(open(args.queries).read(), scope)
        queries = scope["inference_queries"](args.grid)

    def best_in(preds, vid, a, same_class):
        return max(((tiou(p, a), k, p[3]) for k, p in enumerate(preds.get(vid, [])) if not same_class or p[2] == a[2]),
                   default=(0.0, -1, 0.0))

    matched_by = {}
    for t in thresholds:
        print(f"\n== tIoU {t}")
        for name, pred in finals.items():
            preds = bucket_predictions(gt, pred, lo, hi)
            details = []
            classes, flags, matched = match(gt_bucket, preds, t, details)
            matched_by[(name, t)] = matched
            n_gt = {c: sum(1 for acts in gt_bucket.values() for a in acts if a[2] == c) for c in classes}
            base = sum(ap_of([k == "tp" for k in flags[c]], n_gt[c]) for c in classes) / len(classes)
            line = f"{name:>14}: AP {100 * base:5.1f}  recall {len(matched)}/{len(keys)}  FP removed ->"
            for kind in ("dup", "loc", "cls", "bg"):
                ap_k = sum(ap_of([k == "tp" for k in flags[c] if k != kind], n_gt[c]) for c in classes) / len(classes)
                count_above = 0
                for c in classes:   # FPs of this kind ranked above the class's last true positive
                    last = max((i for i, k in enumerate(flags[c]) if k == "tp"), default=-1)
                    count_above += sum(1 for k in flags[c][:last + 1] if k == kind)
                line += f"  {kind} {100 * ap_k:5.1f} (+{100 * (ap_k - base):.1f}, {count_above} above last TP)"
            print(line)
            if args.shapes:
                shapes = {}   # (class, rank) -> shape of a same-class false positive
                for c in classes:
                    rows = [d for d in details if d[0] == c]
                    for i, d in enumerate(rows):
                        if d[2] not in ("dup", "loc"):
                            continue
                        vid, s, e, _ = d[1]
                        same = [a for a in gt[vid][1] if a[2] == c]
                        a = max(same, key=lambda x: tiou((s, e), x))
                        shapes[(c, i)] = shape_of((s, e), a, [o for o in same if o is not a])
                line = "                shapes ->"
                for shape in ("merge", "extend", "part", "shift"):
                    ap_k, count_above = 0.0, 0
                    for c in classes:
                        kept = [k == "tp" for i, k in enumerate(flags[c]) if shapes.get((c, i)) != shape]
                        ap_k += ap_of(kept, n_gt[c]) / len(classes)
                        last = max((i for i, k in enumerate(flags[c]) if k == "tp"), default=-1)
                        count_above += sum(1 for i in range(last + 1) if shapes.get((c, i)) == shape)
                    line += f"  {shape} {100 * ap_k:5.1f} (+{100 * (ap_k - base):.1f}, {count_above} above last TP)"
                print(line)
            if args.list_fp:
                for c in classes:
                    rows = [d for d in details if d[0] == c]
                    last_tp = max((i for i, d in enumerate(rows) if d[2] == "tp"), default=-1)
                    weakest = min((d[1][3] for d in rows if d[2] == "tp"), default=0)
                    for d in rows[:last_tp + 1]:
                        if d[2] == "tp":
                            continue
                        vid, s, e, score = d[1]
                        duration, acts = gt[vid]
                        a = max((x for x in gt_bucket[vid] if x[2] == c), key=lambda x: tiou((s, e), x), default=None)
                        took = f", TP {d[4][0]:.1f}-{d[4][1]:.1f} score {d[4][2]:.3f} tIoU to it {tiou((s, e), d[4]):.2f}" if d[4] else ""
                        print(f"    {name} {c} {d[2]} {vid} [{s:.1f}, {e:.1f}] score {score:.3f} (weakest TP {weakest:.3f}) best tIoU {d[3]:.2f}"
                              f" action {('[%.1f, %.1f]' % (a[0], a[1])) if a else '-'} of {duration:.0f}{took}")
        for name, pred in finals.items():
            others = [n for n in finals if n != name]
            for vid, i in keys:
                if (vid, i) in matched_by[(name, t)]:
                    continue
                duration, _ = gt[vid]
                a = gt_bucket[vid][i]
                r = args.grid / duration
                ga = (a[0] * r, a[1] * r)
                q = max(tiou(x, ga) for x in queries)
                same = best_in(pred, vid, a, True)
                anyc = best_in(pred, vid, a, False)
                found_by = [n for n in others if (vid, i) in matched_by[(n, t)]]
                cause, extra = None, ""
                if name in raws:
                    raw = best_in(raws[name], vid, a, False)
                    raw0 = best_in(raws0[name], vid, a, False) if name in raws0 else None
                    extra = f" raw best {raw[0]:.2f}" + (f" raw0 best {raw0[0]:.2f}" if raw0 else "")
                    rank = None
                    if raw[0] >= t:   # rank of the best-scored candidate within t, among the video's candidates
                        within = [p for p in raws[name][vid] if tiou(p, a) >= t]
                        top = max(p[3] for p in within)
                        rank = 1 + sum(1 for p in raws[name][vid] if p[3] > top) // 2   # two labels per segment
                        extra += f" (rank {rank}, score {top:.3f})"
                    if q < t and raw[0] < t:
                        cause = "no-query"
                    elif raw0 and raw0[0] >= t and raw[0] < t:
                        cause = "refine"
                    elif raw[0] < t:
                        cause = "no-query" if q < t else "refine"
                    elif rank is not None and rank > 300:
                        cause = "rank"
                if cause is None:
                    if same[0] >= t:
                        cause = "taken"
                    elif anyc[0] >= t:
                        cause = "class"
                    elif name in raws:
                        cause = "nms"
                    else:
                        cause = "no-query" if q < t else "missed"
                print(f"  {name} misses {vid} {a[2]} [{a[0]:.1f}, {a[1]:.1f}] of {duration:.0f} ({100 * (a[1] - a[0]) / duration:.0f} %): "
                      f"{cause}; best query {q:.2f}, final same-class {same[0]:.2f} (score {same[2]:.3f}), any class {anyc[0]:.2f}"
                      f"{extra}; found by {','.join(found_by) or '-'}")


if __name__ == "__main__":
    main()
