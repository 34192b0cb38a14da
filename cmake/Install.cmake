# `cmake --install <build> [--prefix DIR]`: the five programs; the bundled database and the
# calibration profiles its summaries link (which the installed programs find relative to their
# own folder, see src/database); the public headers with the generated mapper headers; and the
# installed layers' static libraries as the CMake package `hwcal` (targets hwcal::base,
# hwcal::model, hwcal::json, hwcal::database) and the pkg-config file hwcal.pc (the model layer).
include(CMakePackageConfigHelpers)

install(TARGETS summarize_database calibrate sync_mappers add_hardware export_calibration
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/hardware_database/"
        DESTINATION "${HWCAL_INSTALL_DATABASE_DIR}"
        PATTERN ".hwcal.lock" EXCLUDE)
# The database's parent holds profiles/, as in a checkout: the summaries link there, and
# --check and --history read them.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/profiles/"
        DESTINATION "${HWCAL_INSTALL_DATA_DIR}/profiles")

install(FILES "${PROJECT_SOURCE_DIR}/include/hwcal/base/error.hpp"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/hwcal/base")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hwcal/model"
                  "${PROJECT_SOURCE_DIR}/include/hwcal/json"
                  "${PROJECT_SOURCE_DIR}/include/hwcal/database"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/hwcal"
        FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hwcal/mappers/"
        DESTINATION "${HWCAL_INSTALL_MAPPER_DIR}"
        FILES_MATCHING PATTERN "*.hpp")

# hwcal_install_layer(NAME EXPORT_SET): a layer's static library, in an export set.
function(hwcal_install_layer name export_set)
  install(TARGETS hwcal_${name} EXPORT ${export_set}
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
endfunction()

# Two export sets, so that using the model layer (all a generated mapper header needs) takes no
# third-party package: base and model are standard C++ (and the threads library); json and
# database need nlohmann_json, and fmt to link (private to them, but a static library's private
# dependencies are link dependencies of whatever uses it). hwcalConfig.cmake loads the second set
# only when those are found.
hwcal_install_layer(base hwcalTargets)
hwcal_install_layer(model hwcalTargets)
hwcal_install_layer(json hwcalDatabaseTargets)
hwcal_install_layer(database hwcalDatabaseTargets)
install(EXPORT hwcalTargets NAMESPACE hwcal:: DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}")
install(EXPORT hwcalDatabaseTargets NAMESPACE hwcal:: DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/hwcalConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/hwcalConfig.cmake"
  INSTALL_DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}")
# Before 1.0 a minor version may change the interface.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/hwcalConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/hwcalConfig.cmake"
              "${PROJECT_BINARY_DIR}/hwcalConfigVersion.cmake"
        DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}")

# pkg-config finds the prefix from the file's own folder, so an install can move like the
# programs can.
set(HWCAL_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH HWCAL_PKGCONFIG_TO_PREFIX "${CMAKE_INSTALL_PREFIX}/${HWCAL_PKGCONFIG_DIR}"
     "${CMAKE_INSTALL_PREFIX}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/hwcal.pc.in" "${PROJECT_BINARY_DIR}/hwcal.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/hwcal.pc" DESTINATION "${HWCAL_PKGCONFIG_DIR}")
