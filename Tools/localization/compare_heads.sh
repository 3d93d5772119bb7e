#!/bin/sh
# RCL vs the BMN baseline on the synthetic benchmark, at the same encoder, batch, steps and optimizer.
# Writes models and predictions under $OUT and prints mAP at tIoU 0.3:0.1:0.7 and at ActivityNet's
# 0.5:0.05:0.95, overall and by duration (average mAP per bucket).
#   Tools/localization/compare_heads.sh [steps]      (release build: swift build -c release --product vidi)
# Several seeds, then their mean and spread (Tools/localization/seed_table.py):
#   for s in 1 2 3; do SEED=$s OUT=/tmp/cmp-s$s DATA=/tmp/cmp-data ONLY="bmn rcl" Tools/localization/compare_heads.sh; done
# A larger held-out split: VALIDATION=1000 (with its own DATA). The 600 training videos, hence the shards and
# trainings, do not depend on it (video i depends only on the seed and i); the first 200 held-out videos are
# the default split's, and are also evaluated on their own, into $OUT/first200/ (seed_table.py reads either).
set -eu
VIDI=${VIDI:-.build/release/vidi}
OUT=${OUT:-/tmp/vidi-localize-compare}
DATA=${DATA:-$OUT}   # synthetic set and shards; share one between seeds
STEPS=${1:-600}
VALIDATION=${VALIDATION:-200}   # held-out videos
mkdir -p "$OUT" "$DATA"
[ -f "$DATA/synth/annotations.json" ] || "$VIDI" synth localization --out "$DATA/synth" --train 600 --validation "$VALIDATION" --seed 7
held_out=$(python3 -c "import json; print(sum(v['subset'] == 'validation' for v in json.load(open('$DATA/synth/annotations.json'))['database'].values()))")
[ "$held_out" -eq "$VALIDATION" ] || { echo "$DATA/synth has $held_out held-out videos, not VALIDATION=$VALIDATION: use another DATA" >&2; exit 1; }
if [ "$VALIDATION" -gt 200 ] && [ ! -f "$DATA/synth/annotations.first200.json" ]; then
    python3 "$(dirname "$0")/first_videos.py" --count 200 "$DATA/synth/annotations.json" "$DATA/synth/annotations.first200.json"
fi
[ -f "$DATA/shards/training-000000.tar" ] || "$VIDI" pack localization --features "$DATA/synth/features" --gt "$DATA/synth/annotations.json" --grid 64 --out "$DATA/shards"
SEED=${SEED:-1}   # model initialisation and batch order; a rerun with the same seed repeats the numbers
ONLY=${ONLY:-}   # e.g. ONLY="rcl rcl-k0" reruns those rows only (the others keep their files)
REUSE=${REUSE:-}   # REUSE=1: a row whose $OUT/<name>.safetensors exists is not trained again, only run and evaluated
run() {   # name, training options (or @row: that row's model), inference options
    name=$1; shift; train=$1; shift; infer=${1:-}
    if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $name "; then return 0; fi
    model="$OUT/$name.safetensors"
    case "$train" in
        @*) model="$OUT/${train#@}.safetensors" ;;   # same training as that row: reuse its model
        *) if [ -n "$REUSE" ] && [ -f "$model" ]; then echo "$name: reusing $model"; else
           /usr/bin/time -f "$name training: %e s wall, %U s user" nice "$VIDI" train localize --shards "$DATA/shards/training-{000000..000005}.tar" \
               --batch-size 8 --steps "$STEPS" --lr 1e-3 --schedule constant --weight-decay 0 --seed "$SEED" --shuffle-buffer 600 \
               $train --out "$model" > "$OUT/$name.train.log"; fi ;;
    esac
    /usr/bin/time -f "$name inference ($VALIDATION videos): %e s wall, %U s user" nice "$VIDI" localize --model "$model" \
        --features "$DATA/synth/features" --gt "$DATA/synth/annotations.json" $infer --out "$OUT/$name.pred.json" > "$OUT/$name.infer.log"
    evaluate "$name" "$DATA/synth/annotations.json" "$OUT"
    if [ "$VALIDATION" -gt 200 ]; then   # the default split alone: its ground truth and its videos' predictions
        mkdir -p "$OUT/first200"
        python3 "$(dirname "$0")/first_videos.py" --like "$DATA/synth/annotations.first200.json" "$OUT/$name.pred.json" "$OUT/first200/$name.pred.json"
        evaluate "$name" "$DATA/synth/annotations.first200.json" "$OUT/first200"
    fi
}
evaluate() {   # name, ground truth, folder holding name.pred.json
    # THUMOS14's thresholds 0.3:0.1:0.7, then ActivityNet's 0.5:0.05:0.95, where boundary precision counts.
    for tiou in 0.3:0.1:0.7 0.5:0.05:0.95; do
        tag=$(echo "$tiou" | tr ':' '_')
        "$VIDI" eval detection --gt "$2" --pred "$3/$1.pred.json" --tiou "$tiou" \
            --duration-buckets 0.01,0.03,0.09,0.27,0.8 --json > "$3/$1.eval.$tag.json"
        printf '%s @ %s (%s): ' "$1" "$tiou" "$(basename "$2")"
        python3 -c "import json,sys; d=json.load(open('$3/$1.eval.$tag.json')); print(' '.join('%.1f' % (100*x) for x in d['mAP']), '| avg %.1f' % (100*d['average_mAP']), '| by duration', ' '.join('%s:%.1f' % (b['range'], 100*b['average_mAP']) for b in d['by_duration']))"
    done
}
# RCL's default: K = 2, scale-invariant sampling, boundary readout (4 points per boundary), interior readout
# (32 points, per-channel min and max; RCL.md). The ablations each turn one of them off (the rows below
# rcl-nointerior were last measured before the interior readout was the default: BENCHMARKS.md).
run rcl "--head rcl --refine 2"
run rcl-norefine "@rcl" "--refine 0"
run rcl-k0 "--head rcl --refine 0"
run rcl-uniform "--head rcl --refine 2 --sampling uniform"
# Span queries (RCL.md, not the default): 1/8 of the queries from one action's start to another's end,
# taken from the around-truth share or from the background share.
run rcl-spans "--head rcl --refine 2 --spans truth"
run rcl-spansbg "--head rcl --refine 2 --spans background"
run rcl-noboundary "--head rcl --refine 2 --boundary-samples 0"
# Against merges of two same-class actions (RCL.md, "Interior readout", "Sharp confidence"): the previous default
# without the interior readout, and that default with BMN's sharp confidence (measured as "rcl-sharp" then).
run rcl-nointerior "--head rcl --refine 2 --interior-samples 0"
run rcl-sharp "--head rcl --refine 2 --interior-samples 0 --sharp-confidence"
# Against merges and partial detections of long actions (RCL.md, "Query mixture"; measured over 5 seeds, neither
# beat the default): 32 uniform (start, end) queries per video added to the 96 scale-invariant ones (BMN's
# density on long segments), or every other fragment query anchored at a true boundary.
run rcl-dense "--head rcl --refine 2 --uniform-queries 32"
run rcl-parts "--head rcl --refine 2 --anchored-parts"
run bmn "--head bmn"
# BMN's map with the same boundary readout: whether the readout alone, without continuous anchors, closes the gap.
run bmn-boundary "--head bmn --boundary-samples 4"
