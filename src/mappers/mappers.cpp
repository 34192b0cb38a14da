#include "mappers/mappers.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <unordered_set>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/model/resource_model.hpp"

namespace hwcal {
namespace {

constexpr std::size_t kColumnLimit = 100;  // the root .clang-format's ColumnLimit
constexpr std::string_view kHashPrefix = "// Inputs: ";

// ---- text helpers ------------------------------------------------------------------------------

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// "fnv1a64 <hex>, generator <version>": the version is part of what is hashed and is written
// out, so that a header from an older generator still verifies against its own hash (stale, not
// edited by hand).
std::string input_hash(std::string_view hashed_text, int version = kMapperGeneratorVersion) {
  std::string versioned = fmt::format("generator {}\n", version);
  versioned += hashed_text;
  return fmt::format("fnv1a64 {:016x}, generator {}", fnv1a64(versioned), version);
}

// Whether a header's recorded hash is that of its own text: false when it was edited by hand.
bool matches_own_hash(std::string_view text, const std::string& recorded) {
  std::size_t at = recorded.rfind("generator ");
  if (at == std::string::npos) return false;
  int version = 0;
  const char* first = recorded.data() + at + 10;
  const char* last = recorded.data() + recorded.size();
  auto [end, error] = std::from_chars(first, last, version);
  if (error != std::errc() || end != last) return false;
  return recorded == input_hash(text, version);
}

// The shortest text that reads back as the same double (std::to_chars is exact and the same on
// every standard library), written as a floating-point literal.
std::string number(double value) {
  std::array<char, 64> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc()) throw Error("cannot format a number for a generated header");
  std::string text(buffer.data(), end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string number(long long value) { return std::to_string(value); }

std::string boolean(bool value) { return value ? "true" : "false"; }

// Escapes one code point (or byte) for a string literal; octal escapes because a hex escape
// would swallow a following hex digit.
std::string escape(std::string_view piece) {
  std::string out;
  for (char c : piece) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\{:03o}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

// clang-format counts columns in code points.
std::size_t columns(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// The string's code points, each escaped.
std::vector<std::string> escaped_code_points(std::string_view text) {
  std::vector<std::string> points;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    while (i + length < text.size() &&
           (static_cast<unsigned char>(text[i + length]) & 0xC0) == 0x80) {
      ++length;
    }
    points.push_back(escape(text.substr(i, length)));
    i += length;
  }
  return points;
}

class Writer {
 public:
  void line(std::string_view text = "") {
    text_ += text;
    text_ += '\n';
  }

  // `target = value;` where value is already C++ text (a number, an enumerator, a name).
  void assign(int indent, std::string_view target, std::string_view value) {
    line(fmt::format("{}{} = {};", spaces(indent), target, value));
  }

  // `target = "text";`, laid out as clang-format lays it out: on one line when it fits, else
  // broken after `=` with a 4-column continuation indent, and split into adjacent literals of
  // whole code points when even that line is too long.
  void assign_string(int indent, std::string_view target, std::string_view value) {
    std::string literal = fmt::format("\"{}\"", escape(value));
    std::string one_line = fmt::format("{}{} = {};", spaces(indent), target, literal);
    if (columns(one_line) <= kColumnLimit) return line(one_line);
    line(fmt::format("{}{} =", spaces(indent), target));
    const std::string continuation = spaces(indent + 4);
    if (columns(continuation) + columns(literal) + 1 <= kColumnLimit) {
      return line(continuation + literal + ";");
    }
    // Room for the quotes and the final ';' on every piece keeps the rule simple.
    const std::size_t room = kColumnLimit - columns(continuation) - 3;
    std::vector<std::string> pieces{""};
    for (const std::string& point : escaped_code_points(value)) {
      if (columns(pieces.back()) + columns(point) > room) pieces.emplace_back();
      pieces.back() += point;
    }
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      line(fmt::format("{}\"{}\"{}", continuation, pieces[i], i + 1 == pieces.size() ? ";" : ""));
    }
  }

  const std::string& text() const { return text_; }

 private:
  static std::string spaces(int count) { return std::string(static_cast<std::size_t>(count), ' '); }
  std::string text_;
};

// The banner, the hash line over everything that follows it, and that text.
std::string with_banner(const std::string& body) {
  return fmt::format("{}\n{}{}\n{}", kGeneratedBanner, kHashPrefix, input_hash(body), body);
}

// The text a header's hash covers: everything after its second line.
std::string_view hashed_part(std::string_view text) {
  std::size_t first = text.find('\n');
  if (first == std::string_view::npos) return {};
  std::size_t second = text.find('\n', first + 1);
  if (second == std::string_view::npos) return {};
  return text.substr(second + 1);
}

bool is_cpp_keyword(std::string_view word) {
  static constexpr std::array<std::string_view, 97> kKeywords = {"alignas",
                                                                 "alignof",
                                                                 "and",
                                                                 "and_eq",
                                                                 "asm",
                                                                 "atomic_cancel",
                                                                 "atomic_commit",
                                                                 "atomic_noexcept",
                                                                 "auto",
                                                                 "bitand",
                                                                 "bitor",
                                                                 "bool",
                                                                 "break",
                                                                 "case",
                                                                 "catch",
                                                                 "char",
                                                                 "char8_t",
                                                                 "char16_t",
                                                                 "char32_t",
                                                                 "class",
                                                                 "compl",
                                                                 "concept",
                                                                 "const",
                                                                 "consteval",
                                                                 "constexpr",
                                                                 "constinit",
                                                                 "const_cast",
                                                                 "continue",
                                                                 "co_await",
                                                                 "co_return",
                                                                 "co_yield",
                                                                 "decltype",
                                                                 "default",
                                                                 "delete",
                                                                 "do",
                                                                 "double",
                                                                 "dynamic_cast",
                                                                 "else",
                                                                 "enum",
                                                                 "explicit",
                                                                 "export",
                                                                 "extern",
                                                                 "false",
                                                                 "float",
                                                                 "for",
                                                                 "friend",
                                                                 "goto",
                                                                 "if",
                                                                 "inline",
                                                                 "int",
                                                                 "long",
                                                                 "mutable",
                                                                 "namespace",
                                                                 "new",
                                                                 "noexcept",
                                                                 "not",
                                                                 "not_eq",
                                                                 "nullptr",
                                                                 "operator",
                                                                 "or",
                                                                 "or_eq",
                                                                 "private",
                                                                 "protected",
                                                                 "public",
                                                                 "reflexpr",
                                                                 "register",
                                                                 "reinterpret_cast",
                                                                 "requires",
                                                                 "return",
                                                                 "short",
                                                                 "signed",
                                                                 "sizeof",
                                                                 "static",
                                                                 "static_assert",
                                                                 "static_cast",
                                                                 "struct",
                                                                 "switch",
                                                                 "synchronized",
                                                                 "template",
                                                                 "this",
                                                                 "thread_local",
                                                                 "throw",
                                                                 "true",
                                                                 "try",
                                                                 "typedef",
                                                                 "typeid",
                                                                 "typename",
                                                                 "union",
                                                                 "unsigned",
                                                                 "using",
                                                                 "virtual",
                                                                 "void",
                                                                 "volatile",
                                                                 "wchar_t",
                                                                 "while",
                                                                 "xor",
                                                                 "xor_eq"};
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
}

// ---- one entry ---------------------------------------------------------------------------------

// Rows are statements, not a braced list: clang-format would pack a braced list of short rows
// into columns (differently from one version to the next), and one row per line keeps a changed
// peak to one changed line.
void write_rates(Writer& out, const PowerModeModel& mode, std::size_t index) {
  const std::string type = fmt::format("std::array<PrecisionRate, {}>", mode.rate_count);
  out.line(fmt::format("// {}", mode.name));
  out.line(fmt::format("inline constexpr {} kRates{} = [] {{", type, index));
  out.line(fmt::format("  {} rates{{}};", type));
  for (std::size_t i = 0; i < mode.rate_count; ++i) {
    const PrecisionRate& rate = mode.rates[i];
    out.line(fmt::format("  rates[{}] = {{Precision::{}, {}, {}, {}, PeakOrigin::{}}};", i,
                         to_string(rate.precision), number(rate.peak_gflops),
                         number(rate.efficiency), boolean(rate.calibrated),
                         to_string(rate.origin)));
  }
  out.line("  return rates;");
  out.line("}();");
  out.line();
}

// `inline constexpr std::array<Type, count> name = {...}`, each element made by an immediately
// invoked lambda whose local `variable` write_element(i) assigns field by field.
template <typename WriteElement>
void write_array(Writer& out, std::string_view type, std::string_view name,
                 std::string_view variable, std::size_t count, WriteElement write_element) {
  out.line(fmt::format("inline constexpr std::array<{}, {}> {} = {{", type, count, name));
  for (std::size_t i = 0; i < count; ++i) {
    out.line("    [] {");
    out.line(fmt::format("      {} {};", type, variable));
    write_element(i);
    out.line(fmt::format("      return {};", variable));
    out.line("    }(),");
  }
  out.line("};");
  out.line();
}

void write_caches(Writer& out, const ResourceModel& model) {
  write_array(out, "CacheModel", "kCaches", "cache", model.cache_count, [&](std::size_t i) {
    const CacheModel& cache = model.caches[i];
    out.assign(6, "cache.level", number(cache.level));
    out.assign(6, "cache.kind", fmt::format("CacheKind::{}", to_string(cache.kind)));
    out.assign(6, "cache.size_kib", number(cache.size_kib));
    out.assign(6, "cache.line_bytes", number(cache.line_bytes));
    out.assign(6, "cache.count", number(cache.count));
    out.assign_string(6, "cache.scope", cache.scope);
  });
}

void write_modes(Writer& out, const ResourceModel& model) {
  write_array(out, "PowerModeModel", "kModes", "mode", model.mode_count, [&](std::size_t i) {
    const PowerModeModel& mode = model.modes[i];
    out.assign_string(6, "mode.name", mode.name);
    out.assign(6, "mode.clock_mhz", number(mode.clock_mhz));
    out.assign(6, "mode.tdp_watts", number(mode.tdp_watts));
    if (mode.rate_count > 0) {
      out.assign(6, "mode.rates", fmt::format("kRates{}.data()", i));
      out.assign(6, "mode.rate_count", fmt::format("kRates{}.size()", i));
    }
    out.assign(6, "mode.bandwidth_gbps", number(mode.bandwidth_gbps));
    out.assign(6, "mode.bandwidth_efficiency", number(mode.bandwidth_efficiency));
    out.assign(6, "mode.bandwidth_calibrated", boolean(mode.bandwidth_calibrated));
    if (mode.bandwidth_measured_only) {
      out.assign(6, "mode.bandwidth_measured_only", boolean(mode.bandwidth_measured_only));
    }
  });
}

void write_frameworks(Writer& out, const ResourceModel& model) {
  write_array(out, "std::string_view", "kFrameworks", "name", model.framework_count,
              [&](std::size_t i) { out.assign_string(6, "name", model.frameworks[i]); });
}

// A board's parts point at the parts' own generated models (their headers are included above).
void write_parts(Writer& out, const ResourceModel& model) {
  write_array(out, "BoardPartModel", "kParts", "part", model.part_count, [&](std::size_t i) {
    const BoardPartModel& part = model.parts[i];
    out.assign_string(6, "part.id", part.id);
    out.assign_string(6, "part.role", part.role);
    out.assign(6, "part.count", number(part.count));
    out.assign(6, "part.model", fmt::format("&hwcal::mappers::{}::kModel", part.id));
  });
}

void write_model(Writer& out, const ResourceModel& model) {
  out.line("inline constexpr ResourceModel kModel = [] {");
  out.line("  ResourceModel resource;");
  out.assign_string(2, "resource.id", model.id);
  out.assign_string(2, "resource.vendor", model.vendor);
  out.assign_string(2, "resource.model", model.model);
  out.assign_string(2, "resource.architecture", model.architecture);
  out.assign(2, "resource.device_type",
             fmt::format("DeviceType::{}", to_string(model.device_type)));
  out.assign_string(2, "resource.platform", model.platform);
  out.assign(2, "resource.compute_units", number(model.compute_units));
  out.assign_string(2, "resource.unit_name", model.unit_name);
  out.assign(2, "resource.cores_per_unit", number(model.cores_per_unit));
  out.assign(2, "resource.base_clock_mhz", number(model.base_clock_mhz));
  out.assign(2, "resource.max_clock_mhz", number(model.max_clock_mhz));
  out.assign_string(2, "resource.memory_type", model.memory_type);
  out.assign(2, "resource.memory_size_gb", number(model.memory_size_gb));
  out.assign(2, "resource.tdp_watts", number(model.tdp_watts));
  if (model.cache_count > 0) {
    out.assign(2, "resource.caches", "kCaches.data()");
    out.assign(2, "resource.cache_count", "kCaches.size()");
  }
  out.assign(2, "resource.modes", "kModes.data()");
  out.assign(2, "resource.mode_count", "kModes.size()");
  out.assign_string(2, "resource.default_mode", model.default_mode);
  out.assign_string(2, "resource.mapper_class", model.mapper_class);
  // The fields of the kinds beyond CPU and GPU, only where the entry gives them: CPU and GPU
  // headers keep their text (and input hash).
  if (!model.attachment.empty()) out.assign_string(2, "resource.attachment", model.attachment);
  if (!model.host_interface.empty()) {
    out.assign_string(2, "resource.host_interface", model.host_interface);
  }
  if (model.on_chip_memory_mib > 0) {
    out.assign(2, "resource.on_chip_memory_mib", number(model.on_chip_memory_mib));
  }
  if (model.typical_power_watts > 0) {
    out.assign(2, "resource.typical_power_watts", number(model.typical_power_watts));
  }
  if (model.framework_count > 0) {
    out.assign(2, "resource.frameworks", "kFrameworks.data()");
    out.assign(2, "resource.framework_count", "kFrameworks.size()");
  }
  if (model.part_count > 0) {
    out.assign(2, "resource.parts", "kParts.data()");
    out.assign(2, "resource.part_count", "kParts.size()");
  }
  out.line("  return resource;");
  out.line("}();");
  out.line();
}

}  // namespace

std::filesystem::path default_mapper_dir(const std::filesystem::path& database_root) {
  std::filesystem::path root = database_root.lexically_normal();
  if (!root.has_filename()) root = root.parent_path();  // "hardware_database/"
  return root.parent_path() / "include" / "hwcal" / "mappers";
}

std::string mapper_header_name(std::string_view id) { return std::string(id) + ".hpp"; }

std::string mapper_id_problem(std::string_view id) {
  if (id.empty()) return "an empty id cannot name a C++ namespace";
  if (id.front() >= '0' && id.front() <= '9') {
    return fmt::format("id '{}' starts with a digit and cannot name a C++ namespace", id);
  }
  if (id.find("__") != std::string_view::npos || id.front() == '_') {
    return fmt::format("id '{}' is reserved in C++ (a leading '_' or a '__')", id);
  }
  if (is_cpp_keyword(id)) return fmt::format("id '{}' is a C++ keyword", id);
  for (std::string_view taken : {"all", "find_model", "std", "hwcal", "detail"}) {
    if (id == taken) {
      return fmt::format("id '{}' is a name the generated index or C++ itself uses", id);
    }
  }
  return "";
}

std::string generate_mapper_header(const HardwareSpec& spec) {
  std::string problem = mapper_id_problem(spec.id);
  if (!problem.empty()) throw DataError("", "/id", problem);
  ResourceModelStorage storage = build_resource_model(spec);
  const ResourceModel& model = storage.model();

  Writer out;
  out.line("// Edit the database entry, then run sync_mappers (docs/mappers.md). Entry:");
  out.line(
      fmt::format("// {}/{}/{}.json", to_string(spec.device_type), spec.vendor_slug(), spec.id));
  out.line("#pragma once");
  out.line();
  out.line("#include <array>");
  if (model.framework_count > 0) out.line("#include <string_view>");
  out.line();
  // A board's header includes its parts' headers, so that kParts can point at their models.
  // Sorted, as clang-format sorts a block of includes.
  std::vector<std::string> part_headers;
  for (std::size_t i = 0; i < model.part_count; ++i) {
    part_headers.push_back(mapper_header_name(model.parts[i].id));
  }
  std::sort(part_headers.begin(), part_headers.end());
  part_headers.erase(std::unique(part_headers.begin(), part_headers.end()), part_headers.end());
  for (const std::string& header : part_headers) {
    out.line(fmt::format("#include \"hwcal/mappers/{}\"", header));
  }
  out.line("#include \"hwcal/model/resource_model.hpp\"");
  out.line();
  out.line(fmt::format("namespace hwcal::mappers::{} {{", spec.id));
  out.line();
  out.line("// Rates per power mode: precision, theoretical peak (GFLOPS, GIOPS for integers),");
  out.line("// efficiency (measured / theoretical, 1 where not calibrated), calibrated, and where");
  out.line("// the peak came from (hwcal/model/peak_origin.hpp).");
  out.line();
  for (std::size_t i = 0; i < model.mode_count; ++i) {
    if (model.modes[i].rate_count > 0) write_rates(out, model.modes[i], i);
  }
  if (model.cache_count > 0) write_caches(out, model);
  if (model.framework_count > 0) write_frameworks(out, model);
  if (model.part_count > 0) write_parts(out, model);
  write_modes(out, model);
  write_model(out, model);
  out.line(fmt::format("}}  // namespace hwcal::mappers::{}", spec.id));
  return with_banner(out.text());
}

std::string generate_mapper_index(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  Writer out;
  out.line("// Every generated resource model. Edit the database, then run sync_mappers");
  out.line("// (docs/mappers.md).");
  out.line("#pragma once");
  out.line();
  out.line("#include <array>");
  out.line("#include <string_view>");
  out.line();
  for (const std::string& id : ids) {
    out.line(fmt::format("#include \"hwcal/mappers/{}\"", mapper_header_name(id)));
  }
  out.line("#include \"hwcal/model/resource_model.hpp\"");
  out.line();
  out.line("namespace hwcal::mappers {");
  out.line();
  out.line("// In id order.");
  const std::string type = fmt::format("std::array<const ResourceModel*, {}>", ids.size());
  out.line(fmt::format("inline constexpr {} kAllModels = [] {{", type));
  out.line(fmt::format("  {} models{{}};", type));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out.line(fmt::format("  models[{}] = &{}::kModel;", i, ids[i]));
  }
  out.line("  return models;");
  out.line("}();");
  out.line();
  out.line("// The generated model of an entry; nullptr when there is none.");
  out.line("constexpr const ResourceModel* find_model(std::string_view id) {");
  out.line("  for (const ResourceModel* model : kAllModels) {");
  out.line("    if (model->id == id) return model;");
  out.line("  }");
  out.line("  return nullptr;");
  out.line("}");
  out.line();
  out.line("}  // namespace hwcal::mappers");
  return with_banner(out.text());
}

std::string recorded_input_hash(std::string_view header_text) {
  std::size_t first = header_text.find('\n');
  if (first == std::string_view::npos) return "";
  std::size_t end = header_text.find('\n', first + 1);
  std::string_view second = header_text.substr(
      first + 1, end == std::string_view::npos ? std::string_view::npos : end - first - 1);
  if (second.substr(0, kHashPrefix.size()) != kHashPrefix) return "";
  return std::string(second.substr(kHashPrefix.size()));
}

std::string_view to_string(HeaderDrift drift) {
  switch (drift) {
    case HeaderDrift::stale: return "stale";
    case HeaderDrift::edited: return "edited";
    case HeaderDrift::missing: return "missing";
    case HeaderDrift::orphan: return "orphan";
  }
  return "stale";
}

std::optional<HeaderProblem> check_header_text(const std::filesystem::path& path,
                                               const std::string& expected) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return HeaderProblem{path, HeaderDrift::missing, "missing: run sync_mappers to generate it"};
  }
  std::string actual = read_text_file(path);
  if (actual == expected) return std::nullopt;
  if (actual.substr(0, kGeneratedBanner.size()) == kGeneratedBanner &&
      matches_own_hash(hashed_part(actual), recorded_input_hash(actual))) {
    return HeaderProblem{path, HeaderDrift::stale,
                         "stale: its entry changed since it was generated; run sync_mappers"};
  }
  return HeaderProblem{path, HeaderDrift::edited,
                       "edited by hand: its text does not match what sync_mappers generates; "
                       "run sync_mappers"};
}

