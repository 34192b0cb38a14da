// The workload runner against a bare oneDNN program, side by side in one run (issue 9's CPU
// target: the runner within 5% of oneDNN's own timing of the same convolutions).
//
// For each network, precision and batch, two things run the same layer sequence on the same
// threads, in alternating order trial by trial so that load on a shared machine hits both alike:
//   runner  the calibrate path: make_cpu_workload_backend("onednn") -> prepare -> timed_run(),
//           i.e. what a profile records as end-to-end latency;
//   bare    written here against oneDNN directly, as a bare oneDNN program would: every
//           primitive and memory created once, weights reordered once, and only the loop of
//           execute() calls and the final wait timed.
// Each side gets about --seconds of passes (at least 10). It prints best, 10th percentile and
// median of each and the ratios runner / bare (1.00 = no overhead), and the load average before
// and after: on a shared machine the best and the 10th percentile are what can be compared.
//
// usage: bench_workloads [--batch 1,8] [--precisions fp32,bf16,int8] [--seconds 4]
//                        [--threads N] [--workloads resnet18,mobilenetv2]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <oneapi/dnnl/dnnl.hpp>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "base/stats.hpp"
#include "hwcal/database/workload.hpp"
#include "workloads/workload_runner.hpp"

namespace {

using hwcal::Layer;
using hwcal::LayerOp;
using hwcal::Precision;
using hwcal::Workload;
using Clock = std::chrono::steady_clock;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return fmt::format("{} {} {}", one, five, fifteen);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) items.push_back(item);
  return items;
}

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

// ---- the bare oneDNN program ----------------------------------------------------------------

