#!/usr/bin/env bash
# Lab test of the TCP connect scan (-sT): every port of the lab target must
# come out in exactly the state and with exactly the reason of the lab's
# ground truth (tests/lab/truth.tsv), over IPv4 and IPv6, with and without
# host discovery, as root and as an unprivileged user; every lossy open port
# must be found.  Packets go only between the lab's two namespaces.
#
# Usage: test_connect.sh PORTSCOUT_BINARY   (root; exit 77 = skipped)
set -eu

PORTSCOUT=${1:?usage: test_connect.sh PORTSCOUT_BINARY}
. "$(dirname "$0")/labtest.sh"
labtest_need_root
labtest_begin

# Compare the PORT table of a portscout report with the truth.
# $1 report file, $2 label; the reason column is the truth's raw-scan reason
# (the ICMP type and code, which portscout's connect scan reads too).
compare_table() {
    local report=$1 label=$2 port policy state reason got
    while IFS=$'\t' read -r port policy state reason _; do
        check
        got=$(awk -v p="$port/tcp" '$1 == p { print $2, $4; exit }' "$report")
        reason=${reason% ttl *}
        [ "$reason" = reset ] && reason=conn-refused # a connect() sees the reset as a refusal
        if [ "$got" != "$state $reason" ]; then
            fail "$label: port $port ($policy): expected '$state $reason', got '${got:-nothing}'"
        fi
    done < <(lab_truth)
}

scan() { # scan LABEL ARGS...: run portscout in the scanner namespace
    local label=$1
    shift
    if ! lab_scan "$PORTSCOUT" "$@" > "$OUT/$label.txt" 2> "$OUT/$label.err"; then
        fail "$label: portscout exited non-zero: $(cat "$OUT/$label.err")"
    fi
}

# 1. IPv4 and IPv6, discovery skipped.
scan v4 -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" "$LAB_T4"
compare_table "$OUT/v4.txt" "IPv4 -Pn"
scan v6 -6 -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" "$LAB_T6"
compare_table "$OUT/v6.txt" "IPv6 -Pn"

# 2. With host discovery: without raw sockets a connect to 80 is answered, so
#    the host is up; as root (nmap's way, even for -sT) the lab's Ethernet is
#    asked by ARP, and the host's MAC address is reported.
scan disc -sT -n --unprivileged --reason "${FAST[@]}" -p "$PORTS" "$LAB_T4"
compare_table "$OUT/disc.txt" "IPv4 discovery"
check
grep -q "^Host is up, received syn-ack" "$OUT/disc.txt" ||
    fail "discovery: no 'Host is up, received syn-ack' line"
scan discroot -sT -n --reason "${FAST[@]}" -p "$PORTS" "$LAB_T4"
compare_table "$OUT/discroot.txt" "IPv4 discovery as root"
check
grep -q "^Host is up, received arp-response" "$OUT/discroot.txt" ||
    fail "discovery as root: no 'Host is up, received arp-response' line"
check
grep -Eq "^MAC Address: ([0-9A-F]{2}:){5}[0-9A-F]{2} \(" "$OUT/discroot.txt" ||
    fail "discovery as root: no 'MAC Address:' line"

# 3. A silent address of the lab subnet is reported down, with nmap's hint.
scan down -sT -n "${FAST[@]}" -p 22 10.77.0.3
check
grep -q "^portscout done: 1 IP address (0 hosts up)" "$OUT/down.txt" ||
    fail "down host: summary line wrong: $(tail -n 1 "$OUT/down.txt")"
check
grep -q "^Note: Host seems down" "$OUT/down.txt" || fail "down host: no 'Host seems down' note"

# 4. Unprivileged (user nobody): the connect scan needs no privilege.
if ! lab_scan setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$PORTSCOUT" -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" "$LAB_T4" \
    > "$OUT/nobody.txt" 2> "$OUT/nobody.err"; then
    fail "nobody: portscout exited non-zero: $(cat "$OUT/nobody.err")"
