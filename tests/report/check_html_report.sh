#!/usr/bin/env bash
# The HTML report in a real browser. Renders a database's report with summarize_database, opens
# it in headless Chromium (Debian's `chromium`), and fails on any console message (a script
# error, a resource the page tried to fetch) or on an entry whose roofline <svg> is missing from
# the rendered DOM; saves a screenshot beside the report. Without Chromium the test FAILS rather
# than skips: CI must not pass without having rendered the report (scripts/setup.sh --tests
# installs it).
#
#   check_html_report.sh SUMMARIZE_DATABASE DATABASE OUTPUT_DIR
#       writes OUTPUT_DIR/report.html, report.png (1280x4000), report.dom.html, chromium.log;
#       the overlay script must have drawn its chart; then one entry's roofline as SVG exported
#       to PNG the way docs/reports.md says (roofline.svg, roofline.png, 1720x1000)
#   check_html_report.sh --expect-console-error PAGE OUTPUT_DIR
#       the check of the check: passes only when PAGE does log to the console
#
# HWCAL_CHROMIUM names another browser binary.
set -euo pipefail

find_chromium() {
  if [[ -n "${HWCAL_CHROMIUM:-}" ]]; then
    echo "$HWCAL_CHROMIUM"
    return
  fi
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null; then
      command -v "$name"
      return
    fi
  done
  echo "check_html_report: chromium is not installed (scripts/setup.sh --tests installs it)" >&2
  exit 1
}

# Renders PAGE headless: DOM to $3, log to $4, screenshot to $2. The flags keep Chromium off the
# network (no background services, component updates or sync) and out of the user's profile.
render() {
  local page=$1 screenshot=$2 dom=$3 log=$4 size=${5:-1280,4000} scale=${6:-1}
  local profile
  profile=$(mktemp -d)
  local status=0
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --hide-scrollbars --window-size="$size" --force-device-scale-factor="$scale" \
    --screenshot="$screenshot" --dump-dom "file://$page" \
    >"$dom" 2>"$log" || status=$?
  rm -rf "$profile"
  if [[ $status -ne 0 ]]; then
    echo "check_html_report: $chromium exited with $status; its log: $log" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}

# Chromium logs every console message of the page as "...:INFO:CONSOLE:<line>] ..." (older
# releases: "CONSOLE(<line>)"), uncaught exceptions included.
console_messages() {
  grep -E ':CONSOLE(\(|:)[0-9]+' "$1" || true
}

if [[ "${1:-}" == "--expect-console-error" ]]; then
  page=$(realpath "$2")
  out=$3
  mkdir -p "$out"
  chromium=$(find_chromium)
  render "$page" "$out/page.png" "$out/page.dom.html" "$out/chromium.log"
  if [[ -z "$(console_messages "$out/chromium.log")" ]]; then
    echo "check_html_report: no console message found for $page, which logs one;" \
      "the console check would miss errors (log: $out/chromium.log)" >&2
    exit 1
  fi
  echo "console check: catches $(console_messages "$out/chromium.log" | wc -l) message(s)"
  exit 0
fi

if [[ $# -ne 3 ]]; then
  echo "usage: check_html_report.sh SUMMARIZE_DATABASE DATABASE OUTPUT_DIR" >&2
  exit 2
fi
summarize=$1
database=$2
out=$(realpath -m "$3")
mkdir -p "$out"
chromium=$(find_chromium)

"$summarize" --database "$database" --format html --output "$out/report.html" --quiet
# The entries that have a roofline: not boards (their parts hold the figures) and not devices
# without external memory (Coral, Hailo: no bandwidth, so no memory roof); those show a note.
mapfile -t ids < <("$summarize" --database "$database" --format json | python3 -c '
import json, sys
for entry in json.load(sys.stdin)["entries"]:
    modes = entry.get("modes") or []
    if entry["device_type"] == "board" or not modes:
        continue
    if modes[0].get("bandwidth", {}).get("theoretical_gbps") is None:
        continue
    print(entry["id"])' | sort -u)
if [[ ${#ids[@]} -eq 0 ]]; then
  echo "check_html_report: no entries in $database" >&2
  exit 1
fi

render "$out/report.html" "$out/report.png" "$out/report.dom.html" "$out/chromium.log"

failed=0
messages=$(console_messages "$out/chromium.log")
if [[ -n "$messages" ]]; then
  echo "check_html_report: the page logged to the console:" >&2
  echo "$messages" >&2
  failed=1
fi
for id in "${ids[@]}"; do
  if ! grep -q "id=\"roofline-$id\"><svg" "$out/report.dom.html"; then
    echo "check_html_report: no roofline <svg> for $id in the rendered DOM" >&2
    failed=1
  fi
done
# The overlay script ran to its end: it marks the chart it drew (two entries on one set of axes).
if ! grep -q 'id="overlay-chart" data-drawn="' "$out/report.dom.html"; then
  echo "check_html_report: the overlay script drew no chart" >&2
  failed=1
fi
# The sorting script ran to its end: it marks the table.
if ! grep -q 'class="overview sortable js"' "$out/report.dom.html"; then
  echo "check_html_report: the overview's sorting script did not run" >&2
  failed=1
fi
if [[ "$(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]]; then
  echo "check_html_report: no PNG screenshot at $out/report.png" >&2
  failed=1
fi
# The PNG export of docs/reports.md: one entry's SVG, rendered at twice the pixels.
svg_id=${ids[0]}
for id in "${ids[@]}"; do
  if [[ "$id" == jetson_orin_nano_gpu ]]; then svg_id=$id; fi
done
"$summarize" --database "$database" --format svg --id "$svg_id" --output "$out/roofline.svg" --quiet
render "$out/roofline.svg" "$out/roofline.png" "$out/roofline.dom.html" "$out/chromium_svg.log" \
  860,500 2
if [[ -n "$(console_messages "$out/chromium_svg.log")" ]]; then
  echo "check_html_report: the SVG logged to the console:" >&2
  console_messages "$out/chromium_svg.log" >&2
  failed=1
fi
if [[ "$(head -c 8 "$out/roofline.png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]]; then
  echo "check_html_report: no PNG export at $out/roofline.png" >&2
  failed=1
fi
if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "report rendered in $("$chromium" --version 2>/dev/null | head -n 1):" \
  "${#ids[@]} rooflines and the overlay, no console messages; screenshot $out/report.png;" \
  "$svg_id's roofline exported to $out/roofline.png"
