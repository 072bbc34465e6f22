#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/delta.sh: the delta benchmark of cfota against its peers.
#
# For every old -> new pair of the firmware corpus it makes a package with
# `cfota diff`, applies it with `cfota apply`, does the same with the
# Debian-packaged peers (bsdiff, xdelta3, zstd) using exactly the commands
# of shared/bench/PEERS.md, checks every rebuilt image with cmp, and prints
# markdown tables: delta sizes (with the peers that are not Debian packages
# taken from shared/bench/peers-dev.tsv, not re-run), encode/decode time and
# peak RSS against bsdiff, the decoder's RAM measured by bench/dec_stack.c,
# and the Targets section (bench/targets.awk: every target MET or MISSED,
# with the decoder's Cortex-M4 figures of bench/dec_target.sh).
# bench/README.md says what each figure means.
#
# Usage (from anywhere; paths are taken from the repository root):
#   bench/delta.sh           full run: every pair, CFOTA_BENCH_RUNS runs each
#   bench/delta.sh --quick   smoke check: 1 run per tool, the 2 largest
#                            pairs skipped (when there are more than 2)
# Environment:
#   CFOTA_CORPUS      corpus folder (default ../shared/corpus from the root)
#   CFOTA_PEERS       peers' figures (default CORPUS/../bench/peers-dev.tsv)
#   CFOTA_BENCH_RUNS  runs per measurement, median taken (default 3)
#   CFOTA_BENCH_BUILD build folder (default build-bench/, Release)
#   CFOTA_BIN         a cfota binary to use instead of building one
# Exit status: 0 when every tool ran and every rebuilt image matched its
# new.bin; 1 otherwise (the failures are printed in capitals at the end);
# 2 for a usage or set-up error. Missing a target is not an error: the
# verdict lines say so.
set -u -o pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CFOTA_CORPUS:-$ROOT/../shared/corpus}
PEERS=${CFOTA_PEERS:-$CORPUS/../bench/peers-dev.tsv}
RUNS=${CFOTA_BENCH_RUNS:-3}
BUILD=${CFOTA_BENCH_BUILD:-$ROOT/build-bench}
QUICK=0
TOOLS="cfota bsdiff xdelta3-djw zstd-22-long"

case "${1:-}" in
"") ;;
--quick) QUICK=1; RUNS=1 ;;
-h | --help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: bench/delta.sh [--quick]" >&2; exit 2 ;;
esac

die() { echo "delta.sh: $*" >&2; exit 2; }

[ -f "$CORPUS/MANIFEST.tsv" ] || die "no corpus at $CORPUS (set CFOTA_CORPUS)"
case "$RUNS" in '' | *[!0-9]* | 0) die "CFOTA_BENCH_RUNS must be a positive integer" ;; esac
[ -x /usr/bin/time ] || die "GNU time is missing: apt-get install time"
for t in bsdiff bspatch xdelta3 zstd cmp cc; do
    command -v "$t" >/dev/null || die "$t is missing (Debian packages bsdiff, xdelta3, zstd)"
done

# ---- build: cfota (Release) and the stack-measuring program ----
# With CFOTA_BIN given only the device library is built (dec_stack needs it).
TARGETS="cfota cfota_dev"
[ -n "${CFOTA_BIN:-}" ] && TARGETS=cfota_dev
mkdir -p "$BUILD" || die "cannot create $BUILD"
LOG=$BUILD/bench-build.log
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release >"$LOG" 2>&1 ||
        { tail -30 "$LOG" >&2; die "cmake configure failed (log: $LOG)"; }
fi
# shellcheck disable=SC2086 # TARGETS is a list
cmake --build "$BUILD" -j2 --target $TARGETS >"$LOG" 2>&1 ||
    { tail -30 "$LOG" >&2; die "building $TARGETS failed (log: $LOG)"; }
