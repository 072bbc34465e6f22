#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/server_load.sh: load benchmark of `cfota server` over loopback.
#
# Starts a server on a temporary data directory, uploads an image pair and
# releases the new version, provisions DEVICES devices, then measures with
# wrk (Debian package `wrk`):
#   1. check requests per second, every device polling (first pass
#      registers the devices; the measured pass is the steady state);
#   2. package downloads with CONNS concurrent connections, each request a
#      resumed download (Range: bytes=OFFSET-) of the full-image package;
#   3. the time of a check while another client address holds its
#      connection limit (bench/hold_connections.py, from 127.0.0.2);
# and prints the server's resident memory before, between and after.
#
# usage: bench/server_load.sh [path/to/cfota] [corpus pair]
# env:   DEVICES (default 1000), CONNS (check connections, 64),
#        DL_CONNS (download connections, 200), SECS (per run, 10),
#        CFOTA_CORPUS (default ../shared/corpus next to the repository)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/cfota}
pair=${2:-pyboard-v1.10-1f5d945af}
corpus=${CFOTA_CORPUS:-$here/../../shared/corpus}
DEVICES=${DEVICES:-1000}
CONNS=${CONNS:-64}
DL_CONNS=${DL_CONNS:-200}
SECS=${SECS:-10}

command -v wrk >/dev/null || { echo "server_load: needs wrk (apt-get install wrk)" >&2; exit 2; }
perl -MDigest::SHA=hmac_sha256_hex -e 1 2>/dev/null ||
    { echo "server_load: needs perl with Digest::SHA (Debian: perl)" >&2; exit 2; }
[ -x "$bin" ] || { echo "server_load: no cfota binary at $bin" >&2; exit 2; }

work=$(mktemp -d /tmp/cfota-bench-XXXXXX)
pid=
holder=
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# One address (wrk's) opens DL_CONNS connections: the per-address limit is
# raised to fit, and section 3 holds that many from another address.
per_address=$((DL_CONNS + 16))
"$bin" server --data "$work/data" --port 0 --threads 2 --max-per-address "$per_address" \
    >"$work/log" 2>&1 &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "server_load: server did not start:" >&2; cat "$work/log" >&2; exit 1; }
base=http://127.0.0.1:$port
export CFOTA_SERVER=$base
CFOTA_ADMIN_TOKEN=$(cat "$work/data/admin-token")
export CFOTA_ADMIN_TOKEN

rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }

"$bin" admin upload old "$corpus/$pair/old.bin" >/dev/null
"$bin" admin upload new "$corpus/$pair/new.bin" >/dev/null
"$bin" admin release new --min-reports 1000000 >/dev/null
echo "building packages for $pair..."
until [ "$("$bin" admin packages | grep -c '"state":"ready"')" -ge 2 ]; do sleep 0.2; done
"$bin" admin packages | grep '"ready"' | sed 's/.*"from":"\([^"]*\)".*"kind":"\([^"]*\)".*"size":\([0-9]*\).*/  package from \1 (\2): \3 bytes/'

# Device paths: tokens derived from the server secret as the server does
# (docs/server-api.md section 2). Half the fleet runs "old" (gets the
# delta), half an unknown version (gets the full image).
perl -MDigest::SHA=hmac_sha256_hex -e '
    my ($secret, $n) = @ARGV;
    my $key = pack("H*", $secret);
    for my $i (0 .. $n - 1) {
        my $imei = sprintf("86772303%07d", $i);
        my $tok = substr(hmac_sha256_hex("cfota-device-v1:$imei", $key), 0, 32);
        my $ver = $i % 2 ? "field-x" : "old";
        print "/d/v1/check?imei=$imei&tok=$tok&ver=$ver\n";
    }' "$(cat "$work/data/secret")" "$DEVICES" >"$work/checks"
first=$(head -1 "$work/checks")
full_url=$(curl -s "$base$(sed -n 2p "$work/checks")" | sed -n 's/^url=//p')
full_size=$(curl -s "$base$(sed -n 2p "$work/checks")" | sed -n 's/^size=//p')
[ -n "$full_url" ] || { echo "server_load: no package offered for $first" >&2; exit 1; }
echo "$full_url" >"$work/downloads"

echo "server RSS at start: $(rss)"
echo "registering $DEVICES devices (first checks)..."
CFOTA_PATHS=$work/checks wrk -t2 -c"$CONNS" -d2s -s "$here/server_load.lua" "$base" >/dev/null
echo "server RSS after registration: $(rss)"

echo
echo "== check requests: $DEVICES devices, $CONNS connections, ${SECS}s =="
CFOTA_PATHS=$work/checks wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$here/server_load.lua" "$base" |
    tee "$work/checks.out" | grep -E "Requests/sec|Latency|99%|answers|Socket errors"
echo "server RSS after checks: $(rss)"

offset=$((full_size / 3))
echo
echo "== downloads: full package, $full_size bytes, resumed at $offset, $DL_CONNS connections, ${SECS}s =="
CFOTA_PATHS=$work/downloads CFOTA_RANGE="bytes=$offset-" \
    wrk -t2 -c"$DL_CONNS" -d"${SECS}s" --latency -s "$here/server_load.lua" "$base" |
    tee "$work/dl.out" | grep -E "Requests/sec|Transfer/sec|Latency|99%|answers|Socket errors"
echo "server RSS after downloads: $(rss)"
echo "== the same downloads again: memory must not grow =="
CFOTA_PATHS=$work/downloads CFOTA_RANGE="bytes=$offset-" \
    wrk -t2 -c"$DL_CONNS" -d"${SECS}s" -s "$here/server_load.lua" "$base" |
    grep -E "Requests/sec|answers"
echo "server RSS after the second download run: $(rss)"

echo
echo "== a check while 127.0.0.2 holds its connection limit ($per_address, and 100 more tried) =="
python3 "$here/hold_connections.py" "$port" $((per_address + 100)) 127.0.0.2 >"$work/hold.out" &
holder=$!
until [ -s "$work/hold.out" ]; do sleep 0.2; done
cat "$work/hold.out"
: >"$work/check_times"
for _ in $(seq 20); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$base$first" >>"$work/check_times"
    sleep 0.2
done
grep -vc '^200 ' "$work/check_times" | sed 's/^/  checks not answered 200: /'
sort -k2 -n "$work/check_times" | awk '{t[NR]=$2} END {printf "  check time over 20: median %.4f s, max %.4f s\n", t[int((NR+1)/2)], t[NR]}' |
    tee "$work/hold_check.out"
kill "$holder"; wait "$holder" 2>/dev/null || true; holder=

echo
echo "summary: $(awk '/Requests\/sec/ {print $2}' "$work/checks.out") checks/s;" \
     "$(awk '/Requests\/sec/ {print $2}' "$work/dl.out") resumed downloads/s," \
     "$(awk '/Transfer\/sec/ {print $2}' "$work/dl.out") with $DL_CONNS connections;" \
     "a check in at most $(awk '{print $(NF-1)}' "$work/hold_check.out") s while one address holds its limit"
