#!/bin/sh
# RCL vs the BMN baseline on the synthetic benchmark, at the same encoder, batch, steps and optimizer.
# Writes models and predictions under $OUT and prints mAP at tIoU 0.3:0.1:0.7 and at ActivityNet's
# 0.5:0.05:0.95, overall and by duration (average mAP per bucket).
#   Tools/localization/compare_heads.sh [steps]      (release build: swift build -c release --product vidi)
set -eu
VIDI=${VIDI:-.build/release/vidi}
OUT=${OUT:-/tmp/vidi-localize-compare}
STEPS=${1:-600}
mkdir -p "$OUT"
[ -f "$OUT/synth/annotations.json" ] || "$VIDI" synth localization --out "$OUT/synth" --train 600 --validation 200 --seed 7
[ -f "$OUT/shards/training-000000.tar" ] || "$VIDI" pack localization --features "$OUT/synth/features" --gt "$OUT/synth/annotations.json" --grid 64 --out "$OUT/shards"
SEED=${SEED:-1}   # model initialisation and batch order; a rerun with the same seed repeats the numbers
ONLY=${ONLY:-}   # e.g. ONLY="rcl rcl-k0" reruns those rows only (the others keep their files)
run() {   # name, training options, inference options
    name=$1; shift; train=$1; shift; infer=${1:-}
    if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $name "; then return 0; fi
    /usr/bin/time -f "$name training: %e s wall, %U s user" nice "$VIDI" train localize --shards "$OUT/shards/training-{000000..000005}.tar" \
        --batch-size 8 --steps "$STEPS" --lr 1e-3 --schedule constant --weight-decay 0 --seed "${SEED:-1}" --shuffle-buffer 600 \
        $train --out "$OUT/$name.safetensors" > "$OUT/$name.train.log"
    /usr/bin/time -f "$name inference (200 videos): %e s wall" nice "$VIDI" localize --model "$OUT/$name.safetensors" \
        --features "$OUT/synth/features" --gt "$OUT/synth/annotations.json" $infer --out "$OUT/$name.pred.json" > "$OUT/$name.infer.log"
    # THUMOS14's thresholds 0.3:0.1:0.7, then ActivityNet's 0.5:0.05:0.95, where boundary precision counts.
    for tiou in 0.3:0.1:0.7 0.5:0.05:0.95; do
        tag=$(echo "$tiou" | tr ':' '_')
        "$VIDI" eval detection --gt "$OUT/synth/annotations.json" --pred "$OUT/$name.pred.json" --tiou "$tiou" \
            --duration-buckets 0.01,0.03,0.09,0.27,0.8 --json > "$OUT/$name.eval.$tag.json"
        printf '%s @ %s: ' "$name" "$tiou"
        python3 -c "import json,sys; d=json.load(open('$OUT/$name.eval.$tag.json')); print(' '.join('%.1f' % (100*x) for x in d['mAP']), '| avg %.1f' % (100*d['average_mAP']), '| by duration', ' '.join('%s:%.1f' % (b['range'], 100*b['average_mAP']) for b in d['by_duration']))"
    done
}
run bmn "--head bmn"
run rcl "--head rcl --refine 2"
run rcl-norefine "--head rcl --refine 2" "--refine 0"
run rcl-k0 "--head rcl --refine 0"
run rcl-uniform "--head rcl --refine 2 --sampling uniform"
# The boundary readout (4 more points around each boundary, RCL.md): not in the default set, ONLY="rcl-boundary".
if [ -n "$ONLY" ]; then run rcl-boundary "--head rcl --refine 2 --boundary-samples 4"; fi