CFOTA_BIN=${CFOTA_BIN:-$BUILD/cfota}
[ -x "$CFOTA_BIN" ] || die "no cfota binary at $CFOTA_BIN"
DEC_STACK=$BUILD/dec_stack
cc -std=c11 -O2 -Wall -Wextra -Werror -I"$ROOT/include" -I"$BUILD/include" "$ROOT/bench/dec_stack.c" \
    "$BUILD/libcfota.a" -lpthread -Wl,-z,now -o "$DEC_STACK" || die "building bench/dec_stack.c failed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cfota-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
RES=$WORK/results.tsv   # pair tool bytes enc_s enc_kib dec_s dec_kib status enc_cpu_s dec_cpu_s
RAM=$WORK/ram.tsv       # package sizeof stack_max stack_at_callback decode_s
FAILS=$WORK/failures
PARTS=$WORK/parts.tsv   # pair header_bytes payload_bytes signature_bytes
: >"$PARTS"
: >"$RES"
: >"$RAM"
: >"$FAILS"

fail() {
    echo "FAILED: $*" | tee -a "$FAILS" >&2
}

# ---- the pairs: name and new size from MANIFEST.tsv, in its order ----
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            { print $col["pair"] "\t" $col["new_size"] }' "$CORPUS/MANIFEST.tsv" >"$WORK/pairs.all"
if [ "$QUICK" = 1 ] && [ "$(wc -l <"$WORK/pairs.all")" -gt 2 ]; then
    # Skip the two largest new images.
    sort -t"$(printf '\t')" -k2,2nr "$WORK/pairs.all" | sed -n '1,2p' | cut -f1 >"$WORK/skip"
    grep -v -F -x -f "$WORK/skip" <(cut -f1 "$WORK/pairs.all") >"$WORK/keep"
    awk -F'\t' 'NR == FNR { keep[$1] = 1; next } ($1 in keep)' "$WORK/keep" "$WORK/pairs.all" >"$WORK/pairs"
else
    cp "$WORK/pairs.all" "$WORK/pairs"
fi

# ---- one timed run: wall seconds into $SECS, CPU seconds into $CPU, ----
# ---- peak RSS KiB into $KIB                                          ----
# Wall time is taken around GNU time, which adds one fork/exec to every
# tool alike; peak RSS is the tool process's own (GNU time's %M). CPU is
# the user + system seconds of the children (the shell's `times`, whose
# own run in place, without a fork, sees them), GNU time's own included:
# on a machine shared with other work it grows far less than wall time.
run_timed() {
    local t0 t1 rc c0 c1
    times >"$WORK/times0"
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/stderr"
    rc=$?
    t1=$EPOCHREALTIME
    times >"$WORK/times1"
    SECS=$((${t1/./} - ${t0/./})) # microseconds for now
    SECS=$(printf '%d.%06d' $((SECS / 1000000)) $((SECS % 1000000)))
    c0=$(children_cpu "$WORK/times0") c1=$(children_cpu "$WORK/times1")
    CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')
    KIB=$(tail -n 1 "$WORK/rss")
    return $rc
}

# The children's user + system seconds from a `times` output ("0m1.234s 0m0.056s").
children_cpu() {
    awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }' "$1"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

encode_cmd() { # tool old new pkg
    case $1 in
    cfota) CMD=("$CFOTA_BIN" diff "$2" "$3" -o "$4") ;;
    bsdiff) CMD=(bsdiff "$2" "$3" "$4") ;;
    xdelta3-djw) CMD=(xdelta3 -e -f -9 -S djw -s "$2" "$3" "$4") ;;
    zstd-22-long) CMD=(zstd -q -f --single-thread --ultra -22 --long "--patch-from=$2" "$3" -o "$4") ;;
    esac
}

decode_cmd() { # tool old pkg out
    case $1 in
    cfota) CMD=("$CFOTA_BIN" apply "$2" "$3" -o "$4") ;;
    bsdiff) CMD=(bspatch "$2" "$4" "$3") ;;
    xdelta3-djw) CMD=(xdelta3 -d -f -s "$2" "$3" "$4") ;;
    zstd-22-long) CMD=(zstd -q -d -f --long=31 "--patch-from=$2" "$3" -o "$4") ;;
    esac
}

