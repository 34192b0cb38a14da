# Every dependency is a Debian (or Ubuntu) package; scripts/setup.sh installs them.
# Required: CLI11, nlohmann_json, fmt, spdlog, Eigen, OpenBLAS. GoogleTest for the tests.

find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(fmt 8 REQUIRED CONFIG)
find_package(Threads REQUIRED)
if(HWCAL_FUZZ)
  # The readers' layers need nothing more.
  return()
endif()
find_package(spdlog 1.9 REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(Eigen3 3.3 REQUIRED CONFIG)

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

# cblas_sbgemm: declared in Debian's cblas.h but not exported by its 0.3.21 library, so the only
# honest test is to link a call.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_INCLUDES "${OpenBLAS_INCLUDE_DIRS}")
set(CMAKE_REQUIRED_LIBRARIES "${OpenBLAS_LIBRARIES}")
check_cxx_source_compiles([[
#include <cblas.h>
int main() {
  bfloat16 a = 0, b = 0;
  float c = 0;
  cblas_sbgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
  return 0;
}]] HWCAL_HAVE_SBGEMM)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)

# OpenMP: Eigen's matrix product is parallel only when compiled with it (and Debian's oneDNN
# runs on OpenMP threads). Only the GEMM kernels are compiled with it.
find_package(OpenMP QUIET COMPONENTS CXX)

# oneDNN (optional): Debian packages the 2.x API as libdnnl-dev; newer systems have 3.x or none.
# It reaches Intel AMX and AVX-512 BF16/VNNI for the low-precision GEMMs.
option(HWCAL_ENABLE_ONEDNN "Use oneDNN for bf16/fp16/int8 CPU GEMM when it is installed" ON)
set(HWCAL_HAVE_ONEDNN OFF)
if(HWCAL_ENABLE_ONEDNN)
  # A oneDNN built with the OpenCL GPU runtime (Debian's) has a CMake package that stops the
  # configure when OpenCL is missing: look first, and go on without oneDNN instead.
  find_file(HWCAL_DNNL_CONFIG dnnl-config.cmake
            PATH_SUFFIXES cmake/dnnl lib/cmake/dnnl lib/${CMAKE_LIBRARY_ARCHITECTURE}/cmake/dnnl)
  set(_hwcal_dnnl_needs_opencl OFF)
  if(HWCAL_DNNL_CONFIG)
    file(STRINGS "${HWCAL_DNNL_CONFIG}" _hwcal_dnnl_gpu REGEX "set\\(DNNL_GPU_RUNTIME \"?OCL")
    if(_hwcal_dnnl_gpu)
      find_package(OpenCL QUIET)
      if(NOT OpenCL_FOUND)
        set(_hwcal_dnnl_needs_opencl ON)
      endif()
    endif()
  endif()
  if(_hwcal_dnnl_needs_opencl)
    message(STATUS "hwcal: oneDNN's CMake package needs OpenCL, which is not installed "
                   "(ocl-icd-opencl-dev; scripts/setup.sh installs it): building without oneDNN")
  else()
    find_package(dnnl CONFIG QUIET)
  endif()
  if(dnnl_FOUND AND TARGET DNNL::dnnl AND OpenMP_CXX_FOUND)
    set(HWCAL_HAVE_ONEDNN ON)
    message(STATUS "hwcal: oneDNN ${dnnl_VERSION} found: bf16/fp16/int8 CPU GEMM through oneDNN")
  else()
    message(STATUS "hwcal: oneDNN not found: its CPU GEMM kernels report `unsupported`")
  endif()
endif()
