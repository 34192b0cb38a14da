# Man pages for the installed programs (HWCAL_PROGRAMS, cmake/Install.cmake), generated from each
# program's own --help and --version by help2man, so they cannot drift from the options. Built by
# default when help2man is found (Debian and Ubuntu package help2man; scripts/setup.sh installs
# it), gzipped as Debian keeps man pages, installed under share/man/man1 in the runtime component.
# A cross build, whose programs cannot run here, has none unless HWCAL_MAN_PAGES is forced on
# with a binfmt emulator registered (qemu-user-static).
find_program(HWCAL_HELP2MAN help2man)
find_program(HWCAL_GZIP gzip)
set(_hwcal_man_default OFF)
if(HWCAL_HELP2MAN AND HWCAL_GZIP AND NOT CMAKE_CROSSCOMPILING)
  set(_hwcal_man_default ON)
endif()
option(HWCAL_MAN_PAGES "Generate and install man pages from the programs' --help (needs help2man)"
       ${_hwcal_man_default})
if(NOT HWCAL_MAN_PAGES)
  message(STATUS "hwcal: no man pages (HWCAL_MAN_PAGES is off: help2man or gzip not found, or a "
                 "cross build)")
  return()
endif()
if(NOT HWCAL_HELP2MAN OR NOT HWCAL_GZIP)
  message(FATAL_ERROR "HWCAL_MAN_PAGES=ON needs help2man and gzip (apt-get install help2man)")
endif()

# NAME lines: what each program is for, in a phrase.
set(_hwcal_man_name_summarize_database
    "show and check the hardware database: datasheet peaks against measured ones")
set(_hwcal_man_name_calibrate "measure this machine and write calibration profiles")
set(_hwcal_man_name_sync_mappers "generate the C++ mapper headers from the hardware database")
set(_hwcal_man_name_add_hardware "know this machine and add hardware database entries")
set(_hwcal_man_name_export_calibration "fold calibration profiles into the hardware database")

set(_hwcal_man_dir "${PROJECT_BINARY_DIR}/man/man1")
set(_hwcal_man_pages)
foreach(program IN LISTS HWCAL_PROGRAMS)
  set(name "${_hwcal_man_name_${program}}")
  if(NOT name)
    message(FATAL_ERROR "cmake/ManPages.cmake: no NAME line for ${program}: add "
                        "_hwcal_man_name_${program}")
  endif()
  set(page "${_hwcal_man_dir}/${program}.1")
  # help2man runs `PROGRAM --help` and `PROGRAM --version`; --no-info: no Texinfo manual to
  # point at. gzip -n keeps the file's name and time out, so the same page compresses the same.
  add_custom_command(
    OUTPUT "${page}.gz"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_hwcal_man_dir}"
    COMMAND "${HWCAL_HELP2MAN}" --no-info --name "${name}" --output "${page}"
            "$<TARGET_FILE:${program}>"
    COMMAND "${HWCAL_GZIP}" -9nf "${page}"
    DEPENDS ${program}
    COMMENT "Man page ${program}.1 from ${program} --help"
    VERBATIM)
  list(APPEND _hwcal_man_pages "${page}.gz")
endforeach()
add_custom_target(hwcal_man_pages ALL DEPENDS ${_hwcal_man_pages})
install(FILES ${_hwcal_man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT runtime)