# Encode RUNS times, decode RUNS times, cmp every result; one line to $RES.
bench_tool() { # pair tool
    local pair=$1 tool=$2 o="$CORPUS/$1/old.bin" n="$CORPUS/$1/new.bin"
    local p="$WORK/$1.$2.pkg" t="$WORK/$1.$2.out" i es=() ek=() ec=() ds=() dk=() dc=() bytes enc
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$p"
        encode_cmd "$tool" "$o" "$n" "$p"
        if ! run_timed "${CMD[@]}" || [ ! -s "$p" ]; then
            fail "$tool encode on $pair: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
            printf '%s\t%s\tFAIL\t-\t-\t-\t-\tencode-failed\t-\t-\n' "$pair" "$tool" >>"$RES"
            return
        fi
        es+=("$SECS") ek+=("$KIB") ec+=("$CPU")
    done
    bytes=$(wc -c <"$p")
    enc="$(printf '%s\n' "${es[@]}" | median)"$'\t'"$(printf '%s\n' "${ek[@]}" | median)"
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$t"
        decode_cmd "$tool" "$o" "$p" "$t"
        if ! run_timed "${CMD[@]}"; then
            fail "$tool decode on $pair: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
            printf '%s\t%s\t%s\t%s\t-\t-\tdecode-failed\t%s\t-\n' "$pair" "$tool" "$bytes" "$enc" "$(printf '%s\n' "${ec[@]}" | median)" >>"$RES"
            return
        fi
        if ! cmp -s "$t" "$n"; then
            fail "$tool on $pair: the rebuilt image DIFFERS from new.bin"
            printf '%s\t%s\t%s\t%s\t-\t-\tmismatch\t%s\t-\n' "$pair" "$tool" "$bytes" "$enc" "$(printf '%s\n' "${ec[@]}" | median)" >>"$RES"
            return
        fi
        ds+=("$SECS") dk+=("$KIB") dc+=("$CPU")
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\tOK\t%s\t%s\n' "$pair" "$tool" "$bytes" "$enc" \
        "$(printf '%s\n' "${ds[@]}" | median)" "$(printf '%s\n' "${dk[@]}" | median)" \
        "$(printf '%s\n' "${ec[@]}" | median)" "$(printf '%s\n' "${dc[@]}" | median)" >>"$RES"
}

# Decoder stack on one package; one line to $RAM.
measure_stack() { # label old pkg new
    local out
    # A decoder under development could loop: bound it.
    if out=$(timeout 300 "$DEC_STACK" "$2" "$3" "$4" 2>"$WORK/stderr"); then
        printf '%s\t%s\n' "$1" "$(echo "$out" | awk '{ v[$1] = $2 }
            END { print v["sizeof_cfota_dec"] "\t" v["stack_max"] "\t" v["stack_at_callback"] "\t" v["decode_seconds"] }')" >>"$RAM"
    else
        fail "dec_stack on $1: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
    fi
}

# The parts of one package as `cfota info` reads them; one line to $PARTS.
package_parts() { # pair pkg
    local json
    if json=$("$CFOTA_BIN" info --json "$2" 2>"$WORK/stderr"); then
        printf '%s\t%s\n' "$1" "$(echo "$json" | awk '{ for (i = 1; i <= NF; i++) { k = $i; gsub(/[",:{]/, "", k); v[k] = $(i + 1) } }
            END { gsub(/,/, "", v["header_size"]); gsub(/,/, "", v["payload_size"]); gsub(/,/, "", v["signature_size"])
                  print v["header_size"] "\t" v["payload_size"] "\t" v["signature_size"] }')" >>"$PARTS"
    else
        fail "cfota info on the $1 package: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
    fi
}

