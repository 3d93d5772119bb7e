#!/usr/bin/env bash
# A model stage under `vidi run` with 1 and 2 workers: videos/s and CPU use, to show that N workers x
# (cores / N) compute threads use the machine without oversubscription (CPU-seconds per video stay flat
# while wall time drops). Weights: torchvision's ResNet-18 architecture with its default random init
# (speed does not depend on the values), saved with torchvision's key names.
#   Tools/bench/model_stage_bench.sh [--count 40] [--repeats 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=40; repeats=2
while [ $# -gt 0 ]; do case "$1" in --count) count=$2; shift 2;; --repeats) repeats=$2; shift 2;; *) echo "unknown option $1" >&2; exit 2;; esac; done
python=$(Tools/reference-venv.sh)
swift build -c release --product vidi >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$python" - "$work/r18.safetensors" <<'PY'
import sys, torch, torchvision
from safetensors.torch import save_file
torch.manual_seed(0)
model = torchvision.models.resnet18()
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, sys.argv[1])
PY
good=(h264-closedgop.mp4 h264-bframes-opengop.mp4 mpeg4-part2.mp4 vfr.mp4 odd-321x241.mp4 rotated-90.mp4 vp9.webm mjpeg.avi)
for i in $(seq 0 $((count - 1))); do echo "$PWD/Fixtures/media/${good[$((i % ${#good[@]}))]}"; done > "$work/list.txt"
cat > "$work/spec.yaml" <<YAML
stages:
  - resize: {shorter_side: 128, crop: [112, 112]}
  - frames: {sampler: {uniform: 8}}
  - embed: {weights: $work/r18.safetensors, batch: 4, collect: embeddings.npz}
output: {samples_per_shard: 10}
YAML
printf "%-8s %-7s %10s %12s %14s %10s\n" workers round wall_s videos_per_s cpu_s_per_video cpu_util
for round in $(seq 1 "$repeats"); do
  for workers in 1 2; do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %U %S" -o "$work/time" .build/release/vidi run "$work/spec.yaml" --input "$work/list.txt" \
      --output "$work/out" --workers "$workers" >/dev/null
    read -r wall user sys < "$work/time"
    awk -v w="$workers" -v r="$round" -v wall="$wall" -v user="$user" -v sys="$sys" -v n="$count" \
      'BEGIN { cpu = user + sys; printf "%-8s %-7s %10.2f %12.2f %14.3f %9.0f%%\n", w, r, wall, n / wall, cpu / n, 100 * cpu / wall }'
  done
done
