#!/usr/bin/env bash
# Trains Vidi's bundled VOS model: the `small` STCN-style network with RDE memory (mem_compress), on
# seeded synthetic clips (the sequences `vidi synth vos --seed 1` draws), on CPU. Writes
# Models/vos/small-rde.safetensors, which `vidi segment` uses when no --weights is given.
#   Tools/train-vos-default.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-400}
swift build -c release --product vidi >&2
nice .build/release/vidi train vos --config small --memory rde --size 128x128 --clip-frames 4 \
  --sequences 500 --distractors 1 --seed 1 --steps "$steps" --lr 1e-3 --warmup 200 --log-every 50 \
  --out Models/vos/small-rde.safetensors
