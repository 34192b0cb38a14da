#include <functional>

#include <gtest/gtest.h>

#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_io.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

const char* kGpu = "gpu/nvidia/jetson_orin_nano_gpu.json";
const char* kCpu = "cpu/intel/intel_core_i7_12700k.json";

Json fixture(const std::string& relative) {
  return load_json_file(test::fixtures_dir() / "databases/minimal" / relative);
}

Diagnostics check(const Json& document, const std::string& relative) {
  Diagnostics diagnostics;
  HardwareSpec spec = parse_spec(document, relative, diagnostics);
  diagnostics.append(validate_spec(spec, relative, relative));
  return diagnostics;
}

// The one diagnostic a mutation should cause, found by severity, pointer and message text.
::testing::AssertionResult HasDiagnostic(const Diagnostics& diagnostics, Severity severity,
                                         const std::string& pointer, const std::string& text) {
  std::string all;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity == severity && d.pointer == pointer &&
        d.message.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    all += "\n  " + format_diagnostic(d);
  }
  return ::testing::AssertionFailure() << "no diagnostic at '" << pointer << "' containing '"
                                       << text << "'; got:" << (all.empty() ? " none" : all);
}

TEST(Validate, FixturesAreClean) {
  for (const char* relative : {kGpu, kCpu}) {
    Diagnostics diagnostics = check(fixture(relative), relative);
    EXPECT_TRUE(diagnostics.empty())
        << relative << ": "
        << (diagnostics.empty() ? "" : format_diagnostic(diagnostics.items()[0]));
  }
}

struct MutationCase {
  std::string name;
  std::string file;
  std::function<void(Json&)> mutate;
  Severity severity;
  std::string pointer;
  std::string text;
  std::string relative_path;  // where the file pretends to live; "" = its real place
};

void PrintTo(const MutationCase& mutation, std::ostream* os) { *os << mutation.name; }

class ValidateMutation : public ::testing::TestWithParam<MutationCase> {};

TEST_P(ValidateMutation, ReportsTheFault) {
  const MutationCase& c = GetParam();
  Json document = fixture(c.file);
  c.mutate(document);
  Diagnostics diagnostics = check(document, c.relative_path.empty() ? c.file : c.relative_path);
  EXPECT_TRUE(HasDiagnostic(diagnostics, c.severity, c.pointer, c.text));
}

