# SPDX-License-Identifier: Apache-2.0
# Install rules: the static library, its public headers, a CMake package and a pkg-config file.
include(CMakePackageConfigHelpers)

set(CRATON_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/craton_hsm)

# The public headers use std::expected, so a consumer must compile as C++23; saying so in the
# exported interface spares every consumer from finding that out through a compile error.
target_compile_features(craton_hsm PUBLIC cxx_std_23)

# The static archive carries its PRIVATE dependencies into the export as $<LINK_ONLY:...>, which
# is why the package config below has to find them again.
install(TARGETS craton_hsm EXPORT craton_hsmTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/craton
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(EXPORT craton_hsmTargets
  NAMESPACE craton::
  FILE craton_hsmTargets.cmake
  DESTINATION ${CRATON_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/craton_hsmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/craton_hsmConfig.cmake
  INSTALL_DESTINATION ${CRATON_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/craton_hsmConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/craton_hsmConfig.cmake
  ${PROJECT_BINARY_DIR}/craton_hsmConfigVersion.cmake
  DESTINATION ${CRATON_INSTALL_CMAKEDIR})

# The .pc file locates its prefix from its own directory (${pcfiledir}) so that
# `cmake --install --prefix` anywhere yields a working file, like the CMake package does.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(CRATON_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(CRATON_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _craton_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" _craton_pc_up "${_craton_pc_up}")
  set(CRATON_PC_PREFIX "\${pcfiledir}/${_craton_pc_up}")
  set(CRATON_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(CRATON_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(CRATON_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# toml++ by its library file, not by Requires.private (see the template).
get_target_property(_craton_toml_lib tomlplusplus::tomlplusplus IMPORTED_LOCATION)
if(_craton_toml_lib)
  get_filename_component(_craton_toml_dir "${_craton_toml_lib}" DIRECTORY)
  set(CRATON_PC_TOML_LIBS "-L${_craton_toml_dir} -ltomlplusplus")
else()
  set(CRATON_PC_TOML_LIBS "-ltomlplusplus")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/craton-hsm.pc.in ${PROJECT_BINARY_DIR}/craton-hsm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/craton-hsm.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
