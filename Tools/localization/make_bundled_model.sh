#!/bin/sh
# Makes the bundled localizer and demo data that `vidi localize --demo` uses:
#   Sources/VidiLocalization/Resources/rcl-synthetic.safetensors            RCL (continuous anchors, K = 2, boundary and interior readout), 600 steps on the synthetic set
#   Sources/VidiLocalization/Resources/demo/            the first 40 held-out videos (features + annotations.json)
# Same settings as Tools/localization/compare_heads.sh (its "rcl" row); pass MODEL=path to bundle an
# already-trained checkpoint from that script instead of training again.
#   Tools/localization/make_bundled_model.sh     (after: swift build -c release --product vidi)
set -eu
VIDI=${VIDI:-.build/release/vidi}
WORK=${WORK:-/tmp/vidi-localize-bundle}
mkdir -p "$WORK" Sources/VidiLocalization/Resources/demo/features
"$VIDI" synth localization --out "$WORK/synth" --train 600 --validation 200 --seed 7
if [ -z "${MODEL:-}" ]; then
    MODEL="$WORK/rcl.safetensors"
    "$VIDI" pack localization --features "$WORK/synth/features" --gt "$WORK/synth/annotations.json" --grid 64 --out "$WORK/shards"
    nice "$VIDI" train localize --shards "$WORK/shards/training-{000000..000005}.tar" --head rcl --refine 2 \
        --batch-size 8 --steps 600 --lr 1e-3 --schedule constant --weight-decay 0 --seed 1 --shuffle-buffer 600 \
        --checkpoint-dir "$WORK/run" --out "$MODEL"
fi
cp "$MODEL" Sources/VidiLocalization/Resources/rcl-synthetic.safetensors
python3 - "$WORK/synth" Sources/VidiLocalization/Resources/demo <<'PY'
import json, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
gt = json.load(open(src + "/annotations.json"))
keep = [k for k, v in gt["database"].items() if v["subset"] == "validation"][:40]
gt["database"] = {k: gt["database"][k] for k in keep}
json.dump(gt, open(dst + "/annotations.json", "w"))
for k in keep:
    shutil.copy(f"{src}/features/{k}.npy", f"{dst}/features/{k}.npy")
PY
echo "bundled Sources/VidiLocalization/Resources/rcl-synthetic.safetensors and $(ls Sources/VidiLocalization/Resources/demo/features | wc -l) demo videos"
