# Debian packages through CPack: `cpack -G DEB --config <build>/CPackConfig.cmake` (or
# `cmake --build <build> --target package`) after a build configured with the prefix /usr in mind
# (the install rules are relative, so any build will do). Two packages from the components of
# cmake/Install.cmake:
#   hwcal      the programs, the bundled database and profiles (share/hwcal), man pages and
#              bash completion; its Depends come from dpkg-shlibdeps, which names the shared
#              libraries' packages as this distribution calls them (libopenblas0, libfmt9 on
#              Debian 12, libfmt8 on Ubuntu 22.04, libdnnl3, ...).
#   hwcal-dev  the public headers, the generated mapper headers, the static libraries and the
#              CMake package (find_package(hwcal)) and hwcal.pc; depends on hwcal of the same
#              version and recommends the -dev packages hwcal::json and hwcal::database need.
# The architecture is the build machine's (dpkg --print-architecture: amd64 on a PC, arm64 on a
# Jetson with JetPack 6, which is Ubuntu 22.04), or, in a cross build, derived from
# CMAKE_SYSTEM_PROCESSOR. Packages are built where they will run: dpkg-shlibdeps reads the
# libraries the programs were linked against from this machine's package database.
set(CPACK_PACKAGE_NAME "hwcal")
set(CPACK_PACKAGE_VENDOR "hwcal")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "hwcal maintainers <maintainers@users.noreply.r-seed-53de5b6c.example>"
    CACHE STRING "The packages' Maintainer field")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo programs are ~100 MB with their debug information
if(CMAKE_STRIP)
  set(CPACK_HWCAL_STRIP "${CMAKE_STRIP}")
  set(CPACK_PRE_BUILD_SCRIPTS "${PROJECT_SOURCE_DIR}/cmake/PackageStrip.cmake")
endif()
set(CPACK_GENERATOR "DEB")
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>-<release>_<arch>.deb
set(HWCAL_PACKAGE_RELEASE "1" CACHE STRING "The Debian revision of the packages")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${HWCAL_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")

if(CMAKE_CROSSCOMPILING)
  # dpkg would name the build machine's architecture.
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _hwcal_processor)
  if(_hwcal_processor MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "arm64")
  elseif(_hwcal_processor MATCHES "^(x86_64|amd64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "amd64")
  else()
    message(WARNING "hwcal packages: no Debian architecture for ${CMAKE_SYSTEM_PROCESSOR}; set "
                    "CPACK_DEBIAN_PACKAGE_ARCHITECTURE")
  endif()
else()
  find_program(HWCAL_DPKG dpkg)
  if(HWCAL_DPKG)
    execute_process(COMMAND "${HWCAL_DPKG}" --print-architecture
                    OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
endif()

# Dependencies in the distribution's own names, from the shared libraries the programs load.
# dpkg-shlibdeps needs every such library to come from a package: a CUDA toolkit installed from
# NVIDIA's runfile is not, and then HWCAL_DEB_SHLIBDEPS=OFF with CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS
# set by hand is the way.
option(HWCAL_DEB_SHLIBDEPS "Compute the hwcal package's Depends with dpkg-shlibdeps" ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ${HWCAL_DEB_SHLIBDEPS})

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "hwcal")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "Hardware database and calibration toolchain: programs and bundled database
 calibrate measures a machine's CPU and NVIDIA GPU (GEMM, FMA peaks, memory bandwidth) and
 writes calibration profiles; export_calibration folds them into the hardware database;
 summarize_database shows datasheet peaks against measured ones and checks the database;
 add_hardware and sync_mappers maintain it. The bundled database is installed under
 /usr/share/hwcal, where the programs find it.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION "science")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME "hwcal-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "Hardware database and calibration toolchain: development files
 The public headers (base, model, json, database layers and the generated mapper headers), the
 static libraries, the CMake package (find_package(hwcal)) and the pkg-config file hwcal.pc.
 hwcal::base and hwcal::model need only the C++ standard library; hwcal::json and
 hwcal::database need nlohmann-json3-dev and libfmt-dev.")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "hwcal (= ${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "nlohmann-json3-dev, libfmt-dev")
# Static libraries only: nothing for dpkg-shlibdeps to read.
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)

include(CPack)
cpack_add_component(runtime DISPLAY_NAME "Programs and database")
cpack_add_component(dev DISPLAY_NAME "Development files" DEPENDS runtime)