npairs=$(wc -l <"$WORK/pairs")
[ "$npairs" -gt 0 ] || die "no pairs in $CORPUS/MANIFEST.tsv"
k=0
while IFS=$'\t' read -r pair _; do
    k=$((k + 1))
    echo "[$k/$npairs] $pair" >&2
    for tool in $TOOLS; do
        bench_tool "$pair" "$tool"
    done
    if awk -F'\t' -v p="$pair" '$1 == p && $2 == "cfota" && $8 == "OK" { f = 1 } END { exit !f }' "$RES"; then
        measure_stack "$pair" "$CORPUS/$pair/old.bin" "$WORK/$pair.cfota.pkg" "$CORPUS/$pair/new.bin"
        package_parts "$pair" "$WORK/$pair.cfota.pkg"
    fi
done <"$WORK/pairs"

# The synthetic pair exercises the decoder away from the corpus too, in
# each kind of package: 64 KiB and 4 KiB segments, in-place, full image.
echo "[stack] synthetic pair" >&2
if "$DEC_STACK" --synth "$WORK/synth-old.bin" "$WORK/synth-new.bin"; then
    for kind in default segment-4K in-place full; do
        case $kind in
        default) opts=() ;;
        segment-4K) opts=(--segment-size 4K) ;;
        in-place) opts=(--in-place) ;;
        full) opts=(--full) ;;
        esac
        if "$CFOTA_BIN" diff "${opts[@]}" "$WORK/synth-old.bin" "$WORK/synth-new.bin" \
            -o "$WORK/synth-$kind.pkg" >/dev/null 2>"$WORK/stderr"; then
            measure_stack "synthetic ($kind)" "$WORK/synth-old.bin" "$WORK/synth-$kind.pkg" "$WORK/synth-new.bin"
        else
            fail "cfota diff ${opts[*]} on the synthetic pair: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')"
        fi
    done
else
    fail "dec_stack --synth could not write the synthetic pair"
fi

mkdir -p "$BUILD"
cp "$RES" "$BUILD/bench-delta.tsv"

# ---- the report ----
RAM_MAX=$(awk '/define CFOTA_DEC_RAM_MAX/ { sub(/u$/, "", $3); print $3 }' "$ROOT/include/cfota/decoder.h")
STACK_MAX=$(awk '/define CFOTA_DEC_STACK_MAX/ { sub(/u$/, "", $3); print $3 }' "$ROOT/include/cfota/decoder.h")
[ -f "$PEERS" ] || echo "delta.sh: no peers' figures at $PEERS: those columns are n/a" >&2

# The tables: bench/fmt.awk's functions and the program below.
cat >"$WORK/report.awk" <<'AWK'
function kib(x) { return num(x) ? commas(x) : "n/a" }
# A measured size cell: the bytes, or FAIL when the package did not apply.
function cell(r) { return status[r] == "" ? "n/a" : status[r] == "OK" ? commas(bytes[r]) : "**FAIL** (" status[r] (num(raw[r]) ? ", " commas(raw[r]) " B" : "") ")" }
function ok(x) { return x ~ /^[0-9]+$/ }
FILENAME == ARGV[1] { order[++np] = $1; newsize[$1] = $2; next }
FILENAME == ARGV[2] { r = $1 SUBSEP $2; status[r] = $8; raw[r] = $3; bytes[r] = $8 == "OK" ? $3 : ""; enc_s[r] = $4; enc_k[r] = $5
                      dec_s[r] = $6; dec_k[r] = $7; next }
FILENAME == ARGV[3] { nram++; ram_label[nram] = $1; ram_size = $2
                      if ($3 + 0 >= stack_hi) { stack_hi = $3; stack_where = $1 }
                      if ($4 + 0 > cb_hi) cb_hi = $4; dec_only[$1] = $5; next }
