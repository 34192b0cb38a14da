# The git revision goes into --version and into every calibration profile, so that a number
# can be traced to the code that measured it. It is read at build time, not at configure time:
# a commit after configuring still shows in the programs built next. Outside a checkout it is
# "unknown". hwcal_git_revision(TARGET OUTPUT) adds the generated source to TARGET.
function(hwcal_git_revision target output)
  add_custom_target(hwcal_git_revision
    COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${output}
            -P "${PROJECT_SOURCE_DIR}/cmake/WriteGitRevision.cmake"
    BYPRODUCTS "${output}"
    COMMENT "Reading the git revision"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
  add_dependencies(${target} hwcal_git_revision)
endfunction()
