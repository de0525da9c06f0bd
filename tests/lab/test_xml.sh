#!/usr/bin/env bash
# Lab test of the XML output (-oX): every file must be valid against nmap's
# DTD (its `scanner` enumeration widened to admit "portscout"), carry every
# scanned port in exactly the state and with exactly the reason of the lab's
# ground truth (tests/lab/truth.tsv), show the same ports as the normal output
# of the same run, render with nmap's XSL stylesheet, and compare with nmap's
# ndiff.  Hostile bytes on the command line must not break the document.
# Packets go only between the lab's two namespaces.
#
# Usage: test_xml.sh PORTSCOUT_BINARY   (root; exit 77 = skipped)
# Needs: xmllint (libxml2-utils), xsltproc, ndiff, nmap (for nmap.dtd and
# nmap.xsl, read where Debian installs them; nothing of nmap's is copied).
set -eu

PORTSCOUT=${1:?usage: test_xml.sh PORTSCOUT_BINARY}
. "$(dirname "$0")/labtest.sh"
labtest_need_root
NMAP_DTD=${NMAP_DTD:-/usr/share/nmap/nmap.dtd}
NMAP_XSL=${NMAP_XSL:-/usr/share/nmap/nmap.xsl}
missing=""
for tool in xmllint xsltproc ndiff; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
for f in "$NMAP_DTD" "$NMAP_XSL"; do
    [ -r "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
    echo "FAIL: missing:$missing (packages libxml2-utils xsltproc ndiff nmap; see scripts/setup)"
    exit 1
fi

HERE=$(cd "$(dirname "$0")" && pwd)
FLAT_XSL=$HERE/xml/ports.xsl
labtest_begin

# nmap's DTD, with "portscout" admitted as a scanner (derived here, never
# kept in the repository).
DTD=$OUT/nmap.dtd
sed -E 's/^([[:space:]]*scanner[[:space:]]+)\(nmap\)/\1(nmap | portscout)/' "$NMAP_DTD" > "$DTD"
if ! grep -Eq '^[[:space:]]*scanner[[:space:]]+\(nmap \| portscout\)' "$DTD"; then
    echo "FAIL: could not widen the scanner attribute of $NMAP_DTD"
    exit 1
fi

# The truth as "port<TAB>state<TAB>reason", the reason being what a connect
# scan reports (the raw-scan reason without ttl; a reset is a refusal).
lab_truth | awk -F'\t' -v OFS='\t' '{
    r = $4; sub(/ ttl .*/, "", r); if (r == "reset") r = "conn-refused"; print $1, $3, r }' \
    > "$OUT/truth"

scan() { # scan LABEL ARGS...: run portscout in the scanner namespace
    local label=$1
    shift
    if ! lab_scan "$PORTSCOUT" "$@" > "$OUT/$label.txt" 2> "$OUT/$label.err"; then
        fail "$label: portscout exited non-zero: $(cat "$OUT/$label.err")"
    fi
}

# xp FILE EXPR: the string value of an XPath expression.
xp() { xmllint --xpath "string($2)" "$1" 2>/dev/null || true; }

validate() { # validate FILE LABEL
    check
    if ! xmllint --noout --dtdvalid "$DTD" "$1" > "$OUT/xmllint.err" 2>&1; then
        fail "$2: not valid against nmap's DTD: $(head -n 5 "$OUT/xmllint.err")"
    fi
}

expect() { # expect LABEL WHAT GOT WANT
    check
    [ "$3" = "$4" ] || fail "$1: $2: expected '$4', got '$3'"
}

# "1-3,7" -> one port a line.
expand_ports() {
    tr ',' '\n' | awk -F- 'NF == 2 { for (p = $1; p <= $2; p++) print p; next }
                           NF == 1 && $1 != "" { print $1 }'
}

# flatten FILE: one line per port of any host, shown or summed up in
# <extraports>: "addr<TAB>port<TAB>state<TAB>reason<TAB>port|extra".
flatten() {
    xsltproc "$FLAT_XSL" "$1" | awk -F'\t' -v OFS='\t' '
        $1 == "port" { print $2, $3, $5, $6, "port" }
        $1 == "extra" {
            n = split($3, r, ",")
            for (i = 1; i <= n; i++) {
                if (split(r[i], ab, "-") == 2) {
                    for (p = ab[1] + 0; p <= ab[2] + 0; p++) print $2, p, $5, $6, "extra"
                } else {
                    print $2, r[i], $5, $6, "extra"
                }
            }
        }'
}

