#!/usr/bin/env bash
# The main job: install what is missing, build, and show the bundled database's summary.
# Tracked files are never modified.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
build/apps/summarize_database --database hardware_database
