#!/usr/bin/env bash
# Fails when a C++ or CUDA source differs from what clang-format (with the root .clang-format)
# makes of it. Generated mapper headers are written already formatted and are checked too.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
if ! command -v clang-format >/dev/null; then
  echo "clang-format is not installed (scripts/setup.sh --tests installs it)" >&2
  exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard \
    '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh' | while read -r f; do [[ -f $f ]] && echo "$f"; done)
else
  mapfile -t files < <(find apps bench include src tests -name '*.cpp' -o -name '*.hpp' \
    -o -name '*.h' -o -name '*.cu' -o -name '*.cuh')
fi
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files formatted"
