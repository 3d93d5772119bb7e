#!/usr/bin/env bash
# Pipeline benchmark (release build): vidi run Pipelines/keyframes-motion.yaml vs a PyAV + multiprocessing
# baseline on generated MPEG-4 Part 2 320x240 and H.264 360p corpora, 2 workers each.
#   Tools/bench/pipeline_bench.sh [--count 50]
# Corpus and outputs go under Tools/bench/.data/pipeline/. The baseline runs on the reference Python
# (Tools/reference-venv.sh; set PYTHON to use another one with av and numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"

python=${PYTHON:-$(Tools/reference-venv.sh)}
exec "$python" Tools/bench/pipeline_bench.py --vidi "$vidi" --python "$python" "$@"
