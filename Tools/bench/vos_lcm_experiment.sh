#!/usr/bin/env bash
# LCM with and without, on equal footing (BENCHMARKS.md, "LCM on the distractor set"): from the same
# weights, fine-tune (a) with --lcm and (b) without, on the same clips (same seed) for the same number of
# steps, then score on the held-out sets of vos_bench.sh: (a) run with --lcm, (a) run without, (b); all
# with --memory rde (MODES_A / MODES_B add grow). Prints J&F per run and the paired per-sequence
# differences (per object, as the DAVIS evaluation lists them: their mean and its standard error, the
# noise to compare with).
#   Tools/bench/vos_lcm_experiment.sh INITIAL STEPS WORKDIR [train|eval|all]
# LR (default 1e-3), LCM_LR_SCALE (default 10), BOOTSTRAP_AFTER (default 0) and DISTRACTORS (look-alikes per
# training sequence, default 1: with 2, both arms learn to doubt every target and collapse to background,
# BENCHMARKS.md "Why the fine-tunes collapsed") set the fine-tune.
# train runs (a) and (b) side by side at nice 19, one thread each. An interrupted pair continues with the
# same command (each run resumes from its newest checkpoint; checkpoints every 25 steps).
set -euo pipefail
cd "$(dirname "$0")/../.."
initial=${1:?INITIAL weights}
steps=${2:?STEPS}
work=${3:?WORKDIR}
vidi=${VIDI:-.build/release/vidi}
mkdir -p "$work"

train() {
  local common=(--initial "$initial" --config small --memory rde --size 128x128 --clip-frames 5 --sequences 500
                --distractors "${DISTRACTORS:-1}" --seed 11 --steps "$steps" --batch-size 1 --lr "${LR:-1e-3}" --schedule constant --weight-decay 0
                --bootstrap-after "${BOOTSTRAP_AFTER:-0}" --val-sequences 0 --checkpoint-every 25 --threads 1)
  local run pids=()
  for run in a b; do
    local extra=() resume=()
    [ "$run" = a ] && extra=(--lcm --lcm-lr-scale "${LCM_LR_SCALE:-10}")
    ls "$work/$run"/step-*.safetensors >/dev/null 2>&1 && resume=(--resume)
    nice -n 19 "$vidi" train vos "${common[@]}" "${extra[@]}" "${resume[@]}" --checkpoint-dir "$work/$run" \
      --out "$work/$run.safetensors" >"$work/$run.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
}

evaluate() {
  MODES=${MODES_A:-"rde+lcm rde"} Tools/bench/vos_bench.sh "$work/a.safetensors" "$work/eval-a" accuracy
  MODES=${MODES_B:-rde} Tools/bench/vos_bench.sh "$work/b.safetensors" "$work/eval-b" accuracy
  for set in heldout distractors; do
    for result in "$work"/eval-a/results-$set-* "$work"/eval-b/results-$set-*; do
      $vidi eval davis --davis-path "$work/eval-a/$set" --results-path "$result" --json >"$result.json"
    done
    python3 - "$work" "$set" <<'EOF'
import json, math, sys
work, name = sys.argv[1], sys.argv[2]
def scores(run, mode):
    rows = json.load(open(f"{work}/eval-{run}/results-{name}-{mode}.json"))["per_sequence"]
    return {r["Sequence"]: (r["J-Mean"] + r["F-Mean"]) / 2 for r in rows if r["J-Mean"] is not None and r["F-Mean"] is not None}
def compare(label, x, y):
    d = [x[s] - y[s] for s in sorted(x) if s in y]
    mean = sum(d) / len(d)
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / (len(d) - 1) / len(d))
    print(f"{name}: {label}: mean per-sequence J&F difference {mean:+.4f} (standard error {se:.4f}; "
          f"{sum(v > 0 for v in d)} up, {sum(v < 0 for v in d)} down of {len(d)} objects)")
a_lcm, a_plain, b = scores("a", "rde+lcm"), scores("a", "rde"), scores("b", "rde")
compare("(a) --lcm minus (b)", a_lcm, b)
compare("(a) --lcm minus (a) without", a_lcm, a_plain)
compare("(a) without minus (b)", a_plain, b)
EOF
  done
}

case "${4:-all}" in
  train) train ;;
  eval) evaluate ;;
  all) train; evaluate ;;
esac
