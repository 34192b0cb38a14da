#!/usr/bin/env bash
# Configures and builds hwcal in build/ (extra CMake arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
if command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build "${generator[@]}" "$@"
else
  cmake -S . -B build "$@" >/dev/null
fi
cmake --build build --parallel "$(nproc)"
