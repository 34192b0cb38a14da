// The kinds beyond CPU and GPU (docs/schema.md, "Accelerators, NPUs and DSPs" and "Boards"): one
// entry of each kind in tests/fixtures/databases/kinds validates, summarizes, renders in every
// report format and generates a mapper header (compared with tests/golden/kinds/, which the
// target hwcal_kinds_mapper_tests compiles); bad values of the new fields are one-line
// diagnostics naming the file and the field.
#include <functional>

#include <gtest/gtest.h>

#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_io.hpp"
#include "mappers/mappers.hpp"
#include "report/report.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::contains;

fs::path kinds_db() { return test::fixtures_dir() / "databases/kinds"; }

struct KindCase {
  std::string kind;
  std::string id;
  std::string file;  // below the fixture database
};

void PrintTo(const KindCase& c, std::ostream* os) { *os << c.kind; }

const std::vector<KindCase>& kind_cases() {
  static const std::vector<KindCase> cases = {
      {"npu", "example_npu", "npu/example/example_npu.json"},
      {"accelerator", "google_coral_usb_accelerator",
       "accelerator/google/google_coral_usb_accelerator.json"},
      {"dsp", "example_dsp", "dsp/example/example_dsp.json"},
      {"board", "example_board", "board/example/example_board.json"},
  };
  return cases;
}

std::string all_messages(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics.items()) text += "\n  " + format_diagnostic(d);
  return text;
}

TEST(Kinds, TheFixtureDatabaseValidatesWithoutAWarning) {
  Database database = Database::load(kinds_db());
  Diagnostics diagnostics = validate_database(database);
  EXPECT_TRUE(diagnostics.empty()) << all_messages(diagnostics);
  for (const KindCase& c : kind_cases()) {
    const DatabaseEntry* entry = database.find(c.id);
    ASSERT_NE(entry, nullptr) << c.id;
    EXPECT_EQ(to_string(entry->spec.device_type), c.kind);
  }
}

class EachKind : public ::testing::TestWithParam<KindCase> {};

TEST_P(EachKind, SummarizesAndRendersInEveryFormat) {
  const KindCase& c = GetParam();
  Database database = Database::load(kinds_db());
  ReportFilter filter;
  filter.ids = {c.id};
  EntryReportOptions options;
  options.graphics = true;  // what the HTML report needs
  DatabaseReport report = build_report(database, filter, options);
  ASSERT_EQ(report.entries.size(), 1u);
  const EntryReport& entry = report.entries.front();
  EXPECT_EQ(entry.device_type, c.kind);

  for (ReportFormat format : {ReportFormat::console, ReportFormat::markdown, ReportFormat::json,
                              ReportFormat::csv, ReportFormat::html}) {
    std::string text = render(report, format);
    EXPECT_TRUE(contains(text, c.id)) << c.id << " missing from format " << int(format);
  }
  Json json = parse_json(render(report, ReportFormat::json), "report.json");
  const Json& item = json.at("entries").at(0);
  EXPECT_EQ(item.at("device_type"), c.kind);
  const std::string csv = render(report, ReportFormat::csv);
  EXPECT_TRUE(contains(csv, "," + c.kind + ",")) << csv;
  const std::string html = render(report, ReportFormat::html);
  EXPECT_TRUE(contains(html, "data-kind=\"" + c.kind + "\"")) << "no filterable row";
  EXPECT_TRUE(contains(html, "<select name=\"kind\">"));
  EXPECT_FALSE(contains(html, "src=\"http")) << "the page fetches nothing";

  if (c.kind == "board") {
    // Its parts, and what was calibrated on it: the GPU part's 15W and 25W summaries.
    ASSERT_EQ(entry.parts.size(), 4u);
    for (const BoardPartRow& part : entry.parts) EXPECT_TRUE(part.found) << part.id;
    EXPECT_EQ(entry.modes_calibrated, (std::vector<std::string>{"15W", "25W"}));
    EXPECT_TRUE(entry.modes.empty()) << "a board has no figures of its own";
    EXPECT_EQ(item.at("parts").size(), 4u);
    EXPECT_EQ(item.at("calibrated_on_board").at(0).at("power_mode"), "15W");
    EXPECT_TRUE(contains(render(report, ReportFormat::console), "part:") ||
                contains(render(report, ReportFormat::console), "parts:"));
    EXPECT_TRUE(contains(csv, "part:jetson_orin_nano_gpu")) << csv;
    EXPECT_TRUE(contains(html, "Calibrated on it"));
  } else {
    ASSERT_FALSE(entry.modes.empty());
    EXPECT_FALSE(entry.modes.front().rows.empty()) << "its dense peaks";
    EXPECT_TRUE(entry.attachment.has_value());
    EXPECT_EQ(item.at("attachment"), *entry.attachment);
    EXPECT_TRUE(contains(render(report, ReportFormat::console), "attached: "));
    EXPECT_FALSE(item.at("frameworks").empty());
  }
}

