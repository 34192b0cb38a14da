// The resource model (hwcal/model/resource_model.hpp) of a database entry, made at run time: the
// same view sync_mappers writes into the generated headers as constant data.
#pragma once

#include <memory>

#include "hwcal/database/spec.hpp"
#include "hwcal/model/resource_model.hpp"

namespace hwcal {

// A ResourceModel made at run time, owning the arrays and strings its view points into. Copies
// share the (immutable) data, so the view stays valid for as long as any copy lives.
class ResourceModelStorage {
 public:
  const ResourceModel& model() const;

 private:
  struct Data;
  explicit ResourceModelStorage(std::shared_ptr<const Data> data);
  std::shared_ptr<const Data> data_;
  friend ResourceModelStorage build_resource_model(const HardwareSpec& spec);
};

// The model of one entry: every power mode in file order, then "default" (the device's own
// figures) when no mode is the default, so that default_mode always names a mode; each
// precision's peak for that mode; efficiencies from calibration_summary. The spec should
// validate; the builder itself never throws for data.
ResourceModelStorage build_resource_model(const HardwareSpec& spec);

}  // namespace hwcal
