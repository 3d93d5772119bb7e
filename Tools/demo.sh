#!/usr/bin/env bash
# The README's main command: installs what is missing, builds vidi (release), and runs
# Pipelines/demo.yaml over every file in Fixtures/media (the bad ones included, to show failure
# reporting), then says where the dataset is and how to read it, extracts one video's keyframes in one
# pass (`vidi keyframes`), runs the text-to-video retrieval demo,
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
tar -tvf "$output/00000.tar" | sed -n "1,8p"  # sed reads to the end: no SIGPIPE under pipefail
echo
echo "Read it in Python (numpy only):  python3 Tools/check_shards.py $output | head -c 600"
echo "Failed videos and why:           cat $output/failures.jsonl"

# Keyframes of one open-GOP B-frame video in one pass over its packets (no index scan, no P/B frame decoded).
echo
echo "$ vidi keyframes Fixtures/media/h264-bframes-opengop.mp4 --out $output-keyframes"
"$vidi" keyframes Fixtures/media/h264-bframes-opengop.mp4 --out "$output-keyframes"
ls "$output-keyframes" | sed -n "1,5p"

echo
echo "Text-to-video retrieval with the bundled small model over freshly generated clips:"
Tools/retrieval/demo-retrieval.sh "$vidi" "$output-retrieval"
# Self-supervised pretext data from the bundled fixtures: MoSI stacks from an image, HiCo triples and CMD
# samples (clip, future motion maps, negatives, keyframe) from the known-motion pans.
for task in mosi hico cmd; do
  echo
  echo "$ vidi run Pipelines/$task.yaml --output $output-$task --overwrite"
  "$vidi" run "Pipelines/$task.yaml" --output "$output-$task" --overwrite
  tar -tvf "$output-$task/00000.tar" | sed -n "1,5p"  # sed reads to the end: no SIGPIPE under pipefail
done
echo
echo "One sample for inspection: vidi pretext mosi --image Fixtures/images/texture.png --out out/mosi-one"

# Video object segmentation: two synthetic sequences, segmented from their first-frame masks by the bundled
# small model with the constant-size RDE memory, scored as the DAVIS 2017 evaluation scores them.
# (The bundled model is small and briefly trained on synthetic shapes: see BENCHMARKS.md for its J&F.)
vos="$output-vos"
rm -rf "$vos"
echo
echo "$ vidi synth vos --out $vos --sequences 2 --frames 24 --size 192x128 --seed 2"
"$vidi" synth vos --out "$vos" --sequences 2 --frames 24 --size 192x128 --seed 2 --set val
for video in "$vos"/videos/*.mp4; do
  name=$(basename "$video" .mp4)
  echo "$ vidi segment $video --mask $vos/Annotations/480p/$name/00000.png --out $vos/results/$name"
  "$vidi" segment "$video" --mask "$vos/Annotations/480p/$name/00000.png" --out "$vos/results/$name"
done
echo "$ vidi eval davis --davis-path $vos --results-path $vos/results --set val"
"$vidi" eval davis --davis-path "$vos" --results-path "$vos/results" --set val

echo
echo "Temporal action localization: the bundled RCL model (Sources/VidiLocalization/Resources/rcl-synthetic.safetensors) on the bundled"
echo "synthetic held-out videos (Sources/VidiLocalization/Resources/demo), scored with ActivityNet's mAP:"
echo "$ vidi localize --demo"
"$vidi" localize --demo
