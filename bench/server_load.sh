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
# Side by side: the same check load is also run against the server of an
# earlier commit (BASELINE, default 3f10845, the main before products and
# waves), built once from `git archive` into /tmp/cfota-baseline-<commit>.
# The two servers run one after the other, twice each, alternating
# (old, new, old, new), and the best run of each is compared, with the
# server CPU time a check cost (the steadier figure on a shared machine). The new
# server runs with products (every device enrolled in one), a release in
# waves (99% then 100%, never advancing during the run) and its access log
# on; the old one with its plain release.
#
# usage: bench/server_load.sh [path/to/cfota] [corpus pair]
# env:   DEVICES (default 1000), CONNS (check connections, 64),
#        DL_CONNS (download connections, 200), SECS (per run, 10),
#        BASELINE (commit to compare with; "none" to skip), RUNS (measured
#        runs of each, alternating, 2), NEW_OPTS (more
#        options for this build's server, e.g. --no-access-log),
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
BASELINE=${BASELINE:-3f10845}
RUNS=${RUNS:-2}

command -v wrk >/dev/null || { echo "server_load: needs wrk (apt-get install wrk)" >&2; exit 2; }
perl -MDigest::SHA=hmac_sha256_hex -e 1 2>/dev/null ||
    { echo "server_load: needs perl with Digest::SHA (Debian: perl)" >&2; exit 2; }
[ -x "$bin" ] || { echo "server_load: no cfota binary at $bin" >&2; exit 2; }

work=$(mktemp -d /tmp/cfota-bench-XXXXXX)
pids=
holder=
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
    for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The baseline binary, built once per commit.
old_bin=
if [ "$BASELINE" != none ]; then
    bdir=/tmp/cfota-baseline-$BASELINE
    if [ ! -x "$bdir/build/cfota" ]; then
        echo "building the baseline $BASELINE in $bdir (once)..."
        rm -rf "$bdir" && mkdir -p "$bdir/src"
        git -C "$here/.." archive "$BASELINE" | tar -x -C "$bdir/src"
        cmake -S "$bdir/src" -B "$bdir/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$bdir/build" -j2 --target cfota >/dev/null
        # Later trees run `cfota server` and `cfota admin` as programs of their own.
        for t in cfota-server cfota-admin; do
            cmake --build "$bdir/build" -j2 --target "$t" >/dev/null 2>&1 || true
        done
    fi
    old_bin=$bdir/build/cfota
fi

# One address (wrk's) opens CONNS or DL_CONNS connections: the per-address
# limit is raised to fit, and section 3 holds that many from another address.
per_address=$(( (CONNS > DL_CONNS ? CONNS : DL_CONNS) + 16 ))

