# SPDX-License-Identifier: Apache-2.0
# Toolchain file for a Cortex-M4 with arm-none-eabi-gcc (Debian's
# gcc-arm-none-eabi and libnewlib-arm-none-eabi):
#
#   cmake -S . -B build-m4 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#
# A cross build is device-only (CFOTA_DEVICE_ONLY): it builds the device
# and controller libraries, as firmware links them, and needs no host
# library. Change CFOTA_M4_FLAGS for another core (e.g. -mcpu=cortex-m33)
# or for a hardware FPU ABI.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
# There is no OS to link a test program for: compiler checks build a
# static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CFOTA_M4_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -ffunction-sections -fdata-sections"
    CACHE STRING "Target flags of the Cortex-M4 build")
set(CMAKE_C_FLAGS_INIT "${CFOTA_M4_FLAGS}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
