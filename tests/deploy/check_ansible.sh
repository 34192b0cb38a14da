#!/usr/bin/env bash
# deploy/ansible/calibrate.yml run twice against three hosts on this machine (connection local):
#   workstation  calibrate with the x86 workstation fixture's sysroot (a 12700K)
#   jetson       a copy of the Jetson Orin Nano fixture with the fake nvpmodel: every power mode
#                (--all-power-modes; 7W asks for a reboot and is skipped)
#   broken       a calibrate that fails (an unknown kernel)
# with a tiny plan (--kernels cpu_stream_triad --time-budget 1) and the build's programs
# (hwcal_install=none). The first run fetches 1 + 3 profiles, exports them once into a copy of the
# bundled database, reports the broken host and fails at the end because of it (exit 2) without
# stopping the others; the second run changes nothing (changed=0 for every host in the recap),
# exports nothing and leaves the database as it was.
# Usage: check_ansible.sh SOURCE_DIR PROGRAMS_DIR. Exit 77 (skipped) without ansible-playbook.
set -euo pipefail
source_dir=$1 programs=$2
if ! command -v ansible-playbook >/dev/null; then
  echo "SKIP: ansible-playbook is not installed (scripts/setup.sh --tests installs Debian's ansible)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hwcal-ansible-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
fixtures=$source_dir/tests/fixtures
cp -r "$fixtures/machines/jetson_orin_nano_25w" "$work/board"  # the fake nvpmodel writes its status
mkdir "$work/checkout"
cp -r "$source_dir/hardware_database" "$source_dir/profiles" "$work/checkout/"
database=$work/checkout/hardware_database

cat >"$work/inventory.yml" <<EOF
hwcal:
  vars:
    ansible_connection: local
    ansible_python_interpreter: $(command -v python3)
    hwcal_install: none
    hwcal_bin_dir: $programs
    hwcal_become: false
    hwcal_plan: quick
    hwcal_remote_dir: $work/hosts/{{ inventory_hostname }}
    tiny: [--device, cpu, --kernels, cpu_stream_triad, --time-budget, "1"]
  hosts:
    workstation:
      hwcal_jetson: false
      hwcal_calibrate_args: "{{ tiny + ['--sysroot', '$fixtures/machines/x86_workstation'] }}"
    jetson:
      hwcal_jetson: true
      hwcal_calibrate_args: >-
        {{ tiny + ['--sysroot', '$work/board', '--nvpmodel',
                   '$fixtures/nvpmodel/fake_nvpmodel.sh', '--power-mode-settle', '0'] }}
      hwcal_calibrate_environment:
        FAKE_NVPMODEL_STATUS: $work/board/var/lib/nvpmodel/status
        FAKE_NVPMODEL_REBOOT: "3"
    broken:
      hwcal_jetson: false
      hwcal_calibrate_args: [--device, cpu, --kernels, no_such_kernel]
EOF
cat >"$work/extra.json" <<EOF
{"hwcal_fetch_dir": "$work/fetched", "hwcal_controller_bin_dir": "$programs",
 "hwcal_export_database": "$database",
 "hwcal_export_args": ["--accept-noisy", "--allow-over-peak"]}
EOF

export ANSIBLE_CONFIG=$source_dir/deploy/ansible/ansible.cfg ANSIBLE_NOCOLOR=1
export ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_REMOTE_TEMP=$work/ansible-tmp
export ANSIBLE_HOME=$work/ansible-home
unset HWCAL_DATABASE
playbook() {  # playbook LOG: one run; its exit status
  local status=0
  ansible-playbook -i "$work/inventory.yml" -e "@$work/extra.json" \
    "$source_dir/deploy/ansible/calibrate.yml" >"$work/$1" 2>&1 || status=$?
  sed -n '/^PLAY RECAP/,$p' "$work/$1"
  return $status
}
# recap LOG HOST FIELD: the number in HOST's recap line.
recap() {
  sed -n "/^PLAY RECAP/,\$s/^$2 *:.* $3=\([0-9]*\).*/\1/p" "$work/$1"
}
snapshot() { (cd "$work/checkout" && find . -type f -exec md5sum {} + | sort); }

