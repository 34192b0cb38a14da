// The oneDNN CPU workload backend: one primitive per layer (convolution with the bias and the
// activation as post-ops, max and average pooling, binary add with its activation, inner
// product), created once when the network is prepared, as an inference framework on oneDNN
// does; each convolution picks its preferred layouts (`any`), weights are reordered into them
// once, and a reorder runs between two layers only where the consumer wants another layout than
// the producer wrote (timed as part of the consumer). The network input is given in the first
// layer's layout. A pass executes the primitives in order on one in-order stream.
//
// oneDNN 2.x (Debian's libdnnl-dev) builds primitives from operation descriptors; 3.x takes the
// same arguments directly in the primitive descriptor: the two are kept apart by
// DNNL_VERSION_MAJOR. A layer oneDNN has only its reference implementation for (fp16 on a CPU
// without AVX512-FP16) makes the precision `unsupported`: no stack would run it that way.
#include <omp.h>

#include <cmath>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "measure/kernels.hpp"
#include "workloads/cpu_backends.hpp"

namespace hwcal {
namespace {

using dnnl_dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

struct Types {
  dnnl_dt activation = dnnl_dt::f32;
  dnnl_dt weights = dnnl_dt::f32;
  dnnl_dt bias = dnnl_dt::f32;
};

std::optional<Types> types_of(Precision precision) {
  switch (precision) {
    case Precision::fp32: return Types{dnnl_dt::f32, dnnl_dt::f32, dnnl_dt::f32};
    case Precision::bf16: return Types{dnnl_dt::bf16, dnnl_dt::bf16, dnnl_dt::f32};
    case Precision::fp16: return Types{dnnl_dt::f16, dnnl_dt::f16, dnnl_dt::f32};
    case Precision::int8: return Types{dnnl_dt::u8, dnnl_dt::s8, dnnl_dt::f32};
    default: return std::nullopt;
  }
}

std::string onednn_version() {
  return fmt::format("{}.{}.{}", DNNL_VERSION_MAJOR, DNNL_VERSION_MINOR, DNNL_VERSION_PATCH);
}

void append_eltwise(dnnl::post_ops& ops, dnnl::algorithm algorithm, float alpha, float beta) {
#if DNNL_VERSION_MAJOR >= 3
  ops.append_eltwise(algorithm, alpha, beta);
#else
  ops.append_eltwise(1.0f, algorithm, alpha, beta);
#endif
}

dnnl::post_ops activation_ops(Activation activation) {
  dnnl::post_ops ops;
  if (activation == Activation::relu) append_eltwise(ops, dnnl::algorithm::eltwise_relu, 0, 0);
  if (activation == Activation::relu6) append_eltwise(ops, dnnl::algorithm::eltwise_clip, 0, 6);
  return ops;
}

// Where a layer's random data comes from (fill.hpp's streams, distinct per layer).
std::uint64_t stream_of(unsigned seed, std::size_t index, unsigned which) {
  return mix64(seed ^ 0x5bd1e995U, 8 * static_cast<std::uint64_t>(index) + which);
}

struct Step {
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;
};

struct LayerPlan {
  std::vector<Step> steps;  // reorders of inputs, then the layer's primitive
  dnnl::memory output;
  std::string implementation;
};

class OneDnnNetwork : public PreparedNetwork {
 public:
  OneDnnNetwork(const Workload& workload, const NetworkConfig& config)
      : workload_(workload),
        batch_(config.batch),
        threads_(config.threads()),
        precision_(config.precision),
        types_(*types_of(config.precision)),
        seed_(config.seed),
        engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_) {
    omp_set_num_threads(static_cast<int>(threads_));
    layers_.resize(workload_.layers.size());
    for (std::size_t i = 0; i < workload_.layers.size(); ++i) {
      try {
        build(i);
      } catch (const dnnl::error& error) {
        throw KernelUnsupported(fmt::format("oneDNN {} has no {} {} for layer {} on this CPU ({})",
                                            onednn_version(), to_string(precision_),
                                            workload_.layers[i].kind(), workload_.layers[i].name,
                                            error.what()));
      }
    }
    stream_.wait();
  }

  void run() override {
    omp_set_num_threads(static_cast<int>(threads_));
    for (LayerPlan& layer : layers_) {
      for (Step& step : layer.steps) step.primitive.execute(stream_, step.args);
    }
    stream_.wait();
  }

  void run_layer(std::size_t index) override {
    for (Step& step : layers_[index].steps) step.primitive.execute(stream_, step.args);
    stream_.wait();
  }

