#!/usr/bin/env bash
# Calibrate a Slurm cluster: one job array per node type, one array task per GPU
# (calibrate.sbatch: calibrate --gpu $SLURM_ARRAY_TASK_ID, each task with a node to itself), then
# one export job that depends on all of them (--dependency=afterany:...) and folds every profile
# of the shared folder into the database (export.sbatch). Prints the job ids.
#
#   deploy/slurm/submit.sh --profiles /shared/hwcal/profiles --gpus 8 \
#     --node-types "a100 h100" --database /shared/hwcal/checkout/hardware_database
#
# Options:
#   --profiles DIR      the shared profile folder (required; created)
#   --gpus N            array tasks per node type: GPUs 0..N-1 (default 1)
#   --throttle N        at most N tasks of each array at once (--array=0-7%N)
#   --node-types LIST   one array per Slurm node feature (--constraint=TYPE), space-separated
#   --partitions LIST   one array per partition (--partition=P) instead
#   --device D          cuda (default), cpu or all
#   --plan P            quick, standard (default) or full
#   --bin DIR           the programs' folder on the nodes (default /usr/bin)
#   --database DIR      the database the export writes into
#   --export-arg ARG    one more export_calibration argument (repeatable: --accept-noisy)
#   --sbatch-arg ARG    one more sbatch argument for every job (repeatable: --account=lab)
#   --no-exclusive      let a calibration share its node (measurements then vary with the load)
#   -- ARGS             calibrate's own arguments (--kernels ..., --time-budget ...)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
profiles='' gpus=1 throttle='' types=() type_option='' device=cuda plan=standard bin=/usr/bin
database=
export_args=() sbatch_args=() exclusive=(--exclusive) calibrate_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
  --profiles) profiles=$2; shift 2 ;;
  --gpus) gpus=$2; shift 2 ;;
  --throttle) throttle=%$2; shift 2 ;;
  --node-types) read -r -a types <<<"$2"; type_option=--constraint; shift 2 ;;
  --partitions) read -r -a types <<<"$2"; type_option=--partition; shift 2 ;;
  --device) device=$2; shift 2 ;;
  --plan) plan=$2; shift 2 ;;
  --bin) bin=$2; shift 2 ;;
  --database) database=$2; shift 2 ;;
  --export-arg) export_args+=("$2"); shift 2 ;;
  --sbatch-arg) sbatch_args+=("$2"); shift 2 ;;
  --no-exclusive) exclusive=(); shift ;;
  --) shift; calibrate_args=("$@"); break ;;
  -h | --help) usage ;;
  *) echo "submit.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
[[ -n $profiles ]] || { echo "submit.sh: --profiles DIR is required" >&2; exit 2; }
[[ $gpus =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: --gpus $gpus: not a count" >&2; exit 2; }
[[ -z $throttle || $throttle =~ ^%[1-9][0-9]*$ ]] ||
  { echo "submit.sh: --throttle ${throttle#%}: not a count" >&2; exit 2; }
mkdir -p "$profiles"
profiles=$(cd "$profiles" && pwd)
logs=$profiles.logs
mkdir -p "$logs"

export HWCAL_PROFILES=$profiles HWCAL_BIN=$bin HWCAL_DEVICE=$device HWCAL_PLAN=$plan
if [[ -n $database ]]; then
  HWCAL_DATABASE=$(cd "$database" && pwd)
  export HWCAL_DATABASE
fi

arrays=()
submit_array() {  # submit_array [--constraint=T | --partition=P]
  arrays+=("$(sbatch --parsable "${sbatch_args[@]}" "${exclusive[@]}" "$@" \
    --array="0-$((gpus - 1))$throttle" --output="$logs/hwcal-calibrate-%A_%a.out" \
    "$here/calibrate.sbatch" "${calibrate_args[@]}" | cut -d';' -f1)")
  echo "calibration array ${arrays[-1]}: $gpus task(s)${1:+ ($1)}"
}
if [[ ${#types[@]} == 0 ]]; then
  submit_array
else
  for type in "${types[@]}"; do
    submit_array "$type_option=$type"
  done
fi
dependency=afterany$(printf ':%s' "${arrays[@]}")
export_job=$(sbatch --parsable "${sbatch_args[@]}" --dependency="$dependency" \
  --output="$logs/hwcal-export-%j.out" "$here/export.sbatch" "${export_args[@]}" | cut -d';' -f1)
echo "export job $export_job (--dependency=$dependency)"
echo "profiles: $profiles; job output: $logs"
