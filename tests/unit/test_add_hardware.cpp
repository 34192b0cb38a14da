// add_hardware's library side: --set assignments, and run_add_hardware on in-memory streams.
#include <gtest/gtest.h>

#include <sstream>

#include "hwcal/base/error.hpp"
#include "test_support.hpp"
#include "tools/add_hardware.hpp"

namespace hwcal {
namespace {

TEST(Assignment, DottedKeysTypesAndRemoval) {
  Json document = Json::parse(R"({"id": "x", "sources": [{"title": "a"}]})");
  apply_assignment(document, "theoretical_peaks.fp32=100");
  apply_assignment(document, "vendor=AMD");
  apply_assignment(document, "compute.compute_capability=8.7");
  apply_assignment(document, "detection_patterns=[\"^X$\"]");
  apply_assignment(document, "sources.0.url=https://example.com/a=b");
  apply_assignment(document, "sources.1={\"title\": \"b\", \"covers\": []}");
  apply_assignment(document, "notes=true");
  EXPECT_EQ(document["theoretical_peaks"]["fp32"], 100);
  EXPECT_EQ(document["vendor"], "AMD");
  EXPECT_EQ(document["compute"]["compute_capability"], "8.7") << "a string field stays a string";
  EXPECT_EQ(document["detection_patterns"][0], "^X$");
  EXPECT_EQ(document["sources"][0]["url"], "https://example.com/a=b");
  EXPECT_EQ(document["sources"][1]["title"], "b");
  EXPECT_EQ(document["notes"], "true");
  apply_assignment(document, "vendor=null");
  EXPECT_FALSE(document.contains("vendor"));
}

TEST(Assignment, MalformedAssignmentsAreUsageErrors) {
  Json document = Json::parse(R"({"id": "x", "sources": []})");
  EXPECT_THROW(apply_assignment(document, "no_equals_sign"), UsageError);
  EXPECT_THROW(apply_assignment(document, "=5"), UsageError);
  EXPECT_THROW(apply_assignment(document, "id.inner=5"), UsageError);
  EXPECT_THROW(apply_assignment(document, "sources.3.title=x"), UsageError);
  EXPECT_THROW(apply_assignment(document, "a..b=1"), UsageError);
}

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

RunResult run(const AddHardwareOptions& options) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  Io io{out, err, in};
  RunResult result;
  result.code = run_add_hardware(options, io);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(RunAddHardware, DetectJsonOnAFixture) {
  AddHardwareOptions options;
  options.mode = AddHardwareMode::detect;
  options.format = AddHardwareFormat::json;
  options.database = test::bundled_database();
  options.sysroot = test::fixtures_dir() / "machines/jetson_orin_nano_25w";
  RunResult result = run(options);
  ASSERT_EQ(result.code, 0) << result.err;
  Json json = parse_json(result.out, "stdout");
  EXPECT_EQ(json["matches"]["cpu"]["entry_id"], "jetson_orin_nano_cpu");
  EXPECT_EQ(json["matches"]["gpus"][0]["entry_id"], "jetson_orin_nano_gpu");
  EXPECT_EQ(json["matches"]["power_mode"], "25W");
  EXPECT_EQ(json["detection"]["cpu"]["model"], "Cortex-A78AE");
  EXPECT_EQ(json["detection"]["board"]["power_mode"]["name"], "25W");
}

TEST(RunAddHardware, WizardNeedsATerminal) {
  AddHardwareOptions options;
  options.database = test::bundled_database();
  EXPECT_THROW(run(options), UsageError);
}

TEST(RunAddHardware, MeasuringAnotherMachineIsAUsageError) {
  AddHardwareOptions options;
  options.mode = AddHardwareMode::detect;
  options.measure_clock = true;
  options.database = test::bundled_database();
  options.sysroot = test::fixtures_dir() / "machines/container";
  EXPECT_THROW(run(options), UsageError);
}

}  // namespace
}  // namespace hwcal
