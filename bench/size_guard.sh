#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/size_guard.sh: package sizes never grow unnoticed.
#
# Makes a package with `cfota diff` for every case of a set, A/B and
# --in-place, and compares each set's total with the figure committed in
# bench/package-sizes.tsv. A total larger than its committed figure fails
# the guard, with a line naming the set, the total and the cases that grew.
# Two sets:
#   own     the repository's own cases, which need nothing outside it:
#           examples/m4app's release pairs (v1-v2, v2-v3, v1-v3, from the
#           cross-built images) and every generated case of fwgen/ at
#           256 KiB, seed 1, old to new and back (CI checks these: CTest
#           size_guard)
#   corpus  every pair of the firmware corpus (CFOTA_CORPUS, default
#           ../shared/corpus beside the repository), old to new
#
# Usage:
#   bench/size_guard.sh [--own | --corpus] [--lower | --record] [--bin CFOTA]
#                       [--fwgen CFOTA_FWGEN] [--images DIR]
#   (no set named)  own, and corpus too when the corpus is there
#   --own, --corpus only that set (--corpus exits 77 when there is no corpus)
#   --lower   after a change that wins: write the figures measured now into
#             bench/package-sizes.tsv (commit it with the change). Refused
#             when a total rose, a case's inputs changed or a case is gone:
#             the figures only ever come down this way.
#   --record  write the figures measured now whatever they are: for new or
#             changed cases (fwgen or m4app changed), or a growth the change
#             is worth; say why in the commit message
#   --bin, --fwgen  the cfota and cfota-fwgen programs (default build/)
#   --images  the folder with m4app-v*.bin (default build/examples)
# Exit status: 0 no total grew; 1 a total grew, a case's inputs changed, a
# recorded case is gone or a package could not be made; 2 usage or set-up
# error; 77 --corpus without a corpus.
#
# Sizes are exact: the encoder is deterministic, so any growth, even of
# one byte, is a change of the code. The inputs column is the start of the
# SHA-256 of old and new image together: a changed input is told apart
# from a change of the codec, and fails, except for the m4app images,
# which link the device library and so change with lib/: they are
# compared as they are (--lower records their new inputs).
set -u -o pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIGURES=$ROOT/bench/package-sizes.tsv
CORPUS=${CFOTA_CORPUS:-$ROOT/../shared/corpus}
CFOTA=$ROOT/build/cfota
FWGEN=$ROOT/build/cfota-fwgen
IMAGES=$ROOT/build/examples
GEN_KIB=256
SETS=""
WRITE=""

die() { echo "size_guard: $*" >&2; exit 2; }
usage() { sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --own) SETS=own ;;
    --corpus) SETS=corpus ;;
    --lower | --record) WRITE=${1#--} ;;
    --bin | --fwgen | --images)
        [ $# -ge 2 ] || die "$1 needs a value"
        case $1 in --bin) CFOTA=$2 ;; --fwgen) FWGEN=$2 ;; --images) IMAGES=$2 ;; esac
        shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done

have_corpus() { [ -f "$CORPUS/MANIFEST.tsv" ]; }
if [ -z "$SETS" ]; then
    SETS=own
    if have_corpus; then SETS="own corpus"
    else echo "size_guard: no corpus at $CORPUS (set CFOTA_CORPUS): own cases only" >&2; fi
elif [ "$SETS" = corpus ] && ! have_corpus; then
    echo "size_guard: no corpus at $CORPUS (set CFOTA_CORPUS): skipped" >&2
    exit 77
fi
[ -x "$CFOTA" ] || die "no cfota program at $CFOTA (build it, or give --bin)"
case " $SETS " in *" own "*)
    [ -x "$FWGEN" ] || die "no cfota-fwgen program at $FWGEN (build it, or give --fwgen)"
    ls "$IMAGES"/m4app-v*.bin >/dev/null 2>&1 || die "no m4app-v*.bin in $IMAGES (build examples/m4app, or give --images)"
esac
[ -f "$FIGURES" ] || [ "$WRITE" = record ] || die "no committed figures at $FIGURES (make them with --record)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cfota-size-guard.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
NOW=$WORK/now.tsv # set mode case inputs bytes, measured now
: >"$NOW"
FAILED=0