  std::vector<float> output(std::size_t index) const override {
    const dnnl::memory& source = layers_[index].output;
    const TensorShape& shape = workload_.layers[index].output;
    dnnl::memory::desc plain({batch_, shape.channels, shape.height, shape.width}, dnnl_dt::f32,
                             tag::nchw);
    dnnl::memory target(plain, engine_);
    dnnl::stream stream(engine_);
    dnnl::memory view = source;
    if (workload_.layers[index].op == LayerOp::fc) {  // inner product writes {N, OC}
      view = dnnl::memory(
          dnnl::memory::desc({batch_, shape.channels, 1, 1}, types_.activation, tag::nchw), engine_,
          source.get_data_handle());
    }
    dnnl::reorder(view, target).execute(stream, view, target);
    stream.wait();
    const auto* data = static_cast<const float*>(target.get_data_handle());
    return std::vector<float>(data, data + batch_ * shape.elements());
  }

  std::size_t threads_used() const override { return threads_; }

  std::vector<std::string> implementations() const override {
    std::vector<std::string> names;
    for (const LayerPlan& layer : layers_) names.push_back(layer.implementation);
    return names;
  }

 private:
  dnnl::memory::desc any(const dims& shape, dnnl_dt type) const {
    return dnnl::memory::desc(shape, type, tag::any);
  }

  dims tensor_dims(const TensorShape& shape) const {
    return {batch_, shape.channels, shape.height, shape.width};
  }

  // The memory layer `index` reads as input `which`, in the layout `wanted` (when given): a
  // reorder step is added where it differs. The network input is made in that layout directly.
  dnnl::memory input(std::size_t index, std::size_t which, const dnnl::memory::desc* wanted) {
    const Layer& layer = workload_.layers[index];
    const std::size_t source = layer.inputs[which];
    if (source == kNetworkInput) return network_input(wanted);
    dnnl::memory produced = layers_[source].output;
    if (wanted == nullptr || produced.get_desc() == *wanted) return produced;
    dnnl::memory converted(*wanted, engine_);
    layers_[index].steps.push_back({dnnl::reorder(produced, converted),
                                    {{DNNL_ARG_FROM, produced}, {DNNL_ARG_TO, converted}}});
    return converted;
  }

  dnnl::memory network_input(const dnnl::memory::desc* wanted) {
    const dims shape = tensor_dims(workload_.input);
    dnnl::memory::desc plain_desc(
        shape, types_.activation == dnnl_dt::u8 ? dnnl_dt::u8 : dnnl_dt::f32, tag::nchw);
    dnnl::memory plain(plain_desc, engine_);
    const std::size_t count = static_cast<std::size_t>(batch_ * workload_.input.elements());
    if (types_.activation == dnnl_dt::u8) {
      auto* data = static_cast<std::uint8_t*>(plain.get_data_handle());
      const std::uint64_t stream = mix64(seed_, 0xfeedULL);
      for (std::size_t i = 0; i < count; ++i) {
        data[i] = static_cast<std::uint8_t>(random_int(stream, i, 0, 15));
      }
    } else {
      const std::vector<float> values = random_input(workload_, batch_, seed_);
      std::copy(values.begin(), values.end(), static_cast<float*>(plain.get_data_handle()));
    }
    dnnl::memory target(
        wanted != nullptr ? *wanted : dnnl::memory::desc(shape, types_.activation, tag::nchw),
        engine_);
    dnnl::reorder(plain, target).execute(stream_, plain, target);
    return target;
  }

  // Weights in the primitive's layout, from the logical layout every backend starts from
  // (random integers for int8: quantized values, whose scale goes into the attributes).
  dnnl::memory weights(std::size_t index, const dnnl::memory::desc& wanted) {
    const Layer& layer = workload_.layers[index];
    dims shape;
    tag layout = tag::oihw;
    if (layer.op == LayerOp::fc) {
      shape = {layer.out_channels, layer.input.channels, layer.input.height, layer.input.width};
    } else if (layer.groups > 1) {
      shape = {layer.groups, layer.out_channels / layer.groups, layer.input.channels / layer.groups,
               layer.kernel, layer.kernel};
      layout = tag::goihw;
    } else {
      shape = {layer.out_channels, layer.input.channels, layer.kernel, layer.kernel};
    }
    const bool quantized = types_.weights == dnnl_dt::s8;
    dnnl::memory plain({shape, quantized ? dnnl_dt::s8 : dnnl_dt::f32, layout}, engine_);
    if (quantized) {
      auto* data = static_cast<std::int8_t*>(plain.get_data_handle());
      const std::uint64_t stream = stream_of(seed_, index, 0);
      for (long long i = 0; i < layer.weight_count(); ++i) {
        data[i] =
            static_cast<std::int8_t>(random_int(stream, static_cast<std::uint64_t>(i), -8, 7));
      }
    } else {
      const std::vector<float> values = random_weights(layer, index, seed_);
      std::copy(values.begin(), values.end(), static_cast<float*>(plain.get_data_handle()));
    }
    dnnl::memory target(wanted, engine_);
    dnnl::reorder(plain, target).execute(stream_, plain, target);
    return target;
  }