TEST_P(EachKind, GeneratesTheMapperHeaderTheKindsTargetCompiles) {
  const KindCase& c = GetParam();
  Database database = Database::load(kinds_db());
  const HardwareSpec& spec = database.get(c.id).spec;
  std::string header = generate_mapper_header(spec);
  EXPECT_TRUE(contains(header, "DeviceType::" + c.kind));
  EXPECT_EQ(test::compare_golden("kinds/hwcal/mappers/" + mapper_header_name(c.id), header), "");
}

INSTANTIATE_TEST_SUITE_P(Kinds, EachKind, ::testing::ValuesIn(kind_cases()),
                         [](const ::testing::TestParamInfo<KindCase>& param) {
                           return param.param.kind;
                         });

TEST(Kinds, TheBoardsPartsHeadersAreGoldenToo) {
  // The board's header includes its parts' headers: they are compiled with it.
  Database database = Database::load(kinds_db());
  const HardwareSpec& gpu = database.get("jetson_orin_nano_gpu").spec;
  EXPECT_EQ(test::compare_golden("kinds/hwcal/mappers/jetson_orin_nano_gpu.hpp",
                                 generate_mapper_header(gpu)),
            "");
}

TEST(Kinds, AnAcceleratorWithoutExternalMemorySaysNone) {
  Database database = Database::load(kinds_db());
  ReportFilter filter;
  filter.ids = {"example_dsp"};
  DatabaseReport report = build_report(database, filter);
  const ModeReport& mode = report.entries.front().modes.front();
  EXPECT_TRUE(mode.no_external_memory);
  EXPECT_TRUE(contains(render(report, ReportFormat::console), "none"));
  Json json = parse_json(render(report, ReportFormat::json), "report.json");
  EXPECT_EQ(json.at("entries").at(0).at("modes").at(0).at("bandwidth").at("external_memory"),
            false);
}

// ---- bad input: one line naming the file and the field ------------------------------------------

Json fixture(const std::string& relative) { return load_json_file(kinds_db() / relative); }

Diagnostics check_one(const Json& document, const std::string& relative) {
  Diagnostics diagnostics;
  HardwareSpec spec = parse_spec(document, relative, diagnostics);
  diagnostics.append(validate_spec(spec, relative, relative));
  return diagnostics;
}

struct BadCase {
  std::string name;
  std::string file;
  std::function<void(Json&)> mutate;
  std::string pointer;
  std::string text;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadKindInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadKindInput, IsAnErrorOnOneLineNamingFileAndField) {
  const BadCase& c = GetParam();
  Json document = fixture(c.file);
  c.mutate(document);
  Diagnostics diagnostics = check_one(document, c.file);
  bool found = false;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity != Severity::error || d.pointer != c.pointer) continue;
    if (!contains(d.message, c.text)) continue;
    found = true;
    std::string line = format_diagnostic(d);
    EXPECT_TRUE(contains(line, c.file)) << line;
    EXPECT_TRUE(contains(line, c.pointer)) << line;
    EXPECT_FALSE(contains(line, "\n")) << line;
  }
  EXPECT_TRUE(found) << "no error at " << c.pointer << " containing '" << c.text
                     << "':" << all_messages(diagnostics);
}

const char* kNpu = "npu/example/example_npu.json";
const char* kDsp = "dsp/example/example_dsp.json";
const char* kBoard = "board/example/example_board.json";

