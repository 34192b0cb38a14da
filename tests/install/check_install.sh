#!/usr/bin/env bash
# hwcal as a user installs it. One script, three steps (tests/CMakeLists.txt runs each as a test):
#   install PREFIX BUILD_DIR CMAKE
#       `cmake --install BUILD_DIR --prefix PREFIX` into an empty PREFIX (the other steps' fixture)
#   consumer PREFIX SOURCE_DIR CMAKE GENERATOR MAKE_PROGRAM CXX PYTHON3
#       tests/install/consumer built against PREFIX with find_package(hwcal), nlohmann_json and fmt
#       hidden from it: its roofline figures must be what summarize_database says of the entry,
#       and nothing but hwcal::model and hwcal::base (no BLAS, oneDNN, CUDA, fmt, nlohmann) may
#       reach its link line or its loaded libraries. The same through pkg-config, when installed.
#       And a program on hwcal::database, whose package then needs nlohmann_json and fmt.
#   programs PREFIX PYTHON3
#       the installed programs, run from a folder outside any checkout with HWCAL_DATABASE unset,
#       use the installed database; sync_mappers checks the installed headers and refuses to
#       rewrite them; a program with no database anywhere says what it tried.
# PREFIX is never the configured install prefix, so finding the database there shows the lookup is
# relative to the program. Temporary folders are removed on exit.
set -euo pipefail

step=$1
prefix=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/hwcal-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)  # as the programs see their own path: links resolved
# The install's layout (GNUInstallDirs, relative to the prefix), from tests/CMakeLists.txt.
bindir=${HWCAL_INSTALL_BINDIR:-bin}
libdir=${HWCAL_INSTALL_LIBDIR:-lib}
includedir=${HWCAL_INSTALL_INCLUDEDIR:-include}
datadir=${HWCAL_INSTALL_DATA_DIR:-share/hwcal}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

