// Memory: /proc/meminfo.
#include "detect/detect_internal.hpp"

#include <sstream>

#include "base/text.hpp"

namespace hwcal {

MemoryDetection detect_memory(const SysRoot& root) {
  MemoryDetection memory;
  const std::string source = "/proc/meminfo";
  std::string why;
  auto text = root.read(source, why);
  if (!text) {
    memory.total_bytes = Reading<std::uint64_t>::unknown(source, why);
  } else {
    std::istringstream lines(*text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("MemTotal:", 0) != 0) continue;
      auto words = split_whitespace(line.substr(9));
      if (!words.empty()) {
        if (auto kib = parse_integer(words[0])) {
          memory.total_bytes =
              Reading<std::uint64_t>::found(static_cast<std::uint64_t>(*kib) * 1024u, source);
        }
      }
    }
    if (!memory.total_bytes.known()) {
      memory.total_bytes = Reading<std::uint64_t>::unknown(source, "no MemTotal line");
    }
  }
  const std::string dmi = "/sys/firmware/dmi/tables/DMI";
  std::string dmi_problem;
  if (root.read(dmi, dmi_problem)) {
    dmi_problem = "hwcal does not decode the SMBIOS memory-device records";
  } else if (dmi_problem == "missing") {
    dmi_problem = "missing: no SMBIOS table (a virtual machine or a device-tree platform)";
  }
  memory.modules = Reading<std::string>::unknown(dmi, dmi_problem);
  return memory;
}

}  // namespace hwcal
