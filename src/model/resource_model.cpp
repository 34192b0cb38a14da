#include "hwcal/model/resource_model.hpp"

namespace hwcal {

std::string_view to_string(CacheKind kind) {
  switch (kind) {
    case CacheKind::data: return "data";
    case CacheKind::instruction: return "instruction";
    case CacheKind::unified: return "unified";
  }
  return "unified";
}

}  // namespace hwcal
