#include <gtest/gtest.h>

#include <cstdlib>

#include "measure/runner.hpp"
#include "measure/telemetry/jetson.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

fs::path orin_25w() { return test::fixtures_dir() / "machines/jetson_orin_nano_25w"; }

NvpModelConf orin_conf() {
  return parse_nvpmodel_conf(test::read_file(orin_25w() / "etc/nvpmodel.conf"));
}

TEST(Jetson, ClocksComeFromDevfreqAndUnknownsSayWhere) {
  JetsonClocks clocks = read_jetson_clocks(orin_25w());
  EXPECT_EQ(clocks.devfreq, "/sys/class/devfreq/17000000.gpu");
  EXPECT_DOUBLE_EQ(*clocks.gpu_current_mhz, 306);
  EXPECT_DOUBLE_EQ(*clocks.gpu_min_mhz, 306);
  EXPECT_DOUBLE_EQ(*clocks.gpu_max_mhz, 918);
  EXPECT_EQ(*clocks.gpu_governor, "nvhost_podgov");
  EXPECT_FALSE(clocks.emc_current_mhz.known());
  Json json = jetson_clocks_to_json(clocks);
  EXPECT_EQ(json["gpu_max_mhz"], 918.0);
  EXPECT_EQ(json["unavailable"]["emc_current_mhz"],
            "/sys/kernel/debug/bpmp/debug/clk/emc/rate: missing");

  test::TempDir empty;
  JetsonClocks none = read_jetson_clocks(empty.path());
  EXPECT_EQ(none.devfreq, "");
  EXPECT_NE(none.gpu_max_mhz.problem.find("no GPU devfreq node"), std::string::npos);
}

TEST(Jetson, WarningsCompareTheClocksWithTheMode) {
  NvpModelConf conf = orin_conf();
  const NvpModelMode* mode_25w = conf.find(1);
  ASSERT_NE(mode_25w, nullptr);
  NvpModelMode faster;  // a mode whose GPU cap is above what devfreq allows now
  faster.name = "FASTER";
  faster.gpu_max_mhz = 1020;
  faster.emc_max_mhz = 3199;
  JetsonClocks clocks = read_jetson_clocks(orin_25w());
  std::vector<std::string> warnings = jetson_clock_warnings(clocks, mode_25w);
  ASSERT_EQ(warnings.size(), 1u);  // the cap matches 25W's; only the floating clock is reported
  EXPECT_NE(warnings[0].find("may float between 306 and 918 MHz"), std::string::npos);
  EXPECT_NE(warnings[0].find("jetson_clocks"), std::string::npos);
  // Against a 1020 MHz mode the 918 MHz cap is low (the EMC cap is unreadable here: no warning).
  warnings = jetson_clock_warnings(clocks, &faster);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[1].find("capped at 918 MHz"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[1].find("below power mode FASTER's 1020 MHz"), std::string::npos);

  EXPECT_FALSE(jetson_load_clock_warning(918, mode_25w, "25W").has_value());
  EXPECT_FALSE(jetson_load_clock_warning(910, mode_25w, "25W").has_value());  // a devfreq step
  auto low = jetson_load_clock_warning(612, mode_25w, "25W");
  ASSERT_TRUE(low.has_value());
  EXPECT_NE(low->find("at most 612 MHz under load, below power mode 25W's 918 MHz"),
            std::string::npos);
  EXPECT_FALSE(jetson_load_clock_warning(612, nullptr, "25W").has_value());
}

TEST(Jetson, NvpmodelOutputIsParsed) {
  EXPECT_EQ(parse_nvpmodel_query("NV Power Mode: 25W\n1\n"), 1);
  EXPECT_EQ(parse_nvpmodel_query("NVPM WARN: something\nNV Power Mode: MAXN_SUPER\n2\n"), 2);
  EXPECT_FALSE(parse_nvpmodel_query("NV Power Mode: 25W\n").has_value());
  EXPECT_TRUE(nvpmodel_wants_reboot("NVPM WARN: Reboot required for changing to this power mode"));
  EXPECT_FALSE(nvpmodel_wants_reboot("NVPM VERB: Current mode: NV Power Mode: 15W"));
}

