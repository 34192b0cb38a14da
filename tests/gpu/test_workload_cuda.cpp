// The GPU workload backends against the portable CPU backend: every layer's output of the tiny
// fixture network and of the bundled networks on a small input, from the same random tensors.
// Without a GPU (the build machine, CI) each test skips with the runtime's reason.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "gpu_test_support.hpp"
#include "measure/gpu.hpp"
#include "test_support.hpp"
#include "workloads/workload_calibration.hpp"
#include "workloads/workload_runner.hpp"

namespace hwcal {
namespace {

Workload tiny() { return load_workload_file(test::fixtures_dir() / "workloads/tiny.json"); }

NetworkConfig config_for(Precision precision, long long batch) {
  NetworkConfig config;
  config.precision = precision;
  config.batch = batch;
  config.cpus = {0};
  return config;
}

// Every layer of `backend` against the portable backend in fp32; fp16 has 11 bits of mantissa
// and its errors grow through the layers, so its bound is wider.
void compare_with_portable(const Workload& workload, const std::string& backend,
                           Precision precision, double tolerance) {
  const NetworkConfig config = config_for(precision, 2);
  auto gpu = make_gpu_workload_backend(backend, 0);
  ASSERT_EQ(gpu->unsupported_reason(precision), "");
  auto network = gpu->prepare(workload, config);
  auto reference =
      make_cpu_workload_backend("portable")->prepare(workload, config_for(Precision::fp32, 2));
  network->run();
  reference->run();
  for (std::size_t i = 0; i < workload.layers.size(); ++i) {
    const std::vector<float> expected = reference->output(i);
    ASSERT_GT(test::relative_error(expected, std::vector<float>(expected.size(), 0.0f)), 0.5)
        << workload.layers[i].name << ": the reference is all zeros";
    EXPECT_LT(test::relative_error(network->output(i), expected), tolerance)
        << workload.name << " " << backend << " " << to_string(precision) << ": layer "
        << workload.layers[i].name;
  }
}

TEST(CudaWorkloads, TinyMatchesThePortableBackendInFp32) {
  HWCAL_SKIP_WITHOUT_GPU();
  compare_with_portable(tiny(), "cuda", Precision::fp32, 1e-4);
}

TEST(CudaWorkloads, GraphMatchesThePortableBackendInFp32) {
  HWCAL_SKIP_WITHOUT_GPU();
  compare_with_portable(tiny(), "cuda-graph", Precision::fp32, 1e-4);
}

TEST(CudaWorkloads, TinyInFp16IsCloseToFp32) {
  HWCAL_SKIP_WITHOUT_GPU();
  compare_with_portable(tiny(), "cuda", Precision::fp16, 2e-2);
}

TEST(CudaWorkloads, BundledNetworksOnASmallInput) {
  HWCAL_SKIP_WITHOUT_GPU();
  for (const std::string name : {"resnet18", "mobilenetv2"}) {
    const Workload workload = with_input(resolve_workload(name), {3, 64, 64});
    compare_with_portable(workload, "cuda", Precision::fp32, 1e-4);
    compare_with_portable(workload, "cuda", Precision::fp16, 5e-2);
  }
}

TEST(CudaWorkloads, OtherPrecisionsAreUnsupportedWithAReason) {
  HWCAL_SKIP_WITHOUT_GPU();
  auto backend = make_gpu_workload_backend("cuda", 0);
  EXPECT_NE(backend->unsupported_reason(Precision::int8).find("fp32 and fp16 only"),
            std::string::npos);
  EXPECT_EQ(backend->device(), "cuda:0");
}

// The calibrate path: both backends measured, the graph's time attached with the share.
TEST(CudaWorkloads, RunWorkloadsRecordsTheLaunchOverhead) {
  HWCAL_SKIP_WITHOUT_GPU();
  WorkloadPlan plan = plan_gpu_workloads({(test::fixtures_dir() / "workloads/tiny.json").string()},
                                         {1}, {}, "auto", Plan::quick, 0);
  ASSERT_EQ(plan.precisions, (std::vector<Precision>{Precision::fp32, Precision::fp16}));
  const std::vector<WorkloadRecord> records = run_workloads(plan, NetworkConfig{}, "/", {});
  ASSERT_EQ(records.size(), 2u);
  for (const WorkloadRecord& record : records) {
    ASSERT_EQ(record.status, MeasurementStatus::passed) << record.message;
    EXPECT_EQ(record.backend, "cuda");
    EXPECT_EQ(record.device, "cuda:0");
    ASSERT_TRUE(record.stats_s);
    EXPECT_GT(record.stats_s->min, 0);
    ASSERT_TRUE(record.extra.is_object());
    EXPECT_EQ(record.extra["graph"]["status"], "passed") << record.extra.dump();
    EXPECT_GT(record.extra["graph"]["median_s"].get<double>(), 0);
    EXPECT_TRUE(record.extra.contains("launch_overhead_share"));
    for (const LayerRecord& layer : record.layers) {
      ASSERT_TRUE(layer.stats_s) << layer.name;
      EXPECT_GT(layer.stats_s->min, 0) << layer.name;
    }
  }
}

}  // namespace
}  // namespace hwcal
