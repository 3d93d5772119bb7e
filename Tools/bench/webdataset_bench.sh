#!/usr/bin/env bash
# WebDataset reading benchmark (release build): Python's webdataset (decode .npy, batch) vs Vidi's
# training reader (`vidi bench webdataset`) on the same generated shards, rounds alternating.
#   Tools/bench/webdataset_bench.sh [--samples 2000] [--shards 8] [--shape 8,64,64,3] [--rounds 3] [--markdown]
# Shards go under Tools/bench/.data/webdataset/. Python comes from Tools/reference-venv.sh (or PYTHON=...).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"

python=${PYTHON:-$(Tools/reference-venv.sh)}
exec "$python" Tools/bench/webdataset_bench.py --vidi "$vidi" "$@"
