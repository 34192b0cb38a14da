#!/usr/bin/env bash
# Every test: install what is missing (test tools too), build with warnings as errors, run
# CTest (unit tests, end-to-end tests of the programs, schema and formatting checks).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --tests
scripts/build.sh -DHWCAL_WERROR=ON -DHWCAL_ENABLE_TESTING=ON
ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 900
