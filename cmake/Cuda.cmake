# CUDA (optional): on when CMake finds a CUDA compiler, off otherwise, so the CPU-only build
# stays complete. The build machine may have nvcc but no GPU, so the architectures get an
# explicit default: 87 (Jetson Orin) and 90 (Hopper); pass -DCMAKE_CUDA_ARCHITECTURES=89 (or
# "native" on a machine with a GPU) to build for another one. Fewer architectures compile faster.
include(CheckLanguage)

# nvcc is often installed without being on PATH: look where the toolkit's packages put it
# (check_language still tries it, so a broken toolkit leaves CUDA off instead of failing).
if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
  find_program(HWCAL_NVCC NAMES nvcc PATHS /usr/local/cuda/bin NO_CACHE)
  if(HWCAL_NVCC)
    set(ENV{CUDACXX} "${HWCAL_NVCC}")
  endif()
endif()

check_language(CUDA)
set(_hwcal_cuda_default OFF)
if(CMAKE_CUDA_COMPILER)
  set(_hwcal_cuda_default ON)
endif()
option(HWCAL_ENABLE_CUDA "Build the CUDA kernels (on when a CUDA compiler is found)"
       ${_hwcal_cuda_default})

if(HWCAL_ENABLE_CUDA)
  if(NOT CMAKE_CUDA_COMPILER)
    message(FATAL_ERROR "HWCAL_ENABLE_CUDA is ON but no CUDA compiler was found: install the "
                        "CUDA toolkit, set CUDACXX, or configure with -DHWCAL_ENABLE_CUDA=OFF")
  endif()
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
    set(CMAKE_CUDA_ARCHITECTURES "87;90" CACHE STRING "GPU architectures to compile for")
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  set(CMAKE_CUDA_EXTENSIONS OFF)
  find_package(CUDAToolkit REQUIRED)
  message(STATUS "hwcal: CUDA ${CUDAToolkit_VERSION} for architectures ${CMAKE_CUDA_ARCHITECTURES}")
else()
  message(STATUS "hwcal: CUDA off: the GPU kernels are not built (calibrate measures the CPU)")
endif()
