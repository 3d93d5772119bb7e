#!/usr/bin/env bash
# Media benchmark, one run, single thread everywhere: C floor, `vidi bench decode`, ffmpeg CLI, PyAV, decord.
#   Tools/bench/media-bench.sh [--repeats N] [--json out.json]
# Builds vidi in release, compiles Tools/bench/decode_floor.c against the system FFmpeg, generates the
# inputs under Tools/bench/.data/ with ffmpeg, and runs the peers with the reference Python
# (Tools/reference-venv.sh; set PYTHON to use another one with av, decord and numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=Tools/bench
mkdir -p "$bench/.data"

swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"

# shellcheck disable=SC2046  # pkg-config output must split into separate flags
cc -O2 -o "$bench/.data/decode_floor" "$bench/decode_floor.c" \
    $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale)

python=${PYTHON:-$(Tools/reference-venv.sh)}

exec "$python" "$bench/media_bench.py" --vidi "$vidi" --floor "$bench/.data/decode_floor" "$@"
