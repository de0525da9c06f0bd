#!/usr/bin/env bash
# Lab test of the UDP scan (-sU), IPv4 and IPv6: every port must come out in exactly the state
# and with exactly the reason (and the reply's "ttl 64") that nmap 7.93 reports in the same
# lab, recorded in tests/lab/truth_udp.tsv (real DNS, NTP, SNMP, rpcbind and memcached servers,
# an echo and a discard responder, a lossy echo, closed ports, DROP, and REJECT with every ICMP
# unreachable nmap distinguishes; tests/lab/udp.sh builds it).  Scenarios:
#
#   1. -sU on every truth port, IPv4 and IPv6 (XML and the --reason port table);
#   2. -sU -p 1-1000: the ports the truth does not list are closed (port-unreach), reported as
#      nmap does (the "Not shown" summary, <extraports>), the listed ones as the truth says;
#   3. a mixed scan, -sS -sU -p T:...,U:...: TCP ports as tests/lab/truth.tsv says (-sS), UDP
#      ports as truth_udp.tsv says, both kinds of <scaninfo>;
#   4. the kernel's default ICMP rate limit left on (udp.sh's extra target namespaces): a host
#      with closed, dropped and admin-prohibited ports, IPv4 (about one unreachable a second
#      after a burst of six) and IPv6; then two such hosts in one scan.  A correct scanner
#      waits for the limited unreachables: exact states again.  The test also checks that a
#      burst of datagrams does meet the target's limiter (its IcmpOutRateLimitHost counter),
#      so that this part tests what it claims to.
#
# Usage: test_udp.sh PORTSCOUT_BINARY          (root; exit 77 = skipped)
#        SCANNER=nmap test_udp.sh [ANYTHING]   the same checks against nmap 7.93, to validate the
#                                              test and the truth.  nmap's misses on the lossy
#                                              ports (30 % of probes dropped) print KNOWN and are
#                                              counted neither as passed nor as failed; so are
#                                              its open|filtered for ports of the rate-limited
#                                              hosts (scenario 4), which nmap gives up on.
# Knobs: SCAN_TIMEOUT (seconds one scan may take before it is stopped and failed; default 90).
# Takes about 35 s with nmap, most of it scenario 4 (about one IPv4 port a second there).
# Needs: xsltproc, iptables, ip6tables, nstat (iproute2), python3 and the services of udp.sh.
# Packets go only between the lab's namespaces.
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail when either check fails
# shellcheck source=tests/lab/labtest.sh
set -eu
export LC_ALL=C

SCAN_TIMEOUT=${SCAN_TIMEOUT:-90}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/labtest.sh"
labtest_scanner "$@"
labtest_need_root
for tool in xsltproc iptables ip6tables nstat; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not found"; exit 1; }
done
FLAT_XSL=$HERE/xml/ports_ttl.xsl
labtest_begin
# shellcheck source=tests/lab/udp.sh
. "$HERE/udp.sh"
trap 'udp_down; rm -rf "$OUT"; lab_down' EXIT
if ! udp_up; then
    echo "FAIL: could not start the lab's UDP services (udp.sh)"
    exit 1
fi
echo "scanner: ${SCAN[*]}"
T0=$(date +%s)

# ---- helpers ---------------------------------------------------------------------------------

# Known nmap weaknesses portscout is required to do better on.  In nmap mode, a mismatch on a
# lossy port, and with COMPARE_KNOWN set a port reported open|filtered that is not, print
# KNOWN and are counted neither as passed nor as failed.
known_nmap=0
LOSSY=$(udp_ports lossy)
KNOWN_LOSSY="nmap retries a silent UDP port only as far as retries have helped"
COMPARE_KNOWN=""

scan_done() { # scan_done LABEL: its exit status was 0
    local rc
    rc=$(cat "$OUT/$1.rc" 2>/dev/null) || rc=missing
    check
    case $rc in
        0) ;;
        124) fail "$1: ${SCAN[0]##*/} did not finish within $SCAN_TIMEOUT s (stopped; SCAN_TIMEOUT=...)" ;;
        *) fail "$1: ${SCAN[0]##*/} exited $rc: $(head -c 600 "$OUT/$1.err")" ;;
    esac
}
# scan_pair LABEL4 LABEL6 ARGS4... -- ARGS6...: an IPv4 and an IPv6 scan at once.
scan_pair() {
    local l4=$1 l6=$2 pid4
    shift 2
    local -a a4=()
    while [ "$1" != -- ]; do a4+=("$1"); shift; done
    shift
    start_scan "$l4" "${a4[@]}"
    pid4=$SCAN_PID
    start_scan "$l6" "$@"
    wait "$pid4" || true
    wait "$SCAN_PID" || true
    scan_done "$l4"
    scan_done "$l6"
}

