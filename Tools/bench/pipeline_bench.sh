#!/usr/bin/env bash
# Pipeline benchmark (release build): vidi run Pipelines/keyframes-motion.yaml vs a PyAV + multiprocessing
# baseline on generated MPEG-4 Part 2 320x240 and H.264 360p corpora, 2 workers each.
#   Tools/bench/pipeline_bench.sh [--count 50]
# Corpus and outputs go under Tools/bench/.data/pipeline/. Needs /work/venv-ref (PyAV) or makes
# Tools/bench/.venv with `pip install av numpy`.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"

python=/work/venv-ref/bin/python
if ! [ -x "$python" ] || ! "$python" -c "import av, numpy" 2>/dev/null; then
    python=Tools/bench/.venv/bin/python
    if ! [ -x "$python" ]; then
        python3 -m venv Tools/bench/.venv
        "$python" -m pip install --quiet av numpy
    fi
fi
exec "$python" Tools/bench/pipeline_bench.py --vidi "$vidi" --python "$python" "$@"
