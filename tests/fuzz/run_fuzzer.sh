#!/usr/bin/env bash
# Runs one reader's fuzzer from its seed corpus for HWCAL_FUZZ_SECONDS (default 10) and says how
# many inputs it ran. Fails on any finding (crash, uncaught exception, leak, UB, timeout, memory
# blow-up), naming the reproducer it keeps under WORK/artifacts/.
# Usage: run_fuzzer.sh FUZZER READER SOURCE_DIR WORK
#   seeds: every *.json under the folders tests/fuzz/seeds.txt lists for READER, and the committed
#   reproducers in tests/fuzz/regressions/READER/, copied into WORK/corpus (which keeps what
#   earlier runs found, so longer runs build on shorter ones).
# HWCAL_FUZZ_SECONDS: how long to fuzz; HWCAL_FUZZ_ARGS: more libFuzzer flags.
set -euo pipefail
fuzzer=$1 reader=$2 source_dir=$3 work=$4
seconds=${HWCAL_FUZZ_SECONDS:-10}

if [[ ! -x $fuzzer ]]; then
  echo "run_fuzzer: $fuzzer is not built (the fuzz.build test builds it)" >&2
  exit 1
fi
mkdir -p "$work/corpus" "$work/artifacts"
seed_dirs=()
while read -r name folder; do
  [[ $name == "$reader" ]] && seed_dirs+=("$source_dir/$folder")
done < <(grep -v '^#' "$source_dir/tests/fuzz/seeds.txt")
[[ -d $source_dir/tests/fuzz/regressions/$reader ]] &&
  seed_dirs+=("$source_dir/tests/fuzz/regressions/$reader")
seeds=0
while IFS= read -r -d '' file; do
  # Named by content, as libFuzzer names what it adds: no clash between folders.
  cp "$file" "$work/corpus/seed-$(sha1sum < "$file" | cut -c1-40)"
  seeds=$((seeds + 1))
done < <(find "${seed_dirs[@]}" -type f \( -name '*.json' -o -path '*/regressions/*' \) -print0)
echo "fuzz $reader: $seeds seeds; fuzzing for $seconds s"

log=$work/fuzz.log
status=0
# libFuzzer stops itself after max_total_time; timeout is the backstop for a hang outside it.
# shellcheck disable=SC2086
timeout --kill-after=30 $((seconds + 300)) "$fuzzer" -max_total_time="$seconds" \
  -dict="$source_dir/tests/fuzz/json.dict" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$work/artifacts/" ${HWCAL_FUZZ_ARGS:-} "$work/corpus" >"$log" 2>&1 ||
  status=$?

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
echo "fuzz $reader: ${executions:-?} executions in $seconds s (log: $log)"
if [[ $status -ne 0 ]]; then
  tail -n 60 "$log"
  echo "fuzz $reader: FINDING (exit $status); reproducer(s):"
  grep -o "Test unit written to .*" "$log" | sed 's/^Test unit written to /  /' || true
  echo "replay: $fuzzer <reproducer>; minimise: $fuzzer -minimize_crash=1 -runs=10000 <reproducer>"
  echo "commit it under tests/fuzz/regressions/$reader/ (the replay test runs it from then on)"
  exit 1
fi