# flatten FILE.xml: "port/proto<TAB>state<TAB>reason[ ttl N]<TAB>port|extra" for every port of
# the report (of its only host, or of host $2), shown (<port>) or summed up (<extrareasons>,
# which carry no TTL).
flatten() {
    xsltproc "$FLAT_XSL" "$1" 2>/dev/null | awk -F'\t' -v OFS='\t' -v host="${2:-}" '
        host != "" && $2 != host { next }
        $1 == "port" { r = $6; if ($7 != "" && $7 != "0") r = r " ttl " $7; print $3 "/" $4, $5, r, "port" }
        $1 == "extra" {
            n = split($3, rg, ",")
            for (i = 1; i <= n; i++) {
                if (split(rg[i], ab, "-") == 2) { for (p = ab[1] + 0; p <= ab[2] + 0; p++) print p "/" $4, $5, $6, "extra" }
                else print rg[i] + 0 "/" $4, $5, $6, "extra"
            }
        }'
}

# compare LABEL EXPECT_FILE [HOST]: EXPECT_FILE has "port/proto<TAB>STATE REASON[ ttl N]" lines
# (alternatives joined by " or ").  LABEL.xml (of HOST, for a scan of several) must list every
# expected port exactly once, so, and no other; unless HOST is given, the --reason port table
# of LABEL.txt must show its ports so too (summed-up ports are checked in the XML only, where
# the TTL is not given).  nmap's misses on lossy ports count as KNOWN.
compare() {
    local label=$1 expect=$2 host=${3:-} txt=$OUT/$1.txt line nbad=0 nknown=0 p why
    [ -z "$host" ] || txt=/dev/null
    check
    if ! [ -s "$OUT/$label.xml" ] || ! flatten "$OUT/$label.xml" "$host" >"$OUT/$label.flat"; then
        fail "$label: no XML report"
        return
    fi
    while IFS= read -r line; do
        case $line in "CHECKS "*) checks=$((checks + ${line#CHECKS })); continue ;; esac
        p=${line#port }
        p=${p%%/udp:*}
        why=""
        if [ "$SCANNER" = nmap ] && [ "$p" != "$line" ]; then
            case ",$LOSSY," in *",$p,"*) why=$KNOWN_LOSSY ;; esac
            case $line in *"got open|filtered no-response ("*) why=${why:-$COMPARE_KNOWN} ;; esac
        fi
        if [ -n "$why" ]; then
            nknown=$((nknown + 1))
            known_nmap=$((known_nmap + 1))
            checks=$((checks - 1))
            [ "$nknown" -gt 3 ] || echo "KNOWN ($why): $label: $line"
            continue
        fi
        nbad=$((nbad + 1))
        if [ "$nbad" -le 10 ]; then fail "$label: $line"; else failures=$((failures + 1)); fi
    done < <(awk -F'\t' -v normal="$([ "$txt" = /dev/null ] && echo 0 || echo 1)" -v bare=0 \
        -f "$HERE/compare_ports.awk" "$expect" "$OUT/$label.flat" "$txt")
    [ "$nbad" -le 10 ] || echo "FAIL: $label: ... and $((nbad - 10)) more mismatches like these"
    [ "$nknown" -le 3 ] || echo "KNOWN: $label: ... and $((nknown - 3)) more like these"
}

# scaninfo LABEL WANT: the <scaninfo> types of LABEL.xml, space-separated, e.g. "syn udp".
scaninfo() {
    local got
    got=$(xsltproc "$FLAT_XSL" "$OUT/$1.xml" 2>/dev/null | awk -F'\t' '$1 == "scan" { printf "%s%s", s, $2; s = " " }')
    check
    [ "$got" = "$2" ] || fail "$1: scaninfo: expected '$2', got '${got:-nothing}'"
}

# want_udp FAMILY [PORTS]: "port/udp<TAB>cell" of the truth, for every truth port or for the
# comma-separated PORTS (a port the truth does not list: closed).
want_udp() {
    local col=3
    [ "$1" = 4 ] || col=4
    udp_truth | awk -F'\t' -v OFS='\t' -v col="$col" -v ports="${2:-}" '
        { cell[$1] = $col }
        END {
            if (ports == "") { for (p in cell) print p "/udp", cell[p]; exit }
            n = split(ports, pl, ",")
            for (i = 1; i <= n; i++)
                print pl[i] "/udp", (pl[i] in cell) ? cell[pl[i]] : "closed port-unreach ttl 64"
        }'
}

# want_tcp PORTS: "port/tcp<TAB>cell" of tests/lab/truth.tsv for a SYN scan.
want_tcp() {
    lab_truth | awk -F'\t' -v OFS='\t' -v ports=",$1," 'index(ports, "," $1 ",") {
        print $1 "/tcp", $3 " " $4 ($4 == "no-response" ? "" : " ttl 64") }'
}

