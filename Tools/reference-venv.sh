#!/usr/bin/env bash
# Creates (once) the Python environment that makes golden fixtures and runs peers in benchmarks:
# numpy, PyTorch (CPU), torchvision, torchcodec, PyAV, decord, safetensors, webdataset — all from PyPI
# (torchvision and torchcodec are the model-input benchmark's peers). Tests never need it:
# they read the committed goldens. Prints the interpreter's path.
#   Tools/reference-venv.sh            -> .venv-ref/bin/python
#   VIDI_REFERENCE_VENV=DIR Tools/reference-venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VIDI_REFERENCE_VENV:-.venv-ref}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --upgrade pip >&2
fi
if ! "$venv/bin/python" -c "import numpy, torch, torchvision, torchcodec, av, decord, safetensors, webdataset" 2>/dev/null; then
  "$venv/bin/pip" install -q numpy torch torchvision torchcodec av decord safetensors webdataset >&2
fi
echo "$(cd "$venv" && pwd)/bin/python"  # absolute: callers run from anywhere
