#!/usr/bin/env bash
# Parallel exports merge through git (docs/fleet.md): in a temporary repository holding a small
# database, branch `one` exports profile A and branch `two` exports profile B into the same entry
# and power mode. With the repository's .gitattributes and the merge driver registered,
# `git merge two` into `one` completes without a conflict and its tree is byte for byte the tree
# of branch `both`, which exported A and B in one go. Without the driver the same merge
# conflicts (so the driver is what makes it clean). Then both sides change a datasheet figure
# differently: the driver leaves the entry conflicted, names the field, and exits non-zero.
#
# Usage: check_git_merge.sh EXPORT_CALIBRATION SUMMARIZE_DATABASE SOURCE_DIR
set -euo pipefail

export_bin=$1
summarize_bin=$2
source_dir=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
mkdir -p "$repo"
cd "$repo"

fail() { echo "FAIL: $*" >&2; exit 1; }

git init -q -b main .
git config user.email hwcal-test@example.invalid
git config user.name "hwcal test"
git config commit.gpgsign false
cp -r "$source_dir/tests/fixtures/databases/minimal" hardware_database
cp -r "$source_dir/tests/fixtures/databases/profiles" profiles
cp "$source_dir/.gitattributes" .gitattributes
cp "$source_dir/.gitignore" .gitignore  # the lock and journal files export leaves
git add -A
git commit -q -m "base: the database with one calibrated entry"
git config merge.hwcal-entry.driver "$export_bin merge-entry %O %A %B %P"

entry=hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json
# Two runs of the Orin Nano GPU at 25W: calibrate's, and the predecessor tool's (converted).
run_a=$source_dir/tests/fixtures/profiles/jetson_orin_nano_gpu_25W.json
run_b=$source_dir/tests/fixtures/legacy_profiles/nvidia/jetson_orin_nano/25W/nvidia_jetson_orin_nano_gpu_pytorch.json

export_runs() {
  "$export_bin" --database hardware_database --hardware-id jetson_orin_nano_gpu --power-mode 25W \
    --quiet --calibration "$@"
}

git checkout -q -b one main
export_runs "$run_a"
git add -A && git commit -q -m "export run A"

git checkout -q -b two main
export_runs "$run_b"
git add -A && git commit -q -m "export run B"

git checkout -q -b both main
export_runs "$run_a" "$run_b"
git add -A && git commit -q -m "export runs A and B together"

# The links of the mode on each branch: the merge must hold both.
links() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["calibration_profiles"]["power_modes"]["25W"]))' "$entry"; }
git checkout -q one
echo "one:  $(links)"
git checkout -q two
echo "two:  $(links)"
git checkout -q both
echo "both: $(links)"

# Without the driver: git's text merge conflicts in the entry.
git checkout -q -b textual one
git config --unset merge.hwcal-entry.driver
if git merge --no-edit -q two >/dev/null 2>&1; then
  fail "without the merge driver the merge was clean too: the test proves nothing"
fi
echo "without the driver: conflict in $(git diff --name-only --diff-filter=U)"
git merge --abort
git config merge.hwcal-entry.driver "$export_bin merge-entry %O %A %B %P"

# With the driver: clean, and identical to the one-branch export.
git checkout -q one
git merge --no-edit two || fail "git merge with the driver did not complete"
[ -z "$(git diff --name-only --diff-filter=U)" ] || fail "unmerged paths after the merge"
echo "merged: $(links)"
if ! git diff --exit-code both HEAD; then
  fail "the merge differs from exporting both runs on one branch (diff above)"
fi
cmp <(git show both:"$entry") "$entry" || fail "the merged entry is not byte-identical"
"$summarize_bin" --database hardware_database --check --quiet ||
  fail "summarize_database --check fails on the merged database"
echo "merge of one and two == both: byte-identical ($(git rev-parse both^{tree}) == $(git rev-parse HEAD^{tree}))"

# Both sides change a datasheet figure differently: a conflict the driver cannot resolve.
set_bandwidth() {
  python3 - "$entry" "$1" <<'PY'
import re, sys
path, value = sys.argv[1], sys.argv[2]
text = open(path).read()
new, count = re.subn(r'^(  "peak_bandwidth_gbps": )[0-9.]+', r'\g<1>' + value, text, count=1, flags=re.M)
assert count == 1, "no top-level peak_bandwidth_gbps"
open(path, "w").write(new)
PY
}
git checkout -q -b fix-a main
set_bandwidth 110.0
export_runs "$run_a"
git add -A && git commit -q -m "bandwidth 110 and run A"
git checkout -q -b fix-b main
set_bandwidth 120.0
export_runs "$run_b"
git add -A && git commit -q -m "bandwidth 120 and run B"
if git merge --no-edit fix-a >"$work/merge.log" 2>&1; then
  cat "$work/merge.log"
  fail "different datasheet figures on both sides merged without a conflict"
fi
cat "$work/merge.log"
[ "$(git diff --name-only --diff-filter=U)" = "$entry" ] || fail "the entry is not left conflicted"
grep -q '^<<<<<<< ours' "$entry" || fail "no conflict markers in the entry"
grep -q '/peak_bandwidth_gbps: ours 120.0, theirs 110.0' "$work/merge.log" ||
  fail "the driver did not name the conflicting field"
echo "datasheet conflict: left conflicted, field named"
echo "PASS"
