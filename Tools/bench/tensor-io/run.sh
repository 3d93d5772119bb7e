#!/usr/bin/env bash
# Builds the harness in release, runs it and the Python peers on the same files, prints both and ratios.
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-$(../reference-venv.sh)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release >/dev/null
ours="$(.build/release/TensorIOBench "$work")"
peers="$("$python" peers.py "$work")"
echo "vidi:  $ours"
echo "peers: $peers"
"$python" - "$ours" "$peers" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pairs = [("safetensors open+view all", "safetensors_open_all_s", "safetensors_load_file_s"),
         ("safetensors open+read+sum", "safetensors_open_sum_s", "safetensors_load_sum_s"),
         ("safetensors write", "safetensors_write_s", "safetensors_save_file_s"),
         ("sort 1000x1000 (stable) vs torch", "sort_1000x1000_s", "torch_sort_stable_1000x1000_s"),
         ("sort 1000x1000 (stable) vs numpy", "sort_1000x1000_s", "numpy_sort_stable_1000x1000_s"),
         ("topk 10 of 1000x1000", "topk10_1000x1000_s", "torch_topk10_1000x1000_s"),
         ("Adam step 25.6M", "adam_step_25.6M_s", "torch_adam_step_25.6M_s"),
         ("SGD momentum step 25.6M", "sgd_momentum_step_25.6M_s", "torch_sgd_momentum_step_25.6M_s")]
print(f"{'operation':36} {'vidi s':>10} {'peer s':>10} {'peer/vidi':>10}")
for label, a, b in pairs:
    print(f"{label:36} {o[a]:10.4f} {p[b]:10.4f} {p[b] / o[a]:10.2f}")
PY
