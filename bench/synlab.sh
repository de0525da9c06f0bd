#!/usr/bin/env bash
# Benchmark additions to the network lab (tests/lab/lab.sh), for raw-packet
# scans: two more hosts on the lab's target, packet counters, and a "nudge"
# for capture loops that only wake up on traffic.  Source it after lab.sh and
# call synlab_up once lab_up has succeeded:
#
#     . tests/lab/lab.sh; . bench/synlab.sh
#     lab_up && synlab_up
#     synlab_count_start; lab_scan nmap -sS -p- -n -Pn "$SYNLAB_CLOSED"; synlab_count_stop "$SYNLAB_CLOSED"
#     echo "$SYNLAB_TX frames sent, $SYNLAB_SYNS SYNs"
#     synlab_down                 # before lab_down (the lab's namespaces go anyway)
#
# Hosts, as extra addresses on the target namespace's lab interface (same
# namespace, same listeners; a rule at the head of INPUT decides):
#     SYNLAB_CLOSED  10.77.0.3  every TCP port closed: answered by a reset
#                               (iptables REJECT --reject-with tcp-reset, which
#                               also overrides the lab's wildcard listeners)
#     SYNLAB_DROP    10.77.0.4  every TCP port filtered: dropped silently
#     LAB_T4         10.77.0.2  the mixed lab host of tests/lab/truth.tsv
# The target still answers ARP for every address.
#
# Counters:
#     SYNLAB_TX    frames the scanner namespace transmitted on its lab
#                  interface (the veth's tx_packets): every probe, retry,
#                  reset and ARP, whether sent through the IP stack or on a
#                  packet socket (masscan, nmap's Ethernet sending), which
#                  the scanner's iptables OUTPUT chain would not all see.
#     SYNLAB_SYNS  TCP segments with SYN alone (probes) that reached the given
#                  address, counted on arrival in the target's raw PREROUTING
#                  chain, before any DROP or lossy rule.
# Background frames (IPv6 router solicitations, MLD reports) are counted in
# SYNLAB_TX too: a handful per scan at most.
#
# Nothing here sends a packet anywhere but inside the lab's namespaces.

SYNLAB_CLOSED=10.77.0.3
SYNLAB_DROP=10.77.0.4
# shellcheck disable=SC2034 # results for the caller
SYNLAB_TX=0 SYNLAB_SYNS=0
_synlab_tdev="" _synlab_sdev="" _synlab_nudge_pid=""

_synlab_log() { printf 'synlab: %s\n' "$*" >&2; }

# Name of the interface holding address $2 in namespace $1.
_synlab_dev_of() {
    ip -n "$1" -o -4 addr show 2>/dev/null | awk -v a="$2" '{ split($4, p, "/") } p[1] == a { print $2; exit }'
}

# Adds the two hosts and the counters to the lab that lab_up built.
synlab_up() {
    [ -n "${LAB_TARGET_NS:-}" ] || { _synlab_log "synlab_up: no lab (call lab_up first)"; return 1; }
    _synlab_tdev=$(_synlab_dev_of "$LAB_TARGET_NS" "$LAB_T4")
    _synlab_sdev=$(_synlab_dev_of "$LAB_SCAN_NS" "$LAB_S4")
    if [ -z "$_synlab_tdev" ] || [ -z "$_synlab_sdev" ]; then
        _synlab_log "synlab_up: cannot find the lab's interfaces"
        return 1
    fi
    local a
    for a in "$SYNLAB_CLOSED" "$SYNLAB_DROP"; do
        ip -n "$LAB_TARGET_NS" addr add "$a/24" dev "$_synlab_tdev" || return 1
    done
    # -I: ahead of the lab's per-port rules, which match any address.
    lab_target iptables -w -I INPUT 1 -d "$SYNLAB_DROP" -p tcp -j DROP || return 1
    lab_target iptables -w -I INPUT 1 -d "$SYNLAB_CLOSED" -p tcp -j REJECT --reject-with tcp-reset ||
        return 1
    for a in "$LAB_T4" "$SYNLAB_CLOSED" "$SYNLAB_DROP"; do
        lab_target iptables -w -t raw -A PREROUTING -s "$LAB_S4" -d "$a" -p tcp \
            --tcp-flags SYN,ACK,RST,FIN SYN -m comment --comment "synlab $a" || return 1
    done
}