INSTANTIATE_TEST_SUITE_P(
    Kinds, BadKindInput,
    ::testing::Values(
        BadCase{"MissingAttachment", kNpu, [](Json& d) { d.erase("attachment"); }, "/attachment",
                "missing"},
        BadCase{"UnknownAttachment", kNpu, [](Json& d) { d["attachment"] = "pci"; }, "/attachment",
                "unknown attachment 'pci'"},
        BadCase{"AttachmentNotAString", kDsp, [](Json& d) { d["attachment"] = 3; }, "/attachment",
                "string"},
        BadCase{"NegativeOnChipMemory", kNpu, [](Json& d) { d["on_chip_memory_mib"] = -1; },
                "/on_chip_memory_mib", "positive"},
        BadCase{"TypicalPowerAsText", kNpu, [](Json& d) { d["typical_power_watts"] = "3 W"; },
                "/typical_power_watts", "number"},
        BadCase{"EmptyFrameworkName", kDsp, [](Json& d) { d["frameworks"] = Json::array({""}); },
                "/frameworks", "framework"},
        BadCase{"FrameworksNotAnArray", kDsp, [](Json& d) { d["frameworks"] = "TensorRT"; },
                "/frameworks", "array"},
        BadCase{"ZeroBandwidthStillRefused", kNpu, [](Json& d) { d["peak_bandwidth_gbps"] = 0; },
                "/peak_bandwidth_gbps", "positive"},
        BadCase{"BoardWithPeaks", kBoard,
                [](Json& d) {
                  d["theoretical_peaks"] = Json::object({{"int8", 1.0}});
                },
                "/theoretical_peaks", "board holds no figures"},
        BadCase{"BoardWithBandwidth", kBoard, [](Json& d) { d["peak_bandwidth_gbps"] = 10; },
                "/peak_bandwidth_gbps", "board holds no figures"},
        BadCase{"BoardWithoutParts", kBoard, [](Json& d) { d.erase("parts"); }, "/parts",
                "missing"},
        BadCase{"BoardPartWithoutId", kBoard, [](Json& d) { d["parts"][0].erase("id"); },
                "/parts/0/id", "missing"},
        BadCase{"BoardPartCountZero", kBoard, [](Json& d) { d["parts"][2]["count"] = 0; },
                "/parts/2/count", "at least 1"},
        BadCase{"BoardPartTwice", kBoard,
                [](Json& d) { d["parts"][1]["id"] = d["parts"][0]["id"]; }, "/parts/1/id",
                "listed twice"},
        BadCase{"BoardModePeaks", kBoard,
                [](Json& d) {
                  d["power_modes"]["15W"]["theoretical_peaks"] = Json::object({{"fp32", 1.0}});
                },
                "/power_modes/15W/theoretical_peaks", "board holds no figures"},
        BadCase{"PartsOnADevice", kNpu,
                [](Json& d) {
                  d["parts"] = Json::array({Json::object({{"id", "example_dsp"}})});
                },
                "/parts", "belong to a board"}),
    [](const ::testing::TestParamInfo<BadCase>& param) { return param.param.name; });

// The rules across entries: a board's parts exist, are devices, and have its power modes.
Diagnostics check_database_with(const std::function<void(Json&)>& mutate_board) {
  test::TempDir dir;
  fs::path root = dir / "kinds";
  test::copy_tree(kinds_db(), root);
  fs::path board = root / kBoard;
  Json document = load_json_file(board);
  mutate_board(document);
  test::write_file(board, dump_json(document));
  return validate_database(Database::load(root));
}

bool has_error(const Diagnostics& diagnostics, const std::string& pointer,
               const std::string& text) {
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity == Severity::error && d.pointer == pointer && contains(d.message, text) &&
        contains(d.file, "example_board.json") && !contains(format_diagnostic(d), "\n")) {
      return true;
    }
  }
  return false;
}

TEST(Kinds, ABoardPartThatIsNoEntryIsNamedWithASuggestion) {
  Diagnostics diagnostics =
      check_database_with([](Json& d) { d["parts"][1]["id"] = "example_npx"; });
  EXPECT_TRUE(has_error(diagnostics, "/parts/1/id", "'example_npx' is no entry"))
      << all_messages(diagnostics);
  EXPECT_TRUE(has_error(diagnostics, "/parts/1/id", "example_npu"))
      << "did you mean" << all_messages(diagnostics);
}

TEST(Kinds, ABoardModeItsPartsLackIsAnError) {
  Diagnostics diagnostics = check_database_with([](Json& d) {
    d["power_modes"]["7W"] = Json::object({{"tdp_watts", 7}});
  });
  EXPECT_TRUE(has_error(diagnostics, "/power_modes/7W",
                        "not one of part jetson_orin_nano_gpu's modes (15W, 25W, MAXN_SUPER)"))
      << all_messages(diagnostics);
}

TEST(Kinds, ABoardCannotBeItsOwnPart) {
  Diagnostics diagnostics = check_database_with([](Json& d) {
    d["parts"].push_back(Json::object({{"id", "example_board"}}));
  });
  EXPECT_TRUE(has_error(diagnostics, "/parts/4/id", "its own part")) << all_messages(diagnostics);
}

TEST(Kinds, CpuAndGpuEntriesStillNeedABandwidth) {
  Json document = fixture("gpu/nvidia/jetson_orin_nano_gpu.json");
  document.erase("peak_bandwidth_gbps");
  Diagnostics diagnostics = check_one(document, "gpu/nvidia/jetson_orin_nano_gpu.json");
  bool found = false;
  for (const Diagnostic& d : diagnostics.items()) {
    found = found || (d.severity == Severity::error && d.pointer == "/peak_bandwidth_gbps");
  }
  EXPECT_TRUE(found) << all_messages(diagnostics);
}

TEST(Kinds, WritingBackIsByteIdentical) {
  for (const KindCase& c : kind_cases()) {
    fs::path path = kinds_db() / c.file;
    Json document = load_json_file(path);
    HardwareSpec spec = spec_from_json(document, c.file);
    EXPECT_EQ(dump_json(spec_to_json(spec, document)), test::read_file(path)) << c.file;
  }
}

}  // namespace
}  // namespace hwcal