  dnnl::memory bias(std::size_t index) {
    const Layer& layer = workload_.layers[index];
    dnnl::memory memory({{layer.out_channels}, types_.bias, tag::x}, engine_);
    const std::vector<float> values = random_bias(layer, index, seed_);
    std::copy(values.begin(), values.end(), static_cast<float*>(memory.get_data_handle()));
    return memory;
  }

  // int8: the accumulated products scaled back into u8's range (fan-in terms of up to 15 x 8).
  void quantization(const Layer& layer, dnnl::primitive_attr& attr, Step& step) {
    if (types_.activation != dnnl_dt::u8) return;
    const float scale = 1.0f / (4.0f * std::sqrt(static_cast<float>(layer.fan_in())));
#if DNNL_VERSION_MAJOR >= 3
    attr.set_scales_mask(DNNL_ARG_WEIGHTS, 0);
    dnnl::memory scales({{1}, dnnl_dt::f32, tag::x}, engine_);
    *static_cast<float*>(scales.get_data_handle()) = scale;
    step.args[DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS] = scales;
#else
    (void)step;
    attr.set_output_scales(0, {scale});
#endif
  }

  static void require_optimized(const std::string& implementation, const Layer& layer) {
    if (implementation.rfind("ref", 0) == 0) {
      throw KernelUnsupported(
          fmt::format("oneDNN {} has only its reference implementation ({}) for layer {} ({}) at "
                      "this precision on this CPU",
                      onednn_version(), implementation, layer.name, layer.kind()));
    }
  }

