#!/usr/bin/env bash
# Trains Vidi's bundled VOS model: the `small` STCN-style network with RDE memory (mem_compress), on
# seeded synthetic clips (the sequences `vidi synth vos --seed 1` draws, one look-alike
# distractor each), on CPU, through the shared training runtime (checkpoints in runs/vos-default; an
# interrupted run continues with the same command plus --resume). Writes Sources/VidiSegmentation/Resources/small-rde.safetensors,
# which `vidi segment` uses when no --weights is given.
#   [VIDI=path/to/vidi] Tools/train-vos-default.sh [STEPS] [INITIAL] [MORE vidi train vos OPTIONS...]
# INITIAL (optional) continues from earlier weights (BENCHMARKS.md's retraining and LCM fine-tune ran so). The
# committed model came in two steps: an earlier version of this script (commit cbd0469: 400 steps of 4-frame
# clips from scratch, one look-alike each), then, from those weights, 300 steps without look-alikes:
#   vidi train vos --initial CBD0469_MODEL --config small --memory rde --size 128x128 --clip-frames 5 \
#     --sequences 500 --distractors 0 --seed 11 --steps 300 --batch-size 1 --lr 1e-3 --schedule constant \
#     --weight-decay 0 --bootstrap-after 0 --val-sequences 0 --checkpoint-every 25 --threads 1 \
#     --checkpoint-dir DIR --out Sources/VidiSegmentation/Resources/small-rde.safetensors
# The LCM modules are not part of the default; add them with e.g. `--lcm --out W.safetensors` (later options
# override earlier ones; the LCM parameters train at --lcm-lr-scale, default 10, times --lr). Keep
# --distractors at 0 or 1 when fine-tuning: with 2 look-alikes per sequence the STCN readout cannot tell a
# target from its copies and the network learns to call all of them background (BENCHMARKS.md, "Why the
# fine-tunes collapsed").
# Tools/bench/vos_lcm_experiment.sh fine-tunes with and without LCM side by side for a fair comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-400}
initial=${2:-}
vidi=${VIDI:-}  # a vidi binary to use instead of building one
if [ -z "$vidi" ]; then swift build -c release --product vidi >&2; vidi=.build/release/vidi; fi
args=(--config small --memory rde --size 128x128 --clip-frames 5 --sequences 500 --distractors 1 --seed 1
      --steps "$steps" --batch-size 1 --lr 1e-3 --schedule constant --weight-decay 0 --bootstrap-after 200
      --val-sequences 4 --val-frames 20 --val-every 100 --checkpoint-dir runs/vos-default --checkpoint-every 50
      --out Sources/VidiSegmentation/Resources/small-rde.safetensors)
[ -n "$initial" ] && args+=(--initial "$initial")
nice "$vidi" train vos "${args[@]}" "${@:3}"
