# CPACK_PRE_BUILD_SCRIPTS (cmake/Packaging.cmake): runs in cpack after the install into the
# staging folder, before the packages are made. CPACK_STRIP_FILES strips the programs; the static
# libraries of hwcal-dev keep their debug information through it (a RelWithDebInfo build's are
# ten times their code), so strip that here, as Debian's dh_strip does for -dev packages.
file(GLOB_RECURSE _hwcal_archives "${CPACK_TEMPORARY_DIRECTORY}/*.a")
foreach(archive IN LISTS _hwcal_archives)
  execute_process(COMMAND "${CPACK_HWCAL_STRIP}" --strip-debug "${archive}"
                  RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${CPACK_HWCAL_STRIP} --strip-debug ${archive} failed")
  endif()
endforeach()
