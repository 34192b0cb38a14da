// The workload backends on this machine: real oneDNN and real OpenBLAS, small inputs so the
// suite stays fast. The spot checks compare every layer's output between the two backends.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "measure/kernels.hpp"
#include "measure/telemetry/energy.hpp"
#include "test_support.hpp"
#include "workloads/workload_runner.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

bool have_onednn() {
  const std::vector<std::string> names = cpu_workload_backend_names();
  return std::find(names.begin(), names.end(), "onednn") != names.end();
}

NetworkConfig small_config(Precision precision, long long batch = 2) {
  NetworkConfig config;
  config.precision = precision;
  config.batch = batch;
  config.cpus = {0, 1};
  return config;
}

double norm_of(const std::vector<float>& values) {
  double sum = 0;
  for (const double value : values) sum += value * value;
  return std::sqrt(sum);
}

void spot_check(const std::string& name) {
  if (!have_onednn()) GTEST_SKIP() << "built without oneDNN: one backend only";
  const Workload workload = with_input(resolve_workload(name), {3, 64, 64});
  const NetworkConfig config = small_config(Precision::fp32);
  auto onednn = make_cpu_workload_backend("onednn")->prepare(workload, config);
  auto portable = make_cpu_workload_backend("portable")->prepare(workload, config);
  onednn->run();
  portable->run();
  for (std::size_t i = 0; i < workload.layers.size(); ++i) {
    const std::vector<float> expected = portable->output(i);
    const std::vector<float> got = onednn->output(i);
    ASSERT_EQ(got.size(), expected.size()) << workload.layers[i].name;
    ASSERT_EQ(got.size(),
              static_cast<std::size_t>(workload.layers[i].output.elements() * config.batch));
    EXPECT_GT(norm_of(expected), 0) << workload.layers[i].name << ": all zeros";
    // fp32 with another summation order, through up to 64 layers.
    EXPECT_LT(test::relative_error(got, expected), 1e-4) << name << " " << workload.layers[i].name;
  }
}

TEST(WorkloadBackends, OneDnnAndPortableAgreeOnResNet18) { spot_check("resnet18"); }

TEST(WorkloadBackends, OneDnnAndPortableAgreeOnMobileNetV2) { spot_check("mobilenetv2"); }

TEST(WorkloadBackends, Bf16FollowsFp32WithinItsPrecision) {
  if (!have_onednn()) GTEST_SKIP() << "built without oneDNN";
  const Workload workload = with_input(resolve_workload("resnet18"), {3, 64, 64});
  auto backend = make_cpu_workload_backend("onednn");
  auto fp32 = backend->prepare(workload, small_config(Precision::fp32));
  std::unique_ptr<PreparedNetwork> bf16;
  try {
    bf16 = backend->prepare(workload, small_config(Precision::bf16));
  } catch (const KernelUnsupported& unsupported) {
    GTEST_SKIP() << unsupported.what();
  }
  fp32->run();
  bf16->run();
  const std::size_t last = workload.layers.size() - 1;
  // 8 bits of mantissa through 31 layers: a few percent.
  EXPECT_LT(test::relative_error(bf16->output(last), fp32->output(last)), 0.05);
}

TEST(WorkloadBackends, PortableIsFp32Only) {
  auto portable = make_cpu_workload_backend("portable");
  EXPECT_EQ(portable->unsupported_reason(Precision::fp32), "");
  EXPECT_NE(portable->unsupported_reason(Precision::bf16).find("fp32 only"), std::string::npos);
  EXPECT_THROW(make_cpu_workload_backend("tensorrt"), UsageError);
  EXPECT_EQ(make_cpu_workload_backend("auto")->name(), cpu_workload_backend_names().front());
}

TEST(WorkloadBackends, RandomTensorsAreTheSameForEveryBackend) {
  const Workload workload = resolve_workload("resnet18");
  const Layer& conv1 = workload.layers[0];
  EXPECT_EQ(random_weights(conv1, 0, 7), random_weights(conv1, 0, 7));
  EXPECT_NE(random_weights(conv1, 0, 7), random_weights(conv1, 0, 8));
  const std::vector<float> weights = random_weights(conv1, 0, 7);
  ASSERT_EQ(weights.size(), 64u * 3 * 7 * 7);
  const float limit = std::sqrt(6.0f / 147.0f);
  for (float weight : weights) EXPECT_LE(std::fabs(weight), limit);
  EXPECT_EQ(random_bias(conv1, 0, 7).size(), 64u);
  EXPECT_EQ(random_input(workload, 2, 7).size(), 2u * 3 * 224 * 224);
}