std::optional<HeaderProblem> check_mapper_header(const HardwareSpec& spec,
                                                 const std::filesystem::path& dir) {
  return check_header_text(dir / mapper_header_name(spec.id), generate_mapper_header(spec));
}

std::vector<HeaderProblem> check_mapper_index(const std::filesystem::path& dir,
                                              const std::vector<std::string>& ids) {
  std::vector<HeaderProblem> problems;
  if (auto problem =
          check_header_text(dir / std::string(kMapperIndexName), generate_mapper_index(ids))) {
    problems.push_back(*problem);
  }
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return problems;
  std::unordered_set<std::string> expected;
  for (const std::string& id : ids) expected.insert(mapper_header_name(id));
  std::vector<std::filesystem::path> orphans;
  for (const auto& item : std::filesystem::directory_iterator(dir)) {
    const std::string name = item.path().filename().string();
    if (item.path().extension() != ".hpp" || name == kMapperIndexName) continue;
    if (expected.count(name) == 0) orphans.push_back(item.path());
  }
  std::sort(orphans.begin(), orphans.end());
  for (const std::filesystem::path& orphan : orphans) {
    problems.push_back(HeaderProblem{
        orphan, HeaderDrift::orphan,
        fmt::format("not backed by an entry: the database has no id '{}'; run sync_mappers to "
                    "remove it",
                    orphan.stem().string())});
  }
  return problems;
}

Diagnostic header_diagnostic(const HeaderProblem& problem,
                             const std::filesystem::path& database_root) {
  Diagnostic diagnostic;
  diagnostic.severity = Severity::error;
  diagnostic.file = display_path_under(database_root, problem.path);
  diagnostic.message = problem.message;
  return diagnostic;
}

}  // namespace hwcal
