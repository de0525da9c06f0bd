#!/usr/bin/env bash
# Lab test of DNS: reverse names (PTR) of scanned hosts and forward
# resolution of name targets, against a real DNS server.
#
# dnsmasq (Debian's dnsmasq-base) runs in the lab's target namespace,
# listening only on the target's addresses (10.77.0.2, fd77::2), with no
# upstream and only our own records, all under the reserved .test TLD:
#     target.portscout.test   A 10.77.0.2, AAAA fd77::2, and their PTRs
#     www.portscout.test      A 10.77.0.2, AAAA fd77::2 (PTRs name "target")
#     v4only.portscout.test   A 10.77.0.2        v6only.portscout.test AAAA fd77::2
#     down.portscout.test     PTR of 10.77.0.3, where no host answers
#     anyip-X-Y.portscout.test  PTR of 10.79.X.Y for all of 10.79.0.0/22, an
#                             AnyIP range local to the target namespace
# and 10.79.53.53 is a second "server" that drops every query.  Every scan
# is pointed at these servers (--dns-servers); --system-dns is tested only
# with the scanner namespace's resolv.conf pointing at dnsmasq (ip netns
# exec mounts /etc/netns/NS/resolv.conf) and nsswitch asking only files and
# dns.  Nothing leaves the lab's namespaces.
#
# Usage: test_dns.sh PORTSCOUT_BINARY   (root; exit 77 = skipped)
set -eu

PORTSCOUT=${1:?usage: test_dns.sh PORTSCOUT_BINARY}
. "$(dirname "$0")/labtest.sh"
labtest_need_root
DNSMASQ=$(PATH=$PATH:/usr/sbin:/sbin command -v dnsmasq || true)
if [ -z "$DNSMASQ" ]; then
    echo "SKIP: dnsmasq not found (Debian package dnsmasq-base; scripts/setup installs it)"
    exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not found (Debian package jq)"; exit 1; }
command -v xmllint >/dev/null 2>&1 || { echo "FAIL: xmllint not found (libxml2-utils)"; exit 1; }
labtest_begin

DEAD=10.79.53.53
NETNS_ETC=/etc/netns/$LAB_SCAN_NS
trap 'rm -rf "$OUT" "$NETNS_ETC"; rmdir /etc/netns 2>/dev/null || true; lab_down' EXIT

# ---- the DNS server -------------------------------------------------------

chmod 755 "$OUT" # dnsmasq reads its files as nobody
{
    echo "$LAB_T4 target.portscout.test www.portscout.test"
    echo "$LAB_T6 target.portscout.test www.portscout.test"
    echo "10.77.0.3 down.portscout.test"
    for x in 0 1 2 3; do
        for y in $(seq 0 255); do echo "10.79.$x.$y anyip-$x-$y.portscout.test"; done
    done
} > "$OUT/hosts"
lab_target ip route add local 10.79.0.0/22 dev lo
lab_target ip addr add "$DEAD/32" dev lo
lab_target iptables -w -A INPUT -d "$DEAD" -p udp --dport 53 -j DROP
lab_target iptables -w -A INPUT -d "$DEAD" -p tcp --dport 53 -j DROP
lab_scan ip route add 10.79.0.0/16 via "$LAB_T4"

ip netns exec "$LAB_TARGET_NS" "$DNSMASQ" --keep-in-foreground --no-resolv --no-hosts \
    --addn-hosts="$OUT/hosts" --listen-address="$LAB_T4,$LAB_T6" --bind-interfaces \
    --local=/test/ --local=/10.in-addr.arpa/ --local=/d.f.ip6.arpa/ \
    --address=/v4only.portscout.test/"$LAB_T4" --address=/v6only.portscout.test/"$LAB_T6" \
    --user=nobody --group=nogroup --pid-file= --log-facility="$OUT/dnsmasq.log" \
    </dev/null >"$OUT/dnsmasq.out" 2>&1 &
for _ in $(seq 100); do
    lab_target ss -Hlun | grep -q "$LAB_T4:53 " && break
    sleep 0.05