FILENAME == peers_file && FNR > 1 { pbytes[$1 SUBSEP $4] = $5 }
END {
    ndeb = split("bsdiff xdelta3-djw zstd-22-long", deb, " ")
    nfar = split("hdiffz-best hpatchlite-tuz32k hpatchlite-tuz4k detools-seq-lzma detools-seq-heatshrink detools-inplace-lzma detools-inplace-heatshrink detools-hdiffpatch-lzma", far, " ")

    print "## cfota delta benchmark"
    print ""
    printf "%d pairs%s; times and RSS are the median of %d run%s. Columns marked † are **from PEERS.md, not re-run** (shared/bench/peers-dev.tsv); the other peers were run now, and every rebuilt image was compared with new.bin.\n",
        np, (quick ? " (--quick: the 2 largest skipped)" : ""), runs, (runs > 1 ? "s" : "")
    heading("Package size, bytes")
    hdr = "| pair | new | cfota"
    sep = "|---|---:|---:"
    for (i = 1; i <= ndeb; i++) { hdr = hdr " | " deb[i]; sep = sep "|---:" }
    for (i = 1; i <= nfar; i++) { hdr = hdr " | " far[i] " †"; sep = sep "|---:" }
    print hdr " | cfota / best Debian | cfota / best peer | cfota / detools-seq-lzma |"
    print sep "|---:|---:|---:|"
    for (k = 1; k <= np; k++) {
        p = order[k]; c = bytes[p, "cfota"]
        line = "| " p " | " commas(newsize[p]) " | " cell(p SUBSEP "cfota")
        bd = ""; bo = ""; bon = ""
        for (i = 1; i <= ndeb; i++) {
            v = bytes[p, deb[i]]; line = line " | " cell(p SUBSEP deb[i])
            if (ok(v)) { sum[deb[i]] += v; cnt[deb[i]]++; if (bd == "" || v + 0 < bd + 0) bd = v
                          if (bo == "" || v + 0 < bo + 0) { bo = v; bon = deb[i] } }
        }
        for (i = 1; i <= nfar; i++) {
            v = pbytes[p, far[i]]; line = line " | " (v == "" ? "n/a" : commas(v))
            if (ok(v)) { sum[far[i]] += v; cnt[far[i]]++; if (bo == "" || v + 0 < bo + 0) { bo = v; bon = far[i] } }
        }
        ds = pbytes[p, "detools-seq-lzma"]
        line = line " | " (ok(c) ? ratio(c, bd) : "n/a")
        line = line " | " (ok(c) && bo != "" ? ratio(c, bo) " (" bon ")" : "n/a")
        line = line " | " (ok(c) && ok(ds) ? ratio(c, ds) : "n/a") " |"
        print line
        if (ok(c)) { sum["cfota"] += c; nc++
                     if (bd != "") { tot_c_deb += c; tot_bd += bd }
                     if (bo != "") { tot_c_best += c; tot_bo += bo }
                     if (ok(ds)) { tot_c_ds += c; tot_ds += ds } }
        tot_new += newsize[p]
    }
    line = "| **total** | " commas(tot_new) " | **" (nc ? commas(sum["cfota"]) : "n/a") "**"
    for (i = 1; i <= ndeb; i++) line = line " | " (cnt[deb[i]] ? commas(sum[deb[i]]) : "n/a")
    for (i = 1; i <= nfar; i++) line = line " | " (cnt[far[i]] ? commas(sum[far[i]]) : "n/a")
    line = line " | " ratio(tot_c_deb, tot_bd) " (of " commas(tot_bd + 0) ")"
    line = line " | **" ratio(tot_c_best, tot_bo) "** (of " commas(tot_bo + 0) ")"
    line = line " | " ratio(tot_c_ds, tot_ds) " |"
    print line
    print ""
    print "Ratios below 1 mean cfota is smaller. \"best Debian\" is the smallest of bsdiff, xdelta3-djw and zstd-22-long on that pair; \"best peer\" the smallest of every column. The total ratio is the sum of cfota over the sum of the best peer of each pair."

    # ---- speed and memory ----
    big = ""
    for (k = 1; k <= np; k++) if (big == "" || newsize[order[k]] + 0 > newsize[big] + 0) big = order[k]
    print ""
    printf "### Speed and memory against bsdiff (median of %d)\n", runs
    print ""
    print "| pair | new | cfota encode s | bsdiff encode s | ratio | cfota encode peak RSS KiB | bsdiff encode peak RSS KiB | ratio | cfota apply s | bspatch s | cfota apply MB/s | decoder alone MB/s | cfota apply peak RSS KiB |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (k = 1; k <= np; k++) {
        p = order[k]; c = p SUBSEP "cfota"; b = p SUBSEP "bsdiff"
        printf "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p, p == big ? " (largest)" : "",
            commas(newsize[p]), secs(enc_s[c]), secs(enc_s[b]), ratio(enc_s[c], enc_s[b]),
            kib(enc_k[c]), kib(enc_k[b]), ratio(enc_k[c], enc_k[b]),
            secs(dec_s[c]), secs(dec_s[b]), mbs(newsize[p], dec_s[c]), mbs(newsize[p], dec_only[p]),
            kib(dec_k[c])
    }
    print ""
    print "Wall seconds of the whole process (start-up, file I/O and, for cfota apply, the SHA-256 checks included); MB/s is new-image bytes / time / 10^6. \"decoder alone\" is bench/dec_stack.c decoding the same package in memory (fastest of 3, no start-up, no I/O, no hashing)."

    # ---- decoder RAM ----
    heading("Decoder RAM (bench/dec_stack.c)")
    print "| figure | bytes | limit in cfota/decoder.h |"
    print "|---|---:|---:|"
    printf "| sizeof(struct cfota_dec) | %s | %s (CFOTA_DEC_RAM_MAX) |\n", nram ? commas(ram_size) : "n/a", commas(ram_max)
    printf "| measured max stack of the decoder calls (cfota_dec_sink & co.) | %s | %s (CFOTA_DEC_STACK_MAX) |\n", nram ? stack_hi : "n/a", stack_limit
    print ""
    if (nram) printf "Stack: deepest over %d packages (the pairs above, and a synthetic pair packaged with 64 KiB and 4 KiB segments, in-place and full-image), each decoded in 6 feeding patterns with 2 paint bytes; deepest on %s; deepest stack pointer at an I/O callback: %d bytes. Measured on %s with the device library built by CMake in Release (-O3); a Cortex-M build has its own figure.\n", nram, stack_where, cb_hi, arch

}
AWK
awk -F'\t' -v runs="$RUNS" -v quick="$QUICK" -v peers_file="$PEERS" \
    -v arch="$(uname -m)" -v ram_max="${RAM_MAX:-?}" -v stack_limit="${STACK_MAX:-?}" \
    -f "$ROOT/bench/fmt.awk" -f "$WORK/report.awk" "$WORK/pairs" "$RES" "$RAM" "$([ -f "$PEERS" ] && echo "$PEERS" || echo /dev/null)"

