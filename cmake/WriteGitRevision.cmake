# cmake -DSOURCE_DIR=... -DOUTPUT=... -P WriteGitRevision.cmake: writes OUTPUT, a source file
# defining hwcal::git_revision(), only when the revision changed (so nothing rebuilds otherwise).
set(revision "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
    WORKING_DIRECTORY "${SOURCE_DIR}"
    OUTPUT_VARIABLE described
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE result)
  if(result EQUAL 0 AND described)
    set(revision "${described}")
  endif()
endif()
set(text "// Generated at build time by cmake/WriteGitRevision.cmake.\n#include \"base/version.hpp\"\n\nconst char* hwcal::git_revision() { return \"${revision}\"; }\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUTPUT}" "${text}")
endif()
