#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: the whole FOTA system of the SIMCom note, end to end, on
# this machine. A FOTA server with its embedded store gets two real firmware
# versions and a release, and makes the package; then three emulated SIM7020
# modules, each on the old version, are updated through the note's three
# paths by the controller (the cfota tool over each module's serial line):
#   1. over the air  (section 4: AT+CFOTA=1, the module fetches the package),
#   2. through the hardware interface (section 5: AT+CFLE/CFLW, AT+CFOTA=5),
#   3. through HTTP  (section 6: AT+CHTTPTOFS, AT+CFOTA=5);
# each module rewrites its firmware in place, power-fail safe, and reports
# the result (AT+CFOTA=4); then the product's own MCU (`cfota device`)
# updates its application through a fourth module; at the end the server
# shows what it saw, the MCU's report beside the modules'.
#
# The firmware is the repository's own example (examples/m4app, built
# with the rest): release 1.0.0 updated to 1.1.0. Other images may be
# given instead.
#
#   scripts/demo.sh BUILD_DIR [OLD.bin NEW.bin [OLD_VERSION NEW_VERSION]]
set -euo pipefail
bin=$1
cfota=$bin/cfota
old=${2:-$bin/examples/m4app-v1.bin}
new=${3:-$bin/examples/m4app-v2.bin}
v_old=${4:-1.0.0}
v_new=${5:-1.1.0}
for f in "$old" "$new"; do
  [ -f "$f" ] || { echo "demo: no firmware image $f (build the m4app target, or give two images)" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() { # wait_for FILE PATTERN: until FILE contains PATTERN (10 s)
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "demo: timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1
}

step "FOTA server with its embedded store (SQLite, packages by content hash)"
"$cfota" server --data "$work/server" --port 0 >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "$work/server.log" "listening on"
url=$(grep -o 'http://[0-9.:]*' "$work/server.log" | head -1)
export CFOTA_SERVER=$url
export CFOTA_ADMIN_TOKEN
CFOTA_ADMIN_TOKEN=$(cat "$work/server/admin-token")
echo "server at $url"

step "Operator: upload $(basename "$old") as $v_old and $(basename "$new") as $v_new, release $v_new (product demo)"
"$cfota" admin upload "$v_old" "$old" --product demo
"$cfota" admin upload "$v_new" "$new" --product demo
"$cfota" admin release "$v_new" --product demo
for _ in $(seq 200); do
  "$cfota" admin packages | grep -q "\"from\":\"$v_old\".*\"ready\"" && break
  "$cfota" admin packages | grep -q "\"status\":\"ready\".*\"from\":\"$v_old\"" && break
  sleep 0.1
done
"$cfota" admin packages

imeis=(867723030000001 867723030000002 867723030000003 867723030000004)
declare -A token
for imei in "${imeis[@]}"; do
  token[$imei]=$("$cfota" admin enrol "$imei" --product demo | grep -o '"token":"[0-9a-f]*"' | cut -d'"' -f4)
done

start_module() { # start_module NAME IMEI: an emulated SIM7020 on the old firmware
  "$bin/cfota-modem" --state "$work/$1" --firmware "$old" --version "$v_old" --imei "$2" \
    --fota-server "$url" --device-token "${token[$2]}" --link "$work/$1.tty" >"$work/$1.log" 2>&1 &
  pids+=($!)
  wait_for "$work/$1.log" "/dev/pts"
  for _ in $(seq 50); do [ -e "$work/$1.tty" ] && break; sleep 0.1; done
  echo "module $1 (IMEI $2) on $v_old, serial line $work/$1.tty"
}

step "Path 1, over the air (note section 4): the module fetches its package itself"
start_module ota "${imeis[0]}"
"$cfota" bearer --port "$work/ota.tty"
"$cfota" update --port "$work/ota.tty" --ota --expect-version "$v_new"

step "Path 2, hardware interface (note section 5): the controller writes the package"
# The controller gets the package from the server, as a device would.
check=$(curl -fsS "$url/d/v1/check?imei=${imeis[1]}&tok=${token[${imeis[1]}]}&ver=$v_old")
echo "$check"
pkg_url=$url$(echo "$check" | sed -n 's/^url=//p')
curl -fsS -o "$work/package.cfp" "$pkg_url"
"$cfota" info "$work/package.cfp" | sed -n '1p;/flags/p;/target version/p;/segments/p'
start_module push "${imeis[1]}"
"$cfota" push --port "$work/push.tty" "$work/package.cfp" --expect-version "$v_new"

step "Path 3, HTTP (note section 6): the module downloads the package into its update partition"
start_module http "${imeis[2]}"
http_url="$url$(curl -fsS "$url/d/v1/check?imei=${imeis[2]}&tok=${token[${imeis[2]}]}&ver=$v_old" | sed -n 's/^url=//p')"
"$cfota" update --port "$work/http.tty" --http "$http_url" --package "$work/package.cfp" --expect-version "$v_new"

step "The product's own MCU updates its application image through a module (issue 17)"
# An emulated application MCU (the example Cortex-M4 board, its flash in
# a state directory) with its own device identity on the server: it
# checks, downloads the package by Range through AT+CHTTPSEND, applies it
# in place, reboots into it and reports.
start_module mcu-modem "${imeis[3]}"
"$cfota" device --port "$work/mcu-modem.tty" --firmware "$old" --version "$v_old" --server "$url" \
  --state "$work/mcu" --imei "${imeis[3]}" --token "${token[${imeis[3]}]}"

step "Each module now runs $v_new"
for m in ota push http; do
  printf '%s: ' "$m"; "$cfota" at --port "$work/$m.tty" AT+CGMR | head -1
done

step "What the server saw"
"$cfota" admin stats
"$cfota" admin devices
