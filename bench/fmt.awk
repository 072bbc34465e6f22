# SPDX-License-Identifier: Apache-2.0
# bench/fmt.awk: how the bench's awk reports write figures, shared by
# bench/delta.sh's tables and bench/targets.awk (awk -f fmt.awk -f ...).

# 1234567 -> "1,234,567"; anything that is not an integer as it is.
function commas(x,    s, neg) {
    if (x == "" || x !~ /^-?[0-9]+$/) return x
    neg = x < 0; s = neg ? substr(x, 2) : x
    while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
    return (neg ? "-" : "") s
}
function num(x) { return x ~ /^[0-9]+(\.[0-9]*)?$/ }
function ratio(a, b) { return (!num(a) || !num(b) || b + 0 == 0) ? "n/a" : sprintf("%.3f", a / b) }
# Output bytes n in s seconds as MB/s (10^6 bytes).
function mbs(n, s) { return num(s) && s + 0 > 0 ? sprintf("%.1f", n / s / 1e6) : "n/a" }
function secs(x) { return num(x) ? sprintf("%.3f", x) : "n/a" }
# A markdown section heading with the blank lines around it.
function heading(t) { print ""; print "### " t; print "" }
