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
trap '[ -n "${KEEP_OUT:-}" ] && echo "kept $out" >&2 || rm -rf "$out"' EXIT
. "$top/bench/cortex_m4.sh" # cc, flags, build

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
#include "cfota_ctl/self_update.h"
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
SIZE(sizeof_cfota_self, struct cfota_self, CFOTA_SELF_RAM_MAX)
C
$cc "${flags[@]}" -Wno-unused-local-typedefs -c "$out/sizes.c" -o "$out/sizes.o"
echo
echo "## RAM (struct sizes on the target, each within its header's bound)"
echo
for sym in sizeof_cfota_dec sizeof_cfota_update sizeof_cfota_models sizeof_cfota_at sizeof_cfota_ctl \
           sizeof_cfota_ctl_report sizeof_cfota_ctl_bearer_info sizeof_cfota_ctl_status sizeof_cfota_md5 sizeof_cfota_self; do
  # The value of each constant: read it from the object's .rodata.
  v=$(arm-none-eabi-objdump -s -j ".rodata.$sym" "$out/sizes.o" 2>/dev/null | awk '/^ 0000/ { print $2 }')
  [ -n "$v" ] && printf -- '- %s: %d bytes\n' "${sym#sizeof_}" "$((16#${v:6:2}${v:4:2}${v:2:2}${v:0:2}))"
done

# The MCU's self-update build as a firmware links it: every controller
# flow, the decoder, the in-place engine and this flow, with unused
# sections dropped (issue 17's budget: 16 KiB flash, 8 KiB RAM). Two
# firmwares: one that calls only the self-update flow, and one that calls
# every flow of the controller besides (the budget's case). The names of
# codes (cfota_ctl_*_name) are for logs and are left out of both.
echo
echo "## The MCU self-update firmware part (controller + decoder + engine + flow)"
echo
cat > "$out/self_main.c" <<'C'
#include "cfota_ctl/self_update.h"
static struct cfota_self self;
int main(void);
int main(void) { extern const struct cfota_self_config *self_cfg; return cfota_self_run(&self, self_cfg, 0); }
C
cat > "$out/every_main.c" <<'C'
#include "cfota_ctl/fota_ctl.h"
#include "cfota_ctl/self_update.h"
typedef void (*any_fn)(void);
/* A firmware that may call any flow: each is reached through this table. */
any_fn const volatile flows[] = {
    (any_fn)cfota_self_run, (any_fn)cfota_ctl_bearer, (any_fn)cfota_ctl_ota, (any_fn)cfota_ctl_upload,
    (any_fn)cfota_ctl_http, (any_fn)cfota_ctl_status, (any_fn)cfota_ctl_wait_update,
    (any_fn)cfota_ctl_report_result, (any_fn)cfota_ctl_fota_event};
