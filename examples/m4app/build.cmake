# SPDX-License-Identifier: Apache-2.0
# examples/m4app/build.cmake: cross-build the example firmware, run as
#   cmake -DCC=arm-none-eabi-gcc -DOBJCOPY=arm-none-eabi-objcopy
#         -DROOT=<repository> -DOUT=<folder> -P build.cmake
# It makes, in OUT:
#   m4app-boot.elf/.bin   the boot stage, for flash address 0
#   m4app-vN.elf/.bin     release N of the application, for the image area
#                         (0x8000); the .bin files are raw images
# The flags are fixed and nothing depends on the time or the folder (no
# debug information, paths mapped), so every build gives the same bytes;
# tests/m4app_reproducible.cmake checks it.
cmake_minimum_required(VERSION 3.16)
foreach(v CC OBJCOPY ROOT OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "build.cmake: -D${v}=... is required")
  endif()
endforeach()

set(src ${ROOT}/examples/m4app)
set(obj ${OUT}/m4app-obj)
file(MAKE_DIRECTORY ${obj})

include(${src}/releases.cmake)

set(cflags -Os -g0 -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c99 -Wall -Wextra -Werror
    -Wno-unused-parameter -ffunction-sections -fdata-sections -fno-common
    -ffile-prefix-map=${ROOT}=. -I${ROOT}/include -I${src})
set(ldflags -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--build-id=none
    -Wl,-L,${src})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "m4app: failed: ${cmd}\n${out}")
  endif()
endfunction()

# compile(SOURCE OBJECT [defines...])
function(compile source object)
  run(${CC} ${cflags} ${ARGN} -c ${source} -o ${object})
endfunction()

# The parts both stages link: the cfota device library and the board.
file(GLOB lib_sources ${ROOT}/lib/*.c)
set(common_objects)
foreach(s ${lib_sources} ${src}/startup.c ${src}/board_nrf52.c ${src}/console.c ${src}/fota_port.c)
  get_filename_component(name ${s} NAME_WE)
  compile(${s} ${obj}/${name}.o)
  list(APPEND common_objects ${obj}/${name}.o)
endforeach()

# link(NAME LINKER_SCRIPT objects...): NAME.elf and the raw NAME.bin
function(link name script)
  run(${CC} ${cflags} ${ldflags} -Wl,-T,${src}/${script} ${ARGN} -o ${OUT}/${name}.elf)
  run(${OBJCOPY} -O binary ${OUT}/${name}.elf ${OUT}/${name}.bin)
endfunction()

compile(${src}/boot.c ${obj}/boot.o)
link(m4app-boot boot.ld ${obj}/boot.o ${common_objects})

foreach(r ${M4APP_RELEASES})
  compile(${src}/app.c ${obj}/app-v${r}.o -DM4APP_RELEASE=${r} "-DM4APP_VERSION=\"${M4APP_VERSION_${r}}\"")
  link(m4app-v${r} app.ld ${obj}/app-v${r}.o ${common_objects})
endforeach()