# ---- the cases of each set, by name ----
cases() { # set: one case name a line
    case $1 in
    own)
        # Release pairs: each to the next, and the first to the last.
        local v=() i
        mapfile -t v < <(ls "$IMAGES" | sed -n 's/^m4app-v\([0-9]*\)\.bin$/\1/p' | sort -n)
        for ((i = 1; i < ${#v[@]}; i++)); do echo "m4app:v${v[i - 1]}-v${v[i]}"; done
        [ ${#v[@]} -gt 2 ] && echo "m4app:v${v[0]}-v${v[${#v[@]} - 1]}"
        "$FWGEN" --list | while read -r c; do echo "gen:$c"; echo "gen:$c:back"; done ;;
    corpus)
        awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { print "corpus:" $col["pair"] }' \
            "$CORPUS/MANIFEST.tsv" ;;
    esac
}

# The two images of a case into $OLD and $NEW; 1 if it cannot be made.
inputs() { # case
    local c=$1 g
    case $c in
    m4app:*)
        g=${c#m4app:}
        OLD=$IMAGES/m4app-${g%-*}.bin NEW=$IMAGES/m4app-${g#*-}.bin ;;
    gen:*)
        g=${c#gen:}; g=${g%:back}
        OLD=$WORK/$g.old NEW=$WORK/$g.new
        [ -f "$NEW" ] || "$FWGEN" "$g" "$OLD" "$NEW" --size "$GEN_KIB" --seed 1 || return 1
        if [ "$c" != "gen:$g" ]; then g=$OLD; OLD=$NEW; NEW=$g; fi ;;
    corpus:*)
        OLD=$CORPUS/${c#corpus:}/old.bin NEW=$CORPUS/${c#corpus:}/new.bin ;;
    *) return 1 ;;
    esac
    [ -f "$OLD" ] && [ -f "$NEW" ]
}

measure() { # set
    local c mode hash opts
    while read -r c; do
        if ! inputs "$c"; then
            echo "FAILED: the images of $c cannot be made" >&2; FAILED=1; continue
        fi
        hash=$(cat "$OLD" "$NEW" | sha256sum | cut -c1-16)
        for mode in ab in-place; do
            opts=(); [ "$mode" = in-place ] && opts=(--in-place)
            if "$CFOTA" diff -q "${opts[@]}" "$OLD" "$NEW" -o "$WORK/pkg" 2>"$WORK/err"; then
                printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$mode" "$c" "$hash" "$(wc -c <"$WORK/pkg")" >>"$NOW"
            else
                echo "FAILED: cfota diff ${opts[*]} on $c: $(tail -n 2 "$WORK/err" | tr '\n' ' ')" >&2; FAILED=1
            fi
        done
    done < <(cases "$1")
}

for s in $SETS; do
    echo "size_guard: measuring the $s set" >&2
    measure "$s"
done

# ---- compare with the committed figures ----
# Prints the report; exits 1 when a checked total grew, inputs changed or
# a recorded case is gone.
compare() {
    awk -F'\t' -v sets=" $SETS " -v figures="bench/package-sizes.tsv" '
function commas(x,    s, neg) {
    neg = x < 0; s = neg ? -x : x; s = sprintf("%d", s)
    while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
    return (neg ? "-" : "") s
}
function signed(x) { return (x > 0 ? "+" : "") commas(x) }
FILENAME == ARGV[1] {
    if ($0 ~ /^#/ || index(sets, " " $1 " ") == 0) next
    k = $1 SUBSEP $2
    if ($3 == "TOTAL") { total_was[k] = $5; next }
    was[k, $3] = $5; was_in[k, $3] = $4; groups[k] = 1; order[k, ++nr[k]] = $3; next
}
{ now[$1 SUBSEP $2, $3] = $5; now_in[$1 SUBSEP $2, $3] = $4; groups[$1 SUBSEP $2] = 1 }
END {
    bad = 0
    ns = split(sets, setlist, " "); split("ab in-place", modes, " ")
    for (si = 1; si <= ns; si++) for (mi = 1; mi <= 2; mi++) {
        k = setlist[si] SUBSEP modes[mi]
        if (!(k in groups)) continue
        set = setlist[si]; mode = modes[mi] == "ab" ? "A/B" : "in-place"
        t_was = 0; t_now = 0; grew = ""; missing = 0; rebuilt = ""
        if (!(k in total_was)) { printf "%s %s: no committed figures (record them with --record)\n", set, mode; bad = 1; continue }
        for (i = 1; i <= nr[k]; i++) {
            c = order[k, i]; t_was += was[k, c]
            if (!((k, c) in now)) { printf "FAILED: %s %s: the recorded case %s was not made (--record if it was removed on purpose)\n", set, mode, c; bad = 1; missing = 1; continue }
            if (now_in[k, c] != was_in[k, c]) {
                # The example firmware links the device library: a change of
                # lib/ rebuilds its images, so they are compared as they are.
                if (c ~ /^m4app:/) rebuilt = rebuilt (rebuilt == "" ? "" : ", ") c
                else { printf "FAILED: %s %s: the images of %s changed since the figures were recorded (not the codec; --record)\n", set, mode, c; bad = 1 }
            }
            t_now += now[k, c]; d = now[k, c] - was[k, c]
            if (d != 0) printf "  %s %s %s: %s -> %s bytes (%s)\n", set, mode, c, commas(was[k, c]), commas(now[k, c]), signed(d)
            if (d > 0) grew = grew (grew == "" ? "" : ", ") c " " signed(d)
        }
        if (t_was != total_was[k]) { printf "FAILED: %s %s: %s says the total is %s but its cases sum to %s\n", set, mode, figures, commas(total_was[k]), commas(t_was); bad = 1 }
        for (key in now) { split(key, p, SUBSEP); if (p[1] SUBSEP p[2] == k && !((k, p[3]) in was)) printf "  %s %s %s: new, not recorded (%s bytes; --record)\n", set, mode, p[3], commas(now[key]) }
        if (rebuilt != "") printf "  %s %s: the images of %s were rebuilt since the figures were recorded (lib/ changed); compared as they are\n", set, mode, rebuilt
        if (missing) continue
        if (t_now > total_was[k]) {
            printf "FAILED: %s %s total %s bytes is %s more than the committed %s (%s); grew: %s\n", set, mode, commas(t_now), commas(t_now - total_was[k]), commas(total_was[k]), figures, grew
            bad = 1
        } else {
            printf "%s %s total: %s bytes, committed %s (%s): OK%s\n", set, mode, commas(t_now), commas(total_was[k]), signed(t_now - total_was[k]),
                t_now < total_was[k] ? "; smaller: lower the figure with bench/size_guard.sh --lower and commit it" : ""
        }
    }
    exit bad
}' "$FIGURES" "$NOW"
}

# ---- write the figures: the checked sets anew, the others kept ----
# Sets in a fixed order (own, corpus), grouped by mode, each group's cases
# in the order made, then its total.
write_figures() {
    local new=$WORK/figures.tsv s
    {
        echo "# Package sizes in bytes held by bench/size_guard.sh (read its header before editing)."
        echo "# set	mode	case	inputs	bytes"
        for s in own corpus; do
            case " $SETS " in
            *" $s "*)
                awk -F'\t' -v s="$s" '$1 == s { g = $1 "\t" $2; if (!(g in t)) o[++n] = g; t[g] += $5; row[g, ++r[g]] = $0 }
                    END { for (i = 1; i <= n; i++) { for (j = 1; j <= r[o[i]]; j++) print row[o[i], j]
                                                     print o[i] "\tTOTAL\t-\t" t[o[i]] } }' "$NOW" ;;
            *) [ -f "$FIGURES" ] && awk -F'\t' -v s="$s" '!/^#/ && $1 == s' "$FIGURES" ;;
            esac
        done
    } >"$new"
    mv "$new" "$FIGURES"
    echo "size_guard: wrote $FIGURES ($SETS); commit it"
}

rc=0
if [ "$WRITE" = record ]; then
    [ "$FAILED" = 0 ] || die "some packages could not be made: nothing written"
    write_figures
    exit 0
fi
compare || rc=1
[ "$FAILED" = 0 ] || rc=1
if [ "$WRITE" = lower ]; then
    [ "$rc" = 0 ] || die "not lowered: the guard failed above (a growth, changed inputs or a gone case needs --record)"
    write_figures
fi
exit $rc
