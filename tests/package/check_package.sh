#!/usr/bin/env bash
# The Debian packages as a user gets them (cmake/Packaging.cmake). One script, three steps
# (tests/CMakeLists.txt runs each as a test):
#   build OUT BUILD_DIR CPACK SOURCE_DIR
#       `cpack -G DEB` of the build into an empty OUT (the other steps' fixture): the two
#       packages, their control fields (architecture, dependencies in this distribution's package
#       names, hwcal-dev on hwcal of the same version) and `dpkg-deb -c` file lists.
#   programs OUT SOURCE_DIR PYTHON3
#       both packages unpacked with `dpkg -x` into a temporary root: the programs there find the
#       database installed with them (tests/install/check_install.sh programs: summarize_database,
#       --check --strict, sync_mappers on the installed headers), the man pages are the programs'
#       --help, and the bash completion completes options, choices and entry ids.
#   consumer OUT SOURCE_DIR CMAKE GENERATOR MAKE_PROGRAM CXX PYTHON3
#       a project built against the unpacked hwcal-dev with find_package(hwcal) and pkg-config
#       (tests/install/check_install.sh consumer).
set -euo pipefail

step=$1
out=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/hwcal-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)
programs=(summarize_database calibrate sync_mappers add_hardware export_calibration)
# The install's layout (GNUInstallDirs, relative to the prefix /usr), from tests/CMakeLists.txt.
bindir=${HWCAL_INSTALL_BINDIR:-bin}
libdir=${HWCAL_INSTALL_LIBDIR:-lib}
includedir=${HWCAL_INSTALL_INCLUDEDIR:-include}
datadir=${HWCAL_INSTALL_DATA_DIR:-share/hwcal}
mandir=${HWCAL_INSTALL_MANDIR:-share/man}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# The two package files in OUT.
packages() {
  runtime=$(find "$out" -maxdepth 1 -name 'hwcal_*.deb' | head -n 1)
  dev=$(find "$out" -maxdepth 1 -name 'hwcal-dev_*.deb' | head -n 1)
  [[ -n $runtime && -n $dev ]] || fail "no hwcal and hwcal-dev packages in $out (run the build step)"
}
# unpack ROOT: both packages into ROOT, as dpkg would lay them out under /.
unpack() {
  dpkg -x "$runtime" "$1"
  dpkg -x "$dev" "$1"
}

