// How closely stored figures must agree with what they are derived from: one set of numbers for
// the validation rules (validate.hpp), export_calibration (so that what it writes always
// validates) and the summary layer's drift checks.
#pragma once

namespace hwcal {

inline constexpr double kDerivationTolerance = 0.01;   // peak_derivation against its peak
inline constexpr double kEfficiencyTolerance = 0.005;  // stored efficiency against re-computed
inline constexpr double kOverPeakTolerance = 0.02;     // measured above theoretical
inline constexpr double kModePeakTolerance = 0.01;     // a mode's peak above the device's
inline constexpr double kBandwidthDerivationTolerance = 0.01;

// True when `relative_error(a, b)` = |a - b| / max(|b|, tiny) is within `tolerance`.
double relative_error(double value, double reference);

}  // namespace hwcal
