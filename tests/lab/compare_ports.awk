# Compares a scan's ports with what a lab truth expects (lab tests' compare()):
#   awk -F'\t' -v normal=0|1 -v bare=0|1 -f compare_ports.awk EXPECT FLAT TXT
# EXPECT: "PORT<TAB>STATE REASON[ ttl N]" lines, alternatives joined by " or ";
# FLAT: the XML report flattened by xml/ports_ttl.xsl ("PORT<TAB>STATE<TAB>REASON<TAB>KIND");
# TXT: the normal report, whose --reason port table is checked too when normal=1.
# bare=1: ports are bare numbers (TCP only, as test_raw.sh keys them), else "port/proto".
# Prints one line per mismatch, then "CHECKS N".
FILENAME == ARGV[1] { want[$1] = $2; next }
FILENAME == ARGV[2] {
    if ($1 in got) got[$1] = got[$1] " AND " $2 " " $3
    else got[$1] = $2 " " $3
    kind[$1] = $4; cnt[$1]++
    next
}
normal {                                        # PORT STATE SERVICE REASON...
    nf = split($0, fl, " ")
    if (fl[1] !~ (bare ? "^[0-9]+/tcp$" : "^[0-9]+/(tcp|udp)$")) next
    key = fl[1]
    if (bare) { split(fl[1], pp, "/"); key = pp[1] }
    r = fl[2] " " fl[4]
    for (i = 5; i <= nf; i++) r = r " " fl[i]
    norm[key] = r
}
function matches(g, cell, strip_ttl,    n, alt, i, a) {
    n = split(cell, alt, / or /)
    for (i = 1; i <= n; i++) {
        a = alt[i]
        if (strip_ttl) sub(/ ttl [0-9]+$/, "", a)
        if (g == a) return 1
    }
    return 0
}
END {
    for (p in want) {
        checks++
        if (cnt[p] != 1 || !matches(got[p], want[p], kind[p] == "extra"))
            printf "port %s: expected %s, got %s (XML)\n", p, want[p], (p in got) ? got[p] : "nothing"
        if (!normal) continue
        if (p in norm) {
            checks++
            if (!matches(norm[p], want[p], 0))
                printf "port %s: expected %s, got %s (normal output)\n", p, want[p], norm[p]
        } else if (kind[p] == "port") {
            checks++
            printf "port %s: a <port> in the XML but not in the normal output\n", p
        }
    }
    for (p in got)
        if (!(p in want)) printf "port %s was not scanned but is listed (%s)\n", p, got[p]
    print "CHECKS " checks + 0
}
