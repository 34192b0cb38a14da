#!/usr/bin/env bash
# The fuzz tests' setup (tests/fuzz/CMakeLists.txt): configures and builds a fuzzing build
# (HWCAL_FUZZ=ON: the readers' layers and the five fuzzers only) with clang, ccache when the
# project finds it. Usage: build_fuzzers.sh SOURCE BUILD CLANGXX CMAKE GENERATOR [MAKE_PROGRAM]
# HWCAL_FUZZ_JOBS: parallel compiles (default 2).
set -euo pipefail
source_dir=$1 build_dir=$2 clangxx=$3 cmake=$4 generator=$5 make_program=${6:-}

args=(-S "$source_dir" -B "$build_dir" -DHWCAL_FUZZ=ON -DCMAKE_CXX_COMPILER="$clangxx"
      -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  args+=(-G "$generator")
  [[ -n $make_program ]] && args+=(-DCMAKE_MAKE_PROGRAM="$make_program")
fi
start=$SECONDS
"$cmake" "${args[@]}"
"$cmake" --build "$build_dir" --parallel "${HWCAL_FUZZ_JOBS:-2}"
echo "fuzz build: $((SECONDS - start)) s in $build_dir"
