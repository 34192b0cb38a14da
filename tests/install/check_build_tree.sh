#!/usr/bin/env bash
# The programs of a build folder find the database of the source tree they were built from, from
# any working folder and with HWCAL_DATABASE unset: an out-of-source build has no checkout above
# it to walk up to. HWCAL_DATABASE still comes first.
# Usage: check_build_tree.sh SOURCE_DIR SUMMARIZE_DATABASE SYNC_MAPPERS
set -euo pipefail
source_dir=$1 summarize=$2 sync_mappers=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/hwcal-build-tree-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"  # outside any checkout: walking up from here finds nothing
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

env -u HWCAL_DATABASE "$summarize" -v --id jetson_orin_nano_gpu >out.txt 2>log.txt ||
  { cat log.txt; fail "summarize_database without --database"; }
cat log.txt
grep -qF "database: $source_dir/hardware_database (the source tree of this build)" log.txt ||
  fail "summarize_database did not use the source tree's database"
grep -q "jetson_orin_nano_gpu" out.txt || fail "no summary of jetson_orin_nano_gpu"

# sync_mappers' headers are the source tree's too.
env -u HWCAL_DATABASE "$sync_mappers" --check | tee out.txt || fail "sync_mappers --check"
grep -qE "headers in include/hwcal/mappers: 0 stale, 0 edited by hand, 0 missing, 0 not backed" \
  out.txt || fail "sync_mappers did not check the source tree's headers"

fixture=$source_dir/tests/fixtures/databases/minimal
HWCAL_DATABASE=$fixture "$summarize" -v >out.txt 2>log.txt || fail "summarize_database"
grep -qF "database: $fixture (\$HWCAL_DATABASE)" log.txt || fail "HWCAL_DATABASE was not used"
echo "ok"
