#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fuzz/run.sh BUILD SECONDS: run every fuzz target built in BUILD/fuzz for
# SECONDS each, one after another (./run fuzz). Each target's corpus lives
# in BUILD/corpus/<target> and grows from run to run; the seeds are
# written into it first (CFOTA_FUZZ_SEEDS, fuzz/common/fuzz.h). An input
# that breaks a property is kept as BUILD/crashes/<target>-crash-<sha1>:
# make it a regression (a test under tests/, and a copy in
# fuzz/regressions/<target>/, which the default suite replays).
# Prints one line per target (runs, coverage, result); exits 1 if any
# target found something. CFOTA_FUZZ_SEED=N fixes libFuzzer's random seed,
# so that a short run (CI's) mutates the same way every time and a red run
# can be reproduced.
set -uo pipefail
build=$1
secs=$2
mkdir -p "$build/corpus" "$build/crashes"
status=0
summary=()
for exe in "$build"/fuzz/fuzz_*; do
  [ -x "$exe" ] || continue
  name=${exe##*/fuzz_}
  corpus=$build/corpus/$name
  log=$build/corpus/$name.log
  CFOTA_FUZZ_SEEDS=$corpus "$exe" >/dev/null 2>&1 || { echo "fuzz: $name: cannot write its seeds" >&2; status=1; continue; }
  case $name in
    decoder|update|roundtrip) len=-max_len=81920 ;;
    *) len= ;;
  esac
  seed=${CFOTA_FUZZ_SEED:+-seed=$CFOTA_FUZZ_SEED}
  echo "fuzz: $name for ${secs}s" >&2
  # -timeout: an input running 30 s is a hang; -rss_limit_mb: a leak.
  "$exe" -max_total_time="$secs" -timeout=30 -rss_limit_mb=3072 -print_final_stats=1 \
         -artifact_prefix="$build/crashes/$name-" $len $seed "$corpus" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    result="nothing found"
  else
    result="FOUND: $(grep -m1 -E 'property broken|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log")"
    status=1
  fi
  summary+=("$(printf '%-10s %9s runs  %-10s %s' "$name" "${runs:-?}" "${cov:-}" "$result")")
done
echo
printf '%s\n' "${summary[@]}"
[ $status -eq 0 ] || echo "fuzz: inputs in $build/crashes, logs in $build/corpus/*.log" >&2
exit $status