class BareNetwork {
 public:
  BareNetwork(const Workload& workload, long long batch, Precision precision, int threads)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    omp_set_num_threads(threads);
    act_ = precision == Precision::fp32   ? dt::f32
           : precision == Precision::bf16 ? dt::bf16
                                          : dt::u8;
    wei_ = precision == Precision::int8 ? dt::s8 : act_;
    outputs_.resize(workload.layers.size());
    for (std::size_t i = 0; i < workload.layers.size(); ++i) add(workload, i, batch);
    stream_.wait();
  }

  double timed_pass() {
    const auto start = Clock::now();
    for (auto& [primitive, args] : steps_) primitive.execute(stream_, args);
    stream_.wait();
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

 private:
  dnnl::memory filled(const dnnl::memory::desc& desc, unsigned seed, double scale) {
    // Random values in [-scale, scale) in a plain f32 tensor (integers for s8 and u8),
    // reordered into the wanted layout.
#if DNNL_VERSION_MAJOR >= 3
    const dims shape = desc.get_dims();
    const dt type = desc.get_data_type();
#else
    const dims shape = desc.dims();
    const dt type = desc.data_type();
#endif
    const tag plain_tag = shape.size() == 5   ? tag::goihw
                          : shape.size() == 4 ? tag::abcd
                          : shape.size() == 2 ? tag::ab
                                              : tag::a;
    const dt plain_type = type == dt::s8 || type == dt::u8 ? type : dt::f32;
    dnnl::memory plain({shape, plain_type, plain_tag}, engine_);
    std::size_t count = 1;
    for (auto d : shape) count *= static_cast<std::size_t>(d);
    for (std::size_t i = 0; i < count; ++i) {
      if (plain_type == dt::s8) {
        static_cast<std::int8_t*>(plain.get_data_handle())[i] =
            static_cast<std::int8_t>(hwcal::random_int(seed, i, -8, 7));
      } else if (plain_type == dt::u8) {
        static_cast<std::uint8_t*>(plain.get_data_handle())[i] =
            static_cast<std::uint8_t>(hwcal::random_int(seed, i, 0, 15));
      } else {
        static_cast<float*>(plain.get_data_handle())[i] =
            static_cast<float>(scale * hwcal::random_unit(seed, i));
      }
    }
    dnnl::memory target(desc, engine_);
    dnnl::reorder(plain, target).execute(stream_, plain, target);
    return target;
  }

  // Activations keep their scale through the layers (no denormals, no overflow to infinity).
  static double he_uniform(const Layer& layer) {
    return std::sqrt(6.0 / static_cast<double>(layer.fan_in()));
  }

  dnnl::memory source(const Workload& workload, std::size_t index, std::size_t which,
                      const dnnl::memory::desc& wanted, long long batch) {
    const std::size_t from = workload.layers[index].inputs[which];
    if (from == hwcal::kNetworkInput) {
      (void)batch;
      return filled(wanted, 99, 1.0);
    }
    dnnl::memory produced = outputs_[from];
    if (produced.get_desc() == wanted) return produced;
    dnnl::memory converted(wanted, engine_);
    steps_.push_back({dnnl::reorder(produced, converted),
                      {{DNNL_ARG_FROM, produced}, {DNNL_ARG_TO, converted}}});
    return converted;
  }

  void add(const Workload& workload, std::size_t index, long long batch) {
    const Layer& layer = workload.layers[index];
    const dims src_dims = {batch, layer.input.channels, layer.input.height, layer.input.width};
    const dims dst_dims = {batch, layer.output.channels, layer.output.height, layer.output.width};
    const dims strides = {layer.stride, layer.stride};
    const dims pad_l = {layer.padding, layer.padding};
    const dims pad_r = {
        (layer.output.height - 1) * layer.stride + layer.kernel - layer.input.height -
            layer.padding,
        (layer.output.width - 1) * layer.stride + layer.kernel - layer.input.width - layer.padding};
    dnnl::post_ops ops;
#if DNNL_VERSION_MAJOR >= 3
    if (layer.activation == hwcal::Activation::relu) {
      ops.append_eltwise(dnnl::algorithm::eltwise_relu, 0, 0);
    }
    if (layer.activation == hwcal::Activation::relu6) {
      ops.append_eltwise(dnnl::algorithm::eltwise_clip, 0, 6);
    }
#else
    if (layer.activation == hwcal::Activation::relu) {
      ops.append_eltwise(1, dnnl::algorithm::eltwise_relu, 0, 0);
    }
    if (layer.activation == hwcal::Activation::relu6) {
      ops.append_eltwise(1, dnnl::algorithm::eltwise_clip, 0, 6);
    }
#endif
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    std::unordered_map<int, dnnl::memory> args;
    dnnl::primitive primitive;
    const dnnl::memory::desc bias_desc =
        layer.has_bias() ? dnnl::memory::desc({layer.out_channels}, dt::f32, tag::x)
                         : dnnl::memory::desc();
    if (layer.op == LayerOp::conv || layer.op == LayerOp::fc) {
      const float scale = 1.0f / (4.0f * std::sqrt(static_cast<float>(layer.fan_in())));
      if (act_ == dt::u8) {
#if DNNL_VERSION_MAJOR >= 3
        attr.set_scales_mask(DNNL_ARG_WEIGHTS, 0);
        dnnl::memory scales({{1}, dt::f32, tag::x}, engine_);
        *static_cast<float*>(scales.get_data_handle()) = scale;
        args[DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS] = scales;
#else
        attr.set_output_scales(0, {scale});
#endif
      }
    }
    if (layer.op == LayerOp::conv) {
      const dims wei_dims =
          layer.groups > 1
              ? dims{layer.groups, layer.out_channels / layer.groups,
                     layer.input.channels / layer.groups, layer.kernel, layer.kernel}
              : dims{layer.out_channels, layer.input.channels, layer.kernel, layer.kernel};
      const dnnl::memory::desc src(src_dims, act_, tag::any);
      const dnnl::memory::desc wei(wei_dims, wei_, tag::any);
      const dnnl::memory::desc dst(dst_dims, act_, tag::any);
#if DNNL_VERSION_MAJOR >= 3
      dnnl::convolution_forward::primitive_desc pd(engine_, dnnl::prop_kind::forward_inference,
                                                   dnnl::algorithm::convolution_direct, src, wei,
                                                   bias_desc, dst, strides, pad_l, pad_r, attr);
#else
      dnnl::convolution_forward::primitive_desc pd(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                          dnnl::algorithm::convolution_direct, src, wei, bias_desc,
                                          dst, strides, pad_l, pad_r),
          attr, engine_);
#endif
      args[DNNL_ARG_SRC] = source(workload, index, 0, pd.src_desc(), batch);
      args[DNNL_ARG_WEIGHTS] =
          filled(pd.weights_desc(), 7 + static_cast<unsigned>(index), he_uniform(layer));
      if (layer.has_bias()) args[DNNL_ARG_BIAS] = filled(bias_desc, 3, 0.1);
      outputs_[index] = dnnl::memory(pd.dst_desc(), engine_);
      primitive = dnnl::convolution_forward(pd);
    } else if (layer.op == LayerOp::fc) {
      dnnl::memory in = outputs_[layer.inputs[0]];
      const dnnl::memory::desc wei(
          {layer.out_channels, layer.input.channels, layer.input.height, layer.input.width}, wei_,
          tag::any);
      const dnnl::memory::desc dst({batch, layer.out_channels}, act_, tag::nc);
#if DNNL_VERSION_MAJOR >= 3
      dnnl::inner_product_forward::primitive_desc pd(engine_, dnnl::prop_kind::forward_inference,
                                                     in.get_desc(), wei, bias_desc, dst, attr);
#else
      dnnl::inner_product_forward::primitive_desc pd(
          dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, in.get_desc(), wei,
                                            bias_desc, dst),
          attr, engine_);
#endif
      args[DNNL_ARG_SRC] = in;
      args[DNNL_ARG_WEIGHTS] =
          filled(pd.weights_desc(), 7 + static_cast<unsigned>(index), he_uniform(layer));
      if (layer.has_bias()) args[DNNL_ARG_BIAS] = filled(bias_desc, 3, 0.1);
      outputs_[index] = dnnl::memory(pd.dst_desc(), engine_);
      primitive = dnnl::inner_product_forward(pd);
    } else if (layer.op == LayerOp::add) {
      dnnl::memory first = outputs_[layer.inputs[0]];
      const dnnl::memory::desc layout = first.get_desc();
      dnnl::memory second = source(workload, index, 1, layout, batch);
#if DNNL_VERSION_MAJOR >= 3
      dnnl::binary::primitive_desc pd(engine_, dnnl::algorithm::binary_add, layout, layout, layout,
                                      attr);
#else
      dnnl::binary::primitive_desc pd(
          dnnl::binary::desc(dnnl::algorithm::binary_add, layout, layout, layout), attr, engine_);
#endif
      args[DNNL_ARG_SRC_0] = first;
      args[DNNL_ARG_SRC_1] = second;
      outputs_[index] = dnnl::memory(pd.dst_desc(), engine_);
      primitive = dnnl::binary(pd);
    } else {
      dnnl::memory in = outputs_[layer.inputs[0]];
      const bool global = layer.op == LayerOp::global_avg_pool;
      const dims kernel =
          global ? dims{layer.input.height, layer.input.width} : dims{layer.kernel, layer.kernel};
      const auto algorithm = layer.op == LayerOp::max_pool
                                 ? dnnl::algorithm::pooling_max
                                 : dnnl::algorithm::pooling_avg_exclude_padding;
      const dnnl::memory::desc dst(dst_dims, act_, tag::any);
#if DNNL_VERSION_MAJOR >= 3
      dnnl::pooling_forward::primitive_desc pd(
          engine_, dnnl::prop_kind::forward_inference, algorithm, in.get_desc(), dst,
          global ? dims{1, 1} : strides, kernel, dims{0, 0}, global ? dims{0, 0} : pad_l,
          global ? dims{0, 0} : pad_r);
#else
      dnnl::pooling_forward::primitive_desc pd(
          dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference, algorithm, in.get_desc(),
                                      dst, global ? dims{1, 1} : strides, kernel,
                                      global ? dims{0, 0} : pad_l, global ? dims{0, 0} : pad_r),
          engine_);