# expand PORTS: "1-3,7" -> "1,2,3,7".
expand() {
    tr ',' '\n' <<<"$1" | awk -F- 'NF == 2 { for (p = $1; p <= $2; p++) print p; next } NF == 1 { print $1 }' |
        paste -sd,
}

# ---- 1. every truth port ---------------------------------------------------------------------
echo "== 1. -sU on every truth port, IPv4 and IPv6"
PORTS_U=$(udp_ports)
scan_pair all.4 all.6 -sU -n -Pn --reason -p "$PORTS_U" -oX "$OUT/all.4.xml" "$LAB_T4" -- \
    -6 -sU -n -Pn --reason -p "$PORTS_U" -oX "$OUT/all.6.xml" "$LAB_T6"
for f in 4 6; do
    want_udp "$f" >"$OUT/want.all.$f"
    compare "all.$f" "$OUT/want.all.$f"
    scaninfo "all.$f" udp
done
echo "   ($(($(date +%s) - T0)) s)"

# ---- 2. 1-1000: the rest closed ----------------------------------------------------------------
echo "== 2. -sU -p 1-1000: every port the truth does not list is closed"
scan_pair p1000.4 p1000.6 -sU -n -Pn --reason -p 1-1000 -oX "$OUT/p1000.4.xml" "$LAB_T4" -- \
    -6 -sU -n -Pn --reason -p 1-1000 -oX "$OUT/p1000.6.xml" "$LAB_T6"
for f in 4 6; do
    want_udp "$f" "$(expand 1-1000)" >"$OUT/want.p1000.$f"
    compare "p1000.$f" "$OUT/want.p1000.$f"
    check
    grep -Eq '^Not shown: [0-9]+ closed udp ports \(port-unreach\)$' "$OUT/p1000.$f.txt" ||
        fail "p1000.$f: no line 'Not shown: N closed udp ports (port-unreach)': $(grep -m 1 'Not shown' "$OUT/p1000.$f.txt")"
done
echo "   ($(($(date +%s) - T0)) s)"

# ---- 3. mixed TCP and UDP ----------------------------------------------------------------------
echo "== 3. -sS -sU -p T:...,U:..."
MIX_T=22,23,2000,4000,5000
MIX_U=7,9,53,68,123,137,161,520,623,631
scan_pair mix.4 mix.6 -sS -sU -n -Pn --reason -p "T:$MIX_T,U:$MIX_U" -oX "$OUT/mix.4.xml" "$LAB_T4" -- \
    -6 -sS -sU -n -Pn --reason -p "T:$MIX_T,U:$MIX_U" -oX "$OUT/mix.6.xml" "$LAB_T6"
for f in 4 6; do
    { want_tcp "$MIX_T"; want_udp "$f" "$MIX_U"; } >"$OUT/want.mix.$f"
    compare "mix.$f" "$OUT/want.mix.$f"
    scaninfo "mix.$f" "syn udp"
done
echo "   ($(($(date +%s) - T0)) s)"

