// What the GPU tests share: why there is no usable GPU ("" when there is one), and the skip that
// says so.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "measure/gpu.hpp"

namespace hwcal::test {

inline std::string no_gpu_reason() {
  std::string problem;
  return cuda_device_count(problem) > 0 ? "" : problem;
}

}  // namespace hwcal::test

#define HWCAL_SKIP_WITHOUT_GPU()                             \
  do {                                                       \
    const std::string why_ = ::hwcal::test::no_gpu_reason(); \
    if (!why_.empty()) GTEST_SKIP() << why_;                 \
  } while (false)
