#!/usr/bin/env bash
# Model-ready frames, all-frames RGB and keyframes: VidiMedia vs torchcodec + torchvision, PyAV, decord
# and the C decode floor, one run, rounds alternating (Tools/bench/model_input_bench.py).
#   Tools/bench/model-input-bench.sh [--threads N] [--rounds R] [--inputs a.mp4,b.mp4] [--workloads ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=Tools/bench
mkdir -p "$bench/.data"
swift build -c release --package-path "$bench/MediaBench" --product ModelInputBench >&2
binary="$(swift build -c release --package-path "$bench/MediaBench" --show-bin-path)/ModelInputBench"
# shellcheck disable=SC2046  # pkg-config output must split into separate flags
cc -O2 -o "$bench/.data/decode_floor" "$bench/decode_floor.c" \
    $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale)
python=${PYTHON:-$(Tools/reference-venv.sh)}
exec "$python" "$bench/model_input_bench.py" --bench "$binary" --floor "$bench/.data/decode_floor" "$@"
