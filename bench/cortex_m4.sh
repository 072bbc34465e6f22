# SPDX-License-Identifier: Apache-2.0
# bench/cortex_m4.sh: how the bench cross-builds cfota's C99 libraries for
# a Cortex-M4 (Thumb-2, -Os, as a firmware builds them), sourced by
# bench/mcu_size.sh and bench/dec_target.sh so that both measure the same
# build. Needs $top (the repository) and $out (a work folder); defines
# cc, flags (C99, -Werror, stack usage and call graph files beside each
# object) and build DIR (every .c of DIR compiled into $out/DIR).
cc=arm-none-eabi-gcc
flags=(-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c99 -pedantic -Wall -Wextra -Werror
       -Wno-unused-parameter -ffunction-sections -fdata-sections -fstack-usage -fcallgraph-info=su
       -I"$top/include" -I"$top/controller/include")

build() { # build DIR: compile every .c of DIR into $out/DIR
  local dir=$1 src
  mkdir -p "$out/$dir"
  for src in "$top/$dir"/*.c; do
    (cd "$out/$dir" && $cc "${flags[@]}" -c "$src" -o "$(basename "${src%.c}").o")
  done
}
