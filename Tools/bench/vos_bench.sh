#!/usr/bin/env bash
# VOS benchmarks for BENCHMARKS.md (run on the quietest box you have; numbers depend on load):
#  1. J&F of a model on a held-out synthetic set (seed 2; and seed 3 with look-alike distractors),
#     run with --memory grow and --memory rde (same weights);
#  2. peak RSS of `vidi segment` on 150- and 1,000-frame 480p synthetic videos, rde vs grow;
#  3. frames/s of `vidi segment` (small; full with formula weights) at 480p, next to STCN's PyTorch
#     code on CPU with the same weights (Tools/bench/vos_speed.py).
#   Tools/bench/vos_bench.sh [WEIGHTS] [WORKDIR] [accuracy|memory|memory150|speed|all]
# speed needs STCN=/path/to/STCN (a checkout of hkchengrex/STCN) and VIDI_REFERENCE_VENV (torch); FRAMES
# (default 10) and ROUNDS (default 2) size it. Run it at normal priority: it is a timing.
set -euo pipefail
cd "$(dirname "$0")/../.."
weights=${1:-Sources/VidiSegmentation/Resources/small-rde.safetensors}
work=${2:-/tmp/vidi-vos-bench}
vidi=${VIDI:-.build/release/vidi}
mkdir -p "$work"

accuracy() {  # $1 = dataset name, extra synth args after; MODES (default "grow rde") may add rde+lcm, grow+lcm
  local name=$1; shift
  [ -d "$work/$name" ] || $vidi synth vos --out "$work/$name" --sequences 12 --frames 40 --size 192x128 "$@" >/dev/null
  for mode in ${MODES:-grow rde}; do
    local memory=${mode%+lcm} lcm=()
    [ "$mode" != "$memory" ] && lcm=(--lcm)
    local out="$work/results-$name-$mode"
    rm -rf "$out"
    for seq in $(cat "$work/$name/ImageSets/2017/val.txt"); do
      $vidi segment "$work/$name/videos/$seq.mp4" --mask "$work/$name/Annotations/480p/$seq/00000.png" \
        --out "$out/$seq" --weights "$weights" --memory "$memory" "${lcm[@]}" 2>/dev/null
    done
    printf '%s %s ' "$name" "$mode"
    $vidi eval davis --davis-path "$work/$name" --results-path "$out" --json | python3 -c \
      'import json,sys; g=json.load(sys.stdin)["global"]; print(" ".join(f"{k}={g[k]:.3f}" for k in ("J&F-Mean","J-Mean","F-Mean")))'
  done
}

memory() {  # peak RSS (kB) for $1 frames
  local frames=$1
  [ -d "$work/long$frames" ] || $vidi synth vos --out "$work/long$frames" --sequences 1 --frames "$frames" --size 854x480 \
      --objects 2 --distractors 1 --seed 5 >/dev/null
  local seq; seq=$(head -1 "$work/long$frames/ImageSets/2017/val.txt")
  for memory in rde grow; do
    local limit=()  # GROW_LIMIT (seconds) stops a slow grow run; its progress lines (every 100 frames) keep the RSS curve
    [ "$memory" = grow ] && [ -n "${GROW_LIMIT:-}" ] && limit=(timeout "$GROW_LIMIT")
    /usr/bin/time -f "%M kB peak RSS, %e s wall, %U s user" "${limit[@]}" $vidi segment "$work/long$frames/videos/$seq.mp4" \
      --mask "$work/long$frames/Annotations/480p/$seq/00000.png" --out "$work/long-out-$frames-$memory" \
      --weights "$weights" --memory "$memory" 2>&1 | sed "s/^/$frames frames $memory: /" || true
  done
}

speed() {  # frames/s at 854x480: STCN's PyTorch code and vidi (full, same formula weights; small) alternating
  local frames=${FRAMES:-10} python="${VIDI_REFERENCE_VENV:?set VIDI_REFERENCE_VENV}/bin/python"
  for round in $(seq "${ROUNDS:-2}"); do
    "$python" Tools/bench/vos_speed.py --stcn "${STCN:?set STCN to an hkchengrex/STCN checkout}" --work "$work/speed" \
      --frames "$frames" --threads 2 | sed "s/^/round $round: /"
    for run in "full grow $work/speed/full-formula.safetensors" "small grow $weights" "small rde $weights"; do
      set -- $run
      local start end
      start=$(date +%s.%N)
      $vidi segment "$work/speed/frames" --mask "$work/speed/first.png" --out "$work/speed-out-$1-$2" \
        --weights "$3" --memory "$2" 2>/dev/null
      end=$(date +%s.%N)
      python3 -c "import sys; f,s,e=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); \
print(f'round $round: vidi $1 --memory $2: {f} frames 854x480 in {e-s:.1f} s = {f/(e-s):.2f} frames/s')" "$frames" "$start" "$end"
    done
  done
}

case "${3:-all}" in
  accuracy) accuracy heldout --seed 2; accuracy distractors --seed 3 --distractors 2 ;;
  memory) memory 150; memory 1000 ;;
  memory150) memory 150 ;;
  memory1000) memory 1000 ;;
  speed) speed ;;
  all) accuracy heldout --seed 2; accuracy distractors --seed 3 --distractors 2; memory 150; memory 1000 ;;
esac
