"""Times ActivityNet's official eval_detection.py (see official_eval.py) against `vidi eval detection` on
1,000 videos and checks that both print the same numbers.

  python Tools/localization/bench_eval.py /path/to/ActivityNet-checkout .build/release/vidi
Writes /tmp/vidi-eval-bench/{gt,pred}.json: 1,000 validation videos, 10 classes, 1-4 actions each, 100
predictions per video (jittered copies of the truth plus random segments, distinct scores).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

from official_eval import load


def make(folder, videos=1000, per_video=100, classes=10, seed=1):
    rng = np.random.default_rng(seed)
    names = ["class%02d" % k for k in range(classes)]
    database, results = {}, {}
    scores = rng.permutation(videos * per_video) / float(videos * per_video)
    k = 0
    for v in range(videos):
        vid = "video_%04d" % v
        duration = float(rng.uniform(30, 300))
        anns = []
        for _ in range(int(rng.integers(1, 5))):
            length = duration * float(np.exp(rng.uniform(np.log(0.01), np.log(0.8))))
            s = float(rng.uniform(0, duration - length))
            anns.append({"segment": [s, s + length], "label": names[int(rng.integers(classes))]})
        database[vid] = {"subset": "validation", "duration": duration, "annotations": anns}
        preds = []
        for i in range(per_video):
            if i < 3 * len(anns):
                a = anns[i % len(anns)]; s, e = a["segment"]; j = (e - s) * 0.3
                seg = [s + rng.uniform(-j, j), e + rng.uniform(-j, j)]
                label = a["label"] if rng.random() < 0.8 else names[int(rng.integers(classes))]
            else:
                s = rng.uniform(0, duration); seg = [s, s + rng.uniform(1, duration / 3)]
                label = names[int(rng.integers(classes))]
            preds.append({"label": label, "score": float(scores[k]), "segment": [float(seg[0]), float(seg[1])]}); k += 1
        results[vid] = preds
    os.makedirs(folder, exist_ok=True)
    json.dump({"version": "bench", "taxonomy": [], "database": database}, open(folder + "/gt.json", "w"))
    json.dump({"version": "bench", "results": results, "external_data": {}}, open(folder + "/pred.json", "w"))


def main(checkout, vidi):
    folder = "/tmp/vidi-eval-bench"
    make(folder)
    anet = load(checkout)
    thresholds = np.linspace(0.5, 0.95, 10)
    t0 = time.perf_counter()
    ev = anet.ANETdetection(folder + "/gt.json", folder + "/pred.json", subset="validation", tiou_thresholds=thresholds, check_status=False)
    ev.evaluate()
    official = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run([vidi, "eval", "detection", "--gt", folder + "/gt.json", "--pred", folder + "/pred.json", "--json"],
                         check=True, capture_output=True, text=True).stdout
    native = time.perf_counter() - t0
    mine = json.loads(out)
    diff = max(abs(a - b) for a, b in zip(mine["mAP"], ev.mAP))
    print("official eval_detection.py: %.2f s, average mAP %.6f" % (official, ev.average_mAP))
    print("vidi eval detection:        %.2f s, average mAP %.6f (max |mAP diff| %.1e)" % (native, mine["average_mAP"], diff))
    print("speed-up x%.0f" % (official / native))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
