// Each committed generated model against its JSON entry, field by field: the constexpr data in
// include/hwcal/mappers/ and build_resource_model on the bundled database must agree exactly
// (numbers are written in their shortest round-trip form, so equality is exact).
#include <gtest/gtest.h>

#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/mappers/all.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

void expect_same_rates(const PowerModeModel& generated, const PowerModeModel& built,
                       const std::string& where) {
  ASSERT_EQ(generated.rate_count, built.rate_count) << where;
  for (std::size_t i = 0; i < built.rate_count; ++i) {
    const PrecisionRate& a = generated.rates[i];
    const PrecisionRate& b = built.rates[i];
    std::string rate = where + " " + std::string(to_string(b.precision));
    EXPECT_EQ(a.precision, b.precision) << rate;
    EXPECT_EQ(a.peak_gflops, b.peak_gflops) << rate;
    EXPECT_EQ(a.efficiency, b.efficiency) << rate;
    EXPECT_EQ(a.calibrated, b.calibrated) << rate;
  }
}

void expect_same_model(const ResourceModel& generated, const ResourceModel& built) {
  const std::string id(built.id);
  EXPECT_EQ(generated.id, built.id);
  EXPECT_EQ(generated.vendor, built.vendor) << id;
  EXPECT_EQ(generated.model, built.model) << id;
  EXPECT_EQ(generated.architecture, built.architecture) << id;
  EXPECT_EQ(generated.device_type, built.device_type) << id;
  EXPECT_EQ(generated.platform, built.platform) << id;
  EXPECT_EQ(generated.compute_units, built.compute_units) << id;
  EXPECT_EQ(generated.unit_name, built.unit_name) << id;
  EXPECT_EQ(generated.cores_per_unit, built.cores_per_unit) << id;
  EXPECT_EQ(generated.base_clock_mhz, built.base_clock_mhz) << id;
  EXPECT_EQ(generated.max_clock_mhz, built.max_clock_mhz) << id;
  EXPECT_EQ(generated.memory_type, built.memory_type) << id;
  EXPECT_EQ(generated.memory_size_gb, built.memory_size_gb) << id;
  EXPECT_EQ(generated.tdp_watts, built.tdp_watts) << id;
  EXPECT_EQ(generated.default_mode, built.default_mode) << id;
  EXPECT_EQ(generated.mapper_class, built.mapper_class) << id;
  EXPECT_EQ(generated.attachment, built.attachment) << id;
  EXPECT_EQ(generated.host_interface, built.host_interface) << id;
  EXPECT_EQ(generated.on_chip_memory_mib, built.on_chip_memory_mib) << id;
  EXPECT_EQ(generated.typical_power_watts, built.typical_power_watts) << id;
  ASSERT_EQ(generated.framework_count, built.framework_count) << id;
  for (std::size_t i = 0; i < built.framework_count; ++i) {
    EXPECT_EQ(generated.frameworks[i], built.frameworks[i]) << id;
  }
  // A board's parts: the generated ones also point at the parts' models (a model built from one
  // spec cannot).
  ASSERT_EQ(generated.part_count, built.part_count) << id;
  for (std::size_t i = 0; i < built.part_count; ++i) {
    EXPECT_EQ(generated.parts[i].id, built.parts[i].id) << id;
    EXPECT_EQ(generated.parts[i].role, built.parts[i].role) << id;
    EXPECT_EQ(generated.parts[i].count, built.parts[i].count) << id;
    ASSERT_NE(generated.parts[i].model, nullptr) << id;
    EXPECT_EQ(generated.parts[i].model->id, built.parts[i].id) << id;
  }

  ASSERT_EQ(generated.cache_count, built.cache_count) << id;
  for (std::size_t i = 0; i < built.cache_count; ++i) {
    const CacheModel& a = generated.caches[i];
    const CacheModel& b = built.caches[i];
    std::string cache = id + " cache " + std::to_string(i);
    EXPECT_EQ(a.level, b.level) << cache;
    EXPECT_EQ(a.kind, b.kind) << cache;
    EXPECT_EQ(a.size_kib, b.size_kib) << cache;
    EXPECT_EQ(a.line_bytes, b.line_bytes) << cache;
    EXPECT_EQ(a.count, b.count) << cache;
    EXPECT_EQ(a.scope, b.scope) << cache;
  }

  ASSERT_EQ(generated.mode_count, built.mode_count) << id;
  for (std::size_t i = 0; i < built.mode_count; ++i) {
    const PowerModeModel& a = generated.modes[i];
    const PowerModeModel& b = built.modes[i];
    std::string mode = id + " mode " + std::string(b.name);
    EXPECT_EQ(a.name, b.name) << mode;
    EXPECT_EQ(a.clock_mhz, b.clock_mhz) << mode;
    EXPECT_EQ(a.tdp_watts, b.tdp_watts) << mode;
    EXPECT_EQ(a.bandwidth_gbps, b.bandwidth_gbps) << mode;
    EXPECT_EQ(a.bandwidth_efficiency, b.bandwidth_efficiency) << mode;
    EXPECT_EQ(a.bandwidth_calibrated, b.bandwidth_calibrated) << mode;
    expect_same_rates(a, b, mode);
  }
}

TEST(GeneratedHeaders, EachModelMatchesItsDatabaseEntry) {
  Database database = Database::load(test::bundled_database());
  ASSERT_EQ(mappers::kAllModels.size(), database.entries().size())
      << "the index and the database list different entries: run sync_mappers";
  for (const DatabaseEntry& entry : database.entries()) {
    const ResourceModel* generated = mappers::find_model(entry.spec.id);
    ASSERT_NE(generated, nullptr) << entry.spec.id << " has no generated header: run sync_mappers";
    ResourceModelStorage built = build_resource_model(entry.spec);
    expect_same_model(*generated, built.model());
  }
}

}  // namespace
}  // namespace hwcal
