# Sanitizers (docs/testing.md, "Fuzzing and sanitizers").
#
# -DHWCAL_SANITIZE=address,undefined (any list -fsanitize= takes, gcc or clang) compiles and
# links every target with the sanitizers, frame pointers kept for their stack traces, and UB
# fatal: a report fails the test that caused it instead of scrolling past. C++ only, so nvcc never
# sees the flags (the CUDA kernels are not instrumented; the host code around them is).
#
# A fuzzing build (HWCAL_FUZZ=ON, clang) instruments every library for libFuzzer's coverage
# feedback with AddressSanitizer and UBSan; tests/fuzz/CMakeLists.txt links the fuzzers with
# -fsanitize=fuzzer.
set(HWCAL_SANITIZE "" CACHE STRING
    "Sanitizers for every target, as -fsanitize= takes them (e.g. address,undefined)")

function(_hwcal_add_cxx_flags)
  foreach(flag IN LISTS ARGN)
    # A comma ends a generator expression's argument: spell it $<COMMA>.
    string(REPLACE "," "$<COMMA>" flag "${flag}")
    add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${flag}>")
  endforeach()
endfunction()

function(_hwcal_add_cxx_link_flags)
  foreach(flag IN LISTS ARGN)
    string(REPLACE "," "$<COMMA>" flag "${flag}")
    add_link_options("$<$<LINK_LANGUAGE:CXX>:${flag}>")
  endforeach()
endfunction()

if(HWCAL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "HWCAL_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++; this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(HWCAL_SANITIZE)
    message(FATAL_ERROR "HWCAL_FUZZ chooses its own sanitizers: leave HWCAL_SANITIZE empty")
  endif()
  _hwcal_add_cxx_flags(-fsanitize=fuzzer-no-link,address,undefined
                       -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  message(STATUS "hwcal: fuzzing build: the readers' layers and tests/fuzz, with ASan and UBSan")
elseif(HWCAL_SANITIZE)
  set(_hwcal_sanitize_flags "-fsanitize=${HWCAL_SANITIZE}" -fno-omit-frame-pointer)
  if(HWCAL_SANITIZE MATCHES "undefined")
    list(APPEND _hwcal_sanitize_flags -fno-sanitize-recover=undefined)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC's null checks make a pointer compared with nullptr in a constexpr function no
      # constant expression, so the static_asserts on the mapper headers (docs/examples,
      # tests/mappers) fail to compile. A null dereference still stops the run under ASan.
      list(APPEND _hwcal_sanitize_flags
           -fno-sanitize=null,nonnull-attribute,returns-nonnull-attribute)
    endif()
  endif()
  _hwcal_add_cxx_flags(${_hwcal_sanitize_flags})
  _hwcal_add_cxx_link_flags(${_hwcal_sanitize_flags})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC's flow analysis sees the sanitizers' checks as paths and warns falsely (std::regex's
    # std::function members "may be used uninitialized" under GCC 12), which HWCAL_WERROR fails.
    _hwcal_add_cxx_flags(-Wno-maybe-uninitialized)
  endif()
  message(STATUS "hwcal: every target built with ${_hwcal_sanitize_flags}")
endif()
