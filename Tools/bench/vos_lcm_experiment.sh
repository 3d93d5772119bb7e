#!/usr/bin/env bash
# LCM with and without, on equal footing (BENCHMARKS.md, "LCM on the distractor set"): from the same
# weights, fine-tune (a) with --lcm and (b) without, on the same clips (same seed) for the same number of
# steps, then score on the held-out sets of vos_bench.sh: (a) run with --lcm, (a) run without, (b); all
# with --memory rde (MODES_A / MODES_B add grow). Prints J&F per run and the paired per-sequence
# differences (per object, as the DAVIS evaluation lists them: their mean and its standard error, the
# noise to compare with; Tools/bench/vos_paired_jf.py).
#   Tools/bench/vos_lcm_experiment.sh INITIAL STEPS WORKDIR [train|eval|all|step0]
# step0 scores INITIAL with LCM added and untrained (only the position guidance acts), with and without
# --lcm (STEPS is ignored).
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
    local a_lcm="$work/eval-a/results-$set-rde+lcm.json" a_plain="$work/eval-a/results-$set-rde.json" b="$work/eval-b/results-$set-rde.json"
    python3 Tools/bench/vos_paired_jf.py "$set" "(a) --lcm minus (b)" "$a_lcm" "$b"
    python3 Tools/bench/vos_paired_jf.py "$set" "(a) --lcm minus (a) without" "$a_lcm" "$a_plain"
    python3 Tools/bench/vos_paired_jf.py "$set" "(a) without minus (b)" "$a_plain" "$b"
  done
}

# Step 0: INITIAL with LCM added and nothing trained (one step at lr 0 writes the weights: the readout
# refinements are zero, the position guidance at its initial strength), run with and without --lcm.
step0() {
  [ -f "$work/step0.safetensors" ] || nice -n 19 "$vidi" train vos --initial "$initial" --lcm --config small --memory rde \
    --size 128x128 --clip-frames 5 --sequences 500 --distractors 1 --seed 11 --steps 1 --batch-size 1 --lr 0 \
    --schedule constant --weight-decay 0 --val-sequences 0 --threads 1 --checkpoint-dir "$work/step0" \
    --out "$work/step0.safetensors" >"$work/step0.log" 2>&1
  MODES="rde+lcm rde" Tools/bench/vos_bench.sh "$work/step0.safetensors" "$work/eval-step0" accuracy
  for set in heldout distractors; do
    for mode in rde+lcm rde; do
      local result="$work/eval-step0/results-$set-$mode"
      $vidi eval davis --davis-path "$work/eval-step0/$set" --results-path "$result" --json >"$result.json"
    done
    python3 Tools/bench/vos_paired_jf.py "$set" "step 0 --lcm minus without" \
      "$work/eval-step0/results-$set-rde+lcm.json" "$work/eval-step0/results-$set-rde.json"
  done
}

case "${4:-all}" in
  train) train ;;
  eval) evaluate ;;
  all) train; evaluate ;;
  step0) step0 ;;
esac
