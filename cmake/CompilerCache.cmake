# Use ccache when it is installed: rebuilds on 2 cores are otherwise slow.
find_program(HWCAL_CCACHE ccache)
if(HWCAL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${HWCAL_CCACHE}")
endif()
