# The git revision goes into --version and into every calibration profile, so that a number
# can be traced to the code that measured it. Outside a checkout it is "unknown".
find_package(Git QUIET)
set(HWCAL_GIT_REVISION "unknown")
if(GIT_FOUND)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    OUTPUT_VARIABLE _hwcal_git_describe
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE _hwcal_git_result)
  if(_hwcal_git_result EQUAL 0 AND _hwcal_git_describe)
    set(HWCAL_GIT_REVISION "${_hwcal_git_describe}")
  endif()
endif()