# ---- the targets: the figures above and the decoder on Cortex-M4 ----
M4=$("$ROOT/bench/dec_target.sh" 2>"$WORK/stderr") ||
    { M4=""; echo "delta.sh: bench/dec_target.sh failed: $(tail -n 3 "$WORK/stderr" | tr '\n' ' ')" >&2; }
m4() { echo "$M4" | awk -v k="$1" -v f="${2:-2}" '$1 == k { print $f }'; }
awk -F'\t' -f "$ROOT/bench/fmt.awk" -f "$ROOT/bench/targets.awk" -v quick="$QUICK" -v arch="$(uname -m)" -v ram_max="${RAM_MAX:-?}" \
    -v stack_limit="${STACK_MAX:-?}" -v m4_code="$(m4 code)" -v m4_state="$(m4 state)" -v m4_stack="$(m4 stack)" \
    -v m4_stack_fn="$(m4 stack 3)" "$WORK/pairs" "$RES" "$RAM" "$PARTS" "$([ -f "$PEERS" ] && echo "$PEERS" || echo /dev/null)"
echo
printf -- '- Verification: %s\n' "$([ -s "$FAILS" ] && echo "**$(wc -l <"$FAILS") FAILURE(S), listed below**" || echo "every tool ran and every rebuilt image matched new.bin")"

if [ -s "$FAILS" ]; then
    echo
    echo "FAILURES:"
    sed 's/^/  /' "$FAILS"
    exit 1
fi
exit 0