# ---- 4. default ICMP rate limits ---------------------------------------------------------------
# Host 1: ports 1-RL4 (IPv4) / 1-RL6 (IPv6) closed but for two dropped and two admin-prohibited
# ports (their ICMP errors count against the same limit); host 2: every port closed.
echo "== 4. the kernel's default ICMP rate limits"
RL4=16 RL6=40 RL_MULTI=10
udp_hosts_up 2 || { fail "could not add the rate-limited hosts (udp_hosts_up)"; labtest_end; exit 1; }
H1=$(udp_host_ns 1)
ip netns exec "$H1" iptables -w -A INPUT -p udp --dport 5:6 -j DROP
ip netns exec "$H1" iptables -w -A INPUT -p udp --dport 9:10 -j REJECT --reject-with icmp-admin-prohibited
ip netns exec "$H1" ip6tables -w -A INPUT -p udp --dport 5:6 -j DROP
ip netns exec "$H1" ip6tables -w -A INPUT -p udp --dport 9:10 -j REJECT --reject-with icmp6-adm-prohibited
# want_rl LAST: the expected cells of host 1's ports 1-LAST.
want_rl() {
    seq "$1" | awk -v OFS='\t' '{
        c = "closed port-unreach ttl 64"
        if ($1 == 5 || $1 == 6) c = "open|filtered no-response"
        if ($1 == 9 || $1 == 10) c = "filtered admin-prohibited ttl 64"
        print $1 "/udp", c }'
}
# ratelimited NS FAMILY: the count of ICMP errors the limiter of namespace NS held back.
ratelimited() {
    local c=IcmpOutRateLimitHost
    [ "$2" = 4 ] || c=Icmp6OutRateLimitHost
    ip netns exec "$1" nstat -az "$c" | awk -v c="$c" '$1 == c { print $2 }'
}
check
[ "$(ip netns exec "$H1" sysctl -n net.ipv4.icmp_ratelimit)" != 0 ] &&
    [ "$(ip netns exec "$H1" sysctl -n net.ipv6.icmp.ratelimit)" != 0 ] ||
    fail "rate-limited host: its ICMP rate limits are off"
scan_pair rl.4 rl.6 -sU -n -Pn --reason -p "1-$RL4" -oX "$OUT/rl.4.xml" "${UDP_HOSTS4[0]}" -- \
    -6 -sU -n -Pn --reason -p "1-$RL6" -oX "$OUT/rl.6.xml" "${UDP_HOSTS6[0]}"
want_rl "$RL4" >"$OUT/want.rl.4"
want_rl "$RL6" >"$OUT/want.rl.6"
# nmap gives up on some ports whose unreachables the limit held back (3 of 4 runs here, 1-5
# of 16 IPv4 ports open|filtered; IPv6's limit, ten a second, it always met).
COMPARE_KNOWN="nmap stops retrying ports the ICMP rate limit kept silent"
for f in 4 6; do
    compare "rl.$f" "$OUT/want.rl.$f"
    echo "   IPv$f: the target's limiter held back $(ratelimited "$H1" "$f") ICMP errors during the scans"
done
# Two hosts in one scan: each has a limit of its own.
start_scan multi -sU -n -Pn --reason -p "1-$RL_MULTI" -oX "$OUT/multi.xml" "${UDP_HOSTS4[@]}"
wait "$SCAN_PID" || true
scan_done multi
want_rl "$RL_MULTI" >"$OUT/want.multi.1"
seq "$RL_MULTI" | awk -v OFS='\t' '{ print $1 "/udp", "closed port-unreach ttl 64" }' >"$OUT/want.multi.2"
compare multi "$OUT/want.multi.1" "${UDP_HOSTS4[0]}"
compare multi "$OUT/want.multi.2" "${UDP_HOSTS4[1]}"
COMPARE_KNOWN=""
check
[ "$(grep -c ' scan report for ' "$OUT/multi.txt")" = 2 ] ||
    fail "multi: expected 2 host reports, got $(grep -c ' scan report for ' "$OUT/multi.txt")"
# The lab itself: a burst of 20 datagrams to closed ports of host 2 must meet its limiter (a
# scanner that never met it would have been right not to, so the scans are not asked to).
for f in 4 6; do
    if [ "$f" = 4 ]; then a=${UDP_HOSTS4[1]}; else a=${UDP_HOSTS6[1]}; fi
    before=$(ratelimited "$(udp_host_ns 2)" "$f")
    # shellcheck disable=SC2016 # expanded by that bash
    lab_scan bash -c 'for p in $(seq 30000 30019); do echo x >"/dev/udp/$0/$p"; done' "$a" || true
    sleep 0.2
    after=$(ratelimited "$(udp_host_ns 2)" "$f")
    check
    [ "$((after - before))" -gt 0 ] 2>/dev/null ||
        fail "lab: IPv$f: 20 datagrams to closed ports of $a met no ICMP rate limit ($before -> $after)"
done

echo "total: $(($(date +%s) - T0)) s"
[ "$known_nmap" = 0 ] || echo "($known_nmap KNOWN nmap weaknesses, counted neither as passed nor as failed)"
labtest_end
