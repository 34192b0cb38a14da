// Every CUDA kernel of the table at a small size, checked; the runner and calibrate's device
// description on a real GPU. Without one (the build machine, CI) each test skips with the
// runtime's reason ("no CUDA device: cudaGetDeviceCount: cudaErrorNoDevice ...").
#include <gtest/gtest.h>

#include "detect/detect.hpp"
#include "gpu_test_support.hpp"
#include "measure/gpu.hpp"
#include "measure/runner.hpp"
#include "measure/telemetry/power.hpp"

namespace hwcal {
namespace {

KernelEnv gpu_env() {
  KernelEnv env;
  env.cpu = host_cpu_features();
  env.gpu = 0;
  env.gpu_facts = cuda_device_facts(0);
  return env;
}

std::vector<std::string> cuda_kernel_ids() {
  std::vector<std::string> ids;
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    if (kernel.device == "cuda") ids.push_back(kernel.id);
  }
  return ids;
}

class CudaKernel : public ::testing::TestWithParam<std::string> {};

// Rectangular GEMMs (m, n and k all different) so a swapped dimension or a transposed operand
// shows in the check.
TEST_P(CudaKernel, RunsAtASmallSizeAndChecksItsResult) {
  HWCAL_SKIP_WITHOUT_GPU();
  const KernelDescriptor* kernel = find_kernel(GetParam());
  ASSERT_NE(kernel, nullptr);
  KernelEnv env = gpu_env();
  ASSERT_TRUE(env.gpu_facts.present) << env.gpu_facts.problem;
  const std::string reason = kernel->unavailable_reason(env);
  if (!reason.empty()) GTEST_SKIP() << kernel->id << ": " << reason;
  KernelShape shape;
  if (kernel->kind == KernelClass::gemm) {
    shape = GemmShape{384, 256, 512};
  } else if (kernel->kind == KernelClass::peak_fma) {
    shape = PeakShape{256};
  } else {
    shape = BandwidthShape{4 << 20, 2};
  }
  try {
    auto prepared = kernel->prepare(shape, env);
    for (int i = 0; i < 2; ++i) {
      const double seconds = prepared->timed_run();
      EXPECT_GT(seconds, 0) << kernel->id;
      EXPECT_LT(seconds, 10) << kernel->id;
    }
    EXPECT_EQ(prepared->verify(), "") << kernel->id;
    EXPECT_GT(kernel->flops(shape, env) + kernel->bytes(shape, env), 0) << kernel->id;
  } catch (const KernelUnsupported& unsupported) {
    GTEST_SKIP() << kernel->id << " is unsupported here: " << unsupported.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CudaKernel, ::testing::ValuesIn(cuda_kernel_ids()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

TEST(CudaRun, AQuickPlanMeasuresAndRecordsPowerAndClocks) {
  HWCAL_SKIP_WITHOUT_GPU();
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  plan.device = "cuda";
  plan.kernels = {"cuda_gemm_fp16_cublas", "cuda_fma_fp32", "cuda_memcpy_d2d"};
  plan.time_budget_s = 6;
  KernelEnv env = gpu_env();
  PlannedRun planned = plan_run(plan, env, {{}, 8LL << 30});
  std::string problem;
  std::shared_ptr<Nvml> nvml = Nvml::open(problem);
  PowerSourceChoice power;
  power.problem = problem;
  RunResult result;
  if (nvml) {
    auto device = nvml->device_by_index(0);
    if (device.known()) power = nvml_power_source(nvml, *device.value);
  }
  TrialMonitor monitor(std::move(power), {});
  result = run_plan(planned, plan, env, nullptr, nullptr, &monitor);
  ASSERT_FALSE(result.measurements.empty());
  for (const MeasurementRecord& record : result.measurements) {
    EXPECT_EQ(record.status, MeasurementStatus::passed) << record.kernel << ": " << record.message;
    EXPECT_EQ(record.device, "cuda:0");
    EXPECT_TRUE(record.gflops || record.gbps) << record.kernel;
    ASSERT_TRUE(record.extra.is_object()) << record.kernel;
    EXPECT_TRUE(record.extra["power"].contains("avg_watts") ||
                record.extra["power"].contains("unavailable"))
        << record.extra.dump();
  }
}

TEST(CudaRun, OutOfMemoryIsAnErrorNamingTheCudaError) {
  HWCAL_SKIP_WITHOUT_GPU();
  KernelEnv env = gpu_env();
  PlannedRun planned;
  PlannedCall call;
  call.kernel = find_kernel("cuda_memcpy_d2d");
  ASSERT_NE(call.kernel, nullptr);
  call.shape = BandwidthShape{4 * env.gpu_facts.memory_bytes, 1};  // cannot fit
  call.residency = Residency::dram;
  planned.calls.push_back(call);
  PlannedCall after = call;
  after.shape = BandwidthShape{1 << 20, 1};
  planned.calls.push_back(after);  // the run goes on, on a healthy context
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  plan.device = "cuda";
  RunResult result = run_plan(planned, plan, env, nullptr);
  ASSERT_EQ(result.measurements.size(), 2u);
  EXPECT_EQ(result.measurements[0].status, MeasurementStatus::error);
  EXPECT_NE(result.measurements[0].message.find("cudaMalloc: cudaErrorMemoryAllocation"),
            std::string::npos)
      << result.measurements[0].message;
  EXPECT_EQ(result.measurements[1].status, MeasurementStatus::passed)
      << result.measurements[1].message;
}

TEST(CudaDevice, TheRuntimeDescribesTheGpu) {
  HWCAL_SKIP_WITHOUT_GPU();
  DeviceInfo info = cuda_device_info(0);
  EXPECT_EQ(info.id, "cuda:0");
  ASSERT_TRUE(info.name.has_value()) << info.extra.dump();
  EXPECT_TRUE(info.compute_capability.has_value());
  EXPECT_GT(info.multiprocessors.value_or(0), 0);
  EXPECT_GT(info.clocks_mhz.count("sm_max"), 0u);
  EXPECT_GT(info.memory_bytes.value_or(0), 0);
  EXPECT_TRUE(info.runtime_version.has_value());
  EXPECT_TRUE(info.extra.contains("pci_bus_id"));
  std::vector<BackendInfo> backends = cuda_backends();
  ASSERT_EQ(backends.size(), 3u);
  EXPECT_TRUE(backends[0].version.has_value());  // cublas

  std::string problem;
  auto gpus = default_cuda_probe()(problem);
  ASSERT_TRUE(gpus.has_value()) << problem;
  EXPECT_EQ(gpus->front().name.value_or(""), *info.name);
}

// On a machine without a GPU (the build machine) the reasons are the runtime's.
TEST(CudaNoDevice, EverythingSaysWhy) {
  if (test::no_gpu_reason().empty()) GTEST_SKIP() << "this machine has a GPU";
  GpuFacts facts = cuda_device_facts(0);
  EXPECT_FALSE(facts.present);
  EXPECT_EQ(facts.problem.rfind("no CUDA device: cudaGetDeviceCount: cudaError", 0), 0u)
      << facts.problem;
  std::string problem;
  EXPECT_FALSE(default_cuda_probe()(problem).has_value());
  EXPECT_EQ(problem, facts.problem);
  DeviceInfo info = cuda_device_info(0);
  EXPECT_FALSE(info.name.has_value());
  EXPECT_EQ(info.extra["unavailable"], facts.problem);
  EXPECT_TRUE(cuda_built());
}

}  // namespace
}  // namespace hwcal
