#!/usr/bin/env bash
# Retrieval demo with the bundled small model: generates seeded synthetic clips the model never saw,
# indexes them, and answers text queries (their captions, plus free text) with the right clip.
#   Tools/retrieval/demo-retrieval.sh VIDI OUTPUT_DIR
set -euo pipefail
vidi=$1
out=$2
mkdir -p "$out"
"$vidi" synth-clips --out "$out/clips" --count 24 --seed 7 >/dev/null
echo "$ vidi index build --input $out/clips --out $out/clips.vidx"
"$vidi" index build --input "$out/clips" --out "$out/clips.vidx" 2>/dev/null
"$vidi" index info "$out/clips.vidx"
right=0; total=0
while IFS=$'\t' read -r id caption; do
  top=$("$vidi" search --index "$out/clips.vidx" "$caption" --top 1 --json | sed -e 's/.*"id":"\([^"]*\)".*/\1/')
  total=$((total + 1))
  if [ "$(basename "$top" .mp4)" = "$id" ]; then right=$((right + 1)); mark=ok; else mark="got $(basename "$top" .mp4)"; fi
  printf '  %-48s -> %s (%s)\n' "\"$caption\"" "$id" "$mark"
done < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
seen = set()
for s in d["sentences"]:
    if s["caption"] not in seen and len(seen) < 8:
        seen.add(s["caption"]); print(s["video_id"] + "\t" + s["caption"])
' "$out/clips/captions.json")
echo "top-1 right for $right of $total captions (ids of clips sharing a caption count as wrong)"
echo
echo "$ vidi search --index $out/clips.vidx \"a yellow circle moves down\" --top 3"
"$vidi" search --index "$out/clips.vidx" "a yellow circle moves down" --top 3
