#!/usr/bin/env bash
# AnyIP host ranges for the portscout network lab: thousands of hosts in the lab's target
# namespace without thousands of addresses.  A route "local RANGE dev lo" makes the target's
# kernel accept (and answer, from that very address) packets to every address of RANGE: ICMP
# echo and timestamp, SYN/ACK from the lab's wildcard listeners (22, 80, 443, ...), resets from
# closed ports, port-unreachables to UDP.  iptables/ip6tables rules per sub-range then make
# parts of it dark, ICMP-only, TCP-only, lossy or rejecting, so that host discovery has an
# exact ground truth.  Source it after lab.sh, call anyip_up once lab_up has succeeded:
#
#     . tests/lab/lab.sh; . tests/lab/anyip.sh
#     lab_up && anyip_up          # every range of truth_sweep.tsv
#     lab_scan nmap -sn -n 10.78.0.0/20
#     anyip_down                  # optional: the lab's namespaces take everything with them
#
# or piecemeal:  anyip_up --none; anyip_add 10.78.0.0/16 all; anyip_add 10.78.240.0/20 dark
#
# Address space: 10.78.0.0/16 and fd78::/64, routed from the scanner namespace through the
# target (10.77.0.2 / fd77::2); and, on the lab's Ethernet segment itself (ARP and neighbour
# discovery), ranges given with "onlink": the scanner gets an on-link route and asks for each
# address by ARP / NS.  The target answers ARP for every local address (arp_ignore 0, as
# Linux's default), AnyIP included; IPv6 neighbour solicitations only for configured addresses,
# so onlink IPv6 AnyIP addresses also get a proxy-NDP entry each (at most 256 of them).
#
# tests/lab/truth_sweep.tsv: "range" rows say what anyip_up builds, "expect" rows what a scan
# of each policy must find per technique; see the file.
#
# Policies (what the target does with IP packets to the range):
#     all      answers everything (no rule)
#     dark     -j DROP: nothing comes back (ARP/ND still answered: that is layer 2)
#     icmp     ICMP only: every other protocol dropped
#     tcp      TCP only: every other protocol dropped
#     lossy    50 % of incoming packets dropped at random (-m statistic), the rest answered
#     reject   -j REJECT with icmp-host-unreachable (v6: icmp6-addr-unreachable)
#     nolocal  routed to the target, but not local there: dropped (IPv4: no forwarding) or
#              answered with a no-route ICMPv6 error from fd77::2; no rule
#
# Functions: anyip_up [--none], anyip_add RANGE POLICY [routed|onlink], anyip_down,
#     anyip_ranges (the truth's range rows), anyip_expect (its expect rows).
# Variables: ANYIP_TRUTH (the truth file; the target's MAC is lab.sh's LAB_TMAC).
#
# Everything goes into the lab's namespaces; the target's sysctls are its own (per-namespace).
# Deliberately no "set -eu" at file scope (see lab.sh).

ANYIP_TRUTH=${ANYIP_TRUTH:-$LAB_DIR/truth_sweep.tsv}
# iptables chain in the target holding every rule of this file, jumped to first from INPUT.
ANYIP_CHAIN=ANYIP
_anyip_proxies=()
_anyip_routes=() # "NS FAMILY ROUTE..." of every route added, for anyip_down

_anyip_log() { printf 'anyip: %s\n' "$*" >&2; }

# The truth file's rows of kind $1 ("range" or "expect"), that column dropped.
_anyip_rows() {
    awk -F'\t' -v k="$1" -v OFS='\t' '$1 == k { $1 = ""; sub(/^\t/, ""); print }' "$ANYIP_TRUTH"
}
anyip_ranges() { _anyip_rows range; }
anyip_expect() { _anyip_rows expect; }

# Family (4 or 6) of address or range $1.
_anyip_fam() { case $1 in *:*) echo 6 ;; *) echo 4 ;; esac; }

# ipt FAMILY ARGS...: iptables or ip6tables in the target namespace.
_anyip_ipt() {
    local f=$1
    shift
    if [ "$f" = 4 ]; then lab_target iptables -w "$@"; else lab_target ip6tables -w "$@"; fi
}

# Brings the ranges up.  The target's ICMP rate limits go first: the lab already turns off the
# per-destination limit and takes ICMPv4 out of the host-wide one (icmp_msgs_per_sec, 1000/s
# with a burst of 50 by default, which covers ICMPv6 too); ICMPv6 echo replies are still in
# its ratemask (128-255), which would drop replies to a sweep of a few hundred addresses.  So:
# no ICMPv6 type rate-limited, and the host-wide limit out of reach anyway.  -PU and REJECT
# need the same for their unreachables.
# With --none, only the sysctls and the chains: the caller adds ranges with anyip_add.
anyip_up() {
    [ -n "${LAB_TARGET_NS:-}" ] || { _anyip_log "anyip_up: no lab (call lab_up first)"; return 1; }
    lab_target sysctl -q -w net.ipv6.icmp.ratemask= net.ipv4.icmp_msgs_per_sec=100000000 \
        net.ipv4.icmp_msgs_burst=100000000 || return 1
    # Proxy NDP (onlink IPv6 ranges) needs forwarding on the interface; only on veth0, so the
    # target still forwards nothing (IPv6 forwards only when "all" says so).  No random delay
    # (up to 0.8 s by default) before a proxied answer.
    lab_target sysctl -q -w net.ipv6.conf.veth0.forwarding=1 net.ipv6.conf.veth0.proxy_ndp=1 \
        net.ipv6.neigh.veth0.proxy_delay=0 || return 1
    local f
    for f in 4 6; do
        _anyip_ipt "$f" -N "$ANYIP_CHAIN" || return 1
        _anyip_ipt "$f" -I INPUT 1 -j "$ANYIP_CHAIN" || return 1
    done
    [ "${1:-}" != --none ] || return 0
    [ -r "$ANYIP_TRUTH" ] || { _anyip_log "no truth file $ANYIP_TRUTH"; return 1; }
    local range policy via
    while IFS=$'\t' read -r range policy via _; do
        [ "$policy" != attached ] || continue # the lab's own target: nothing to build
        anyip_add "$range" "$policy" "$via" || return 1
    done < <(anyip_ranges)
}