fi
compare_table "$OUT/nobody.txt" "IPv4 as nobody"

# 5. The lossy ports, scanned alone and often: none may be missed.
for round in 1 2 3; do
    scan "lossy$round" -sT -n -Pn "${FAST[@]}" -p "$(lab_ports lossy)" "$LAB_T4"
    for port in $(lab_ports lossy | tr , ' '); do
        check
        grep -q "^$port/tcp  *open " "$OUT/lossy$round.txt" ||
            fail "lossy round $round: port $port not found open"
    done
done

# 6. -oN writes the same report with nmap's header and footer comments;
#    --open hides everything that is not open.
scan file -sT -n -Pn --open "${FAST[@]}" -p "$PORTS" -oN "$OUT/report.nmap" "$LAB_T4"
check
head -n 1 "$OUT/report.nmap" | grep -q "^# portscout .* scan initiated .* as: " ||
    fail "-oN: header comment missing"
check
tail -n 1 "$OUT/report.nmap" | grep -q "^# portscout done at .* -- 1 IP address (1 host up)" ||
    fail "-oN: footer comment missing"
check
[ "$(grep -c '/tcp' "$OUT/report.nmap")" -eq "$(lab_truth | awk -F'\t' '$3 == "open"' | wc -l)" ] ||
    fail "--open: the file should list exactly the open ports"
check
grep -q "^Not shown: .*closed tcp ports (conn-refused)" "$OUT/report.nmap" ||
    fail "--open: closed ports should be summarised in 'Not shown'"

# 7. --exclude removes the only target.
scan excl -sT -n -Pn -p 22 --exclude "$LAB_T4" "$LAB_T4"
check
grep -q "^portscout done: 0 IP addresses (0 hosts up)" "$OUT/excl.txt" ||
    fail "--exclude: target was not excluded"

# 8. Ctrl-C while probes to silent (DROP) ports are in flight: the first
#    signal waits for their answers (up to a second here), a second one ends
#    the wait at once.  Timed with generous margins: 0.8 s against 0.5 s.
stop_after() { # stop_after SIGNALS: seconds from the first SIGINT to the exit
    lab_scan "$PORTSCOUT" -sT -n -Pn --initial-rtt-timeout 5s --min-rtt-timeout 5s \
        --max-rtt-timeout 5s -p "$(lab_ports drop)" -oN "$OUT/stop$1.nmap" "$LAB_T4" \
        > /dev/null 2>&1 &
    local pid=$! t0 t1
    sleep 0.5
    t0=$(date +%s%N)
    for _ in $(seq "$1"); do pkill -INT -f -- "-oN $OUT/stop$1.nmap"; sleep 0.05; done
    wait "$pid" || true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}
# --packet-trace: nmap's CONN lines, a connect and its outcome per port.
scan trace -sT -n -Pn --packet-trace -p 22,23 "$LAB_T4"
for want in "TCP localhost > $LAB_T4:22 => Operation now in progress" \
            "TCP localhost > $LAB_T4:22 => Connected" \
            "TCP localhost > $LAB_T4:23 => Connection refused"; do
    check
    grep -q "^CONN ([0-9.]*s) $want\$" "$OUT/trace.txt" || fail "--packet-trace: no line \"CONN ... $want\""
done

ms=$(stop_after 1)
echo "one SIGINT: exit after ${ms} ms"
check
[ "$ms" -ge 800 ] || fail "one SIGINT: expected a grace period of about 1 s, exited after ${ms} ms"
ms=$(stop_after 2)
echo "two SIGINTs: exit after ${ms} ms"
check
[ "$ms" -lt 500 ] || fail "two SIGINTs: expected to end at once, took ${ms} ms"
check
tail -n 1 "$OUT/stop2.nmap" | grep -q "^# portscout done at" || fail "two SIGINTs: -oN file not completed"

labtest_end
