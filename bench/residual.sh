#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/residual.sh: what a change of the symbol coding (lib/symbols.inc,
# lib/prob.h, lib/hist.h, include/cfota/model.h) is worth, the figures a
# change is kept or dropped by (issue 13): the A/B package of every corpus
# pair (each applied back and compared with the target), the totals of
# fwgen's generated cases (A/B and in place, from bench_inplace), and the
# decoder's RAM (struct and measured stack, bench/dec_stack.c, on the
# largest pair). With a git ref it builds that revision too (from `git
# archive`, in a temporary folder) and prints both side by side.
#
#   bench/residual.sh [REF]      e.g. bench/residual.sh main
#
# Environment: CFOTA_CORPUS (default ../shared/corpus), BUILD (default
# build; configured as Release if missing). Needs the corpus: without it
# only the generated cases are measured.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CFOTA_CORPUS:-$top/../shared/corpus}
build=${BUILD:-$top/build}
ref=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

die() { echo "residual.sh: $*" >&2; exit 1; }

build_tree() { # build_tree SRC BUILD: cfota, bench_inplace, dec_stack
  local src=$1 out=$2
  [ -f "$out/CMakeCache.txt" ] || cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" -j2 --target cfota bench_inplace cfota_dev >/dev/null || die "build of $src failed"
  cc -std=c11 -O2 -I"$src/include" -I"$out/include" "$src/bench/dec_stack.c" "$out/libcfota.a" \
    -lpthread -Wl,-z,now -o "$out/dec_stack" || die "dec_stack of $src failed"
}

pairs() {
  [ -d "$corpus" ] || return 0
  for d in "$corpus"/*/; do
    [ -f "$d/old.bin" ] && [ -f "$d/new.bin" ] && basename "$d"
  done
}

measure() { # measure LABEL BUILD: LABEL.sizes, LABEL.gen, LABEL.ram in $work
  local label=$1 b=$2 p pkg big=0 bigp=""
  : >"$work/$label.sizes"
  for p in $(pairs); do
    pkg=$work/$label-$p.pkg
    "$b/cfota" diff "$corpus/$p/old.bin" "$corpus/$p/new.bin" -o "$pkg" >/dev/null 2>&1 || die "$label: diff failed on $p"
    "$b/cfota" apply "$corpus/$p/old.bin" "$pkg" -o "$work/out.bin" >/dev/null 2>&1 || die "$label: apply failed on $p"
    cmp -s "$work/out.bin" "$corpus/$p/new.bin" || die "$label: $p decodes to the wrong image"
    echo "$p $(stat -c %s "$pkg")" >>"$work/$label.sizes"
    if [ "$(stat -c %s "$corpus/$p/new.bin")" -gt "$big" ]; then
      big=$(stat -c %s "$corpus/$p/new.bin"); bigp=$p
    fi
  done
  "$b/bench_inplace" --no-corpus | awk -F'|' '/generated total/ { gsub(/ /, "", $4); gsub(/ /, "", $5); print $4, $5 }' \
    >"$work/$label.gen"
  if [ -n "$bigp" ]; then
    "$b/dec_stack" "$corpus/$bigp/old.bin" "$work/$label-$bigp.pkg" "$corpus/$bigp/new.bin" |
      awk -v p="$bigp" '{ v[$1] = $2 } END { print v["sizeof_cfota_dec"], v["stack_max"], p }' >"$work/$label.ram"
  else
    echo "- - -" >"$work/$label.ram"
  fi
}

labels=(this)
build_tree "$top" "$build"
measure this "$build"
if [ -n "$ref" ]; then
  mkdir -p "$work/src"
  git -C "$top" archive "$ref" | tar xf - -C "$work/src" || die "no revision $ref"
  build_tree "$work/src" "$work/build"
  measure base "$work/build"
  labels=(base this)
fi

echo "| pair | ${labels[*]// / | } |" | sed 's/base this/base | this/'
printf '|---|%s\n' "$(printf -- '---:|%.0s' "${labels[@]}")"
for p in $(pairs); do
  row="| $p |"
  for l in "${labels[@]}"; do row="$row $(awk -v p="$p" '$1 == p { print $2 }' "$work/$l.sizes") |"; done
  echo "$row"
done
row="| **corpus total** |"
for l in "${labels[@]}"; do row="$row $(awk '{ t += $2 } END { print t + 0 }' "$work/$l.sizes") |"; done
echo "$row"
row="| **generated, A/B total** |"
for l in "${labels[@]}"; do row="$row $(awk '{ print $1 }' "$work/$l.gen") |"; done
echo "$row"
row="| **generated, in place total** |"
for l in "${labels[@]}"; do row="$row $(awk '{ print $2 }' "$work/$l.gen") |"; done
echo "$row"
row="| decoder RAM: struct + stack (x86-64, largest pair) |"
for l in "${labels[@]}"; do row="$row $(awk '{ print $1 " + " $2 }' "$work/$l.ram") |"; done
echo "$row"