case $step in
install)
  build=$1 cmake=$2
  rm -rf "$prefix"
  "$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" ||
    { cat "$work/install.log"; fail "cmake --install"; }
  for path in "$bindir"/{summarize_database,calibrate,sync_mappers,add_hardware,export_calibration} \
    "$datadir"/hardware_database/schema/hardware_spec.schema.json \
    "$datadir"/hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json "$datadir"/profiles \
    "$includedir"/hwcal/{base/error.hpp,model/roofline.hpp,json/json_io.hpp,database/spec.hpp} \
    "$includedir"/hwcal/mappers/{all.hpp,jetson_orin_nano_gpu.hpp} \
    "$libdir"/libhwcal_{base,model,json,database}.a "$libdir"/pkgconfig/hwcal.pc \
    "$libdir"/cmake/hwcal/hwcal{Config,ConfigVersion,Targets,DatabaseTargets}.cmake; do
    [[ -e $prefix/$path ]] || fail "the install has no $path"
  done
  # Private headers and the layers above database stay out.
  [[ $(ls "$prefix/$includedir/hwcal") == $'base\ndatabase\njson\nmappers\nmodel' ]] ||
    fail "installed header folders: $(ls "$prefix/$includedir/hwcal" | tr '\n' ' ')"
  [[ $(cd "$prefix/$libdir" && ls ./*.a) == $'./libhwcal_base.a\n./libhwcal_database.a\n./libhwcal_json.a\n./libhwcal_model.a' ]] ||
    fail "installed libraries: $(cd "$prefix/$libdir" && ls ./*.a | tr '\n' ' ')"
  echo "installed into $prefix: $(find "$prefix" -type f | wc -l) files"
  ;;

consumer)
  prefix=$(cd "$prefix" && pwd -P)
  source_dir=$1 cmake=$2 generator=$3 make_program=$4 cxx=$5 python3=$6
  build=$work/consumer
  "$cmake" -S "$source_dir/tests/install/consumer" -B "$build" -G "$generator" \
    -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configuring the consumer"; }
  found=$(sed -n 's/^hwcal_DIR:PATH=//p' "$build/CMakeCache.txt")
  [[ $(cd "$found" && pwd -P) == "$prefix/$libdir/cmake/hwcal" ]] || fail "find_package(hwcal) found $found"
  "$cmake" --build "$build" --verbose >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "building the consumer"; }
  link=$(grep -E -- '-o consumer( |$)' "$work/build.log" | tail -n 1)
  link=${link//$prefix/PREFIX}  # the folders' own names must not match below
  link=${link//$work/WORK}
  echo "link: $link"
  [[ $link == *libhwcal_model.a* && $link == *libhwcal_base.a* ]] ||
    fail "the link line lacks hwcal's model and base layers"
  if grep -Eio 'blas|dnnl|onednn|cuda|fmt|nlohmann|spdlog|hwcal_(json|database)' <<<"$link"; then
    fail "the consumer links more than the model layer"
  fi
  ldd "$build/consumer" | tee "$work/ldd.txt"
  if grep -Eio 'blas|dnnl|cuda|nvidia|fmt|spdlog|gomp' "$work/ldd.txt"; then
    fail "the consumer loads a library it should not need"
  fi
  "$build/consumer" | tee "$work/consumer.txt"

  # The same figures from the database entry, as summarize_database reads it.
  env -u HWCAL_DATABASE "$prefix/$bindir/summarize_database" --id jetson_orin_nano_gpu --format json \
    >"$work/summary.json"
  check_figures() {
    "$python3" - "$work/summary.json" "$1" <<'PY'
import json, sys
entry = json.load(open(sys.argv[1]))["entries"][0]
mode = next(m for m in entry["modes"] if m["power_mode"] == "25W")
rate = {p["precision"]: p for p in mode["precisions"]}
bandwidth = mode["bandwidth"]
def calibrated(figure, efficiency):
    return figure * (efficiency if efficiency is not None else 1.0)
fp32, fp16 = rate["fp32"], rate["fp16"]
expected = {
    "25W fp32 theoretical ridge_flops_per_byte":
        fp32["theoretical"] / bandwidth["theoretical_gbps"],
    "25W fp32 calibrated ridge_flops_per_byte":
        calibrated(fp32["theoretical"], fp32["efficiency"])
        / calibrated(bandwidth["theoretical_gbps"], bandwidth["efficiency"]),
    "25W fp16 calibrated attainable_gflops_at_8":
        min(calibrated(fp16["theoretical"], fp16["efficiency"]),
            8 * calibrated(bandwidth["theoretical_gbps"], bandwidth["efficiency"])),
}
printed = {}
for line in open(sys.argv[2]):
    words = line.split()
    if words and words[0] == entry["id"]:
        printed[" ".join(words[1:-1])] = float(words[-1])
failed = False
for name, value in expected.items():
    got = printed.get(name)
    ok = got is not None and abs(got - value) <= 1e-9 * abs(value)
    failed |= not ok
    print(f"{'ok' if ok else 'MISMATCH'}: {name}: printed {got}, summarize_database gives {value!r}")
sys.exit(1 if failed else 0)
PY
  }
  check_figures "$work/consumer.txt" || fail "the consumer's figures differ from the database's"

  # The database layer, whose package needs nlohmann_json and fmt: asked for by name, found.
  "$cmake" -S "$source_dir/tests/install/consumer" -B "$work/consumer_database" -G "$generator" \
    -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCONSUMER_DATABASE=ON \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configuring with database"; }
  "$cmake" --build "$work/consumer_database" --target consumer_database >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "building the consumer of hwcal::database"; }
  database=$prefix/$datadir/hardware_database
  "$work/consumer_database/consumer_database" "$database" | tee "$work/database.txt" ||
    fail "the consumer of hwcal::database failed"
  entries=$(find "$database" -name '*.json' -not -path '*/schema/*' | wc -l)
  [[ $(cat "$work/database.txt") == "entries $entries" ]] ||
    fail "the consumer of hwcal::database did not load the $entries entries"

  if command -v pkg-config >/dev/null; then
    flags=$(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --cflags --libs hwcal)
    echo "pkg-config: $flags"
    # shellcheck disable=SC2086 # the flags are words
    "$cxx" -std=c++17 "$source_dir/tests/install/consumer/main.cpp" -o "$work/pc_consumer" $flags ||
      fail "building the consumer with pkg-config's flags"
    "$work/pc_consumer" >"$work/pc_consumer.txt"
    check_figures "$work/pc_consumer.txt" >/dev/null ||
      fail "the pkg-config consumer's figures differ from the database's"
    echo "pkg-config consumer: same figures"
  else
    echo "pkg-config is not installed: hwcal.pc not exercised"
  fi
  ;;

programs)
  prefix=$(cd "$prefix" && pwd -P)
  python3=$1
  cd "$work"  # outside any checkout: walking up from here finds nothing
  database=$prefix/$datadir/hardware_database
  run() { env -u HWCAL_DATABASE "$@"; }

  run "$prefix/$bindir/summarize_database" -v --id jetson_orin_nano_gpu --format json \
    >summary.json 2>log.txt || { cat log.txt; fail "summarize_database without --database"; }
  cat log.txt
  grep -qF "database: $database (installed with this program)" log.txt ||
    fail "summarize_database did not say it used the installed database"
  "$python3" -c 'import json,sys; d=json.load(open("summary.json")); sys.exit(d["database"] != sys.argv[1] or d["entries"][0]["id"] != "jetson_orin_nano_gpu")' \
    "$database" || fail "summarize_database read another database"
  # Installed with the profiles its summaries link: the strict check passes there too.
  run "$prefix/$bindir/summarize_database" --check --strict || fail "the installed database is not clean"

  # sync_mappers: the installed headers match the installed database, and stay untouched.
  before=$(cd "$prefix/$includedir" && find . -type f -exec md5sum {} + | sort)
  run "$prefix/$bindir/sync_mappers" --check | tee check.txt || fail "sync_mappers --check"
  grep -qF "in $prefix/$includedir/hwcal/mappers: 0 stale, 0 edited by hand, 0 missing, 0 not backed" \
    check.txt || fail "sync_mappers --check did not check the installed headers"
  status=0
  run "$prefix/$bindir/sync_mappers" >out.txt 2>err.txt || status=$?
  cat err.txt
  [[ $status == 2 ]] || fail "sync_mappers into the install exited $status, not 2"
  grep -qF "is the database installed with sync_mappers" err.txt ||
    fail "sync_mappers did not say why it refused"
  after=$(cd "$prefix/$includedir" && find . -type f -exec md5sum {} + | sort)
  [[ $before == "$after" ]] || fail "sync_mappers changed the installed headers"
  [[ ! -e $prefix/$datadir/include ]] || fail "sync_mappers wrote beside the installed database"

  # A program with no database anywhere it looks: exit 2, naming each place.
  mkdir -p "lonely/$bindir"
  cp "$prefix/$bindir/sync_mappers" "lonely/$bindir/"
  status=0
  run "lonely/$bindir/sync_mappers" --check >out.txt 2>err.txt || status=$?
  cat err.txt
  [[ $status == 2 ]] || fail "sync_mappers with no database exited $status, not 2"
  for tried in "no hardware database found" "\$HWCAL_DATABASE: not set" \
    "$work/lonely/$datadir/hardware_database (installed with this program): absent" \
    "does not run from that build folder" "in $work/lonely/$bindir or above: none" \
    "in $work or above: none"; do
    grep -qF -- "$tried" err.txt || fail "the error does not say: $tried"
  done
  ;;

*)
  fail "unknown step $step"
  ;;
esac