# Removes what synlab_up added (harmless when it did not run).
synlab_down() {
    synlab_nudge_stop
    [ -n "${LAB_TARGET_NS:-}" ] && [ -n "$_synlab_tdev" ] || return 0
    local a
    lab_target iptables -w -D INPUT -d "$SYNLAB_DROP" -p tcp -j DROP 2>/dev/null || true
    lab_target iptables -w -D INPUT -d "$SYNLAB_CLOSED" -p tcp -j REJECT --reject-with tcp-reset \
        2>/dev/null || true
    for a in "$LAB_T4" "$SYNLAB_CLOSED" "$SYNLAB_DROP"; do
        lab_target iptables -w -t raw -D PREROUTING -s "$LAB_S4" -d "$a" -p tcp \
            --tcp-flags SYN,ACK,RST,FIN SYN -m comment --comment "synlab $a" 2>/dev/null || true
        if [ "$a" != "$LAB_T4" ]; then
            ip -n "$LAB_TARGET_NS" addr del "$a/24" dev "$_synlab_tdev" 2>/dev/null || true
        fi
    done
    _synlab_tdev=""
    return 0
}

# MAC address of the target's lab interface: the next hop for every lab host
# (masscan's --router-mac).
synlab_target_mac() {
    cat "/sys/class/net/$_synlab_tdev/address" 2>/dev/null ||
        ip -n "$LAB_TARGET_NS" -br link show "$_synlab_tdev" | awk '{ print $3 }'
}
# The scanner's lab interface (masscan's --adapter).
synlab_scan_dev() { printf '%s\n' "$_synlab_sdev"; }

_synlab_tx() {
    ip netns exec "$LAB_SCAN_NS" cat "/sys/class/net/$_synlab_sdev/statistics/tx_packets"
}

# SYN count of the raw PREROUTING rule for address $1.
_synlab_syns() {
    lab_target iptables -w -t raw -L PREROUTING -v -x -n |
        awk -v c="/* synlab $1 */" 'index($0, c) { print $1; exit }'
}

# Starts counting: zeroes the SYN counters, remembers the interface counter.
synlab_count_start() {
    lab_target iptables -w -t raw -Z PREROUTING || return 1
    _synlab_tx0=$(_synlab_tx) || return 1
}

# Stops counting for a scan of address $1: sets SYNLAB_TX and SYNLAB_SYNS.
synlab_count_stop() {
    local tx
    tx=$(_synlab_tx) || return 1
    # shellcheck disable=SC2034 # a result for the caller
    SYNLAB_TX=$((tx - _synlab_tx0))
    SYNLAB_SYNS=$(_synlab_syns "$1")
    [ -n "$SYNLAB_SYNS" ] || SYNLAB_SYNS="?"
}

# A UDP broadcast from the target every 50 ms (to port 9 of 10.77.0.255).  The
# scanner's kernel drops it without answering, so it adds nothing to
# SYNLAB_TX; it only gives a capture loop that blocks until a frame arrives
# something to wake up on, as any real network does.  masscan 1.3's receive
# thread is such a loop: in a silent lab it takes 2-10 s (until some IPv6
# router solicitation arrives) to notice the scan is over.
synlab_nudge_start() {
    [ -z "$_synlab_nudge_pid" ] || return 0
    ip netns exec "$LAB_TARGET_NS" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
dst = (sys.argv[1], 9)
while True:
    s.sendto(b"nudge", dst)
    time.sleep(0.05)' "${LAB_T4%.*}.255" </dev/null >/dev/null 2>&1 &
    _synlab_nudge_pid=$!
}

synlab_nudge_stop() {
    [ -n "$_synlab_nudge_pid" ] || return 0
    local pid=$_synlab_nudge_pid
    _synlab_nudge_pid=""
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

# Expected state of every port of address $1, as "PORT STATE POLICY" lines
# for the ports that are not in the default state, after a first line
# "default STATE": what scans are scored against.
synlab_truth() {
    case $1 in
        "$SYNLAB_CLOSED") echo "default closed" ;;
        "$SYNLAB_DROP") echo "default filtered" ;;
        "$LAB_T4")
            echo "default closed"
            lab_truth | awk -F'\t' '{ print $1, $3, $2 }'
            ;;
        *) _synlab_log "synlab_truth: no truth for $1"; return 1 ;;
    esac
}
