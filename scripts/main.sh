#!/usr/bin/env bash
# The main job: install what is missing, build, calibrate this machine (quick plan, about ten
# seconds), fold the result into a scratch copy of the bundled database and show this machine's
# summary: measured against theoretical. Tracked files are never modified.
#
# A machine the database does not know gets a drafted entry in the scratch copy
# (add_hardware --from-detection). Its memory bandwidth is often unreadable without root (and
# never readable in a virtual machine): set HWCAL_PEAK_BANDWIDTH_GBPS to the datasheet figure
# to draft the entry; without it the job shows the measurements against the derived compute
# peaks only.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hwcal-main-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp -r hardware_database "$scratch/"
[[ -d profiles ]] && cp -r profiles "$scratch/"
database="$scratch/hardware_database"
profile="$scratch/this_machine.json"

build/apps/calibrate --database "$database" --plan quick --output "$profile"

id=$(sed -n 's/^  "hardware_id": "\(.*\)",$/\1/p' "$profile")
if [[ -z "$id" ]]; then
  echo
  echo "main: no entry for this machine; drafting one in the scratch database"
  draft=(build/apps/add_hardware --database "$database" --from-detection --id this_machine)
  if [[ -n "${HWCAL_PEAK_BANDWIDTH_GBPS:-}" ]]; then
    draft+=(--set "peak_bandwidth_gbps=${HWCAL_PEAK_BANDWIDTH_GBPS}")
  fi
  if "${draft[@]}" >"$scratch/draft.log" 2>&1; then
    id=this_machine
  else
    tail -n 3 "$scratch/draft.log"
    echo "main: no summary without an entry: set HWCAL_PEAK_BANDWIDTH_GBPS (datasheet GB/s) to"
    echo "      draft one; the table above compares with the derived compute peaks"
    exit 0
  fi
fi

echo
build/apps/export_calibration --database "$database" --calibration "$profile" --hardware-id "$id"
echo
build/apps/summarize_database --database "$database" --id "$id"
