# Every dependency is a Debian (or Ubuntu) package; scripts/setup.sh installs them.
# Required: CLI11, nlohmann_json, fmt, spdlog, Eigen, OpenBLAS. GoogleTest for the tests.

find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(fmt 8 REQUIRED CONFIG)
find_package(spdlog 1.9 REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(Eigen3 3.3 REQUIRED CONFIG)
find_package(Threads REQUIRED)

# OpenBLAS: Debian and Ubuntu ship OpenBLASConfig.cmake with plain variables; fall back to a
# library search where it is absent. Debian installs cblas.h of several BLAS implementations,
# so the include directory must be OpenBLAS's own.
find_package(OpenBLAS CONFIG QUIET)
if(NOT OpenBLAS_FOUND OR NOT OpenBLAS_LIBRARIES)
  find_library(OpenBLAS_LIBRARIES NAMES openblas PATH_SUFFIXES openblas-pthread openblas)
  find_path(OpenBLAS_INCLUDE_DIRS NAMES cblas.h
            PATH_SUFFIXES openblas-pthread openblas x86_64-linux-gnu/openblas-pthread
                          aarch64-linux-gnu/openblas-pthread)
endif()
if(NOT OpenBLAS_LIBRARIES OR NOT OpenBLAS_INCLUDE_DIRS)
  message(FATAL_ERROR "OpenBLAS not found: install libopenblas-dev (scripts/setup.sh does)")
endif()
if(NOT TARGET hwcal::openblas)
  add_library(hwcal::openblas INTERFACE IMPORTED)
  set_target_properties(hwcal::openblas PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OpenBLAS_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${OpenBLAS_LIBRARIES}")
endif()
message(STATUS "hwcal: OpenBLAS ${OpenBLAS_VERSION} at ${OpenBLAS_LIBRARIES}")
