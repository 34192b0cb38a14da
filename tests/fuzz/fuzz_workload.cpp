// libFuzzer target: the workload reader (fuzz_readers.cpp) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hwcal::fuzz::fuzz_workload(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