TEST(MeasureWorkload, RecordsEveryLayerAndBothKindsOfPass) {
  const Workload workload = with_input(resolve_workload("mobilenetv2"), {3, 32, 32});
  WorkloadSettings settings;
  settings.warmups = 1;
  settings.min_trials = 3;
  settings.max_trials = 3;
  auto backend = make_cpu_workload_backend("portable");
  WorkloadRecord record = measure_workload(*backend, workload, small_config(Precision::fp32),
                                           settings, nullptr, "no counter here");
  ASSERT_EQ(record.status, MeasurementStatus::passed) << record.message;
  EXPECT_EQ(record.workload, "mobilenetv2");
  EXPECT_EQ(record.device, "cpu");
  EXPECT_EQ(record.backend, "portable");
  EXPECT_EQ(record.batch, 2);
  EXPECT_EQ(record.samples_s.size(), 3u);
  ASSERT_TRUE(record.stats_s && record.images_per_s);
  EXPECT_DOUBLE_EQ(record.images_per_s->best, 2 / record.stats_s->min);
  ASSERT_EQ(record.layers.size(), workload.layers.size());
  double flops = 0;
  for (std::size_t i = 0; i < record.layers.size(); ++i) {
    const LayerRecord& layer = record.layers[i];
    EXPECT_EQ(layer.name, workload.layers[i].name);
    EXPECT_EQ(layer.samples_s.size(), 3u);
    EXPECT_DOUBLE_EQ(layer.flops, layer_work(workload.layers[i], 2, Precision::fp32).flops);
    flops += layer.flops;
  }
  EXPECT_DOUBLE_EQ(record.flops, flops);
  ASSERT_TRUE(record.energy);
  EXPECT_FALSE(record.energy->joules_per_image);
  EXPECT_EQ(record.energy->message, "no counter here");

  WorkloadRecord bf16 =
      measure_workload(*backend, workload, small_config(Precision::bf16), settings, nullptr, "");
  EXPECT_EQ(bf16.status, MeasurementStatus::unsupported);
  EXPECT_TRUE(bf16.samples_s.empty());
  EXPECT_EQ(bf16.layers.size(), workload.layers.size());  // the work is known all the same
}

TEST(MeasureWorkload, Fp16IsMeasuredOrUnsupportedWithAReason) {
  if (!have_onednn()) GTEST_SKIP() << "built without oneDNN";
  const Workload workload = with_input(resolve_workload("resnet18"), {3, 32, 32});
  WorkloadSettings settings;
  settings.min_trials = settings.max_trials = 1;
  WorkloadRecord record = measure_workload(*make_cpu_workload_backend("onednn"), workload,
                                           small_config(Precision::fp16), settings, nullptr, "");
  if (record.status == MeasurementStatus::unsupported) {
    EXPECT_NE(record.message.find("oneDNN"), std::string::npos) << record.message;
  } else {
    EXPECT_EQ(record.status, MeasurementStatus::passed) << record.message;
  }
}

TEST(EnergyCounter, ReadsThePackageZoneAndCountsAWrap) {
  test::TempDir root;
  const fs::path zone = root / "sys/class/powercap/intel-rapl:0";
  std::string reason;
  EXPECT_FALSE(EnergyCounter::open(root.path(), reason));
  EXPECT_NE(reason.find("does not exist"), std::string::npos) << reason;

  test::write_file(zone / "energy_uj", "1000000\n");
  test::write_file(zone / "max_energy_range_uj", "262143328850\n");
  test::write_file(zone / "name", "package-0\n");
  std::optional<EnergyCounter> counter = EnergyCounter::open(root.path(), reason);
  ASSERT_TRUE(counter) << reason;
  EXPECT_EQ(counter->name(), "intel-rapl:0 (package-0)");
  EXPECT_DOUBLE_EQ(counter->joules(), 0);
  test::write_file(zone / "energy_uj", "3500000\n");
  EXPECT_DOUBLE_EQ(counter->joules(), 2.5);
  test::write_file(zone / "energy_uj", "500000\n");  // wrapped past the range
  EXPECT_NEAR(counter->joules(), 2.5 + (262143328850.0 - 3500000 + 500000) * 1e-6, 1e-6);

  test::write_file(zone / "energy_uj", "");  // unreadable (root-only reads as empty here)
  EXPECT_FALSE(EnergyCounter::open(root.path(), reason));
  EXPECT_NE(reason.find("cannot be read"), std::string::npos) << reason;
}

}  // namespace
}  // namespace hwcal