#endif
      args[DNNL_ARG_SRC] = in;
      outputs_[index] = dnnl::memory(pd.dst_desc(), engine_);
      primitive = dnnl::pooling_forward(pd);
    }
    args[DNNL_ARG_DST] = outputs_[index];
    steps_.push_back({primitive, args});
  }

  dnnl::engine engine_;
  dnnl::stream stream_;
  dt act_ = dt::f32;
  dt wei_ = dt::f32;
  std::vector<dnnl::memory> outputs_;
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>> steps_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<long long> batches = {1, 8};
  std::vector<Precision> precisions = {Precision::fp32};
  std::vector<std::string> names = {"resnet18", "mobilenetv2"};
  double seconds = 4;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--batch") {
      batches.clear();
      for (const std::string& item : split(value)) batches.push_back(std::stoll(item));
    } else if (flag == "--precisions") {
      precisions.clear();
      for (const std::string& item : split(value)) {
        precisions.push_back(hwcal::parse_precision(item).value_or(Precision::fp32));
      }
    } else if (flag == "--seconds") {
      seconds = std::stod(value);
    } else if (flag == "--threads") {
      threads = std::stoi(value);
    } else if (flag == "--workloads") {
      names = split(value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const std::string load_before = load_average();
  std::printf("oneDNN %d.%d.%d, %d threads, about %.0f s of passes per side (alternating order)\n",
              DNNL_VERSION_MAJOR, DNNL_VERSION_MINOR, DNNL_VERSION_PATCH, threads, seconds);
  std::printf("load average before: %s\n\n", load_before.c_str());
  std::printf("%-12s %-5s %5s %6s %11s %11s %11s %11s %7s %7s %7s\n", "workload", "prec", "batch",
              "trials", "runner best", "bare best", "runner p10", "bare p10", "best x", "p10 x",
              "med x");
  const auto backend = hwcal::make_cpu_workload_backend("onednn");
  for (const std::string& name : names) {
    const Workload workload = hwcal::resolve_workload(name);
    for (Precision precision : precisions) {
      for (long long batch : batches) {
        hwcal::NetworkConfig config;
        config.batch = batch;
        config.precision = precision;
        for (int cpu = 0; cpu < threads; ++cpu) config.cpus.push_back(cpu);
        std::unique_ptr<hwcal::PreparedNetwork> runner;
        try {
          runner = backend->prepare(workload, config);
        } catch (const std::exception& error) {
          std::printf("%-12s %-5s %5lld unsupported: %s\n", name.c_str(),
                      std::string(hwcal::to_string(precision)).c_str(), batch, error.what());
          continue;
        }
        BareNetwork bare(workload, batch, precision, threads);
        runner->run();  // warm-up, both
        const double pass_s = std::min(runner->timed_run(), bare.timed_pass());
        const int trials = std::max(10, static_cast<int>(seconds / pass_s));
        std::vector<double> ours;
        std::vector<double> theirs;
        for (int trial = 0; trial < trials; ++trial) {
          if (trial % 2 == 0) {
            ours.push_back(runner->timed_run());
            theirs.push_back(bare.timed_pass());
          } else {
            theirs.push_back(bare.timed_pass());
            ours.push_back(runner->timed_run());
          }
        }
        const hwcal::SampleStats a = hwcal::compute_stats(ours);
        const hwcal::SampleStats b = hwcal::compute_stats(theirs);
        const double a10 = percentile(ours, 0.1);
        const double b10 = percentile(theirs, 0.1);
        std::printf("%-12s %-5s %5lld %6d %8.3f ms %8.3f ms %8.3f ms %8.3f ms %7.3f %7.3f %7.3f\n",
                    name.c_str(), std::string(hwcal::to_string(precision)).c_str(), batch, trials,
                    a.min * 1e3, b.min * 1e3, a10 * 1e3, b10 * 1e3, a.min / b.min, a10 / b10,
                    a.median / b.median);
        std::fflush(stdout);
      }
    }
  }
  std::printf("\nload average after: %s\n", load_average().c_str());
  std::printf("x = runner / bare oneDNN (1.00: no overhead; the target is at most 1.05)\n");
  return 0;
}
