// Memory: /proc/meminfo, and the SMBIOS memory-device records (type 17) where they are readable.
#include "detect/detect_internal.hpp"

#include <array>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "base/text.hpp"

namespace hwcal {
namespace {

// SMBIOS type 17 fields (DMTF DSP0134, "Memory Device (Type 17)"): offsets into the formatted
// area, and the version that added each (the area is as long as the version it was written for).
constexpr std::size_t kDataWidth = 0x0A;
constexpr std::size_t kSize = 0x0C;
constexpr std::size_t kLocator = 0x10;
constexpr std::size_t kMemoryType = 0x12;
constexpr std::size_t kSpeed = 0x15;               // 2.3
constexpr std::size_t kExtendedSize = 0x1C;        // 2.7
constexpr std::size_t kConfiguredSpeed = 0x20;     // 2.7
constexpr std::size_t kExtendedSpeed = 0x54;       // 3.3
constexpr std::size_t kExtendedConfigured = 0x58;  // 3.3

unsigned byte_at(std::string_view raw, std::size_t at) {
  return static_cast<unsigned char>(raw[at]);
}
unsigned word_at(std::string_view raw, std::size_t at) {
  return byte_at(raw, at) | (byte_at(raw, at + 1) << 8);
}
std::uint32_t dword_at(std::string_view raw, std::size_t at) {
  return static_cast<std::uint32_t>(word_at(raw, at)) |
         (static_cast<std::uint32_t>(word_at(raw, at + 2)) << 16);
}

// DSP0134 7.18.2, Memory Device — Type: the kinds hwcal's users have.
std::string memory_type_name(unsigned type) {
  static const std::map<unsigned, std::string> names = {
      {0x12, "DDR"},    {0x13, "DDR2"},   {0x18, "DDR3"},   {0x1A, "DDR4"}, {0x1B, "LPDDR"},
      {0x1C, "LPDDR2"}, {0x1D, "LPDDR3"}, {0x1E, "LPDDR4"}, {0x20, "HBM"},  {0x21, "HBM2"},
      {0x22, "DDR5"},   {0x23, "LPDDR5"}, {0x24, "HBM3"}};
  auto found = names.find(type);
  return found == names.end() ? "" : found->second;
}

// The n-th (1-based) string after the formatted area; "" for 0 or a missing one.
std::string smbios_string(std::string_view raw, std::size_t length, unsigned index) {
  if (index == 0) return "";
  std::size_t at = length;
  for (unsigned i = 1; at < raw.size(); ++i) {
    std::size_t end = raw.find('\0', at);
    if (end == std::string_view::npos || end == at) return "";
    if (i == index) return trim(std::string(raw.substr(at, end - at)));
    at = end + 1;
  }
  return "";
}

std::string gib_text(std::uint64_t bytes) {
  return fmt::format("{:g} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

// "8 of 16 slots: 8 x 32 GiB DDR5, 64-bit, 4800 MT/s (configured 4400)"
std::string describe_devices(const std::vector<MemoryDevice>& devices) {
  std::vector<const MemoryDevice*> populated;
  for (const MemoryDevice& device : devices) {
    if (device.populated()) populated.push_back(&device);
  }
  std::string text = fmt::format("{} of {} slot{} populated", populated.size(), devices.size(),
                                 devices.size() == 1 ? "" : "s");
  if (populated.empty()) return text;
  const MemoryDevice& first = *populated.front();
  text += fmt::format(": {} x {}", populated.size(), gib_text(first.size_bytes));
  if (!first.type.empty()) text += " " + first.type;
  text += first.data_width_bits > 0 ? fmt::format(", {}-bit", first.data_width_bits)
                                    : ", data width unknown";
  text += first.speed_mts > 0 ? fmt::format(", {} MT/s", first.speed_mts) : ", speed unknown";
  if (first.configured_speed_mts > 0 && first.configured_speed_mts != first.speed_mts) {
    text += fmt::format(" (configured {})", first.configured_speed_mts);
  }
  for (const MemoryDevice* device : populated) {
    if (device->size_bytes != first.size_bytes || device->type != first.type ||
        device->data_width_bits != first.data_width_bits ||
        device->effective_speed_mts() != first.effective_speed_mts()) {
      text += " (the modules differ: see the first)";
      break;
    }
  }
  return text;
}

}  // namespace

std::optional<MemoryDevice> parse_smbios_memory_device(std::string_view raw, std::string& problem) {
  if (raw.size() < 2 || byte_at(raw, 0) != 17) {
    problem = "not an SMBIOS type 17 (memory device) record";
    return std::nullopt;
  }
  const std::size_t length = byte_at(raw, 1);
  if (length < kSpeed + 2 || length > raw.size()) {
    problem = fmt::format("a type 17 record of {} bytes: too short to give the speed", length);
    return std::nullopt;
  }
  MemoryDevice device;
  device.locator = smbios_string(raw, length, byte_at(raw, kLocator));
  unsigned width = word_at(raw, kDataWidth);
  device.data_width_bits = width == 0xFFFF ? 0 : static_cast<int>(width);
  unsigned size = word_at(raw, kSize);
  if (size == 0x7FFF && length >= kExtendedSize + 4) {
    device.size_bytes = static_cast<std::uint64_t>(dword_at(raw, kExtendedSize) & 0x7FFFFFFFu)
                        << 20;
  } else if (size != 0xFFFF && size != 0x7FFF) {
    // Bit 15 set: the value counts KiB, else MiB.
    device.size_bytes = static_cast<std::uint64_t>(size & 0x7FFFu) << ((size & 0x8000u) ? 10 : 20);
  }
  device.type = memory_type_name(byte_at(raw, kMemoryType));
  unsigned speed = word_at(raw, kSpeed);
  if (speed == 0xFFFF && length >= kExtendedSpeed + 4) {
    device.speed_mts = static_cast<int>(dword_at(raw, kExtendedSpeed));
  } else if (speed != 0xFFFF) {
    device.speed_mts = static_cast<int>(speed);
  }
  if (length >= kConfiguredSpeed + 2) {
    unsigned configured = word_at(raw, kConfiguredSpeed);
    if (configured == 0xFFFF && length >= kExtendedConfigured + 4) {
      device.configured_speed_mts = static_cast<int>(dword_at(raw, kExtendedConfigured));
    } else if (configured != 0xFFFF) {
      device.configured_speed_mts = static_cast<int>(configured);
    }
  }
  return device;
}

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

  // The type 17 records, one folder each ("17-0", "17-1", ...).
  const std::string entries = "/sys/firmware/dmi/entries";
  const std::string records = entries + "/17-*/raw";
  std::vector<std::string> names;
  for (const std::string& name : root.list(entries)) {
    if (name.rfind("17-", 0) == 0) names.push_back(name);
  }
  if (names.empty()) {
    const std::string dmi = "/sys/firmware/dmi/tables/DMI";
    std::string dmi_problem;
    if (root.exists(dmi) || root.exists(entries)) {
      memory.modules = Reading<std::string>::unknown(
          records, "the SMBIOS table has no memory-device (type 17) records");
    } else {
      memory.modules = Reading<std::string>::unknown(
          dmi, "missing: no SMBIOS table (a virtual machine or a device-tree platform)");
    }
    return memory;
  }
  std::string problem;
  for (const std::string& name : names) {
    const std::string path = entries + "/" + name + "/raw";
    std::string read_problem;
    auto raw = root.read(path, read_problem);
    if (!raw) {
      problem = fmt::format("{}: {}", path, read_problem);
      break;
    }
    std::string parse_problem;
    auto device = parse_smbios_memory_device(*raw, parse_problem);
    if (!device) {
      problem = fmt::format("{}: {}", path, parse_problem);
      break;
    }
    memory.devices.push_back(*device);
  }
  if (!problem.empty()) {
    memory.devices.clear();
    memory.modules = Reading<std::string>::unknown(records, problem);
  } else {
    memory.modules = Reading<std::string>::found(describe_devices(memory.devices), records);
  }
  return memory;
}

}  // namespace hwcal
