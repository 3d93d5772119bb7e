#!/usr/bin/env bash
# The README's main command: installs what is missing, builds vidi (release), and runs
# Pipelines/demo.yaml over every file in Fixtures/media (the bad ones included, to show failure
# reporting), then says where the dataset is and how to read it, runs the text-to-video retrieval demo,
# and runs the bundled temporal action localizer on the bundled synthetic set (`vidi localize --demo`,
# prints its mAP).
#   Tools/demo.sh [OUTPUT_DIR]        (default: out/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-out/demo}

Tools/install-deps.sh
swift build -c release --product vidi
vidi="$(swift build -c release --show-bin-path)/vidi"

echo
echo "$ vidi run Pipelines/demo.yaml --input Fixtures/media --output $output --overwrite"
status=0
"$vidi" run Pipelines/demo.yaml --input Fixtures/media --output "$output" --overwrite || status=$?
# Exit status 1 means some videos failed: expected here, Fixtures/media holds broken files on purpose.
if [ "$status" -gt 1 ]; then exit "$status"; fi

echo
echo "Dataset: $output/"
ls -l "$output"
echo
echo "Each <shard>.tar is a WebDataset shard; one sample per video, its files sharing a key:"
tar -tvf "$output/00000.tar" | head -8
echo
echo "Read it in Python (numpy only):  python3 Tools/check_shards.py $output | head -c 600"
echo "Failed videos and why:           cat $output/failures.jsonl"

echo
echo "Text-to-video retrieval with the bundled small model over freshly generated clips:"
Tools/retrieval/demo-retrieval.sh "$vidi" "$output-retrieval"

echo
echo "Temporal action localization: the bundled RCL model (Models/rcl-synthetic.safetensors) on the bundled"
echo "synthetic held-out videos (Fixtures/localization/synthetic), scored with ActivityNet's mAP:"
echo "$ vidi localize --demo"
"$vidi" localize --demo
