# SPDX-License-Identifier: Apache-2.0
# examples/m4app/releases.cmake: the releases the build makes, number and
# version string, in one place for the cross build (build.cmake) and the
# host-side test of the firmware's code (tests/CMakeLists.txt).
set(M4APP_RELEASES 1 2 3)
set(M4APP_VERSION_1 1.0.0)
set(M4APP_VERSION_2 1.1.0)
set(M4APP_VERSION_3 1.2.0)