touch "$work/started"  # what the export stores is newer
echo "== first run"
status=0
playbook first.log || status=$?
[[ $status == 2 ]] || { cat "$work/first.log"; fail "the first run exited $status, not 2 (broken fails)"; }
for host in workstation jetson; do
  [[ $(recap first.log $host failed) == 0 && $(recap first.log $host unreachable) == 0 ]] ||
    { cat "$work/first.log"; fail "$host failed"; }
  [[ $(recap first.log $host changed) -ge 2 ]] || fail "$host: calibrate and fetch changed nothing"
done
[[ $(recap first.log broken rescued) == 1 ]] || { cat "$work/first.log"; fail "broken was not rescued"; }
grep -q "2 of 3 hosts calibrated; export: ran; broken: failed in 'Calibrate.*unknown kernel 'no_such_kernel'" \
  "$work/first.log" || { cat "$work/first.log"; fail "the report does not name the broken host"; }
exports=$(grep -A1 'TASK \[hwcal_calibration : Export every fetched profile' "$work/first.log" |
  grep -c '^changed: \[localhost\]' || true)
[[ $exports == 1 ]] || { cat "$work/first.log"; fail "exported $exports times, not once"; }

# Fetched: one profile from the workstation, one per calibrated mode from the Jetson.
(cd "$work/fetched" && find . -name '*.json' | sort) | tee "$work/fetched.txt"
stamp='[0-9]{8}T[0-9]{6}Z'
[[ $(grep -cE "^\./workstation/1/${stamp}(_[0-9a-f]{8})?-cpu\.json$" "$work/fetched.txt") == 1 ]] ||
  fail "not one profile from workstation"
for mode in 15W 25W MAXN_SUPER; do
  [[ $(grep -cE "^\./jetson/1/${stamp}(_[0-9a-f]{8})?-$mode-cpu\.json$" "$work/fetched.txt") == 1 ]] ||
    fail "not one $mode profile from jetson"
done
[[ $(wc -l <"$work/fetched.txt") == 4 ]] || fail "fetched more than the 4 profiles"
[[ ! -e $work/fetched/broken ]] || fail "fetched something from the broken host"

# Exported: export_calibration stores each profile as <UTC time>.json in its entry's mode folder
# and links it from the entry.
exported() {  # exported VENDOR/ID MODE COUNT
  local folder=$work/checkout/profiles/$1/$2 entry
  local stored
  stored=$(find "$folder" -name '*.json' -newer "$work/started" | wc -l)
  [[ $stored == "$3" ]] || fail "$stored new profiles in $folder, not $3"
  entry=$(find "$database" -name "${1#*/}.json")
  while read -r file; do
    grep -qF "$(basename "$file")" "$entry" || fail "$entry does not link $file"
  done < <(find "$folder" -name '*.json' -newer "$work/started")
}
exported intel/intel_core_i7_12700k default 1
for mode in 15W 25W MAXN_SUPER; do
  exported nvidia/jetson_orin_nano_cpu "$mode" 1
done
before=$(snapshot)
manifest=$(cat "$work/fetched/exported.txt")

echo "== second run"
status=0
playbook second.log || status=$?
[[ $status == 2 ]] || { cat "$work/second.log"; fail "the second run exited $status, not 2"; }
for host in workstation jetson broken localhost; do
  [[ $(recap second.log $host changed) == 0 ]] ||
    { cat "$work/second.log"; fail "the second run changed $host"; }
done
grep -A1 'TASK \[hwcal_calibration : Export every fetched profile' "$work/second.log" |
  grep -q '^skipping: \[localhost\]' || { cat "$work/second.log"; fail "the second run exported"; }
grep -q "2 of 3 hosts calibrated; export: nothing new to export; broken: failed" "$work/second.log" ||
  fail "the second run's report"
[[ $(snapshot) == "$before" ]] || fail "the second run changed the database"
[[ $(cat "$work/fetched/exported.txt") == "$manifest" ]] || fail "the second run rewrote exported.txt"
echo "ok: profiles fetched from 2 hosts (1 + 3 power modes), exported once, broken reported;" \
  "second run: changed=0 everywhere"
