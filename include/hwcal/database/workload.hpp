// Workloads as data: a DNN described layer by layer in a JSON file (workloads/<name>.json, format
// in docs/workloads.md, schema in workloads/schema/workload.schema.json), its tensor shapes
// inferred from the input, and per layer the work the roofline needs: operations and the fewest
// bytes moved at a precision. The description is of an inference graph: batch norm is folded
// into the convolution before it (a bias per channel) and activations are fused, as inference
// stacks run them. Every backend (workload_runner.hpp) executes this same description, and the
// roofline predictions (workload_roofline.hpp) use this module's counts, so flops and bytes are
// computed here and nowhere else.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {

inline constexpr int kWorkloadSchemaVersion = 1;

// conv covers ordinary, grouped, depthwise (groups = channels) and pointwise (1x1) convolutions;
// fc flattens its input; avg_pool excludes padding from the divisor; add sums two tensors of the
// same shape (the residual connection).
enum class LayerOp { conv, fc, max_pool, avg_pool, global_avg_pool, add };
enum class Activation { none, relu, relu6 };

std::string_view to_string(LayerOp op);
std::optional<LayerOp> parse_layer_op(std::string_view name);
std::string_view to_string(Activation activation);
std::optional<Activation> parse_activation(std::string_view name);

// One image's tensor: channels x height x width (batch is a run setting, not part of a shape).
struct TensorShape {
  long long channels = 0;
  long long height = 0;
  long long width = 0;
  long long elements() const { return channels * height * width; }
  bool operator==(const TensorShape& other) const {
    return channels == other.channels && height == other.height && width == other.width;
  }
  bool operator!=(const TensorShape& other) const { return !(*this == other); }
};

// What a layer reads: an earlier layer's output, or the network's input.
inline constexpr std::size_t kNetworkInput = static_cast<std::size_t>(-1);

struct Layer {
  std::string name;
  LayerOp op = LayerOp::conv;
  std::vector<std::size_t> inputs;  // indices of earlier layers, or kNetworkInput
  long long out_channels = 0;       // conv: output channels; fc: output features
  long long kernel = 1;             // square kernels: conv and pooling
  long long stride = 1;
  long long padding = 0;  // the same on every side
  long long groups = 1;
  bool batch_norm = false;  // folded: the layer gets a bias per output channel
  bool bias = false;        // a bias of its own (fc)
  Activation activation = Activation::none;
  // Inferred from the inputs.
  TensorShape input;  // the first input
  TensorShape output;
  Json extra;  // unknown fields (null when there are none)

  bool has_bias() const { return bias || batch_norm; }
  bool is_depthwise() const;  // groups == input channels == output channels > 1
  bool is_pointwise() const;  // a 1x1 convolution without groups
  // "conv", "depthwise", "pointwise", "fc", "max_pool", "avg_pool", "global_avg_pool", "add".
  std::string_view kind() const;
  // Weights and biases as the inference graph holds them (batch norm folded into the bias).
  long long weight_count() const;
  long long bias_count() const;
  // Multiply-adds per image: convolutions and fully connected layers only.
  long long macs() const;
  // Input elements one output element depends on (conv, fc): what random weights are scaled by.
  long long fan_in() const;
};

struct Workload {
  long long schema_version = kWorkloadSchemaVersion;
  std::string name;  // ^[a-z0-9_]+$: what `calibrate --workloads` and the profile call it
  std::string title;
  std::string description;
  TensorShape input;
  std::vector<Layer> layers;
  std::string file;  // where it was read; "" for a built one
  Json extra;        // unknown top-level fields, sources among them (null when there are none)

  // Multiply-adds per image of the convolutions and fully connected layers: the figure papers
  // publish ("1.8 G" for ResNet-18).
  long long macs() const;
  // Weights and folded biases: what inference reads.
  long long parameters() const;
  // The count papers and torchvision publish: batch norm's scale and shift (2 per channel) in
  // place of the folded bias; the running statistics are buffers, not parameters.
  long long trained_parameters() const;
  const Layer* find_layer(std::string_view layer_name) const;
};

// Reads and checks a description: layer names unique, inputs that name earlier layers, shapes
// that fit (groups dividing the channels, a kernel no larger than the padded input, an add of
// two equal shapes). DataError names the file and the JSON pointer.
Workload parse_workload(const Json& document, const std::string& file);
Workload load_workload_file(const std::filesystem::path& path);

// The same network on another input size: tests run the networks on small images.
// DataError when a layer no longer fits.
Workload with_input(const Workload& workload, TensorShape input);

// The workloads compiled into the library from workloads/*.json, by name, in name order.
std::vector<std::string> bundled_workload_names();
// A bundled workload by name, or a description file when the argument names a .json file.
// UsageError for an unknown name (with the names there are).
Workload resolve_workload(const std::string& name_or_path);

// The element sizes of one precision's tensors in an inference graph: activations and weights
// in the precision, biases in fp32 where the precision is narrower (oneDNN's convention for
// bf16 and int8). nullopt for precisions no workload backend runs.
struct TensorBytes {
  int activation = 4;
  int weight = 4;
  int bias = 4;
};
std::optional<TensorBytes> tensor_bytes(Precision precision);
// The precisions a workload can be asked for, in canonical order.
std::vector<Precision> workload_precisions();

// The work of one layer at a batch size and precision: operations (2 x multiply-adds for conv
// and fc; one per element read for pooling and one per output element for an add; biases and
// activations are not counted) and the fewest bytes moved: every input, the weights and biases
// and the output each once. Throws UsageError for a precision tensor_bytes does not know.
struct Work {
  double flops = 0;
  double bytes = 0;
};
Work layer_work(const Layer& layer, long long batch, Precision precision);
// The sum over layers.
Work network_work(const Workload& workload, long long batch, Precision precision);

}  // namespace hwcal
