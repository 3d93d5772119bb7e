#!/usr/bin/env bash
# Linear-probe experiment (BENCHMARKS.md "Pretext linear probe (synthetic actions)"), the whole protocol:
#  1. `vidi pretext synth-actions` makes a pretraining set and PROBE_SETS independent probe sets (train +
#     validation), each a textured square moving right/left/down/up over texture, encoded by vidi.
#  2. Pipelines/{mosi,hico,cmd}.yaml turn the pretraining videos into pretext shards (HiCo: one shard set per
#     progress 0, 0.5, 1 for its gradual sampling; CMD: two sets with different crops/flips).
#  3. `vidi train mosi|hico|cmd` pretrains the tiny backbone (AdamW 1e-3, 50 warm-up steps, then constant,
#     so a run stopped at a checkpoint equals a shorter run) for *_STEPS steps.
#  4. `vidi probe-eval` (frozen encoder, features standardised with the training split's statistics,
#     full-batch softmax regression) on every probe set, for random init and for each checkpoint;
#     results.jsonl gets one JSON line per (features, probe set) and a table of mean +- std is printed.
#   Tools/bench/probe_experiment.sh
#   MOSI_STEPS=400 HICO_STEPS=550 CMD_STEPS=450 PRETRAIN_VIDEOS=200 PROBE_TRAIN=200 PROBE_VAL=100 PROBE_SETS=3 \
#     Tools/bench/probe_experiment.sh
# A stage whose output exists is skipped, so a rerun after an interruption continues; FRESH=1 starts over.
# Heavy stages run under `nice -n 19` (shared machine). Data under Tools/bench/.data/actions.
set -euo pipefail
cd "$(dirname "$0")/../.."
MOSI_STEPS=${MOSI_STEPS:-400}; HICO_STEPS=${HICO_STEPS:-550}; CMD_STEPS=${CMD_STEPS:-450}
PRETRAIN_VIDEOS=${PRETRAIN_VIDEOS:-200}; PROBE_TRAIN=${PROBE_TRAIN:-200}; PROBE_VAL=${PROBE_VAL:-100}; PROBE_SETS=${PROBE_SETS:-3}
PROBE_STEPS=${PROBE_STEPS:-1000}; PROBE_LR=${PROBE_LR:-1e-2}
vidi=${VIDI:-}
if [ -z "$vidi" ]; then
  nice -n 19 swift build -c release --product vidi >&2
  vidi="$(swift build -c release --show-bin-path)/vidi"
fi
d=Tools/bench/.data/actions
[ "${FRESH:-0}" = 1 ] && rm -rf "$d"
mkdir -p "$d"
run() { nice -n 19 "$vidi" "$@"; }

# 1. Videos and their frame shards (16 uniform frames per video, what the probe reads).
videos() {  # name count seed
  [ -f "$d/$1/labels.csv" ] || run pretext synth-actions --out "$d/$1" --count "$2" --seed "$3" >&2
}
frames() {  # name
  [ -f "$d/$1-shards/00000_stats.json" ] && return
  printf 'name: action-frames\nstages:\n  - frames: {sampler: {uniform: 16}}\noutput:\n  samples_per_shard: 1000\n' > "$d/frames.yaml"
  run run "$d/frames.yaml" --input "$d/$1/labels.csv" --output "$d/$1-shards" --overwrite >/dev/null
}
videos pretrain "$PRETRAIN_VIDEOS" 1
for k in $(seq 1 "$PROBE_SETS"); do
  videos "probe$k-train" "$PROBE_TRAIN" $((100 + k)); videos "probe$k-val" "$PROBE_VAL" $((200 + k))
  frames "probe$k-train"; frames "probe$k-val"
done

# 2. Pretext shards from the pretraining videos (spec copies differ only in progress / seed).
pretext() {  # task name sed-expression
  [ -n "$(ls "$d/$2"/*_stats.json 2>/dev/null)" ] && return
  sed "$3" "Pipelines/$1.yaml" > "$d/$2.yaml"
  run run "$d/$2.yaml" --input "$d/pretrain/labels.csv" --output "$d/$2" --overwrite >/dev/null
}
pretext mosi mosi-shards 's/seed: 0/seed: 0/'
for p in 0 0.5 1; do pretext hico "hico-shards-$p" "s/progress: 0.5/progress: $p/"; done
for s in 0 1; do pretext cmd "cmd-shards-$s" "s/seed: 0/seed: $s/"; done
shards() { ls "$d"/$1/*.tar | paste -sd: - | sed 's/:/::/g'; }

# 3. Pretraining (tiny backbone, 8 frames at 32 x 32; the step counts are the budget).
pretrain() {  # task steps batch shards
  [ -f "$d/runs/$1/$1.safetensors" ] && return
  run train "$1" --shards "$4" --batch-size "$3" --steps "$2" --lr 1e-3 --warmup 50 --schedule constant \
    --seed 0 --checkpoint-dir "$d/runs/$1" | tail -1 >&2
}
pretrain mosi "$MOSI_STEPS" 2 "$(shards 'mosi-shards')"
pretrain hico "$HICO_STEPS" 8 "$(shards 'hico-shards-*')"
pretrain cmd "$CMD_STEPS" 8 "$(shards 'cmd-shards-*')"

# 4. Linear probes: the same protocol for random init and every checkpoint, on every probe set.
results="$d/results.jsonl"
: > "$results"
for features in random mosi hico cmd; do
  checkpoint=$([ "$features" = random ] && echo random || echo "$d/runs/$features/$features.safetensors")
  for k in $(seq 1 "$PROBE_SETS"); do
    run probe-eval --checkpoint "$checkpoint" --shards "$d/probe$k-train-shards/00000.tar" --val-shards "$d/probe$k-val-shards/00000.tar" \
      --input frames.npy --label-field label --classes 4 --batch-size 16 --steps "$PROBE_STEPS" --lr "$PROBE_LR" \
      --weight-decay 0 --seed "$k" --json | sed "s/^{/{\"encoder\":\"$features\",\"probe_set\":$k,/" >> "$results"
  done
done
python3 - "$results" "$d/runs" <<'PY'
import json, statistics, sys, os
rows = [json.loads(line) for line in open(sys.argv[1])]
def last_loss(task):
    path = os.path.join(sys.argv[2], task, "train_log.jsonl")
    if not os.path.exists(path): return "-"
    lines = [json.loads(l) for l in open(path) if l.strip()]
    first = statistics.mean(l["loss"] for l in lines[:20]); last = statistics.mean(l["loss"] for l in lines[-20:])
    return f"{first:.3f} -> {last:.3f}"
print("| features | pretext loss (mean of first -> last 20 steps) | probe val acc. (mean +- std over sets) | per set | probe train acc. |")
print("|---|---|---|---|---|")
for features in ["random", "mosi", "hico", "cmd"]:
    r = [x for x in rows if x["encoder"] == features]
    val = [x["val_accuracy"] for x in r]; train = [x["train_accuracy"] for x in r]
    spread = statistics.stdev(val) if len(val) > 1 else 0
    print(f"| {features} | {'-' if features == 'random' else last_loss(features)} | {statistics.mean(val):.3f} +- {spread:.3f} | "
          f"{' '.join(f'{v:.3f}' for v in val)} | {statistics.mean(train):.3f} |")
PY
