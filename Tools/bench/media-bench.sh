#!/usr/bin/env bash
# Media benchmark, one run, single thread everywhere: C floor, `vidi bench decode`, ffmpeg CLI, PyAV, decord.
#   Tools/bench/media-bench.sh [--repeats N] [--json out.json]
# Builds vidi in release, compiles Tools/bench/decode_floor.c against the system FFmpeg, generates the
# inputs under Tools/bench/.data/ with ffmpeg, and uses /work/venv-ref's Python for the peers (or makes
# Tools/bench/.venv with `pip install av decord numpy` when that venv is missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=Tools/bench
mkdir -p "$bench/.data"

swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"

# shellcheck disable=SC2046  # pkg-config output must split into separate flags
cc -O2 -o "$bench/.data/decode_floor" "$bench/decode_floor.c" \
    $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale)

python=/work/venv-ref/bin/python
if ! [ -x "$python" ] || ! "$python" -c "import av, decord, numpy" 2>/dev/null; then
    python="$bench/.venv/bin/python"
    if ! [ -x "$python" ]; then
        python3 -m venv "$bench/.venv"
        "$python" -m pip install --quiet av decord numpy
    fi
fi

exec "$python" "$bench/media_bench.py" --vidi "$vidi" --floor "$bench/.data/decode_floor" "$@"
