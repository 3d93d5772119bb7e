"""Golden numbers for `vidi eval detection` / `vidi eval proposals` from ActivityNet's official code.

Writes Fixtures/golden/localization/eval/case-N-{gt,pred}.json and expected.json: random ground truth and
predictions (seeded; several classes, videos without ground truth, predictions of unknown videos, classes
without predictions, duplicates, segments snapped to a coarse grid so exact-threshold tIoUs occur) and what
the official eval_detection.py / eval_proposal.py compute on them. Scores are distinct within a class so
the official sort order is unambiguous (numpy's quicksort does not define the order of ties beyond 16 items).

  python Tools/localization/make_eval_goldens.py /path/to/ActivityNet-checkout
"""
import json
import os
import sys

import numpy as np

from official_eval import load

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "localization", "eval")


def make_case(rng, videos, classes, snap):
    database, results = {}, {}
    scores = rng.permutation(100000)[: videos * 40] / 100000.0   # distinct scores
    k = 0
    for v in range(videos):
        vid = "v_%03d" % v
        duration = float(rng.integers(20, 200))
        anns = []
        n_gt = 0 if rng.random() < 0.15 else int(rng.integers(1, 5))
        for _ in range(n_gt):
            s = rng.uniform(0, duration * 0.9)
            e = min(duration, s + rng.uniform(0.5, duration * 0.6))
            if snap:
                s, e = round(s), max(round(s) + 1, round(e))
            anns.append({"segment": [float(s), float(e)], "label": classes[int(rng.integers(len(classes)))]})
        if anns and rng.random() < 0.2:
            anns.append(dict(anns[0]))  # duplicate ground truth
        subset = "validation" if rng.random() < 0.85 else "training"
        database[vid] = {"subset": subset, "duration": duration, "annotations": anns}
        preds = []
        for a in anns:   # near-hits
            for _ in range(int(rng.integers(0, 4))):
                s, e = a["segment"]
                j = (e - s) * 0.3
                ps, pe = s + rng.uniform(-j, j), e + rng.uniform(-j, j)
                if snap:
                    ps, pe = round(ps), max(round(ps) + 1, round(pe))
                label = a["label"] if rng.random() < 0.8 else classes[int(rng.integers(len(classes)))]
                preds.append({"label": label, "score": float(scores[k]), "segment": [float(ps), float(pe)]}); k += 1
        for _ in range(int(rng.integers(0, 5))):   # random false positives
            s = rng.uniform(0, duration); e = s + rng.uniform(0.5, duration / 2)
            if snap:
                s, e = round(s), round(s) + max(1, round(e - s))
            preds.append({"label": classes[int(rng.integers(len(classes) - 1))], "score": float(scores[k]),
                          "segment": [float(s), float(e)]}); k += 1
        if rng.random() < 0.1 and preds:
            preds.append(dict(preds[0], score=float(scores[k]))); k += 1   # duplicate prediction
        results[vid] = preds
    results["v_unknown"] = [{"label": classes[0], "score": 0.123456, "segment": [1.0, 5.0]}]
    return ({"version": "golden", "taxonomy": [], "database": database},
            {"version": "golden", "results": results, "external_data": {}})


def main(checkout):
    anet = load(checkout)
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2026)
    expected = []
    for case in range(6):
        classes = ["c%d" % i for i in range(int(rng.integers(2, 6)))]
        gt, pred = make_case(rng, videos=int(rng.integers(5, 40)), classes=classes, snap=case % 2 == 0)
        # The last class gets no predictions in some cases (AP 0 path).
        gt_path, pred_path = "%s/case-%d-gt.json" % (OUT, case), "%s/case-%d-pred.json" % (OUT, case)
        json.dump(gt, open(gt_path, "w")); json.dump(pred, open(pred_path, "w"))
        thresholds = np.linspace(0.3, 0.7, 5) if case % 2 == 0 else np.linspace(0.5, 0.95, 10)
        det = anet.ANETdetection(gt_path, pred_path, subset="validation", tiou_thresholds=thresholds, check_status=False)
        det.evaluate()
        per_class = {name: list(det.ap[:, idx]) for name, idx in det.activity_index.items()}
        prop = anet.ANETproposal(gt_path, pred_path, subset="validation", max_avg_nr_proposals=100,
                                 tiou_thresholds=np.linspace(0.5, 0.95, 10), check_status=False)
        prop.evaluate()
        auc = float(np.trapezoid(prop.avg_recall, prop.proposals_per_video) / prop.proposals_per_video[-1])
        expected.append({"case": case, "tiou": list(thresholds), "mAP": list(det.mAP), "average_mAP": float(det.average_mAP),
                         "per_class": per_class, "AR": list(prop.avg_recall), "AN": list(prop.proposals_per_video), "AUC": auc})
    json.dump({"source": "activitynet/ActivityNet Evaluation/eval_detection.py + eval_proposal.py (commit 82304fa)",
               "cases": expected}, open(OUT + "/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
