// The built programs, as the end-to-end tests run them (paths from tests/CMakeLists.txt).
#pragma once

#include <string>

namespace hwcal::test {

inline const std::string kAddHardware = HWCAL_ADD_HARDWARE;
inline const std::string kCalibrate = HWCAL_CALIBRATE;
inline const std::string kExport = HWCAL_EXPORT_CALIBRATION;
inline const std::string kSummarize = HWCAL_SUMMARIZE_DATABASE;
inline const std::string kSyncMappers = HWCAL_SYNC_MAPPERS;

}  // namespace hwcal::test
