# `cmake --install <build> [--prefix DIR]`: the five programs; the bundled database and the
# calibration profiles its summaries link (which the installed programs find relative to their
# own folder, see src/database); the public headers with the generated mapper headers; and the
# installed layers' static libraries as the CMake package `hwcal` (targets hwcal::base,
# hwcal::model, hwcal::json, hwcal::database) and the pkg-config file hwcal.pc (the model layer).
# Each rule names its component, which cmake/Packaging.cmake turns into a Debian package:
# `runtime` (the programs, the database, man pages, bash completion) is the package hwcal, `dev`
# (headers, static libraries, CMake and pkg-config files) is hwcal-dev. A plain `cmake --install`
# installs both.
include(CMakePackageConfigHelpers)

# The installed programs; the man pages and the bash completion cover the same list.
set(HWCAL_PROGRAMS summarize_database calibrate sync_mappers add_hardware export_calibration)
install(TARGETS ${HWCAL_PROGRAMS}
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT runtime)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/hardware_database/"
        DESTINATION "${HWCAL_INSTALL_DATABASE_DIR}" COMPONENT runtime
        PATTERN ".hwcal.lock" EXCLUDE)
# The database's parent holds profiles/, as in a checkout: the summaries link there, and
# --check and --history read them.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/profiles/"
        DESTINATION "${HWCAL_INSTALL_DATA_DIR}/profiles" COMPONENT runtime)

# bash completion: one script, read from each program's --help when it completes, installed under
# each program's name because bash-completion loads completions/<command> on first use.
foreach(program IN LISTS HWCAL_PROGRAMS)
  install(FILES "${PROJECT_SOURCE_DIR}/apps/completion.bash"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
          RENAME "${program}" COMPONENT runtime)
endforeach()
include(ManPages)

install(FILES "${PROJECT_SOURCE_DIR}/include/hwcal/base/error.hpp"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/hwcal/base" COMPONENT dev)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hwcal/model"
                  "${PROJECT_SOURCE_DIR}/include/hwcal/json"
                  "${PROJECT_SOURCE_DIR}/include/hwcal/database"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/hwcal" COMPONENT dev
        FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hwcal/mappers/"
        DESTINATION "${HWCAL_INSTALL_MAPPER_DIR}" COMPONENT dev
        FILES_MATCHING PATTERN "*.hpp")

# hwcal_install_layer(NAME EXPORT_SET): a layer's static library, in an export set.
function(hwcal_install_layer name export_set)
  install(TARGETS hwcal_${name} EXPORT ${export_set}
          ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT dev)
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
install(EXPORT hwcalTargets NAMESPACE hwcal:: DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}"
        COMPONENT dev)
install(EXPORT hwcalDatabaseTargets NAMESPACE hwcal:: DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}"
        COMPONENT dev)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/hwcalConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/hwcalConfig.cmake"
  INSTALL_DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}")
# Before 1.0 a minor version may change the interface.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/hwcalConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/hwcalConfig.cmake"
              "${PROJECT_BINARY_DIR}/hwcalConfigVersion.cmake"
        DESTINATION "${HWCAL_INSTALL_CMAKE_DIR}" COMPONENT dev)

# pkg-config finds the prefix from the file's own folder, so an install can move like the
# programs can.
set(HWCAL_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH HWCAL_PKGCONFIG_TO_PREFIX "${CMAKE_INSTALL_PREFIX}/${HWCAL_PKGCONFIG_DIR}"
     "${CMAKE_INSTALL_PREFIX}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/hwcal.pc.in" "${PROJECT_BINARY_DIR}/hwcal.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/hwcal.pc" DESTINATION "${HWCAL_PKGCONFIG_DIR}" COMPONENT dev)
