#!/usr/bin/env bash
# Pretext generation benchmark (release build): vidi run Pipelines/{mosi,hico,cmd}.yaml vs the numpy/PyAV
# peer (Tools/bench/pretext_baseline.py), 2 workers each, on a generated corpus under Tools/bench/.data.
#   Tools/bench/pretext_bench.sh [--count 24] [--repeats 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vidi >&2
vidi="$(swift build -c release --show-bin-path)/vidi"
python=${PYTHON:-$(Tools/reference-venv.sh)}
exec nice "$python" Tools/bench/pretext_bench.py --vidi "$vidi" "$@"
