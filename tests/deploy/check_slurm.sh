#!/usr/bin/env bash
# deploy/slurm/submit.sh on a single-node Slurm that this test starts (munged, slurmctld, slurmd
# from Debian's munge and slurm-wlm, each with its own key, sockets, ports and state in a
# temporary folder) and stops at its end, whatever happens: two node types (features of the one
# node) with two array tasks each, calibrating the CPU with the x86 workstation fixture's sysroot
# and a tiny plan, then the export job that depends on both arrays. Every array task and the
# export job must complete, the 4 profiles land in the shared folder by node and task, and the
# export stores them in a copy of the bundled database.
# Usage: check_slurm.sh SOURCE_DIR PROGRAMS_DIR. Exit 77 (skipped) unless root with the daemons.
set -euo pipefail
source_dir=$1 programs=$2
skip() {
  echo "SKIP: $*"
  exit 77
}
[[ $(id -u) == 0 ]] || skip "a single-node Slurm needs root to start slurmd (CI runs as root)"
for program in munged munge slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$program" >/dev/null || PATH=$PATH:/usr/sbin command -v "$program" >/dev/null ||
    skip "$program is not installed (scripts/setup.sh --tests installs slurm-wlm and munge)"
done
export PATH=$PATH:/usr/sbin

# munged wants its socket's folder reachable by everyone, and Slurm writes as root: a folder of
# our own under /tmp, not under a build folder that may sit in a private home.
work=$(mktemp -d /tmp/hwcal-slurm-test.XXXXXX)
chmod 755 "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# pid FILE: the pid a daemon wrote, if that process still runs.
pid() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null && cat "$1"; }
stop() {
  set +e
  if [[ -s $work/slurm.conf ]]; then
    SLURM_CONF=$work/slurm.conf timeout 10 scontrol shutdown >/dev/null 2>&1
  fi
  for file in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
    for _ in $(seq 50); do
      pid "$file" >/dev/null || break
      [[ $file == */munged.pid ]] && kill "$(cat "$file")" 2>/dev/null
      sleep 0.2
    done
    if p=$(pid "$file"); then
      echo "stopping $file's process $p by force" >&2
      kill -9 "$p" 2>/dev/null
    fi
  done
  if [[ ${keep_logs:-0} == 1 ]]; then
    tail -n 20 "$work"/log/*.log "$work/munge/munged.log" 2>/dev/null
  fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 1' INT TERM

# munge: a fresh key, our own socket.
mkdir -m 0700 "$work/munge"
mkdir -m 0755 "$work/munge-socket"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$work/munge/munge.key"
socket=$work/munge-socket/munge.socket
munged --key-file="$work/munge/munge.key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" ||
  { cat "$work/munge/munged.log"; fail "munged did not start"; }
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null || fail "munge does not work"

# Two free ports for slurmctld and slurmd.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
ports = []
sockets = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); sockets.append(s); ports.append(s.getsockname()[1])
print(*ports)')
host=$(hostname -s)
mkdir -p "$work/state" "$work/spool" "$work/log"
# slurmd -C describes this machine (CPUs, memory); the node is given two features, the "node
# types" of the test.
node=$(slurmd -C | head -n 1)
cat >"$work/slurm.conf" <<EOF
ClusterName=hwcaltest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=3600
$node NodeAddr=127.0.0.1 Features=pc,workstation
PartitionName=hwcal Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
keep_logs=1
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  sleep 1
done
[[ $state == idle ]] || fail "the node is '$state', not idle, after 60 s"
echo "single-node Slurm up: $(sinfo -h -o '%P %D %T %N %f')"

# The shared folder and a database to export into.
mkdir "$work/checkout"
cp -r "$source_dir/hardware_database" "$source_dir/profiles" "$work/checkout/"
unset HWCAL_DATABASE
touch "$work/submitted"  # what the export stores is newer
bash "$source_dir/deploy/slurm/submit.sh" --profiles "$work/shared/profiles" --gpus 2 \
  --node-types "pc workstation" --device cpu --plan quick --bin "$programs" \
  --database "$work/checkout/hardware_database" --export-arg --accept-noisy \
  --export-arg --allow-over-peak -- --kernels cpu_stream_triad --time-budget 1 \
  --sysroot "$source_dir/tests/fixtures/machines/x86_workstation" | tee "$work/submit.txt"
mapfile -t arrays < <(sed -n 's/^calibration array \([0-9]*\):.*/\1/p' "$work/submit.txt")
export_job=$(sed -n 's/^export job \([0-9]*\) .*/\1/p' "$work/submit.txt")
[[ ${#arrays[@]} == 2 && -n $export_job ]] || fail "submit.sh did not submit two arrays and an export"
grep -qF -- "--dependency=afterany:${arrays[0]}:${arrays[1]}" "$work/submit.txt" ||
  fail "the export does not depend on both arrays"

# job_states JOB: the state of each of its jobs (an array: each task), one per line.
job_states() {
  scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}
for _ in $(seq 300); do
  state=$(job_states "$export_job")
  [[ $state =~ ^(PENDING|CONFIGURING|RUNNING|COMPLETING)$ ]] || break
  sleep 1
done
for job in "${arrays[@]}" "$export_job"; do
  scontrol show job -o "$job" | grep -oE '^JobId=[0-9]+|ArrayTaskId=[0-9]+|JobName=[^ ]+|JobState=[A-Z]+' |
    paste -sd' ' | sed 's/ JobId=/\nJobId=/g'
done | tee "$work/states.txt"
for job in "${arrays[@]}"; do
  states=$(job_states "$job")
  [[ $(grep -c . <<<"$states") == 2 ]] || fail "array $job has not 2 tasks: $states"
  if grep -vx COMPLETED <<<"$states"; then
    cat "$work/shared/profiles.logs/hwcal-calibrate-${job}"_*.out
    fail "array $job: not every task completed"
  fi
done
[[ $(job_states "$export_job") == COMPLETED ]] ||
  { cat "$work/shared/profiles.logs"/hwcal-export-*.out; fail "the export job did not complete"; }
cat "$work/shared/profiles.logs"/hwcal-export-*.out

# 2 arrays x 2 tasks, one CPU profile each, in <node>/<job>_<task>/.
(cd "$work/shared/profiles" && find . -name '*.json' | sort) | tee "$work/profiles.txt"
[[ $(wc -l <"$work/profiles.txt") == 4 ]] || fail "not 4 profiles in the shared folder"
for job in "${arrays[@]}"; do
  for task in 0 1; do
    grep -qE "^\./$host/${job}_$task/[0-9]{8}T[0-9]{6}Z(_[0-9a-f]{8})?(-[a-z]+)?-cpu\.json\$" "$work/profiles.txt" ||
      fail "no profile of array task ${job}_$task"
  done
done
[[ ! -e $work/shared/profiles.incomplete ]] || [[ -z $(ls "$work/shared/profiles.incomplete") ]] ||
  fail "a task left a staging folder"
# Exported: export_calibration stores each as <UTC time>.json in the entry's mode folder.
folder=$work/checkout/profiles/intel/intel_core_i7_12700k/default
stored=$(find "$folder" -name '*.json' -newer "$work/submitted" | wc -l)
[[ $stored == 4 ]] || fail "the export stored $stored profiles in $folder, not 4"
keep_logs=0
echo "ok: arrays ${arrays[*]} (2 tasks each) and export job $export_job completed; 4 profiles exported"