# compare_xml FILE LABEL ADDR: every port the file says was scanned (its
# <scaninfo>) appears exactly once for ADDR, as a <port> or in <extraports>,
# in the truth's state and with its reason (ports the truth does not list are
# closed); no other port appears.
compare_xml() {
    local file=$1 label=$2 addr=$3 line
    xp "$file" "/nmaprun/scaninfo[@protocol='tcp']/@services" | expand_ports > "$OUT/scanned"
    flatten "$file" > "$OUT/flat"
    check
    if ! [ -s "$OUT/scanned" ]; then
        fail "$label: no scanned ports in <scaninfo>"
        return
    fi
    while IFS= read -r line; do
        case $line in
            "CHECKS "*) checks=$((checks + ${line#CHECKS })) ;;
            *) fail "$label: $line" ;;
        esac
    done < <(awk -F'\t' -v addr="$addr" '
        FILENAME == ARGV[1] { want[$1] = $2 " " $3; next }
        FILENAME == ARGV[2] { scanned[$1] = 1; next }
        $1 == addr {
            if ($2 in got) got[$2] = got[$2] " AND " $3 " " $4
            else got[$2] = $3 " " $4
            cnt[$2]++
        }
        END {
            for (p in scanned) {
                checks++
                w = (p in want) ? want[p] : "closed conn-refused"
                if (cnt[p] != 1 || got[p] != w)
                    printf "port %s: expected %s, got %s\n", p, w, (p in got) ? got[p] : "nothing"
            }
            for (p in got)
                if (!(p in scanned))
                    printf "port %s was not scanned but is listed (%s)\n", p, got[p]
            print "CHECKS " checks
        }' "$OUT/truth" "$OUT/scanned" "$OUT/flat")
}

# same_as_normal XMLFILE TXTFILE LABEL: the <port> elements are the port
# lines of the normal output of the same run (same ignored-state rule).
same_as_normal() {
    check
    flatten "$1" | awk -F'\t' '$5 == "port" { print $2 "/tcp", $3, $4 }' | sort > "$OUT/x.ports"
    awk '$1 ~ /^[0-9]+\/tcp$/ { print $1, $2, $4 }' "$2" | sort > "$OUT/n.ports"
    if ! cmp -s "$OUT/x.ports" "$OUT/n.ports"; then
        fail "$3: XML ports differ from the normal output: $(diff "$OUT/n.ports" "$OUT/x.ports" |
            grep '^[<>]' | head -n 5 | tr '\n' ' ')"
    fi
}

# runstats FILE LABEL UP DOWN TOTAL
runstats() {
    local f=$1 l=$2
    expect "$l" "runstats hosts" \
        "$(xp "$f" /nmaprun/runstats/hosts/@up) $(xp "$f" /nmaprun/runstats/hosts/@down) $(xp "$f" /nmaprun/runstats/hosts/@total)" \
        "$3 $4 $5"
    expect "$l" "exit" "$(xp "$f" /nmaprun/runstats/finished/@exit)" success
    local addrs=IP\ address
    [ "$5" -eq 1 ] || addrs="IP addresses"
    local hosts=hosts
    [ "$3" -ne 1 ] || hosts=host
    check
    xp "$f" /nmaprun/runstats/finished/@summary |
        grep -Eq "^portscout done at .*; $5 $addrs \($3 $hosts up\) scanned in [0-9]+\.[0-9]{2} seconds$" ||
        fail "$l: runstats summary: '$(xp "$f" /nmaprun/runstats/finished/@summary)'"
}

NPORTS=$(printf '%s\n' "$PORTS" | tr ',' '\n' | grep -c .)

# 1. IPv4 and IPv6, discovery skipped: every port shown, as the truth says.
scan v4 -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" -oX "$OUT/v4.xml" "$LAB_T4"
validate "$OUT/v4.xml" "IPv4"
compare_xml "$OUT/v4.xml" "IPv4" "$LAB_T4"
same_as_normal "$OUT/v4.xml" "$OUT/v4.txt" "IPv4"
check
head -n 1 "$OUT/v4.xml" | grep -q '^<?xml version="1.0" encoding="UTF-8"?>$' ||
    fail "IPv4: no XML declaration"
expect "IPv4" "scanner" "$(xp "$OUT/v4.xml" /nmaprun/@scanner)" portscout
expect "IPv4" "xmloutputversion" "$(xp "$OUT/v4.xml" /nmaprun/@xmloutputversion)" 1.05
expect "IPv4" "scaninfo" \
    "$(xp "$OUT/v4.xml" 'concat(/nmaprun/scaninfo/@type, " ", /nmaprun/scaninfo/@protocol, " ", /nmaprun/scaninfo/@numservices)')" \
    "connect tcp $NPORTS"
expect "IPv4" "verbose/debugging" \
    "$(xp "$OUT/v4.xml" 'concat(/nmaprun/verbose/@level, " ", /nmaprun/debugging/@level)')" "0 0"
expect "IPv4" "host status" \
    "$(xp "$OUT/v4.xml" 'concat(/nmaprun/host/status/@state, " ", /nmaprun/host/status/@reason)')" \
    "up user-set"
expect "IPv4" "address" \
    "$(xp "$OUT/v4.xml" 'concat(/nmaprun/host/address/@addr, " ", /nmaprun/host/address/@addrtype)')" \
    "$LAB_T4 ipv4"
expect "IPv4" "no extraports" "$(xp "$OUT/v4.xml" 'count(//extraports)')" 0
check
[ "$(xp "$OUT/v4.xml" /nmaprun/host/times/@to)" -gt 0 ] 2>/dev/null ||
    fail "IPv4: <times to> is not a positive number of microseconds"
check
start=$(xp "$OUT/v4.xml" /nmaprun/@start)
hstart=$(xp "$OUT/v4.xml" /nmaprun/host/@starttime)
hend=$(xp "$OUT/v4.xml" /nmaprun/host/@endtime)
fin=$(xp "$OUT/v4.xml" /nmaprun/runstats/finished/@time)
if ! { [ "$start" -le "$hstart" ] && [ "$hstart" -le "$hend" ] && [ "$hend" -le "$fin" ]; }; then
    fail "IPv4: times out of order: start $start, host $hstart-$hend, finished $fin"
fi
runstats "$OUT/v4.xml" "IPv4" 1 0 1

scan v6 -6 -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" -oX "$OUT/v6.xml" "$LAB_T6"
validate "$OUT/v6.xml" "IPv6"
compare_xml "$OUT/v6.xml" "IPv6" "$LAB_T6"
same_as_normal "$OUT/v6.xml" "$OUT/v6.txt" "IPv6"
expect "IPv6" "address" \
    "$(xp "$OUT/v6.xml" 'concat(/nmaprun/host/address/@addr, " ", /nmaprun/host/address/@addrtype)')" \
    "$LAB_T6 ipv6"
runstats "$OUT/v6.xml" "IPv6" 1 0 1

# 2. The default ports: the closed ones are summed up in <extraports>, with
#    the same ignored-state rule as the normal output.
scan default -sT -n -Pn --reason "${FAST[@]}" -oX "$OUT/default.xml" "$LAB_T4"
validate "$OUT/default.xml" "default ports"
compare_xml "$OUT/default.xml" "default ports" "$LAB_T4"
same_as_normal "$OUT/default.xml" "$OUT/default.txt" "default ports"
expect "default ports" "numservices" "$(xp "$OUT/default.xml" /nmaprun/scaninfo/@numservices)" 1000
expect "default ports" "extraports" \
    "$(xp "$OUT/default.xml" 'concat(count(//extraports), " ", //extraports/@state, " ", //extrareasons/@reason, " ", //extrareasons/@proto, " ", //extraports/@count = //extrareasons/@count)')" \
    "1 closed conn-refused tcp true"
expect "default ports" "closed <port> elements" \
    "$(xp "$OUT/default.xml" "count(//port[state/@state='closed'])")" 0
expect "default ports" "<port> elements + extraports" \
    "$(xp "$OUT/default.xml" 'count(//port) + sum(//extraports/@count)')" 1000

# 3. Verbose, with host discovery, an up host and a silent one: the down host
#    is listed (as nmap does with -v) with only its status and address.  As
#    root, discovery on the lab's Ethernet is ARP, whatever the scan, and the
#    up host has its MAC address beside its IP address.
scan disc -sT -n -v --reason "${FAST[@]}" -p "$PORTS" -oX "$OUT/disc.xml" "$LAB_T4" 10.77.0.3
validate "$OUT/disc.xml" "-v discovery"
compare_xml "$OUT/disc.xml" "-v discovery" "$LAB_T4"
same_as_normal "$OUT/disc.xml" "$OUT/disc.txt" "-v discovery"
expect "-v discovery" "verbose" "$(xp "$OUT/disc.xml" /nmaprun/verbose/@level)" 1
expect "-v discovery" "up host" \
    "$(xp "$OUT/disc.xml" "concat(/nmaprun/host[address/@addr='$LAB_T4']/status/@state, ' ', /nmaprun/host[address/@addr='$LAB_T4']/status/@reason)")" \
    "up arp-response"
expect "-v discovery" "MAC address" \
    "$(xp "$OUT/disc.xml" "count(/nmaprun/host[address/@addr='$LAB_T4']/address[@addrtype='mac'][string-length(@addr)=17])")" \
    1
expect "-v discovery" "down host" \
    "$(xp "$OUT/disc.xml" "concat(/nmaprun/host[address/@addr='10.77.0.3']/status/@state, ' ', /nmaprun/host[address/@addr='10.77.0.3']/status/@reason, ' ', count(/nmaprun/host[address/@addr='10.77.0.3']/*))")" \
    "down no-response 2"
runstats "$OUT/disc.xml" "-v discovery" 1 1 2

# ... and without -v the down host is left out, but counted.
scan down -sT -n "${FAST[@]}" -p 22 -oX "$OUT/down.xml" 10.77.0.3
validate "$OUT/down.xml" "down host"
expect "down host" "host elements" "$(xp "$OUT/down.xml" 'count(/nmaprun/host)')" 0
runstats "$OUT/down.xml" "down host" 0 1 1

# 4. --open: only open ports as <port>, the rest in <extraports>; a host
#    without open ports is left out.
scan open -sT -n -Pn --reason --open "${FAST[@]}" -p "$PORTS" -oX "$OUT/open.xml" "$LAB_T4"
validate "$OUT/open.xml" "--open"
compare_xml "$OUT/open.xml" "--open" "$LAB_T4"
same_as_normal "$OUT/open.xml" "$OUT/open.txt" "--open"
expect "--open" "<port> elements" "$(xp "$OUT/open.xml" 'count(//port)')" \
    "$(awk -F'\t' '$2 == "open"' "$OUT/truth" | wc -l)"
expect "--open" "extraports states" \
    "$(xp "$OUT/open.xml" 'concat(count(//extraports[@state="closed"]), count(//extraports[@state="filtered"]), count(//extraports))')" \
    "112"
scan open0 -sT -n -Pn --open "${FAST[@]}" -p "$(lab_ports closed)" -oX "$OUT/open0.xml" "$LAB_T4"
validate "$OUT/open0.xml" "--open, nothing open"
expect "--open, nothing open" "host elements" "$(xp "$OUT/open0.xml" 'count(/nmaprun/host)')" 0
runstats "$OUT/open0.xml" "--open, nothing open" 1 0 1

# 5. A host timeout: the host is written with timedout="true" and no ports.
scan timeout -sT -n -Pn --host-timeout 500ms --initial-rtt-timeout 2s --min-rtt-timeout 2s \
    --max-rtt-timeout 2s -p "$(lab_ports drop)" -oX "$OUT/timeout.xml" "$LAB_T4"
validate "$OUT/timeout.xml" "host timeout"
expect "host timeout" "host" \
    "$(xp "$OUT/timeout.xml" 'concat(count(/nmaprun/host), " ", /nmaprun/host/@timedout, " ", count(//ports))')" \
    "1 true 0"

# 6. nmap's XSL stylesheet renders every file; the HTML lists the open ports.
for f in v4 v6 default disc down open open0 timeout; do
    check
    if ! xsltproc "$NMAP_XSL" "$OUT/$f.xml" > "$OUT/$f.html" 2> "$OUT/$f.xslerr" ||
        [ -s "$OUT/$f.xslerr" ]; then
        fail "xsltproc $f: $(head -n 3 "$OUT/$f.xslerr")"
    fi
done
check
awk '/<tr class="open">/ { getline; gsub(/<\/?td>/, ""); print }' "$OUT/v4.html" | sort -n \
    > "$OUT/html.open"
awk -F'\t' '$2 == "open" { print $1 }' "$OUT/truth" | sort -n > "$OUT/truth.open"
cmp -s "$OUT/html.open" "$OUT/truth.open" ||
    fail "HTML: open ports $(tr '\n' ' ' < "$OUT/html.open")differ from the truth's"
check
grep -q "portscout" "$OUT/v4.html" || fail "HTML: the scanner's arguments are missing"

# 7. ndiff: two scans of the same ports (same command line, from different
#    directories) are equal; with 22 turned closed, ndiff reports that port.
STABLE=$(lab_truth | awk -F'\t' '$2 != "lossy" { printf "%s%s", sep, $1; sep = "," }')
for d in a b c; do
    mkdir "$OUT/$d"
    if [ "$d" = c ]; then
        lab_target iptables -w -I INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
    fi
    if ! (cd "$OUT/$d" && lab_scan "$PORTSCOUT" -sT -n -Pn --reason "${FAST[@]}" -p "$STABLE" \
        -oX scan.xml "$LAB_T4" > out.txt 2> err.txt); then
        fail "ndiff scan $d: portscout exited non-zero: $(cat "$OUT/$d/err.txt")"
    fi
    if [ "$d" = c ]; then
        lab_target iptables -w -D INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
    fi
done
check
rc=0
ndiff "$OUT/a/scan.xml" "$OUT/b/scan.xml" > "$OUT/ndiff.ab" 2>&1 || rc=$?
# The banners differ when the scans started in different seconds; that is not
# a difference of the results (ndiff's exit status ignores it too).
rest=$(grep -Ev '^[-+]portscout .* scan initiated .* as: |^$' "$OUT/ndiff.ab" || true)
if [ "$rc" -ne 0 ] || [ -n "$rest" ]; then
    fail "ndiff of equal scans: exit $rc: $(head -n 5 "$OUT/ndiff.ab")"
fi
check
rc=0
ndiff "$OUT/a/scan.xml" "$OUT/c/scan.xml" > "$OUT/ndiff.ac" 2>&1 || rc=$?
if ! { [ "$rc" -eq 1 ] && grep -Eq '^-22/tcp +open' "$OUT/ndiff.ac" &&
    grep -Eq '^\+22/tcp +closed' "$OUT/ndiff.ac"; }; then
    fail "ndiff of a changed port: exit $rc: $(head -n 8 "$OUT/ndiff.ac")"
fi

# 8. Hostile bytes on the command line (here in --stylesheet): markup
#    characters, controls, invalid UTF-8, U+FFFE, a truncated sequence.  The
#    file must stay valid, and the args attribute must read back as the
#    arguments with each byte XML cannot carry shown as \xHH.
HOSTILE=$'x&<>"\'\t\n\r\x01\x1f\x7f|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xc2\x85|\xff|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe|\xf4\x90\x80\x80|--|\xe2\x82'
SHOWN=$'x&<>"\'\t\n\r\\x01\\x1F\\x7F|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\xC2\\x85|\\xFF|\\xC0\\xAF|\\xED\\xA0\\x80|\\xEF\\xBF\\xBE|\\xF4\\x90\\x80\\x80|--|\\xE2\\x82'
scan hostile -sT -n -Pn "${FAST[@]}" -p 22 --stylesheet "$HOSTILE" -oX "$OUT/hostile.xml" "$LAB_T4"
validate "$OUT/hostile.xml" "hostile --stylesheet"
check
printf '%s' "$PORTSCOUT -sT -n -Pn ${FAST[*]} -p 22 --stylesheet $SHOWN -oX $OUT/hostile.xml $LAB_T4" \
    > "$OUT/args.want"
# (xmllint ends its answer with a newline, which $(...) drops.)
printf '%s' "$(xmllint --xpath 'string(/nmaprun/@args)' "$OUT/hostile.xml" 2>/dev/null || true)" \
    > "$OUT/args.got"
cmp -s "$OUT/args.want" "$OUT/args.got" ||
    fail "hostile --stylesheet: args reads back as '$(cat -v "$OUT/args.got")'"
check
# The stylesheet instruction: its pseudo-attribute escaped like an attribute
# (which also keeps "?>" out of it).
pi=$(xmllint --xpath "string(/processing-instruction('xml-stylesheet'))" "$OUT/hostile.xml" 2>/dev/null || true)
case $pi in
    'href="x&amp;&lt;&gt;&quot;&apos;&#9;&#10;&#13;\x01\x1F\x7F|'*'" type="text/xsl"') ;;
    *) fail "hostile --stylesheet: processing instruction is '$(printf '%s' "$pi" | cat -v)'" ;;
esac
scan sheet -sT -n -Pn "${FAST[@]}" -p 22 --stylesheet 'a?>b&c' -oX "$OUT/sheet.xml" "$LAB_T4"
validate "$OUT/sheet.xml" "--stylesheet with ?>"
expect "--stylesheet with ?>" "processing instruction" \
    "$(xmllint --xpath "string(/processing-instruction('xml-stylesheet'))" "$OUT/sheet.xml" 2>/dev/null || true)" \
    'href="a?&gt;b&amp;c" type="text/xsl"'
scan nosheet -sT -n -Pn "${FAST[@]}" -p 22 -oX "$OUT/nosheet.xml" "$LAB_T4"
validate "$OUT/nosheet.xml" "no --stylesheet"
expect "no --stylesheet" "processing instructions" \
    "$(xp "$OUT/nosheet.xml" "count(/processing-instruction('xml-stylesheet'))")" 0

# 9. Interrupted by SIGINT: the file is still complete and valid, and says so.
lab_scan "$PORTSCOUT" -sT -n -Pn -p 1-60000 --max-rate 20000 -oX "$OUT/int.xml" "$LAB_T4" \
    > "$OUT/int.txt" 2>&1 &
int_pid=$!
sleep 1
# $! is the shell running lab_scan; signal portscout itself, as Ctrl-C would.
pkill -INT -f -- "-oX $OUT/int.xml"
int_rc=0
wait "$int_pid" || int_rc=$?
expect "interrupted" "exit status" "$int_rc" 130
validate "$OUT/int.xml" "interrupted"
expect "interrupted" "finished/@exit" "$(xp "$OUT/int.xml" /nmaprun/runstats/finished/@exit)" error
expect "interrupted" "finished/@errormsg" \
    "$(xp "$OUT/int.xml" /nmaprun/runstats/finished/@errormsg)" "Interrupted by SIGINT"
expect "interrupted" "hosts reported" "$(xp "$OUT/int.xml" "count(/nmaprun/host)")" 0

# 10. python-libnmap (Debian python3-libnmap), a consumer of nmap's XML, reads
#     our files unchanged: the same hosts and every port in the same state.
for f in v4 v6 disc; do
    check
    want=$(lab_truth | awk -F"\t" '$3 != "closed" { print $1 "/" $3 }' | LC_ALL=C sort | tr '\n' ' ')
    got=$(/usr/bin/python3 - "$OUT/$f.xml" <<'PY' 2>&1 || true
import sys
from libnmap.parser import NmapParser
report = NmapParser.parse_fromfile(sys.argv[1])
up = [h for h in report.hosts if h.is_up()]
assert report.hosts_up == 1 and len(up) == 1, "hosts up: %d" % report.hosts_up
ports = sorted("%d/%s" % (s.port, s.state) for s in up[0].services if s.state != "closed")
print(" ".join(sorted(ports)) + " ")
PY
)
    [ "$got" = "$want" ] || fail "python-libnmap on $f.xml: expected '$want', got '$got'"
done

labtest_end
