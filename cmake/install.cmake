# SPDX-License-Identifier: Apache-2.0
# cmake/install.cmake: what `cmake --install build --prefix P` puts where.
#
#   P/include/cfota/       device library headers (and the generated version.h)
#   P/include/cfota_ctl/   controller library headers
#   P/lib/libcfota.a, libcfota-ctl.a
#   P/lib/pkgconfig/cfota.pc, cfota-ctl.pc        (pkg-config)
#   P/lib/cmake/cfota/                            (find_package(cfota):
#                                                  cfota::device, cfota::controller)
#   P/bin/cfota, cfota-modem, cfota-server, cfota-admin   (host builds)
#   P/share/doc/cfota/     README, CHANGELOG, LICENSE, docs/
#
# Every installed file locates the others relative to itself, so the tree
# may be moved after installing (the pkg-config files use ${pcfiledir}).
include(CMakePackageConfigHelpers)

install(DIRECTORY ${CFOTA_ROOT}/include/cfota ${CFOTA_GENERATED_INCLUDE}/cfota
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${CFOTA_ROOT}/controller/include/cfota_ctl
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(TARGETS cfota_dev cfota_ctl EXPORT cfotaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(CFOTA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cfota)
install(EXPORT cfotaTargets NAMESPACE cfota:: DESTINATION ${CFOTA_CMAKE_DIR})
configure_file(${CFOTA_ROOT}/cmake/cfotaConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/cfotaConfig.cmake @ONLY)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cfotaConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cfotaConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/cfotaConfigVersion.cmake
        DESTINATION ${CFOTA_CMAKE_DIR})

# pkg-config: the prefix is the pkgconfig folder's way up, e.g. "../.." for
# lib/pkgconfig, "../../.." for lib/x86_64-linux-gnu/pkgconfig.
set(CFOTA_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH CFOTA_PC_TO_PREFIX /root/${CFOTA_PC_DIR} /root)
string(REGEX REPLACE "/$" "" CFOTA_PC_TO_PREFIX "${CFOTA_PC_TO_PREFIX}")
foreach(pc cfota cfota-ctl)
  configure_file(${CFOTA_ROOT}/cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc DESTINATION ${CFOTA_PC_DIR})
endforeach()

install(FILES ${CFOTA_ROOT}/README.md ${CFOTA_ROOT}/CHANGELOG.md ${CFOTA_ROOT}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CFOTA_ROOT}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
