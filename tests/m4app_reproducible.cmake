# SPDX-License-Identifier: Apache-2.0
# tests/m4app_reproducible.cmake: the example firmware is deterministic.
# Copies its sources and the device library to a fresh folder at another
# path, builds them there with examples/m4app/build.cmake, and compares
# every image byte for byte with the build's (IMAGES): no time, path or
# folder may leak into an image.
#   cmake -DCC=.. -DOBJCOPY=.. -DROOT=.. -DIMAGES=.. -DWORK=.. -P this
cmake_minimum_required(VERSION 3.16)
file(REMOVE_RECURSE ${WORK})
set(copy ${WORK}/elsewhere/cfota)
foreach(dir examples/m4app lib include)
  file(COPY ${ROOT}/${dir}/ DESTINATION ${copy}/${dir})
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -DCC=${CC} -DOBJCOPY=${OBJCOPY} -DROOT=${copy} -DOUT=${WORK}/out
                        -P ${copy}/examples/m4app/build.cmake RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rebuilding the example firmware in ${copy} failed")
endif()
foreach(image m4app-boot.bin m4app-v1.bin m4app-v2.bin m4app-v3.bin)
  file(SHA256 ${IMAGES}/${image} built)
  file(SHA256 ${WORK}/out/${image} rebuilt)
  if(NOT built STREQUAL rebuilt)
    message(FATAL_ERROR "${image}: rebuilt from ${copy} it differs (${rebuilt}, build ${built})")
  endif()
  message(STATUS "${image}: same bytes (sha256 ${built})")
endforeach()
file(REMOVE_RECURSE ${WORK})
