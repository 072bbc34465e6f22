#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/dec_target.sh: what the device decoder costs a Cortex-M4 firmware,
# built as bench/cortex_m4.sh builds the device library (-Os, Thumb-2):
#   code   bytes of code and constants the link keeps from lib/ for a
#          program that calls every function of cfota/decoder.h (the
#          decoder and whatever in lib/ it calls; libc's memcpy & co. and
#          the program itself left out), linked with --gc-sections
#   state  sizeof(struct cfota_dec) on the target
#   stack  the deepest worst-case stack of the cfota_dec_* entry points
#          (static call graph, bench/stack_depth.py; callbacks not included)
# Prints "code N", "state N" and "stack N FUNCTION", one a line; exit 1 if
# the build fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$top/bench/cortex_m4.sh" # cc, flags, build
build lib

# Every public decoder function is called, so the link keeps what each
# reaches; the state is a global whose symbol size nm reports.
cat >"$out/main.c" <<'C'
#include "cfota/decoder.h"
struct cfota_dec dec_state;
int main(void);
int main(void)
{
    static struct cfota_header h;
    static struct cfota_io io;
    static struct cfota_checkpoint cp;
    static uint8_t map[CFOTA_DEC_SEGMAP / 8], buf[64];
    size_t used;
    int r = cfota_dec_init(&dec_state, &h, &io);
    cfota_dec_track(&dec_state, map);
    r |= cfota_dec_sink(&dec_state, buf, sizeof buf, &used);
    cfota_dec_checkpoint(&dec_state, &cp);
    r |= cfota_dec_resume(&dec_state, &h, &io, &cp);
    return r + (cfota_dec_carry(&dec_state) != 0) + (int)cfota_dec_produced(&dec_state);
}
C
(cd "$out" && $cc "${flags[@]}" -c main.c -o main.o)
$cc -mcpu=cortex-m4 -mthumb -Os -Wl,--gc-sections -Wl,-Map="$out/dec.map" -nostartfiles --specs=nano.specs \
    -Wl,-e,main "$out/main.o" "$out"/lib/*.o -o "$out/dec.elf"
printf 'code %d\n' "$(python3 "$top/bench/map_parts.py" "$out/dec.map" text,rodata 'code=/lib/\w+\.o$' | cut -f2)"
printf 'state %d\n' "$((16#$(arm-none-eabi-nm -S "$out/main.o" | awk '$4 == "dec_state" { print $2 }')))"
python3 "$top/bench/stack_depth.py" --prefix cfota_dec_ "$out"/lib/*.ci |
    sort -k2,2nr | awk 'NR == 1 { printf "stack %d %s\n", $2, $1 }'