# start NAME BIN [OPTIONS]: a server on its own data directory; sets
# port_NAME, pid_NAME.
start() {
    n=$1 b=$2
    shift 2
    "$b" server --data "$work/$n" --port 0 --threads 2 "$@" >"$work/$n.log" 2>&1 &
    set -- "$n"
    eval "pid_$1=$!"
    pids="$pids $!"
    p=
    for _ in $(seq 100); do
        p=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.log")
        [ -n "$p" ] && break
        sleep 0.1
    done
    [ -n "$p" ] || { echo "server_load: $1 server did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }
    eval "port_$1=$p"
}

# set_up NAME BIN PRODUCTS(0|1): images, release, devices, check paths.
set_up() {
    name=$1 b=$2 products=$3
    eval "base=http://127.0.0.1:\$port_$name"
    tokfile=$work/$name/admin-token
    if [ "$products" = 1 ]; then
        "$b" admin --server "$base" --token-file "$tokfile" upload old "$corpus/$pair/old.bin" --product bench >/dev/null
        "$b" admin --server "$base" --token-file "$tokfile" upload new "$corpus/$pair/new.bin" --product bench >/dev/null
        "$b" admin --server "$base" --token-file "$tokfile" release new --product bench \
            --waves 99,100 --wave-reports 1000000 --min-reports 1000000 >/dev/null
    else
        "$b" admin --server "$base" --token-file "$tokfile" upload old "$corpus/$pair/old.bin" >/dev/null
        "$b" admin --server "$base" --token-file "$tokfile" upload new "$corpus/$pair/new.bin" >/dev/null
        "$b" admin --server "$base" --token-file "$tokfile" release new --min-reports 1000000 >/dev/null
    fi
    echo "$name: building packages for $pair..."
    until [ "$("$b" admin --server "$base" --token-file "$tokfile" packages | grep -c '"state":"ready"')" -ge 2 ]; do sleep 0.2; done
    # Device paths: tokens derived from the server secret as the server
    # does (docs/server-api.md section 2). Half the fleet runs "old" (gets
    # the delta), half an unknown version (gets the full image).
    perl -MDigest::SHA=hmac_sha256_hex -e '
        my ($secret, $n, $base, $admin, $enrol) = @ARGV;
        my $key = pack("H*", $secret);
        open(my $c, ">", "$enrol") or die;
        for my $i (0 .. $n - 1) {
            my $imei = sprintf("86772303%07d", $i);
            my $tok = substr(hmac_sha256_hex("cfota-device-v1:$imei", $key), 0, 32);
            my $ver = $i % 2 ? "field-x" : "old";
            print "/d/v1/check?imei=$imei&tok=$tok&ver=$ver\n";
            print $c "url = \"$base/admin/v1/devices?imei=$imei&product=bench\"\n";
        }' "$(cat "$work/$name/secret")" "$DEVICES" "$base" "$(cat "$tokfile")" \
        "$work/$name.enrol" >"$work/$name.checks"
    if [ "$products" = 1 ]; then
        echo "$name: enrolling $DEVICES devices in product bench..."
        curl -s -X POST -H "Authorization: Bearer $(cat "$tokfile")" -K "$work/$name.enrol" >/dev/null
    fi
    echo "$name: registering $DEVICES devices (first checks)..."
    CFOTA_PATHS=$work/$name.checks wrk -t2 -c"$CONNS" -d2s -s "$here/server_load.lua" "$base" >/dev/null
}

# CPU time of process $1 so far, in clock ticks (user + system).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# checks NAME RUN: one measured run of check requests. Besides the rate,
# the server's CPU time per check: on a shared machine the rate follows
# whatever else runs, the CPU time a check costs much less.
checks() {
    eval "base=http://127.0.0.1:\$port_$1 spid=\$pid_$1"
    t0=$(cpu_ticks "$spid")
    CFOTA_PATHS=$work/$1.checks wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$here/server_load.lua" "$base" \
        >"$work/$1.checks.$2"
    t1=$(cpu_ticks "$spid")
    n=$(awk '/requests in/ {print $1}' "$work/$1.checks.$2")
    us=$(awk -v t="$((t1 - t0))" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
    echo "$us" >"$work/$1.cpu.$2"
    echo "  $1 run $2: $(awk '/Requests\/sec/ {print $2}' "$work/$1.checks.$2") checks/s," \
         "p99 $(awk '$1 == "99%" {print $2}' "$work/$1.checks.$2"), server CPU $us us/check," \
         "$(grep -o 'answers other than 200/206/304: [0-9]*' "$work/$1.checks.$2")"
}

best() { for f in "$work/$1".checks.*; do awk '/Requests\/sec/ {print $2}' "$f"; done | sort -g | tail -1; }
least_cpu() { cat "$work/$1".cpu.* | sort -g | head -1; }

start new "$bin" --max-per-address "$per_address" ${NEW_OPTS:-}
set_up new "$bin" 1
if [ -n "$old_bin" ]; then
    start old "$old_bin"
    set_up old "$old_bin" 0
fi
pid=$pid_new
base=http://127.0.0.1:$port_new
export CFOTA_SERVER=$base
CFOTA_ADMIN_TOKEN=$(cat "$work/new/admin-token")
export CFOTA_ADMIN_TOKEN
rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
"$bin" admin packages | grep '"ready"' | sed 's/.*"from":"\([^"]*\)".*"kind":"\([^"]*\)".*"size":\([0-9]*\).*/  package from \1 (\2): \3 bytes/'
echo "server RSS after registration: $(rss)"

echo
echo "== check requests: $DEVICES devices, $CONNS connections, ${SECS}s per run =="
for run in $(seq "$RUNS"); do
    [ -n "$old_bin" ] && checks old "$run"
    checks new "$run"
done
cp "$work/new.checks.1" "$work/checks.out"
echo "server RSS after checks: $(rss)"

full_url=$(curl -s "$base$(sed -n 2p "$work/new.checks")" | sed -n 's/^url=//p')
full_size=$(curl -s "$base$(sed -n 2p "$work/new.checks")" | sed -n 's/^size=//p')
[ -n "$full_url" ] || { echo "server_load: no package offered" >&2; exit 1; }
echo "$full_url" >"$work/downloads"
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

first=$(head -1 "$work/new.checks")
echo
echo "== a check while 127.0.0.2 holds its connection limit ($per_address, and 100 more tried) =="
python3 "$here/hold_connections.py" "$port_new" $((per_address + 100)) 127.0.0.2 >"$work/hold.out" &
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
new_best=$(best new)
if [ -n "$old_bin" ]; then
    old_best=$(best old)
    echo "side by side (best of $RUNS): baseline $BASELINE $old_best checks/s, this build $new_best checks/s" \
         "($(awk -v a="$new_best" -v b="$old_best" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}'))"
    echo "server CPU per check (least of $RUNS): baseline $(least_cpu old) us, this build $(least_cpu new) us"
fi
echo "summary: $new_best checks/s;" \
     "$(awk '/Requests\/sec/ {print $2}' "$work/dl.out") resumed downloads/s," \
     "$(awk '/Transfer\/sec/ {print $2}' "$work/dl.out") with $DL_CONNS connections;" \
     "a check in at most $(awk '{print $(NF-1)}' "$work/hold_check.out") s while one address holds its limit"
