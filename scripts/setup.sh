#!/usr/bin/env bash
# Installs what hwcal needs from Debian's (or Ubuntu's) archive: only what is missing, so a
# second run does nothing. oneDNN (libdnnl-dev) is optional to the build, which configures
# without it, but it is what reaches AMX and AVX-512 BF16/VNNI for low-precision GEMM; Debian
# builds it with the OpenCL GPU runtime, so its CMake package needs OpenCL's headers and library
# (ocl-icd-opencl-dev), which it does not depend on. `scripts/setup.sh` installs what building
# needs; `--tests` adds what the test suite needs. Runs apt-get as root, or through sudo.
set -euo pipefail

# help2man writes the man pages from the programs' --help (cmake/ManPages.cmake); dpkg-dev's
# dpkg-shlibdeps names the Debian packages' dependencies (cmake/Packaging.cmake).
build_packages=(
  cmake make ninja-build g++ git pkg-config
  libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libeigen3-dev libopenblas-dev
  libdnnl-dev ocl-icd-opencl-dev help2man dpkg-dev
)
# chromium renders the HTML report in the test suite (tests/report/check_html_report.sh); clang
# and its runtimes (libFuzzer, ASan, UBSan) build the fuzzers (docs/testing.md). ansible, and
# slurm-wlm with munge, run the fleet deployments of deploy/ in tests/deploy (the Slurm test
# starts its own daemons, and only as root).
test_packages=(
  libgtest-dev libgmock-dev python3 python3-jsonschema clang-format chromium
  clang libclang-rt-14-dev ansible slurm-wlm munge
)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "--tests" ]]; then
  wanted+=("${test_packages[@]}")
  # Ubuntu (JetPack 6 is 22.04) has no libclang-rt-14-dev: clang 14's runtimes come with
  # libclang-common-14-dev there, which clang already pulls in.
  if grep -qx 'ID=ubuntu' /etc/os-release 2>/dev/null; then
    kept=()
    for package in "${wanted[@]}"; do
      [[ "$package" == libclang-rt-14-dev ]] || kept+=("$package")
    done
    wanted=("${kept[@]}")
  fi
fi

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
for package in "${wanted[@]}"; do
  installed "$package" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "setup: missing packages: ${missing[*]}; this script needs apt-get (Debian or Ubuntu)" >&2
  exit 1
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "setup: missing packages: ${missing[*]}; run this script as root or install sudo" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine are empty or stale: refresh them once per install.
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