const Severity E = Severity::error;
const Severity W = Severity::warning;

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateMutation,
    ::testing::Values(
        MutationCase{"IdDiffersFromFileName", kCpu, [](Json& d) { d["id"] = "intel_i7"; }, E, "/id",
                     "differs from the file name", ""},
        MutationCase{"IdWithCapitals", kCpu, [](Json& d) { d["id"] = "Intel_i7"; }, E, "/id",
                     "must match ^[a-z0-9_]+$", ""},
        MutationCase{"DeviceTypeFolder", kCpu, [](Json&) {}, E, "/device_type",
                     "but the file is in folder 'gpu'", "gpu/intel/intel_core_i7_12700k.json"},
        MutationCase{"VendorFolder", kCpu, [](Json&) {}, E, "/vendor",
                     "belongs in folder 'intel', not 'amd'", "cpu/amd/intel_core_i7_12700k.json"},
        MutationCase{"FlatLayout", kCpu, [](Json&) {}, E, "", "move this file to cpu/intel/",
                     "intel_core_i7_12700k.json"},
        MutationCase{"BadRegex", kCpu,
                     [](Json& d) { d["detection_patterns"].push_back("Core(TM i7"); }, E,
                     "/detection_patterns/1", "not a valid regular expression", ""},
        MutationCase{"DerivationOffBy2Percent", kGpu,
                     [](Json& d) { d["peak_derivation"]["fp32"]["clock_mhz"] = 1040.4; }, E,
                     "/peak_derivation/fp32", "more than 1% apart", ""},
        MutationCase{
            "ModeDerivationOff", kGpu,
            [](Json& d) { d["power_modes"]["25W"]["peak_derivation"]["fp32"]["units"] = 16; }, E,
            "/power_modes/25W/peak_derivation/fp32", "derivation gives 3760.1", ""},
        MutationCase{"DerivationWithoutPeak", kGpu,
                     [](Json& d) { d["peak_derivation"]["fp64"] = d["peak_derivation"]["fp32"]; },
                     E, "/peak_derivation/fp64", "no theoretical peak of fp64", ""},
        MutationCase{"UnknownDefaultMode", kGpu, [](Json& d) { d["default_power_mode"] = "MAXN"; },
                     E, "/default_power_mode",
                     "is not one of the power modes (15W, 25W, MAXN_SUPER)", ""},
        MutationCase{"ModeNameWithSpace", kGpu,
                     [](Json& d) { d["power_modes"]["10 W"] = Json::object(); }, E,
                     "/power_modes/10 W", "must match ^[A-Za-z0-9_]+$", ""},
        MutationCase{"ModeNamesDifferOnlyInCase", kGpu,
                     [](Json& d) { d["power_modes"]["maxn_super"] = Json::object(); }, E,
                     "/power_modes/maxn_super", "differs from another only in case", ""},
        MutationCase{"ModePeakAboveDevice", kGpu,
                     [](Json& d) { d["power_modes"]["15W"]["theoretical_peaks"]["fp32"] = 2200; },
                     E, "/power_modes/15W/theoretical_peaks/fp32", "above the device's", ""},
        MutationCase{"EfficiencyDisagrees", kGpu,
                     [](Json& d) { d["calibration_summary"]["efficiency"]["fp32"] = 0.7; }, E,
                     "/calibration_summary/efficiency/fp32",
                     "disagrees with measured / theoretical", ""},
        MutationCase{"MeasuredAbovePeak", kGpu,
                     [](Json& d) {
                       auto& s = d["calibration_summary"]["by_power_mode"]["15W"];
                       s["measured_peaks"]["fp32"] = 1300.0;
                       s["efficiency"]["fp32"] = 1300.0 / 1253.376;
                     },
                     E, "/calibration_summary/by_power_mode/15W/measured_peaks/fp32",
                     "above the theoretical peak 1253.4 of power mode 15W", ""},
        MutationCase{"BandwidthAbovePeak", kGpu,
                     [](Json& d) { d["calibration_summary"]["measured_bandwidth_gbps"] = 110.0; },
                     E, "/calibration_summary/measured_bandwidth_gbps", "above the theoretical",
                     ""},
        MutationCase{"SummaryOfUnknownMode", kGpu,
                     [](Json& d) { d["calibration_summary"]["power_mode"] = "40W"; }, E,
                     "/calibration_summary/power_mode", "is not one of the entry's power modes",
                     ""},
        MutationCase{"CoversATypo", kCpu,
                     [](Json& d) { d["sources"][0]["covers"].push_back("/theoretical_peak"); }, E,
                     "/sources/0/covers/2", "names no field", ""},
        MutationCase{
            "UncoveredPeak", kCpu,
            [](Json& d) { d["sources"][0]["covers"] = Json::array({"/peak_bandwidth_gbps"}); }, W,
            "/theoretical_peaks/fp64", "no source covers this figure", ""},
        MutationCase{"MemoryBusDisagrees", kGpu,
                     [](Json& d) { d["memory"]["data_rate_mts"] = 4266; }, W,
                     "/peak_bandwidth_gbps", "gives 68.3 GB/s, not 102.4", ""},
        MutationCase{"NoBandwidthAndNoReason", kCpu,
                     [](Json& d) { d.erase("peak_bandwidth_gbps"); }, E, "/peak_bandwidth_gbps",
                     "missing", ""},
        MutationCase{"BandwidthAndAReason", kCpu,
                     [](Json& d) { d["peak_bandwidth_unknown"] = "a virtual machine"; }, E,
                     "/peak_bandwidth_unknown", "not both", ""},
        MutationCase{"ZeroBandwidthPointsAtTheReasonField", kCpu,
                     [](Json& d) { d["peak_bandwidth_gbps"] = 0; }, E, "/peak_bandwidth_gbps",
                     "give peak_bandwidth_unknown with the reason instead", ""},
        MutationCase{"BandwidthUnknownIsAWarning", kCpu,
                     [](Json& d) {
                       d.erase("peak_bandwidth_gbps");
                       d["peak_bandwidth_unknown"] = "a virtual machine hides its memory";
                     },
                     W, "/peak_bandwidth_unknown", "a virtual machine hides its memory", ""},
        MutationCase{"UnknownOrigin", kCpu,
                     [](Json& d) { d["peak_derivation"]["fp32"]["origin"] = "guess"; }, E,
                     "/peak_derivation/fp32/origin", "expected datasheet, core_table, cpu_flags or user",
                     ""},
        MutationCase{"InferredUnitsAreAWarning", kCpu,
                     [](Json& d) { d["peak_derivation"]["fp32"]["origin"] = "cpu_flags"; }, W,
                     "/peak_derivation/fp32/origin", "inferred FMA unit count", ""}),
    [](const ::testing::TestParamInfo<MutationCase>& param_info) { return param_info.param.name; });

TEST(Validate, DerivationWithinOnePercentPasses) {
  Json document = fixture(kGpu);
  document["peak_derivation"]["fp32"]["clock_mhz"] = 1025;  // +0.5%
  Diagnostics diagnostics = check(document, kGpu);
  EXPECT_FALSE(diagnostics.has_errors());
}

class ValidateDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    test::copy_tree(test::fixtures_dir() / "databases/minimal", dir_.path());
  }
  test::TempDir dir_;
};

TEST_F(ValidateDatabase, DuplicateIdNamesBothFiles) {
  Json document = fixture(kCpu);
  document["model"] = "Core i7-12700KF";
  test::write_file(dir_ / "cpu/intel/other.json", dump_json(document));
  Diagnostics diagnostics = validate_database(Database::load(dir_.path()));
  bool found = false;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.message.find("duplicate id 'intel_core_i7_12700k': also in") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ValidateDatabase, SameDeviceUnderTwoIdsIsADuplicate) {
  // The predecessor listed the Ryzen 7 2700X twice, once with the vendor in the model string.
  Json document = fixture(kCpu);
  document["id"] = "intel_i7_12700k";
  document["model"] = "Intel Core i7 12700K";
  test::write_file(dir_ / "cpu/intel/intel_i7_12700k.json", dump_json(document));
  Diagnostics diagnostics = validate_database(Database::load(dir_.path()));
  EXPECT_TRUE(HasDiagnostic(diagnostics, E, "/model", "the same device as"));
}

TEST_F(ValidateDatabase, MalformedFileIsReportedNotSkipped) {
  test::write_file(dir_ / "cpu/intel/broken.json", "{\"id\": ");
  Database database = Database::load(dir_.path());
  EXPECT_EQ(database.file_count(), 3u);
  EXPECT_EQ(database.entries().size(), 2u);
  Diagnostics diagnostics = validate_database(database);
  ASSERT_TRUE(diagnostics.has_errors());
  EXPECT_NE(diagnostics.items()[0].file.find("broken.json"), std::string::npos);
  EXPECT_NE(diagnostics.items()[0].message.find("malformed JSON at line 1"), std::string::npos);
}

}  // namespace
}  // namespace hwcal