// A fake nvpmodel (tests/fixtures/nvpmodel/fake_nvpmodel.sh) on a copy of the 25W board.
class PowerModes : public ::testing::Test {
 protected:
  void SetUp() override {
    test::copy_tree(orin_25w() / "var", root_.path() / "var");
    status_ = root_.path() / "var/lib/nvpmodel/status";
    log_ = root_.path() / "nvpmodel.log";
    setenv("FAKE_NVPMODEL_STATUS", status_.c_str(), 1);
    setenv("FAKE_NVPMODEL_LOG", log_.c_str(), 1);
    setenv("FAKE_NVPMODEL_REBOOT", "3", 1);  // 7W needs a reboot
    unsetenv("FAKE_NVPMODEL_FAIL");
    switcher_.nvpmodel = (test::fixtures_dir() / "nvpmodel/fake_nvpmodel.sh").string();
    switcher_.settle_s = 0;
  }
  void TearDown() override {
    for (const char* name : {"FAKE_NVPMODEL_STATUS", "FAKE_NVPMODEL_LOG", "FAKE_NVPMODEL_REBOOT",
                             "FAKE_NVPMODEL_FAIL"}) {
      unsetenv(name);
    }
  }
  int current() {
    std::string problem;
    auto id = query_power_mode(switcher_, problem);
    EXPECT_TRUE(id.has_value()) << problem;
    return id.value_or(-1);
  }

  test::TempDir root_;
  fs::path status_;
  fs::path log_;
  PowerModeSwitcher switcher_;
};

TEST_F(PowerModes, EveryModeIsCalibratedOrSkippedAndTheOriginalComesBack) {
  std::vector<std::string> seen;
  AllModesResult all = for_each_power_mode(orin_conf(), 1, switcher_, [&](const NvpModelMode& m) {
    seen.push_back(m.name + "@" + std::to_string(current()));
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"15W@0", "25W@1", "MAXN_SUPER@2"}));
  ASSERT_EQ(all.modes.size(), 4u);
  EXPECT_EQ(all.modes[0].status, "calibrated");
  EXPECT_EQ(all.modes[3].name, "7W");
  EXPECT_EQ(all.modes[3].status, "skipped");
  EXPECT_NE(all.modes[3].message.find("needs a reboot"), std::string::npos);
  EXPECT_TRUE(all.restored) << all.restore_message;
  EXPECT_EQ(current(), 1);
  // The reboot-bound mode was followed at once by the original, so no later boot lands in it.
  std::string log = test::read_file(log_);
  EXPECT_NE(log.find("nvpmodel -m 3\nnvpmodel -m 1\n"), std::string::npos) << log;
}

TEST_F(PowerModes, AFailedModeIsRecordedAndTheRestGoOn) {
  setenv("FAKE_NVPMODEL_FAIL", "0", 1);
  AllModesResult all = for_each_power_mode(orin_conf(), 1, switcher_, [&](const NvpModelMode& m) {
    if (m.id == 2) throw DataError("x.json", "/power_modes", "no MAXN_SUPER");
  });
  EXPECT_EQ(all.modes[0].status, "failed");
  EXPECT_NE(all.modes[0].message.find("exited with 1: NVPM ERROR: failed to set power mode 0"),
            std::string::npos)
      << all.modes[0].message;
  EXPECT_EQ(all.modes[1].status, "calibrated");
  EXPECT_EQ(all.modes[2].status, "failed");
  EXPECT_NE(all.modes[2].message.find("no MAXN_SUPER"), std::string::npos);
  EXPECT_TRUE(all.restored);
  EXPECT_EQ(current(), 1);
}

TEST_F(PowerModes, AnInterruptRestoresTheModeBeforeItStops) {
  EXPECT_THROW(for_each_power_mode(orin_conf(), 1, switcher_,
                                   [&](const NvpModelMode& m) {
                                     if (m.id == 0) throw Interrupted("interrupted");
                                   }),
               Interrupted);
  EXPECT_EQ(current(), 1);
}

TEST_F(PowerModes, AMissingNvpmodelFailsEveryModeAndSaysSo) {
  switcher_.nvpmodel = (root_.path() / "no-such-nvpmodel").string();
  AllModesResult all = for_each_power_mode(orin_conf(), 1, switcher_, [](const NvpModelMode&) {});
  for (const ModeRun& run : all.modes) EXPECT_EQ(run.status, "failed");
  EXPECT_FALSE(all.restored);
  EXPECT_NE(all.restore_message.find("could not restore mode 1"), std::string::npos);
}

}  // namespace
}  // namespace hwcal
