#!/usr/bin/env bash
# Runs a Vidi pipeline as a Slurm job array: task i of N writes shards s with s % N == i into one shared
# output directory. vidi reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (and _MIN) itself, so the
# union of all tasks' shards equals a single-process run byte for byte.
#
#   sbatch --array=0-15 Tools/cluster/slurm-array.sh Pipelines/keyframes-motion.yaml manifest.csv /shared/out
#
# Failed or preempted tasks can simply be resubmitted (`sbatch --array=3,7 ...`): --resume skips the
# shards they finished. Size the array so N <= number of shards (manifest rows / output.samples_per_shard).
#SBATCH --job-name=vidi-run
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=vidi-run-%A_%a.log
set -euo pipefail

spec=${1:?usage: slurm-array.sh SPEC MANIFEST OUTPUT_DIR}
manifest=${2:?usage: slurm-array.sh SPEC MANIFEST OUTPUT_DIR}
output=${3:?usage: slurm-array.sh SPEC MANIFEST OUTPUT_DIR}
vidi=${VIDI:-vidi}

: "${SLURM_ARRAY_TASK_ID:?not inside a Slurm job array (submit with sbatch --array=0-N)}"
echo "task ${SLURM_ARRAY_TASK_ID} of ${SLURM_ARRAY_TASK_COUNT:-?} on $(hostname)"

# One worker per allocated core; exit status 1 (some videos failed) is not a task failure: the failures
# are listed in the shards' stats and failures.jsonl.
status=0
"$vidi" run "$spec" --input "$manifest" --output "$output" --workers "${SLURM_CPUS_PER_TASK:-1}" --resume || status=$?
if [ "$status" -eq 1 ]; then
  echo "some videos failed: see $output/failures.jsonl"
  exit 0
fi
exit "$status"
