# hwcal_add_layer(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...]): the static library of
# one folder under src/, hwcal_NAME with the alias hwcal::NAME. Every layer sees the public
# headers (include/) and, inside this build only, the private ones (src/, included as
# "layer/file.hpp"); an installed layer (hwcal_install_layer in cmake/Install.cmake) exposes
# include/ alone.
function(hwcal_add_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS")
  add_library(hwcal_${name} STATIC ${arg_SOURCES})
  add_library(hwcal::${name} ALIAS hwcal_${name})
  set_target_properties(hwcal_${name} PROPERTIES EXPORT_NAME ${name}
                                                 POSITION_INDEPENDENT_CODE ON)
  target_include_directories(hwcal_${name} PUBLIC
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>"
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>"
    "$<INSTALL_INTERFACE:include>")
  target_compile_features(hwcal_${name} PUBLIC cxx_std_17)
  target_link_libraries(hwcal_${name} PUBLIC ${arg_PUBLIC_DEPS} PRIVATE ${arg_PRIVATE_DEPS})
  hwcal_set_warnings(hwcal_${name})
  # A sanitized library needs its runtime wherever it is linked, an installed one's consumers
  # included (find_package(hwcal) gets the flag with the target).
  if(HWCAL_SANITIZE)
    string(REPLACE "," "$<COMMA>" _hwcal_sanitize "-fsanitize=${HWCAL_SANITIZE}")
    target_link_options(hwcal_${name} INTERFACE "$<$<LINK_LANGUAGE:CXX>:${_hwcal_sanitize}>")
  endif()
endfunction()

# nlohmann/json dominates compile time on 2 cores: the layers that parse or write JSON share one
# precompiled header, made once by hwcal_json.
function(hwcal_use_json_pch name)
  target_precompile_headers(hwcal_${name} REUSE_FROM hwcal_json)
endfunction()
