"""Loads ActivityNet's official evaluation code (activitynet/ActivityNet, Evaluation/eval_detection.py,
eval_proposal.py, utils.py; Python 2) from a checkout *outside* this repository and runs it under Python 3.

Only mechanical Python-2-to-3 edits are made at load time (print statements, dict.iteritems, xrange, urllib2,
np.float/np.int/np.trapz names removed in numpy 2); the metric code runs unchanged. Blocked-video lookups (a web
API) are disabled with check_status=False, as every public re-implementation does.

Usage from other scripts:  anet = load(checkout)  ->  anet.ANETdetection, anet.ANETproposal
Get the code: git clone https://github.com/activitynet/ActivityNet  (tested at commit 82304fa).
"""
import re
import sys
import types


def _py3(source):
    source = re.sub(r"^(\s*)print (.*)$", r"\1print(\2)", source, flags=re.M)
    source = source.replace(".iteritems()", ".items()").replace("xrange(", "range(")
    source = source.replace("import urllib2", "import urllib.request as urllib2")
    source = source.replace("np.float)", "float)").replace("np.int)", "int)").replace("np.trapz(", "np.trapezoid(")
    return source


def load(checkout):
    """Returns a module holding utils, eval_detection and eval_proposal from `checkout/Evaluation`."""
    folder = checkout.rstrip("/") + "/Evaluation/"
    utils = types.ModuleType("utils")
    exec(compile(_py3(open(folder + "utils.py").read()), folder + "utils.py", "exec"), utils.__dict__)
    sys.modules["utils"] = utils
    out = types.ModuleType("anet_official")
    for name in ["eval_detection.py", "eval_proposal.py"]:
        exec(compile(_py3(open(folder + name).read()), folder + name, "exec"), out.__dict__)
    # The per-class joblib fan-out needs importable functions to send to worker processes; run the same
    # calls on threads instead (the results do not depend on the backend).
    import joblib
    out.Parallel = lambda n_jobs: joblib.Parallel(n_jobs=n_jobs, backend="threading")
    return out


if __name__ == "__main__":
    # python official_eval.py CHECKOUT detection|proposals GT PRED [subset] : prints the official numbers.
    import json
    import numpy as np
    anet = load(sys.argv[1])
    kind, gt, pred = sys.argv[2], sys.argv[3], sys.argv[4]
    subset = sys.argv[5] if len(sys.argv) > 5 else "validation"
    if kind == "detection":
        ev = anet.ANETdetection(gt, pred, subset=subset, tiou_thresholds=np.linspace(0.5, 0.95, 10), check_status=False)
        ev.evaluate()
        print(json.dumps({"mAP": list(ev.mAP), "average_mAP": float(ev.average_mAP)}))
    else:
        ev = anet.ANETproposal(gt, pred, subset=subset, max_avg_nr_proposals=100, check_status=False)
        ev.evaluate()
        auc = np.trapezoid(ev.avg_recall, ev.proposals_per_video) / ev.proposals_per_video[-1]
        print(json.dumps({"AUC": float(auc), "AR@100": float(ev.avg_recall[-1])}))
