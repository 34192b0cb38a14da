#include "hwcal/model/resource_model.hpp"

#include "base/enum_table.hpp"

namespace hwcal {

namespace {

constexpr EnumTable<CacheKind, 3> kCacheKindNames({"data", "instruction", "unified"});

}  // namespace

std::string_view to_string(CacheKind kind) { return kCacheKindNames.name(kind); }

}  // namespace hwcal