  void build(std::size_t index) {
    const Layer& layer = workload_.layers[index];
    LayerPlan& plan = layers_[index];
    const dims out_dims = tensor_dims(layer.output);
    const dims strides = {layer.stride, layer.stride};
    const dims padding_l = {layer.padding, layer.padding};
    // oneDNN wants the right padding that makes its output size formula exact (PyTorch floors).
    const dims padding_r = {
        (layer.output.height - 1) * layer.stride + layer.kernel - layer.input.height -
            layer.padding,
        (layer.output.width - 1) * layer.stride + layer.kernel - layer.input.width - layer.padding};
    Step step;
    dnnl::primitive_attr attr;
    attr.set_post_ops(activation_ops(layer.activation));

    switch (layer.op) {
      case LayerOp::conv: {
        const dims weight_dims =
            layer.groups > 1
                ? dims{layer.groups, layer.out_channels / layer.groups,
                       layer.input.channels / layer.groups, layer.kernel, layer.kernel}
                : dims{layer.out_channels, layer.input.channels, layer.kernel, layer.kernel};
        quantization(layer, attr, step);
        const auto src = any(tensor_dims(layer.input), types_.activation);
        const auto wei = any(weight_dims, types_.weights);
        const auto dst = any(out_dims, types_.activation);
        dnnl::memory::desc bias_desc;
        if (layer.has_bias())
          bias_desc = dnnl::memory::desc({layer.out_channels}, types_.bias, tag::x);
#if DNNL_VERSION_MAJOR >= 3
        dnnl::convolution_forward::primitive_desc pd(
            engine_, dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
            wei, bias_desc, dst, strides, padding_l, padding_r, attr);
#else
        dnnl::convolution_forward::primitive_desc pd(
            dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                            dnnl::algorithm::convolution_direct, src, wei,
                                            bias_desc, dst, strides, padding_l, padding_r),
            attr, engine_);
#endif
        plan.implementation = pd.impl_info_str();
        require_optimized(plan.implementation, layer);
        const dnnl::memory::desc wanted = pd.src_desc();
        step.args[DNNL_ARG_SRC] = input(index, 0, &wanted);
        step.args[DNNL_ARG_WEIGHTS] = weights(index, pd.weights_desc());
        if (layer.has_bias()) step.args[DNNL_ARG_BIAS] = bias(index);
        plan.output = dnnl::memory(pd.dst_desc(), engine_);
        step.args[DNNL_ARG_DST] = plan.output;
        step.primitive = dnnl::convolution_forward(pd);
        break;
      }
      case LayerOp::fc: {
        quantization(layer, attr, step);
        dnnl::memory source = input(index, 0, nullptr);
        const auto wei =
            any({layer.out_channels, layer.input.channels, layer.input.height, layer.input.width},
                types_.weights);
        const dnnl::memory::desc dst({batch_, layer.out_channels}, types_.activation, tag::nc);
        dnnl::memory::desc bias_desc;
        if (layer.has_bias())
          bias_desc = dnnl::memory::desc({layer.out_channels}, types_.bias, tag::x);
#if DNNL_VERSION_MAJOR >= 3
        dnnl::inner_product_forward::primitive_desc pd(engine_, dnnl::prop_kind::forward_inference,
                                                       source.get_desc(), wei, bias_desc, dst,
                                                       attr);
#else
        dnnl::inner_product_forward::primitive_desc pd(
            dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, source.get_desc(),
                                              wei, bias_desc, dst),
            attr, engine_);
#endif
        plan.implementation = pd.impl_info_str();
        require_optimized(plan.implementation, layer);
        step.args[DNNL_ARG_SRC] = source;
        step.args[DNNL_ARG_WEIGHTS] = weights(index, pd.weights_desc());
        if (layer.has_bias()) step.args[DNNL_ARG_BIAS] = bias(index);
        plan.output = dnnl::memory(pd.dst_desc(), engine_);
        step.args[DNNL_ARG_DST] = plan.output;
        step.primitive = dnnl::inner_product_forward(pd);
        break;
      }
      case LayerOp::max_pool:
      case LayerOp::avg_pool:
      case LayerOp::global_avg_pool: {
        dnnl::memory source = input(index, 0, nullptr);
        const bool global = layer.op == LayerOp::global_avg_pool;
        const dims kernel =
            global ? dims{layer.input.height, layer.input.width} : dims{layer.kernel, layer.kernel};
        const dims pool_strides = global ? dims{1, 1} : strides;
        const dims pool_l = global ? dims{0, 0} : padding_l;
        const dims pool_r = global ? dims{0, 0} : padding_r;
        const auto algorithm = layer.op == LayerOp::max_pool
                                   ? dnnl::algorithm::pooling_max
                                   : dnnl::algorithm::pooling_avg_exclude_padding;
        const auto dst = any(out_dims, types_.activation);
#if DNNL_VERSION_MAJOR >= 3
        dnnl::pooling_forward::primitive_desc pd(engine_, dnnl::prop_kind::forward_inference,
                                                 algorithm, source.get_desc(), dst, pool_strides,
                                                 kernel, dims{0, 0}, pool_l, pool_r);
#else
        dnnl::pooling_forward::primitive_desc pd(
            dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference, algorithm,
                                        source.get_desc(), dst, pool_strides, kernel, pool_l,
                                        pool_r),
            engine_);
#endif
        plan.implementation = pd.impl_info_str();
        step.args[DNNL_ARG_SRC] = source;
        plan.output = dnnl::memory(pd.dst_desc(), engine_);
        step.args[DNNL_ARG_DST] = plan.output;
        step.primitive = dnnl::pooling_forward(pd);
        break;
      }
      case LayerOp::add: {
        dnnl::memory first = input(index, 0, nullptr);
        const dnnl::memory::desc layout = first.get_desc();
        dnnl::memory second = input(index, 1, &layout);
#if DNNL_VERSION_MAJOR >= 3
        dnnl::binary::primitive_desc pd(engine_, dnnl::algorithm::binary_add, layout, layout,
                                        layout, attr);
#else
        dnnl::binary::primitive_desc pd(
            dnnl::binary::desc(dnnl::algorithm::binary_add, layout, layout, layout), attr, engine_);
#endif
        plan.implementation = pd.impl_info_str();
        step.args[DNNL_ARG_SRC_0] = first;
        step.args[DNNL_ARG_SRC_1] = second;
        plan.output = dnnl::memory(pd.dst_desc(), engine_);
        step.args[DNNL_ARG_DST] = plan.output;
        step.primitive = dnnl::binary(pd);
        break;
      }
    }
    plan.steps.push_back(std::move(step));
  }

  Workload workload_;
  long long batch_;
  std::size_t threads_;
  Precision precision_;
  Types types_;
  unsigned seed_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::vector<LayerPlan> layers_;
};

class OneDnnBackend : public WorkloadBackend {
 public:
  std::string name() const override { return "onednn"; }
  std::string device() const override { return "cpu"; }
  std::string description() const override {
    return fmt::format("oneDNN {} primitives (convolution, pooling, binary, inner product)",
                       onednn_version());
  }
  std::string unsupported_reason(Precision precision) const override {
    if (types_of(precision)) return "";
    return fmt::format("the oneDNN backend runs fp32, bf16, fp16 and int8, not {}",
                       to_string(precision));
  }
  std::unique_ptr<PreparedNetwork> prepare(const Workload& workload,
                                           const NetworkConfig& config) const override {
    return std::make_unique<OneDnnNetwork>(workload, config);
  }
};

}  // namespace

std::unique_ptr<WorkloadBackend> make_onednn_workload_backend() {
  return std::make_unique<OneDnnBackend>();
}

}  // namespace hwcal