typedef int (*self_fn)(struct cfota_self *, const struct cfota_self_config *, struct cfota_self_report *);
static struct cfota_self self;
int main(void);
int main(void) { extern const struct cfota_self_config *self_cfg; return ((self_fn)flows[0])(&self, self_cfg, 0); }
C
link_part() { # link_part NAME LABEL: link $out/NAME_main.c against lib/ and controller/
  local name=$1 label=$2
  if $cc "${flags[@]}" -c "$out/${name}_main.c" -o "$out/${name}_main.o" &&
     $cc -mcpu=cortex-m4 -mthumb -Os -Wl,--gc-sections -Wl,--defsym=self_cfg=0 -nostartfiles --specs=nano.specs \
         -Wl,-e,main -Wl,-Map="$out/$name.map" "$out/${name}_main.o" "$out"/lib/*.o "$out"/controller/*.o \
         -o "$out/$name.elf" 2> "$out/$name.err"; then
    local total
    total=$(arm-none-eabi-size "$out/$name.elf" | awk 'NR > 1 { print $1 + $2 }')
    arm-none-eabi-size "$out/$name.elf" | awk -v label="$label" 'NR > 1 { printf "- %s: flash (text + data) %d bytes, RAM (data + bss) %d bytes\n", label, $1 + $2, $2 + $3 }'
    # Who the flash is: lib/, controller/ and the C library, from the map;
    # the strings of all parts, merged by the linker, are the rest.
    python3 "$top/bench/map_parts.py" --strings-apart "$out/$name.map" text,rodata,data "lib=^$out/lib/" \
            "controller=^$out/controller/" "firmware main=^$out/" "libc and libgcc=." |
      awk -F'\t' -v total="$total" '{ rest += $2 } $1 != "firmware main" { s = s (s ? ", " : "  ") $1 " " $2 }
        END { print s ", strings of all parts " total - rest }'
  else
    echo "- $label: link failed:"; sed 's/^/    /' "$out/$name.err"
  fi
}
link_part self "calling only cfota_self_run"
link_part every "calling every flow (the budget's case: 16384)"
echo
echo "## Worst-case stack per entry point (bytes, callbacks not included)"
echo
python3 "$top/bench/stack_depth.py" "$out"/*/*.ci | awk '{ printf "- %s: %s\n", $1, $2 }'

# ---- the reference signature port on Mbed TLS (port/mbedtls/) ----
# Debian's libmbedtls-dev has no sources; bench/mbedtls_source.sh fetches
# the source package Debian builds it from (apt-get source, nothing else)
# into build-cross/, kept for the next run.
echo
echo "## Signature check: port/mbedtls on Mbed TLS, Cortex-M4"
echo
cache="$top/build-cross"
if ! mbed=$("$top/bench/mbedtls_source.sh" "$cache" 2>"$out/mbedtls_source.log"); then
  echo "The Mbed TLS sources could not be had (apt-get source mbedtls failed:"
  echo "$(tail -1 "$out/mbedtls_source.log")), so there is no Cortex-M4 build of the"
  echo "port. Host figures instead: the tests verify with the same port against"
  echo "Debian's libmbedcrypto (tests/test_signature.c)."
  exit 0
fi
version=$(awk '/define MBEDTLS_VERSION_STRING /{ gsub("\"", "", $3); print $3 }' "$mbed/include/mbedtls/version.h")
mflags=(-Os -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -std=c99 -ffunction-sections -fdata-sections
        -fstack-usage -fcallgraph-info=su -I"$top/include" -I"$top/port/mbedtls" -I"$mbed/include"
        '-DMBEDTLS_CONFIG_FILE="config_verify.h"')
mbed_files=(bignum ecp ecp_curves ecdsa asn1parse asn1write platform_util constant_time)
mkdir -p "$out/port"
for f in "${mbed_files[@]}"; do
  (cd "$out/port" && $cc "${mflags[@]}" -c "$mbed/library/$f.c" -o "mbedtls_$f.o")
done
(cd "$out/port" && $cc "${mflags[@]}" -Wall -Wextra -Werror -c "$top/port/mbedtls/verify_mbedtls.c" -o verify_mbedtls.o)
# Link what a device links: the port's entry points and what they reach
# (--gc-sections drops the rest of Mbed TLS), over newlib's libc for
# calloc/free and memcpy.
cat > "$out/port/main.c" <<'C'
#include "cfota_mbedtls.h"
static struct cfota_mbedtls_key key;
int main(void);
int main(void)
{
    static const unsigned char pt[65] = {4}, digest[32], sig[64];
    struct cfota_verifier v;
    return cfota_mbedtls_verifier(&key, pt, &v) == 0 && v.verify(v.ctx, digest, sig) == 0;
}
C
(cd "$out/port" && $cc "${mflags[@]}" -c main.c -o main.o)
$cc -mcpu=cortex-m4 -mthumb -Os -Wl,--gc-sections -Wl,-Map="$out/port/verify.map" --specs=nosys.specs \
    -o "$out/port/verify.elf" "$out/port"/*.o "$out/lib/signature.o" "$out/lib/sha256.o" \
    2>"$out/port/link.log" || { cat "$out/port/link.log"; exit 1; }
# Code of the check itself: the input sections the linker kept from the
# port and from Mbed TLS (libc's calloc and memcpy are the device's anyway,
# and the key id's SHA-256 is the library's own, counted above).
code=$(python3 "$top/bench/map_parts.py" "$out/port/verify.map" text,rodata \
       'check=/(mbedtls_\w+|verify_mbedtls)\.o$' | cut -f2)
echo "- Mbed TLS $version (Debian's source package), config port/mbedtls/config_verify.h"
printf -- '- code of the check (port + the Mbed TLS functions it reaches, linked with --gc-sections): %d bytes\n' "$code"
printf -- '- whole test image with newlib (vector-less, for reference): %s bytes of text\n' \
       "$(arm-none-eabi-size "$out/port/verify.elf" | awk 'NR == 2 { print $1 }')"
printf -- '- worst-case stack of cfota_mbedtls_verify: %s bytes (static call graph; calloc not included)\n' \
       "$(python3 "$top/bench/stack_depth.py" "$out/port"/*.ci | awk '$1 == "cfota_mbedtls_verify:" || $1 == "cfota_mbedtls_verify" { print $2 }')"
# Heap and time: the same sources and config, built for the host with
# 32-bit limbs and Mbed TLS's own allocator, one verify measured.
hostbin="$out/port/verify_bench"
gcc -O2 -std=c99 -DCFOTA_MEASURE_HEAP -I"$top/include" -I"$top/port/mbedtls" -I"$mbed/include" \
    '-DMBEDTLS_CONFIG_FILE="config_verify.h"' -o "$hostbin" "$top/bench/verify_bench.c" \
    "$top/port/mbedtls/verify_mbedtls.c" "$top/lib/signature.c" "$top/lib/sha256.c" \
    $(for f in "${mbed_files[@]}" memory_buffer_alloc platform; do echo "$mbed/library/$f.c"; done)
read -r _ heap _ blocks _ ok < <("$hostbin")
printf -- '- heap during a verify (Mbed TLS bignums, 32-bit limbs, measured on the host): %d bytes peak\n' "$heap"
if command -v valgrind >/dev/null; then
  valgrind --tool=callgrind --callgrind-out-file="$out/port/cg" --toggle-collect=cfota_mbedtls_verify \
           "$hostbin" >/dev/null 2>&1
  ir=$(awk '/^summary:/ { print $2 }' "$out/port/cg")
  # Two verifies ran (a valid and a forged signature); per verify:
  ir=$((ir / 2))
  ms=$(awk -v ir="$ir" 'BEGIN { printf "%.0f", ir * 1.3 / 64000 }')
  printf -- '- instructions per verify: %d (host, 32-bit limbs, no assembly); estimated time on a\n' "$ir"
  printf -- '  Cortex-M4 at 64 MHz, taking 1.3 cycles per instruction: about %d ms\n' "$ms"
else
  echo "- (valgrind not installed: no instruction count, no time estimate)"
fi