# The rule arguments of policy $1 for family $2 (one argument per line).
_anyip_rule() {
    local icmp=icmp
    [ "$2" = 4 ] || icmp=ipv6-icmp
    case $1 in
        all | nolocal) ;;
        dark) printf '%s\n' -j DROP ;;
        icmp) printf '%s\n' '!' -p "$icmp" -j DROP ;;
        tcp) printf '%s\n' '!' -p tcp -j DROP ;;
        lossy) printf '%s\n' -m statistic --mode random --probability 0.5 -j DROP ;;
        reject)
            if [ "$2" = 4 ]; then printf '%s\n' -j REJECT --reject-with icmp-host-unreachable
            else printf '%s\n' -j REJECT --reject-with icmp6-addr-unreachable
            fi ;;
        *) _anyip_log "unknown policy '$1'"; return 1 ;;
    esac
}

# anyip_add RANGE POLICY [VIA]: makes RANGE (an address or CIDR) hosts of policy POLICY.  VIA
# "routed" (default): the scanner reaches it through the target; "onlink": on the lab segment.
# Rules are inserted ahead of the earlier ones, so a smaller range added after a larger one
# overrides it (e.g. anyip_add 10.78.0.0/16 all; anyip_add 10.78.240.0/20 dark).
anyip_add() {
    local range=$1 policy=$2 via=${3:-routed} f gw rule
    f=$(_anyip_fam "$range")
    rule=$(_anyip_rule "$policy" "$f") || return 1
    if [ "$f" = 4 ]; then gw=$LAB_T4; else gw=$LAB_T6; fi
    case $via in
        routed) _anyip_route "$LAB_SCAN_NS" "$f" "$range" via "$gw" || return 1 ;;
        onlink) _anyip_route "$LAB_SCAN_NS" "$f" "$range" dev veth0 || return 1 ;;
        *) _anyip_log "anyip_add: VIA must be routed or onlink, not '$via'"; return 1 ;;
    esac
    if [ "$policy" != nolocal ]; then
        _anyip_route "$LAB_TARGET_NS" "$f" local "$range" dev lo || return 1
        if [ "$f" = 6 ] && [ "$via" = onlink ]; then _anyip_proxy_ndp "$range" || return 1; fi
    fi
    if [ -n "$rule" ]; then
        local -a r
        mapfile -t r <<<"$rule"
        _anyip_ipt "$f" -I "$ANYIP_CHAIN" 1 -d "$range" "${r[@]}" || return 1
    fi
}

# _anyip_route NS FAMILY ROUTE...: adds (or replaces) a route, remembered for anyip_down.
_anyip_route() {
    ip -n "$1" -"$2" route replace "${@:3}" || return 1
    _anyip_routes+=("$*")
}

# A proxy-NDP entry on the target's veth0 for every address of IPv6 range $1 (<= 256).
_anyip_proxy_ndp() {
    local a
    while IFS= read -r a; do
        ip -n "$LAB_TARGET_NS" -6 neigh add proxy "$a" dev veth0 || return 1
        _anyip_proxies+=("$a")
    done < <(/usr/bin/python3 -c '
import ipaddress, sys
n = ipaddress.ip_network(sys.argv[1], strict=False)
if n.num_addresses > 256:
    sys.exit("anyip: an onlink IPv6 range holds at most 256 addresses (proxy NDP, one entry each)")
for a in n:
    print(a)' "$1")
}

# Removes the rules, routes and proxy entries (harmless when anyip_up did not run).  The lab's
# namespaces take all of it with them anyway; this is for callers that keep the lab.
anyip_down() {
    [ -n "${LAB_TARGET_NS:-}" ] || return 0
    local f a
    for f in 4 6; do
        _anyip_ipt "$f" -D INPUT -j "$ANYIP_CHAIN" 2>/dev/null || true
        _anyip_ipt "$f" -F "$ANYIP_CHAIN" 2>/dev/null || true
        _anyip_ipt "$f" -X "$ANYIP_CHAIN" 2>/dev/null || true
    done
    for a in "${_anyip_proxies[@]}"; do
        ip -n "$LAB_TARGET_NS" -6 neigh del proxy "$a" dev veth0 2>/dev/null || true
    done
    _anyip_proxies=()
    local i
    for ((i = ${#_anyip_routes[@]} - 1; i >= 0; i--)); do
        # shellcheck disable=SC2086 # "NS FAMILY ROUTE..." words are the arguments
        set -- ${_anyip_routes[$i]}
        ip -n "$1" -"$2" route del "${@:3}" 2>/dev/null || true
    done
    _anyip_routes=()
    return 0
}
