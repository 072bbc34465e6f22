#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/upload_time.sh: how long the controller takes to write a package
# into a module through the hardware interface (the note's section 5:
# AT+CFLE, then AT+CFLW chunks of 512 bytes), against the raw time of the
# package's bytes on the serial line, with the emulator in --speed real:
# its line paced at 115200 baud (10 bit times a byte), NOR erase and
# program times (45 ms per 4 KB block, 2 ms per 512-byte write). The issue
# 7 target: at most 1.15 x the raw serial time, commands, prompts and
# replies included.
#
#   bench/upload_time.sh [BUILD_DIR] [CORPUS_DIR] [PAIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build}
corpus=${2:-${CFOTA_CORPUS:-$top/../shared/corpus}}
pair=${3:-esp8266-at-1.7.0-1.7.1}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$bin/cfota" diff --in-place "$corpus/$pair/old.bin" "$corpus/$pair/new.bin" -o "$work/pkg" -q
bytes=$(stat -c %s "$work/pkg")
"$bin/cfota-modem" --speed real --state "$work/module" --firmware "$corpus/$pair/old.bin" --version old \
  --link "$work/tty" >"$work/modem.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$work/tty" ] && break; sleep 0.1; done
sleep 5 # the module boots (--speed real: about 4 s)
json=$("$bin/cfota" push --port "$work/tty" --stage-only --json "$work/pkg")
ms=$(echo "$json" | sed -n 's/.*"upload_ms":\([0-9]*\).*/\1/p')
result=$(echo "$json" | sed -n 's/.*"result":\(-\{0,1\}[0-9]*\).*/\1/p')
if [ "$result" != 0 ] || [ -z "$ms" ]; then
  echo "upload failed: $json" >&2
  exit 1
fi
awk -v b="$bytes" -v ms="$ms" -v pair="$pair" 'BEGIN {
  raw = b * 10 / 115200 * 1000
  printf "| package (%s, in place) | bytes | raw serial time at 115200 | upload time (CFLE + CFLW) | ratio |\n", pair
  printf "|---|---:|---:|---:|---:|\n"
  printf "| %s | %d | %.0f ms | %.0f ms | %.3f (target <= 1.15) |\n", pair, b, raw, ms, ms / raw
}'
