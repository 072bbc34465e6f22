# SPDX-License-Identifier: Apache-2.0
# bench/targets.awk: the "Targets" section of bench/delta.sh, each target
# of the codec (issue 13, "Targets") said MET or MISSED with its figures.
#
# Input files, in this order (tab-separated, as bench/delta.sh writes them):
#   pairs    pair, new size (MANIFEST.tsv's order)
#   results  pair, tool, bytes, encode s, encode KiB, decode s, decode KiB, status,
#            encode CPU s, decode CPU s (wall seconds, CPU = user + system)
#   ram      label, sizeof(struct cfota_dec), stack max, stack at callback, decode s
#   parts    pair, header bytes, payload bytes, signature bytes (cfota info)
#   peers    shared/bench/peers-dev.tsv (or /dev/null): pair, ..., tool (4), bytes (5)
# Variables: quick (1 with --quick), ram_max, stack_limit (cfota/decoder.h),
# arch (the host's), and the Cortex-M4 figures of bench/dec_target.sh:
# m4_code, m4_state, m4_stack, m4_stack_fn (empty when it could not run).
#
# With bench/fmt.awk (awk -f fmt.awk -f targets.awk).
# "KB" in the targets is 1000 bytes, "KiB" 1024 (as the issue writes them).
function verdict(c) { return c ? "MET" : "MISSED" }
# One summary line: what, the figures, the limit, the verdict.
function target(what, figures, ok) { printf "- %s: %s: **%s**\n", what, figures, verdict(ok) }
# The corpus pair whose name starts with prefix, or "".
function pair_named(prefix,    k) {
    for (k = 1; k <= np; k++) if (index(order[k], prefix) == 1) return order[k]
    return ""
}
# A size target on one pair: "pyboard at most 28.5 KB".
function pair_limit(prefix, limit,    p) {
    p = pair_named(prefix)
    if (p == "" || !num(pkg[p])) { printf "- %s at most %s bytes: not measured in this run\n", prefix, commas(limit); return }
    target(p " package at most " commas(limit) " bytes", commas(pkg[p]) " bytes", pkg[p] <= limit)
}
FILENAME == ARGV[1] { order[++np] = $1; newsize[$1] = $2; next }
FILENAME == ARGV[2] {
    r = $1 SUBSEP $2; enc_s[r] = $4; enc_k[r] = $5; dec_s[r] = $6; enc_c[r] = $9; dec_c[r] = $10
    if ($2 == "cfota" && $8 == "OK") pkg[$1] = $3
    next
}
FILENAME == ARGV[3] { nram++; state = $2; if ($3 + 0 > host_stack) host_stack = $3; dec_only[$1] = $5; next }
FILENAME == ARGV[4] { header[$1] = $2; payload[$1] = $3; sig[$1] = $4; next }
FNR > 1 && $5 ~ /^[0-9]+$/ {
    if (!($4 in is_peer)) { is_peer[$4] = 1; peer[++npeer] = $4 }
    patch[$1, $4] = $5
}
END {
    heading("Targets")
    print "Per pair: cfota's package (header with its two SHA-256, payload, signature) and payload, against every peer's whole patch (shared/bench/peers-dev.tsv)."
    print ""
    hdr = "| pair | package | payload | header + signature"
    sep = "|---|---:|---:|---:"
    for (i = 1; i <= npeer; i++) { hdr = hdr " | " peer[i]; sep = sep "|---:" }
    print hdr " | payload < every peer | package < every peer above 1 KB |"
    print sep "|---|---|"
    all_payload = all_pkg = 1; missed_payload = missed_pkg = ""
    for (k = 1; k <= np; k++) {
        p = order[k]
        if (!num(pkg[p])) { printf "| %s | FAIL |\n", p; all_payload = all_pkg = 0; continue }
        line = "| " p " | " commas(pkg[p]) " | " commas(payload[p]) " | " commas(header[p] + sig[p])
        best = ""; best_big = ""
        for (i = 1; i <= npeer; i++) {
            v = patch[p, peer[i]]; line = line " | " (v == "" ? "n/a" : commas(v))
            if (v == "") continue
            if (best == "" || v + 0 < best + 0) { best = v; best_tool = peer[i] }
            if (v + 0 > 1000 && (best_big == "" || v + 0 < best_big + 0)) { best_big = v; best_big_tool = peer[i] }
        }
        if (best == "") { print line " | n/a | n/a |"; all_payload = all_pkg = 0; continue }
        ok = num(payload[p]) && payload[p] + 0 < best + 0
        line = line " | " verdict(ok) " (" commas(payload[p]) " vs " best_tool " " commas(best) ")"
        if (!ok) { all_payload = 0; missed_payload = missed_payload " " p }
        if (best_big == "") line = line " | none above 1 KB |"
        else {
            ok = pkg[p] + 0 < best_big + 0
            line = line " | " verdict(ok) " (" commas(pkg[p]) " vs " best_big_tool " " commas(best_big) ") |"
            if (!ok) { all_pkg = 0; missed_pkg = missed_pkg " " p }
        }
        print line
        total += pkg[p]; best_sum += best; measured++
    }
    print ""
    if (quick) print "- (--quick: the two largest pairs are left out: the corpus-wide lines cover the rest only, and the largest pair of this run is not the corpus's)"
    if (measured < np) printf "- cfota failed or has no peer figures on %d of %d pairs: the lines below leave them out\n", np - measured, np
    if (npeer) {
        target("Payload smaller than every peer's whole patch, every pair", missed_payload == "" ? "on all " measured : "missed on" missed_payload, all_payload)
        target("Package smaller than every peer's patch above 1 KB, every pair", missed_pkg == "" ? "on all " measured : "missed on" missed_pkg, all_pkg)
        target("Corpus total at most 0.85 x the sum of the best peer per pair",
               commas(total) " / " commas(best_sum) " = " ratio(total, best_sum) " (0.85 x = " commas(int(0.85 * best_sum)) ")", measured && total <= 0.85 * best_sum)
    } else print "- no peers' figures: the size targets against the peers are not judged"
    pair_limit("pyboard", 28500)
    pair_limit("esp8266-micropython", 60000)

    # The largest pair of the run: encoder against bsdiff, decoder speed.
    big = ""
    for (k = 1; k <= np; k++) if (big == "" || newsize[order[k]] + 0 > newsize[big] + 0) big = order[k]
    c = big SUBSEP "cfota"; b = big SUBSEP "bsdiff"
    # Times are judged on CPU seconds (user + system, median): on a machine
    # shared with other work, wall time says more about the others.
    if (num(enc_c[c]) && num(enc_c[b]) && enc_c[b] > 0) {
        target("Encoder time on " big " at most 2 x bsdiff's (CPU s)", secs(enc_c[c]) " s vs " secs(enc_c[b]) " s = " ratio(enc_c[c], enc_c[b]) " x (wall " secs(enc_s[c]) " s vs " secs(enc_s[b]) " s)", enc_c[c] <= 2 * enc_c[b])
        target("Encoder peak RSS on " big " at most bsdiff's", commas(enc_k[c]) " KiB vs " commas(enc_k[b]) " KiB = " ratio(enc_k[c], enc_k[b]) " x", enc_k[c] + 0 <= enc_k[b] + 0)
    } else print "- Encoder against bsdiff: not measured (a tool failed on " big ")"
    if (num(dec_c[c]) && dec_c[c] > 0) {
        rate = newsize[big] / dec_c[c] / 1e6
        target("Host decode on " big " at least 20 MB/s of output (cfota apply, whole process, CPU s)",
               sprintf("%.1f MB/s (%s s; wall %s s = %s MB/s); the decoder alone %s MB/s", rate, secs(dec_c[c]), secs(dec_s[c]),
                       mbs(newsize[big], dec_s[c]), mbs(newsize[big], dec_only[big])), rate >= 20)
    } else print "- Host decode speed: not measured (cfota failed on " big ")"
    if (m4_code != "") {
        target("Decoder code at most 4 KiB, Cortex-M4 -Os Thumb-2 (lib/ code a decoder-only link keeps, bench/dec_target.sh)", commas(m4_code) " bytes of 4,096", m4_code <= 4096)
        target("Decoder state + stack at most 4 KiB, Cortex-M4", commas(m4_state) " + " m4_stack " (" m4_stack_fn ", static) = " commas(m4_state + m4_stack) " bytes of 4,096", m4_state + m4_stack <= 4096)
    } else print "- Decoder code and RAM on Cortex-M4: not measured (bench/dec_target.sh failed: arm-none-eabi-gcc?)"
    if (nram) target("Decoder RAM on the host (" arch ", measured, bench/dec_stack.c) within cfota/decoder.h's limits",
                     commas(state) " bytes of state (limit " commas(ram_max) "), " host_stack " of stack (limit " stack_limit ")",
                     state + 0 <= ram_max + 0 && host_stack + 0 <= stack_limit + 0)
}
