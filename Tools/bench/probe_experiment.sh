#!/usr/bin/env bash
# Linear-probe experiment (BENCHMARKS.md "Pretext linear probe"): a synthetic action dataset made and encoded
# by vidi (a textured square moving right/left/down/up over texture), MoSI, HiCo and CMD pretraining of the
# tiny backbone on the training videos, then a linear probe over frozen features of each checkpoint and of
# a randomly initialised backbone, on the same train/val split and seed.
#   Tools/bench/probe_experiment.sh [STEPS]      (release build; data under Tools/bench/.data/actions)
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-80}
swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"
d=Tools/bench/.data/actions
rm -rf "$d"
"$vidi" pretext synth-actions --out "$d/train" --count 48 --seed 1
"$vidi" pretext synth-actions --out "$d/val" --count 24 --seed 2
spec="$d/frames.yaml"
printf 'name: action-frames\nstages:\n  - frames: {sampler: {uniform: 16}}\noutput:\n  samples_per_shard: 1000\n' > "$spec"
for split in train val; do "$vidi" run "$spec" --input "$d/$split/labels.csv" --output "$d/$split-shards" --overwrite >/dev/null; done
for task in mosi hico cmd; do
  "$vidi" run "Pipelines/$task.yaml" --input "$d/train/labels.csv" --output "$d/$task-shards" --overwrite >/dev/null
done
"$vidi" train mosi --shards "$d/mosi-shards/00000.tar" --batch-size 2 --steps "$steps" --lr 1e-3 --checkpoint-dir "$d/runs/mosi" | tail -1
"$vidi" train hico --shards "$d/hico-shards/00000.tar" --batch-size 4 --steps "$steps" --lr 1e-3 --checkpoint-dir "$d/runs/hico" | tail -1
"$vidi" train cmd --shards "$d/cmd-shards/00000.tar" --batch-size 4 --steps "$steps" --lr 1e-3 --checkpoint-dir "$d/runs/cmd" | tail -1
for checkpoint in random "$d/runs/mosi/mosi.safetensors" "$d/runs/hico/hico.safetensors" "$d/runs/cmd/cmd.safetensors"; do
  "$vidi" probe-eval --checkpoint "$checkpoint" --shards "$d/train-shards/00000.tar" --val-shards "$d/val-shards/00000.tar" \
    --input frames.npy --label-field label --classes 4 --batch-size 16 --steps 150 --lr 1e-2 --seed 0 | tail -1
done