case $step in
build)
  build=$1 cpack=$2 source_dir=$3
  rm -rf "$out"
  mkdir -p "$out"
  "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack -G DEB"; }
  rm -rf "$out/_CPack_Packages"
  packages
  arch=$(dpkg --print-architecture)
  version=$(sed -n 's/^project(hwcal VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
  [[ $(basename "$runtime") == "hwcal_${version}-1_${arch}.deb" ]] || fail "package file $runtime"
  [[ $(basename "$dev") == "hwcal-dev_${version}-1_${arch}.deb" ]] || fail "package file $dev"
  for deb in "$runtime" "$dev"; do
    echo "== $(basename "$deb")"
    dpkg-deb -f "$deb" Package Version Architecture Depends Recommends Installed-Size
  done

  # Control fields.
  [[ $(dpkg-deb -f "$runtime" Architecture) == "$arch" ]] || fail "hwcal's architecture"
  [[ $(dpkg-deb -f "$dev" Architecture) == "$arch" ]] || fail "hwcal-dev's architecture"
  [[ $(dpkg-deb -f "$dev" Depends) == "hwcal (= ${version}-1)" ]] ||
    fail "hwcal-dev depends on: $(dpkg-deb -f "$dev" Depends)"
  depends=$(dpkg-deb -f "$runtime" Depends)
  # dpkg-shlibdeps named the packages of the libraries the programs load: each is a package of
  # this distribution, installed here because the build linked against it.
  names=$(sed -E 's/[,|]/\n/g' <<<"$depends" | sed -E 's/\(.*\)//; s/ //g' | grep -v '^$' | sort -u)
  for name in libc6 libstdc++6 libopenblas0; do
    grep -qx "$name" <<<"$names" || grep -qx "${name}-[a-z]*" <<<"$names" ||
      fail "hwcal does not depend on $name: $depends"
  done
  for name in $names; do
    dpkg-query -W "$name" >/dev/null 2>&1 || dpkg-query -W "$name:$arch" >/dev/null 2>&1 ||
      fail "hwcal depends on $name, which is not a package installed here"
  done

  # File lists.
  dpkg-deb -c "$runtime" | awk '{print $6}' | sed 's|^\./|/|' | sort >"$out/hwcal.files"
  dpkg-deb -c "$dev" | awk '{print $6}' | sed 's|^\./|/|' | sort >"$out/hwcal-dev.files"
  expect() {  # expect LIST PATH...
    local list=$1
    shift
    for path in "$@"; do
      grep -qxF "$path" "$out/$list.files" || fail "$list has no $path"
    done
  }
  for program in "${programs[@]}"; do
    expect hwcal "/usr/$bindir/$program" "/usr/$mandir/man1/$program.1.gz" \
      "/usr/share/bash-completion/completions/$program"
  done
  expect hwcal "/usr/$datadir/hardware_database/schema/hardware_spec.schema.json" \
    "/usr/$datadir/hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json" "/usr/$datadir/profiles/"
  entries=$(cd "$source_dir/hardware_database" && find . -name '*.json' | wc -l)
  packaged=$(grep -c "^/usr/$datadir/hardware_database/.*\\.json\$" "$out/hwcal.files")
  [[ $entries == "$packaged" ]] || fail "hwcal has $packaged database files, the source $entries"
  profiles=$(cd "$source_dir/profiles" && find . -name '*.json' | wc -l)
  packaged=$(grep -c "^/usr/$datadir/profiles/.*\\.json\$" "$out/hwcal.files")
  [[ $profiles == "$packaged" ]] || fail "hwcal has $packaged profiles, the source $profiles"
  if grep -E "^/usr/($includedir|$libdir)/" "$out/hwcal.files"; then
    fail "hwcal has development files"
  fi
  expect hwcal-dev "/usr/$includedir/hwcal/base/error.hpp" \
    "/usr/$includedir/hwcal/model/roofline.hpp" "/usr/$includedir/hwcal/database/spec.hpp" \
    "/usr/$includedir/hwcal/mappers/all.hpp" "/usr/$libdir/libhwcal_base.a" \
    "/usr/$libdir/libhwcal_model.a" "/usr/$libdir/libhwcal_json.a" \
    "/usr/$libdir/libhwcal_database.a" "/usr/$libdir/cmake/hwcal/hwcalConfig.cmake" \
    "/usr/$libdir/cmake/hwcal/hwcalConfigVersion.cmake" "/usr/$libdir/pkgconfig/hwcal.pc"
  if grep -E "^/usr/($bindir|share)/" "$out/hwcal-dev.files"; then
    fail "hwcal-dev has runtime files"
  fi
  # Stripped: the build's programs and libraries carry their debug information, the packages' do
  # not (CPACK_STRIP_FILES, cmake/PackageStrip.cmake).
  dpkg-deb --fsys-tarfile "$runtime" | tar -xO "./usr/$bindir/calibrate" >"$work/calibrate"
  if readelf -S "$work/calibrate" | grep -q '\.debug_info'; then fail "calibrate is not stripped"; fi
  dpkg-deb --fsys-tarfile "$dev" | tar -xO "./usr/$libdir/libhwcal_database.a" >"$work/database.a"
  if readelf -S "$work/database.a" | grep -q '\.debug_info'; then
    fail "libhwcal_database.a keeps its debug information"
  fi
  echo "hwcal: $(wc -l <"$out/hwcal.files") paths, hwcal-dev: $(wc -l <"$out/hwcal-dev.files") paths"
  ;;

programs)
  source_dir=$1 python3=$2
  packages
  root=$work/root
  unpack "$root"
  bash "$source_dir/tests/install/check_install.sh" programs "$root/usr" "$python3"

  # Man pages: each is its program's --help.
  for program in "${programs[@]}"; do
    page=$root/usr/$mandir/man1/$program.1.gz
    gzip -t "$page" || fail "$page is not gzip"
    zcat "$page" >"$work/page"
    grep -q "^\.TH ${program^^} \"1\"" "$work/page" || fail "$program.1 has no .TH line"
    grep -q '^\.SH OPTIONS' "$work/page" || fail "$program.1 has no OPTIONS"
    # Every long option of --help appears in the page (help2man writes - as \-).
    for option in $("$root/usr/$bindir/$program" --help | grep -oE '^ +(-[a-zA-Z],)?--[a-z0-9-]+' |
      sed -E 's/^ +(-[a-zA-Z],)?//'); do
      grep -qF -- "${option//-/\\-}" "$work/page" || fail "$program.1 lacks $option"
    done
  done
  echo "man pages: ${#programs[@]}, every option of each --help"

  # bash completion, as bash-completion loads it: the file named after the program.
  completion_check() {
    # shellcheck disable=SC1090,SC1091 # the installed file
    source "$root/usr/share/bash-completion/completions/calibrate"
    PATH=$root/usr/$bindir:$PATH
    unset HWCAL_DATABASE
    cd "$work"
    complete_words() {
      COMP_WORDS=("$@")
      COMP_CWORD=$(($# - 1))
      _hwcal
      echo "${COMPREPLY[*]}"
    }
    [[ $(complete_words calibrate --all-power) == --all-power-modes ]] || fail "calibrate --all-power"
    [[ $(complete_words calibrate --device "") == "cpu cuda all" ]] || fail "calibrate --device"
    [[ $(complete_words summarize_database --format = c) == "console csv" ]] ||
      fail "summarize_database --format=c"
    [[ $(complete_words summarize_database --id jetson_orin_nano_g) == jetson_orin_nano_gpu ]] ||
      fail "summarize_database --id from the installed database"
    [[ $(complete_words export_calibration --calibration-d) == --calibration-dir ]] ||
      fail "export_calibration --calibration-d"
    echo "bash completion: options, choices and entry ids"
  }
  (completion_check)
  ;;

consumer)
  source_dir=$1
  shift
  packages
  root=$work/root
  unpack "$root"
  bash "$source_dir/tests/install/check_install.sh" consumer "$root/usr" "$source_dir" "$@"
  ;;

*)
  fail "unknown step $step"
  ;;
esac
