#!/usr/bin/env bash
# The main job: install what is missing, build, calibrate this machine (quick plan, about ten
# seconds), fold the result into a scratch copy of the bundled database and show this machine's
# summary: measured against theoretical, with where each theoretical figure came from. Tracked
# files are never modified; what the job makes stays in build/this_machine/ for the next command.
#
# A machine the database does not know gets an entry drafted in the scratch copy
# (add_hardware --from-detection): peaks derived from its core design, or from its CPU flags;
# its DRAM bandwidth when SMBIOS is readable, else marked unknown with the reason (set
# HWCAL_PEAK_BANDWIDTH_GBPS to the datasheet figure to give it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh

out=build/this_machine
rm -rf "$out"
mkdir -p "$out"
cp -r hardware_database "$out/"
[[ -d profiles ]] && cp -r profiles "$out/"
database="$out/hardware_database"
profile="$out/this_machine.json"

build/apps/calibrate --database "$database" --plan quick --output "$profile"

id=$(sed -n 's/^  "hardware_id": "\(.*\)",$/\1/p' "$profile")
if [[ -z "$id" ]]; then
  id=this_machine
  echo
  echo "main: no entry for this machine; drafting one ($id) in the scratch database"
  draft=(build/apps/add_hardware --database "$database" --from-detection --id "$id")
  if [[ -n "${HWCAL_PEAK_BANDWIDTH_GBPS:-}" ]]; then
    draft+=(--set "peak_bandwidth_gbps=${HWCAL_PEAK_BANDWIDTH_GBPS}")
  fi
  if ! "${draft[@]}" >"$out/draft.log" 2>&1; then
    cat "$out/draft.log" >&2
    echo "main: add_hardware could not draft an entry (above); the profile is kept at $profile" >&2
    exit 1
  fi
  grep -E '^(to fill|  - )' "$out/draft.log" | head -n 12 || true
fi

echo
# A first answer even on a shared machine: a noisy run is exported all the same (the quality line
# above and the summary's quality say so); export refuses noisy runs without --accept-noisy.
build/apps/export_calibration --database "$database" --calibration "$profile" --hardware-id "$id" \
  --accept-noisy
echo
build/apps/summarize_database --database "$database" --id "$id"

echo
if grep -qw hypervisor /proc/cpuinfo 2>/dev/null; then
  echo "main: this is a virtual machine: the figures are for the slice of the host it was given."
fi
echo "main: the profile is kept at $profile and the scratch database at $database; for example"
echo "  build/apps/summarize_database --database $database --id $id --format html --output $out/summary.html"