done
if ! lab_target ss -Hlun | grep -q "$LAB_T4:53 "; then
    echo "FAIL: dnsmasq did not start: $(cat "$OUT/dnsmasq.out" "$OUT/dnsmasq.log" 2>/dev/null)"
    exit 1
fi

# ---- helpers ---------------------------------------------------------------

ELAPSED_MS=0
scan() { # scan LABEL ARGS...: portscout in the scanner namespace (2 minutes at most)
    local label=$1 t0
    shift
    t0=$(date +%s%N)
    if ! lab_scan timeout 120 "$PORTSCOUT" "$@" >"$OUT/$label.out" 2>"$OUT/$label.err"; then
        fail "$label: portscout exited non-zero: $(cat "$OUT/$label.err")"
    fi
    ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
}
has() { # has LABEL LINE: the normal output has exactly this line
    check
    grep -qxF -- "$2" "$OUT/$1.out" || fail "$1: no line '$2' in: $(cat "$OUT/$1.out")"
}
lacks() { # lacks LABEL PATTERN: no line of the normal output matches
    check
    if grep -q -- "$2" "$OUT/$1.out"; then fail "$1: unexpected line matching '$2'"; fi
}
equals() { # equals WHAT GOT WANT
    check
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}
xml_names() { # xml_names FILE ADDR: the host's names as "TYPE:NAME ..."
    xmllint --xpath "//host[address/@addr='$2']/hostnames/hostname" "$1" 2>/dev/null |
        sed -n 's/.*name="\([^"]*\)" type="\([^"]*\)".*/\2:\1/p' | tr '\n' ' ' | sed 's/ $//'
}
json_names() { # json_names FILE ADDR
    jq -r --arg a "$2" 'select(.type == "host" and .address == $a) |
        [.hostnames[] | "\(.type):\(.name)"] | join(" ")' "$1"
}
udp_in() { # UDP datagrams received so far in the target namespace (v4 + v6)
    lab_target awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { n += $2 } /^Udp6InDatagrams/ { n += $2 }
                    END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# 1. Reverse names of the hosts that are up, in every format; a down host
#    gets none (nor a query: one PTR query in all).
before=$(udp_in)
scan up -v -sT -p 22 "${FAST[@]}" --dns-servers "$LAB_T4" \
    -oX "$OUT/up.xml" -oG "$OUT/up.gnmap" -oJ "$OUT/up.json" "$LAB_T4" 10.77.0.3
has up "portscout scan report for target.portscout.test ($LAB_T4)"
has up "portscout scan report for 10.77.0.3 [host down]"
equals "up -oX names" "$(xml_names "$OUT/up.xml" "$LAB_T4")" "PTR:target.portscout.test"
equals "up -oX down host" "$(xml_names "$OUT/up.xml" 10.77.0.3)" ""
check
grep -qxF "Host: $LAB_T4 (target.portscout.test)	Status: Up" "$OUT/up.gnmap" ||
    fail "up -oG: no 'Host: $LAB_T4 (target.portscout.test)' line"
check
grep -qxF "Host: 10.77.0.3 ()	Status: Down" "$OUT/up.gnmap" ||
    fail "up -oG: the down host should have no name"
equals "up -oJ names" "$(json_names "$OUT/up.json" "$LAB_T4")" "PTR:target.portscout.test"
equals "up -oJ down host" "$(json_names "$OUT/up.json" 10.77.0.3)" ""
equals "up: DNS queries received" "$(($(udp_in) - before))" 1

scan up6 -6 -sT -p 22 "${FAST[@]}" --dns-servers "$LAB_T6" "$LAB_T6"
has up6 "portscout scan report for target.portscout.test ($LAB_T6)"

# 2. -R names the down host too; -n names nobody and asks nothing.
scan always -v -R -sT -p 22 "${FAST[@]}" --dns-servers "$LAB_T4" -oG "$OUT/always.gnmap" \
    "$LAB_T4" 10.77.0.3
has always "portscout scan report for target.portscout.test ($LAB_T4)"
has always "portscout scan report for down.portscout.test (10.77.0.3) [host down]"
check
grep -qxF "Host: 10.77.0.3 (down.portscout.test)	Status: Down" "$OUT/always.gnmap" ||
    fail "-R -oG: no 'Host: 10.77.0.3 (down.portscout.test)' line"

before=$(udp_in)
scan never -v -n -sT -p 22 "${FAST[@]}" --dns-servers "$LAB_T4" -oX "$OUT/never.xml" \
    "$LAB_T4" 10.77.0.3
has never "portscout scan report for $LAB_T4"
lacks never "portscout\.test"
equals "-n -oX names" "$(xml_names "$OUT/never.xml" "$LAB_T4")" ""
equals "-n: DNS queries received" "$(udp_in)" "$before"

# 3. Forward names: scanned at their address (-4 and -6), listed with the
#    PTR's name where it differs, the other family's address as nmap lists it.
scan fwd -sT -p 22 --dns-servers "$LAB_T4" -oX "$OUT/fwd.xml" -oG "$OUT/fwd.gnmap" \
    -oJ "$OUT/fwd.json" www.portscout.test
has fwd "portscout scan report for www.portscout.test ($LAB_T4)"
has fwd "Other addresses for www.portscout.test (not scanned): $LAB_T6"
has fwd "rDNS record for $LAB_T4: target.portscout.test"
check
grep -q "^22/tcp  *open " "$OUT/fwd.out" || fail "fwd: port 22 of $LAB_T4 not found open"
equals "fwd -oX names" "$(xml_names "$OUT/fwd.xml" "$LAB_T4")" \
    "user:www.portscout.test PTR:target.portscout.test"
equals "fwd -oJ names" "$(json_names "$OUT/fwd.json" "$LAB_T4")" \
    "user:www.portscout.test PTR:target.portscout.test"
check
grep -qxF "Host: $LAB_T4 (target.portscout.test)	Status: Up" "$OUT/fwd.gnmap" ||
    fail "fwd -oG: no 'Host: $LAB_T4 (target.portscout.test)' line"

scan fwd6 -6 -sT -p 22 --dns-servers "$LAB_T6" www.portscout.test
has fwd6 "portscout scan report for www.portscout.test ($LAB_T6)"
has fwd6 "Other addresses for www.portscout.test (not scanned): $LAB_T4"
has fwd6 "rDNS record for $LAB_T6: target.portscout.test"

# Same name as the PTR: no rDNS line.
scan same -sT -p 22 --dns-servers "$LAB_T4" target.portscout.test
has same "portscout scan report for target.portscout.test ($LAB_T4)"
lacks same "^rDNS record"

# 4. Names that do not resolve: nmap's messages, and the scan goes on.
scan unknown -sT -p 22 --dns-servers "$LAB_T4" nosuch.portscout.test "$LAB_T4" \
    v6only.portscout.test
check
grep -qxF 'Failed to resolve "nosuch.portscout.test".' "$OUT/unknown.err" ||
    fail "unknown: no 'Failed to resolve \"nosuch.portscout.test\".' on stderr"
check
grep -qxF "Warning: Hostname v6only.portscout.test resolves, but not to any IPv4 address. Try scanning with -6" \
    "$OUT/unknown.err" || fail "unknown: no IPv4 warning for v6only.portscout.test"
has unknown "portscout scan report for target.portscout.test ($LAB_T4)"
check
grep -q "^portscout done: 1 IP address (1 host up)" "$OUT/unknown.out" ||
    fail "unknown: summary: $(tail -n 1 "$OUT/unknown.out")"
scan unknown6 -6 -sT -p 22 --dns-servers "$LAB_T6" v4only.portscout.test
check
grep -qxF "Warning: Hostname v4only.portscout.test resolves, but not to any IPv6 address. Try scanning without -6" \
    "$OUT/unknown6.err" || fail "unknown6: no IPv6 warning for v4only.portscout.test"

# An exclude name is resolved with the same servers.
scan excl -sn -Pn --dns-servers "$LAB_T4" --exclude www.portscout.test 10.77.0.2-3
has excl "portscout scan report for down.portscout.test (10.77.0.3)"
lacks excl "($LAB_T4)"

# 5. 1024 PTRs in one scan: every host named, in target order.
scan many -sn -Pn --dns-servers "$LAB_T4" 10.79.0.0/22
echo "1024 reverse names (-sn -Pn 10.79.0.0/22): portscout ${ELAPSED_MS} ms"
check
bad=$(awk '/ scan report for / {
        n++
        x = int((n - 1) / 256); y = (n - 1) % 256
        want = sprintf("portscout scan report for anyip-%d-%d.portscout.test (10.79.%d.%d)", x, y, x, y)
        if ($0 != want) { print "line " n ": " $0; exit }
    } END { if (n != 1024) print n + 0 " reports, expected 1024" }' "$OUT/many.out")
[ -z "$bad" ] || fail "1024 PTRs: $bad"
t0=$(date +%s%N)
lab_scan timeout 120 nmap -sn -Pn --dns-servers "$LAB_T4" 10.79.0.0/22 >"$OUT/many.nmap" 2>&1 || true
echo "1024 reverse names (-sn -Pn 10.79.0.0/22): nmap $((($(date +%s%N) - t0) / 1000000)) ms," \
    "$(grep -c 'report for anyip' "$OUT/many.nmap") named"

# 6. A server that drops every query: the scan still ends (c-ares gives up
#    after its tries: 1 + 2 + 4 s) and the host has no name; with a good
#    server after it, c-ares moves on to that one.
scan dead -sn -Pn --dns-servers "$DEAD" "$LAB_T4"
echo "silent DNS server: ${ELAPSED_MS} ms"
has dead "portscout scan report for $LAB_T4"
scan failover -sn -Pn --dns-servers "$DEAD,$LAB_T4" "$LAB_T4" 10.79.0.7
echo "silent DNS server, then a good one: ${ELAPSED_MS} ms"
has failover "portscout scan report for target.portscout.test ($LAB_T4)"
has failover "portscout scan report for anyip-0-7.portscout.test (10.79.0.7)"

# 7. --system-dns and nmap's own behaviour, through the system resolver of
#    the scanner namespace, only when it can reach nothing but dnsmasq.
if grep -Eq '^hosts:[[:space:]]+files([[:space:]]+dns)?[[:space:]]*$' /etc/nsswitch.conf; then
    mkdir -p "$NETNS_ETC"
    echo "nameserver $LAB_T4" >"$NETNS_ETC/resolv.conf"
    if [ "$(lab_scan cat /etc/resolv.conf)" = "nameserver $LAB_T4" ]; then
        scan sys --system-dns -sT -p 22 www.portscout.test "$LAB_T4" 10.79.1.2
        has sys "portscout scan report for www.portscout.test ($LAB_T4)"
        has sys "rDNS record for $LAB_T4: target.portscout.test"
        has sys "portscout scan report for target.portscout.test ($LAB_T4)"
        has sys "portscout scan report for anyip-1-2.portscout.test (10.79.1.2)"
        # nmap's lines about names, and ours, for the same scan (sorted: nmap
        # reports down hosts before the port scan of those that are up)
        for mode in "" --system-dns -R; do
            args=(-sT -p 22 "${FAST[@]}" $mode www.portscout.test "$LAB_T4" 10.77.0.3)
            lab_scan timeout 120 nmap -v "${args[@]}" >"$OUT/nmap.names" 2>&1 || true
            scan names -v "${args[@]}"
            check
            want=$(grep -E "scan report for|^Other addresses|^rDNS record" "$OUT/nmap.names" |
                sed 's/^Nmap /portscout /' | sort)
            got=$(grep -E "scan report for|^Other addresses|^rDNS record" "$OUT/names.out" | sort)
            [ "$got" = "$want" ] ||
                fail "names ${mode:-default}: nmap says: $want -- portscout says: $got"
        done
    else
        echo "NOTE: /etc/netns was not mounted over /etc/resolv.conf; --system-dns not tested"
    fi
else
    echo "NOTE: nsswitch asks more than files and dns for hosts; --system-dns not tested"
fi

labtest_end
