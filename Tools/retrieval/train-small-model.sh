#!/usr/bin/env bash
# Trains the small retrieval model bundled with vidi (Sources/VidiRetrieval/Resources/retrieval-small.safetensors)
# on seeded synthetic captioned clips, then reports held-out R@1/5/10 for WTI, TI and mean pooling.
# CPU only, about 10 minutes on 2 cores. An interrupted run continues where it stopped when the
# train command is rerun with --resume.
#   Tools/retrieval/train-small-model.sh [WORK_DIR]      (default: out/retrieval-small)
# A quick check of the recipe (not the bundled model): CLIPS=64 STEPS=10 KEEP=1 VIDI=.build/debug/vidi ...
#   (KEEP=1 leaves the bundled model alone; VIDI skips the release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-out/retrieval-small}
clips=${CLIPS:-1500}
steps=${STEPS:-800}
if [ -z "${VIDI:-}" ]; then
  swift build -c release --product vidi
  vidi="$(swift build -c release --show-bin-path)/vidi"
else
  vidi=$VIDI
fi
mkdir -p "$work"
"$vidi" synth-clips --out "$work/train" --count "$clips" --seed 1
"$vidi" synth-clips --out "$work/test" --count "${TEST_CLIPS:-200}" --seed 2
# A CLIP of width 64 (ViT 8-px patches on 32 px, 2 layers; text 2 layers), DRL's WTI head (wti_arch 2),
# a 1-layer temporal transformer, symmetric loss. CDCR is off (lambda 0): from random init, frames often
# match the start token, whose feature is the same in every caption, and the z-scores of the resulting
# near-constant channels swamp the contrastive gradient (the loss stayed at chance for 160 steps with
# lambda 0.001; it falls at once without). DRL applies CDCR when fine-tuning a pretrained CLIP.
"$vidi" pack retrieval --annotations "$work/train/captions.json" --videos "$work/train" --resolution 32 --frames 12 \
  --per-shard 500 --out "$work/shards"
# Warm-up over the first 5% of steps, then cosine; AdamW (weight decay 0.01); gradients clipped to norm 1.
shards=$(printf '%s::' "$work"/shards/training-*.tar)
nice "$vidi" train retrieval --shards "${shards%::}" \
  --out "$work/retrieval-small.safetensors" --checkpoint-dir "$work/run" --checkpoint-every 200 \
  --steps "$steps" --batch-size 32 --lr 1e-3 --warmup $((steps / 20)) --clip 1 --seed 0 --cdcr-lambda 0 \
  --width 64 --layers 2 --resolution 32 --patch 8 --temporal-layers 1 --interaction wti --float16
[ -n "${KEEP:-}" ] || cp "$work/retrieval-small.safetensors" Sources/VidiRetrieval/Resources/retrieval-small.safetensors
for scoring in wti ti mean; do
  echo "held-out (${TEST_CLIPS:-200} clips), $scoring:"
  "$vidi" eval retrieval --annotations "$work/test/captions.json" --videos "$work/test" \
    --weights "$work/retrieval-small.safetensors" --interaction "$scoring"
done
