#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/mcu_size.sh: the device library (lib/) and the controller library
# (controller/) cross-built for a Cortex-M4 with -Os and Thumb-2, as
# firmware would build them: code size per file and in total (text, data,
# bss), RAM of the state structs, and worst-case stack per entry point
# (-fstack-usage and -fcallgraph-info, bench/stack_depth.py). Fails if the
# code does not build cleanly as C99 with -Werror for the target.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=arm-none-eabi-gcc
flags=(-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c99 -pedantic -Wall -Wextra -Werror
       -Wno-unused-parameter -ffunction-sections -fdata-sections -fstack-usage -fcallgraph-info=su
       -I"$top/include" -I"$top/controller/include")

build() { # build DIR: compile every .c of DIR into $out/DIR
  local dir=$1
  mkdir -p "$out/$dir"
  for src in "$top/$dir"/*.c; do
    (cd "$out/$dir" && $cc "${flags[@]}" -c "$src" -o "$(basename "${src%.c}").o")
  done
}

parts=(lib)
parts+=(controller)
for p in "${parts[@]}"; do build "$p"; done

echo "## Code size, arm-none-eabi-gcc $($cc -dumpversion), -Os -mcpu=cortex-m4 -mthumb"
echo
printf '| part | file | text | data | bss |\n|---|---|---:|---:|---:|\n'
for p in "${parts[@]}"; do
  arm-none-eabi-size "$out/$p"/*.o | awk -v part="$p" 'NR > 1 { n = $6; sub(".*/", "", n); printf "| %s | %s | %d | %d | %d |\n", part, n, $1, $2, $3; t += $1; d += $2; b += $3 }
    END { printf "| %s | **total** | **%d** | **%d** | **%d** |\n", part, t, d, b }'
done

# RAM of the state structs, as the target compiler lays them out, each
# held to the bound its public header states (a failed bound is a
# compile error: a negative array size).
cat > "$out/sizes.c" <<'C'
#include "cfota/decoder.h"
#include "cfota/update.h"
#include "cfota_ctl/at.h"
#include "cfota_ctl/fota_ctl.h"
#include "cfota_ctl/md5.h"
#define SIZE(name, type, max) const unsigned long name = sizeof(type); \
    typedef char name##_within_bound[sizeof(type) <= (max) ? 1 : -1];
SIZE(sizeof_cfota_dec, struct cfota_dec, CFOTA_DEC_RAM_MAX)
SIZE(sizeof_cfota_update, struct cfota_update, CFOTA_UPDATE_RAM_MAX)
SIZE(sizeof_cfota_models, struct cfota_models, CFOTA_DEC_RAM_MAX)
SIZE(sizeof_cfota_at, struct cfota_at, CFOTA_AT_RAM_MAX)
SIZE(sizeof_cfota_ctl, struct cfota_ctl, CFOTA_CTL_RAM_MAX)
SIZE(sizeof_cfota_ctl_report, struct cfota_ctl_report, CFOTA_CTL_REPORT_RAM_MAX)
SIZE(sizeof_cfota_ctl_bearer_info, struct cfota_ctl_bearer_info, CFOTA_CTL_BEARER_RAM_MAX)
SIZE(sizeof_cfota_ctl_status, struct cfota_ctl_status, CFOTA_CTL_STATUS_RAM_MAX)
SIZE(sizeof_cfota_md5, struct cfota_md5, CFOTA_MD5_RAM)
C
$cc "${flags[@]}" -Wno-unused-local-typedefs -c "$out/sizes.c" -o "$out/sizes.o"
echo
echo "## RAM (struct sizes on the target, each within its header's bound)"
echo
for sym in sizeof_cfota_dec sizeof_cfota_update sizeof_cfota_models sizeof_cfota_at sizeof_cfota_ctl \
           sizeof_cfota_ctl_report sizeof_cfota_ctl_bearer_info sizeof_cfota_ctl_status sizeof_cfota_md5; do
  # The value of each constant: read it from the object's .rodata.
  v=$(arm-none-eabi-objdump -s -j ".rodata.$sym" "$out/sizes.o" 2>/dev/null | awk '/^ 0000/ { print $2 }')
  [ -n "$v" ] && printf -- '- %s: %d bytes\n' "${sym#sizeof_}" "$((16#${v:6:2}${v:4:2}${v:2:2}${v:0:2}))"
done

echo
echo "## Worst-case stack per entry point (bytes, callbacks not included)"
echo
python3 "$top/bench/stack_depth.py" "$out"/*/*.ci | awk '{ printf "- %s: %s\n", $1, $2 }'
