#!/usr/bin/env bash
# UDP services and policies for the portscout network lab (tests/lab/lab.sh), and extra target
# hosts that keep the kernel's default ICMP rate limits.  Source it after lab.sh:
#
#     . tests/lab/lab.sh; . tests/lab/udp.sh
#     lab_up && udp_up            # the UDP ports of truth_udp.tsv on 10.77.0.2 / fd77::2
#     lab_scan nmap -sU -n -Pn --reason -p "$(udp_ports)" "$LAB_T4"
#     udp_hosts_up 4              # 4 more target namespaces, default ICMP rate limits
#     lab_scan nmap -sU -n -Pn -p 1-200 "${UDP_HOSTS4[@]}"
#     udp_down                    # optional: lab_down's namespaces take the rest along
#
# What udp_up builds in the lab's target namespace, from tests/lab/truth_udp.tsv:
#   - real services on their ports, bound to the lab target's addresses only: dnsmasq (53),
#     chronyd as an NTP server with a local reference (123), snmpd with community "public"
#     (161), rpcbind (111), memcached -U (11211).  Each runs with a private state directory
#     (and rpcbind with a private /run), so parallel labs never share a file;
#   - a small responder (python3): "echo" ports answer every datagram, "discard" ports read
#     and never answer, "lossy" ports echo behind a 30 % random DROP;
#   - iptables/ip6tables rules on UDP for the drop and reject-* policies (chain LABUDP, jumped
#     to from INPUT), see the truth file.
# A service whose program is missing fails udp_up (scripts/setup installs them all).
#
# udp_hosts_up N builds N more target namespaces, <lab>-u1 .. -uN, each joined to the
# scanner namespace by a veth of its own: host i is 10.77.i.2 / fd77:i::2, the scanner
# 10.77.i.1 / fd77:i::1 there.  Nothing listens on them (every UDP port closed) and their ICMP
# rate limits are the kernel's defaults: Linux sends about one port unreachable a second to a
# given scanner after a burst of six (net.ipv4.icmp_ratelimit = 1000 ms; IPv6 likewise), and
# the limit is per (target stack, scanner address), so N hosts answer N times as fast as one.
# Sets UDP_HOSTS4 and UDP_HOSTS6 (arrays of the host addresses).
#
# Functions: udp_up, udp_down, udp_truth (truth rows without comments), udp_ports [POLICY|STATE]
#     (comma-separated ports of the truth, all or those of one policy or v4 state),
#     udp_hosts_up N, udp_hosts_down, udp_host_ns I (namespace of extra host I).
# Variables: UDP_TRUTH, UDP_HOSTS4, UDP_HOSTS6.
# Deliberately no "set -eu" at file scope (see lab.sh).  Packets stay inside the lab's
# namespaces.

UDP_TRUTH=${UDP_TRUTH:-$LAB_DIR/truth_udp.tsv}
UDP_CHAIN=LABUDP
UDP_HOSTS4=()
UDP_HOSTS6=()
_udp_tmp=""
_udp_pids=()
_udp_nhosts=0

_udp_log() { printf 'udp: %s\n' "$*" >&2; }

udp_truth() { grep -v -e '^#' -e '^[[:space:]]*$' "$UDP_TRUTH"; }

# Comma-separated truth ports: all, or those whose policy or IPv4 state (first word of the v4
# cell) equals $1.
udp_ports() {
    udp_truth | awk -F'\t' -v want="${1:-}" '
        { split($3, w, " ") }
        want == "" || $2 == want || w[1] == want { printf "%s%s", sep, $1; sep = "," }
        END { print "" }'
}

# The truth's ports of policy $1, space-separated.
_udp_ports_of() { udp_truth | awk -F'\t' -v p="$1" '$2 == p { print $1 }' | tr '\n' ' '; }

# Command in the target namespace in the background, its output in $_udp_tmp/NAME.log.  Not
# via lab_target: $! must be the program (ip netns exec execs it), for udp_down.
_udp_spawn() {
    local name=$1
    shift
    ip netns exec "$LAB_TARGET_NS" "$@" </dev/null >"$_udp_tmp/$name.log" 2>&1 &
    _udp_pids+=($!)
}

# Waits (5 s at most) until the target listens on UDP port $1 of both lab addresses.
_udp_wait_port() {
    local i out
    for i in $(seq 100); do
        out=$(lab_target ss -Hlun "sport = :$1" 2>/dev/null) || out=""
        case $out in *"$LAB_T4:$1 "*) case $out in *"[$LAB_T6]:$1 "* | *"*:$1 "*) return 0 ;; esac ;; esac
        case $out in *"0.0.0.0:$1 "*) case $out in *"[::]:$1 "* | *"*:$1 "*) return 0 ;; esac ;; esac
        sleep 0.05
    done
    _udp_log "nothing listens on UDP port $1 of $LAB_T4 and $LAB_T6 (${2:-})"
    [ -z "${2:-}" ] || tail -n 5 "$_udp_tmp/$2.log" >&2 2>/dev/null
    return 1
}

_udp_bin() { PATH=$PATH:/usr/sbin:/sbin command -v "$1" || { _udp_log "$1 not found (scripts/setup installs it)"; return 1; }; }

_udp_dns() {
    local bin
    bin=$(_udp_bin dnsmasq) || return 1
    printf '%s lab.portscout.test\n%s lab.portscout.test\n' "$LAB_T4" "$LAB_T6" >"$_udp_tmp/hosts"
    _udp_spawn dns "$bin" --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$_udp_tmp/hosts" \
        --listen-address="$LAB_T4,$LAB_T6" --bind-interfaces --port="$1" --local=/test/ \
        --user=nobody --group=nogroup --pid-file= --log-facility=- || return 1
    _udp_wait_port "$1" dns
}

_udp_ntp() {
    local bin conf=$_udp_tmp/chrony.conf
    bin=$(_udp_bin chronyd) || return 1
    # A server with no upstream: its own clock, stratum 8.  No command socket, no files
    # outside the private directory.
    cat >"$conf" <<EOF
port $1
bindaddress $LAB_T4
bindaddress $LAB_T6
local stratum 8
allow all
cmdport 0
pidfile $_udp_tmp/chronyd.pid
driftfile $_udp_tmp/chrony.drift
EOF
    _udp_spawn ntp "$bin" -d -x -u root -f "$conf" || return 1
    _udp_wait_port "$1" ntp
}

_udp_snmp() {
    local bin conf=$_udp_tmp/snmpd.conf
    bin=$(_udp_bin snmpd) || return 1
    mkdir -p "$_udp_tmp/snmp"
    printf 'agentaddress udp:%s:%s,udp6:[%s]:%s\nrocommunity public\nrocommunity6 public\n' \
        "$LAB_T4" "$1" "$LAB_T6" "$1" >"$conf"
    # -C: this file only; persistent state in the private directory, no MIB files read.
    _udp_spawn snmp env SNMP_PERSISTENT_DIR="$_udp_tmp/snmp" MIBS= MIBDIRS="$_udp_tmp/snmp" \
        "$bin" -f -C -c "$conf" -Lo -p "$_udp_tmp/snmpd.pid" || return 1
    _udp_wait_port "$1" snmp
}

_udp_rpcbind() {
    local bin
    bin=$(_udp_bin rpcbind) || return 1
    [ "$1" = 111 ] || { _udp_log "rpcbind listens on port 111 only"; return 1; }
    # rpcbind keeps its socket and lock in /run: a private /run (own mount namespace) keeps
    # parallel labs and the host's rpcbind apart.  -h: UDP on the lab addresses only.
    # shellcheck disable=SC2016 # $0.. expand in that sh
    _udp_spawn rpcbind unshare --mount --propagation private sh -c \
        'mount -t tmpfs lab-run /run && exec "$0" -f -w -h "$1" -h "$2"' "$bin" "$LAB_T4" "$LAB_T6" ||
        return 1
    _udp_wait_port "$1" rpcbind
}

_udp_memcached() {
    local bin
    bin=$(_udp_bin memcached) || return 1
    _udp_spawn memcached "$bin" -u root -U "$1" -p 0 -l "$LAB_T4,[$LAB_T6]" -m 8 || return 1
    _udp_wait_port "$1" memcached
}

# The responder: echo PORTS answered, discard PORTS read only (lossy ports are echo ports;
# their loss is a rule).  Prints "ready" once bound.
_udp_responder() {
    local echo_ports=$1 discard_ports=$2 i
    [ -n "${echo_ports// /}${discard_ports// /}" ] || return 0
    [ -x /usr/bin/python3 ] || { _udp_log "/usr/bin/python3 not found"; return 1; }
    _udp_spawn responder /usr/bin/python3 -c '
import selectors, socket, sys
echo = {int(p) for p in sys.argv[1].split()}
sel = selectors.DefaultSelector()
for fam, addr in ((socket.AF_INET, sys.argv[3]), (socket.AF_INET6, sys.argv[4])):
    for port in echo | {int(p) for p in sys.argv[2].split()}:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, port))
        sel.register(s, selectors.EVENT_READ, port in echo)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        data, peer = key.fileobj.recvfrom(65535)
        if key.data:
            key.fileobj.sendto(data or b"\n", peer)' "$echo_ports" "$discard_ports" "$LAB_T4" "$LAB_T6" ||
        return 1
    for i in $(seq 100); do
        grep -q '^ready$' "$_udp_tmp/responder.log" 2>/dev/null && return 0
        sleep 0.05
    done
    _udp_log "the responder did not start: $(head -c 300 "$_udp_tmp/responder.log")"
    return 1
}

# The rule arguments (after "-p udp --dport PORT") of policy $1 for family $2, one a line.
_udp_rule() {
    local v4 v6
    case $1 in
        drop) printf '%s\n' -j DROP; return 0 ;;
        lossy) printf '%s\n' -m statistic --mode random --probability 0.3 -j DROP; return 0 ;;
        reject-port) v4=icmp-port-unreachable v6=icmp6-port-unreachable ;;
        reject-net) v4=icmp-net-unreachable v6=icmp6-no-route ;;
        reject-host) v4=icmp-host-unreachable v6=icmp6-addr-unreachable ;;
        reject-proto) v4=icmp-proto-unreachable v6=icmp6-adm-prohibited ;;
        reject-netpro) v4=icmp-net-prohibited v6=icmp6-adm-prohibited ;;
        reject-hostpro) v4=icmp-host-prohibited v6=icmp6-adm-prohibited ;;
        reject-admin) v4=icmp-admin-prohibited v6=icmp6-adm-prohibited ;;
        *) return 0 ;;
    esac
    if [ "$2" = 4 ]; then printf '%s\n' -j REJECT --reject-with "$v4"
    else printf '%s\n' -j REJECT --reject-with "$v6"
    fi
}

# Builds the UDP side of the lab; see the header.  Returns non-zero on failure (what was
# started is stopped again).
udp_up() {
    [ -n "${LAB_TARGET_NS:-}" ] || { _udp_log "udp_up: no lab (call lab_up first)"; return 1; }
    [ -r "$UDP_TRUTH" ] || { _udp_log "no truth file $UDP_TRUTH"; return 1; }
    [ -z "$_udp_tmp" ] || { _udp_log "udp_up: already up"; return 1; }
    _udp_tmp=$(mktemp -d "${TMPDIR:-/tmp}/pslab-udp.XXXXXX") || return 1
    chmod 755 "$_udp_tmp" # dnsmasq reads its hosts file as nobody
    if ! _udp_build; then
        udp_down
        return 1
    fi
}

_udp_build() {
    local f port policy rule
    local -a r
    for f in 4 6; do
        _udp_ipt "$f" -N "$UDP_CHAIN" && _udp_ipt "$f" -A INPUT -p udp -j "$UDP_CHAIN" || return 1
    done
    while IFS=$'\t' read -r port policy _; do
        for f in 4 6; do
            rule=$(_udp_rule "$policy" "$f")
            [ -n "$rule" ] || continue
            mapfile -t r <<<"$rule"
            _udp_ipt "$f" -A "$UDP_CHAIN" -p udp --dport "$port" "${r[@]}" || return 1
        done
        case $policy in
            dns) _udp_dns "$port" || return 1 ;;
            ntp) _udp_ntp "$port" || return 1 ;;
            snmp) _udp_snmp "$port" || return 1 ;;
            rpcbind) _udp_rpcbind "$port" || return 1 ;;
            memcached) _udp_memcached "$port" || return 1 ;;
            echo | discard | lossy | closed | drop | reject-*) ;;
            *) _udp_log "truth_udp.tsv: unknown policy '$policy' for port $port"; return 1 ;;
        esac
    done < <(udp_truth)
    _udp_responder "$(_udp_ports_of echo) $(_udp_ports_of lossy)" "$(_udp_ports_of discard)"
}

_udp_ipt() {
    local f=$1
    shift
    if [ "$f" = 4 ]; then lab_target iptables -w "$@"; else lab_target ip6tables -w "$@"; fi
}

# Stops what udp_up started and removes its rules; also the extra hosts.  Harmless twice.
udp_down() {
    local pid f i
    udp_hosts_down
    for pid in "${_udp_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${_udp_pids[@]}"; do
        for i in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    _udp_pids=()
    if [ -n "${LAB_TARGET_NS:-}" ] && [ -n "$_udp_tmp" ]; then
        for f in 4 6; do
            _udp_ipt "$f" -D INPUT -p udp -j "$UDP_CHAIN" 2>/dev/null || true
            _udp_ipt "$f" -F "$UDP_CHAIN" 2>/dev/null || true
            _udp_ipt "$f" -X "$UDP_CHAIN" 2>/dev/null || true
        done
    fi
    [ -z "$_udp_tmp" ] || rm -rf "$_udp_tmp"
    _udp_tmp=""
    return 0
}

# Namespace of extra host $1 (1-based).
udp_host_ns() { printf '%s-u%s\n' "${LAB_SCAN_NS%-s}" "$1"; }

# udp_hosts_up N: see the header.  The namespaces' names share the lab's prefix and owner, so
# lab.sh reaps them with the lab when their owner dies.
udp_hosts_up() {
    local n=${1:?udp_hosts_up N} i ns dev
    [ -n "${LAB_SCAN_NS:-}" ] || { _udp_log "udp_hosts_up: no lab (call lab_up first)"; return 1; }
    case $n in '' | *[!0-9]* | 0) _udp_log "udp_hosts_up: N must be 1..250"; return 1 ;; esac
    [ "$n" -le 250 ] || { _udp_log "udp_hosts_up: N must be 1..250"; return 1; }
    udp_hosts_down
    for i in $(seq "$n"); do
        ns=$(udp_host_ns "$i") dev=vu$i
        _udp_nhosts=$i
        ip netns add "$ns" || return 1
        ip link add name "$dev" netns "$LAB_SCAN_NS" type veth peer name veth0 netns "$ns" \
            address "$(printf '00:16:3e:77:%02x:02' "$i")" || return 1
        ip -n "$ns" link set lo up || return 1
        ip -n "$ns" addr add "10.77.$i.2/24" dev veth0 || return 1
        ip -n "$ns" addr add "fd77:$i::2/64" dev veth0 nodad || return 1
        ip -n "$ns" link set veth0 up || return 1
        ip -n "$LAB_SCAN_NS" addr add "10.77.$i.1/24" dev "$dev" || return 1
        ip -n "$LAB_SCAN_NS" addr add "fd77:$i::1/64" dev "$dev" nodad || return 1
        ip -n "$LAB_SCAN_NS" link set "$dev" up || return 1
        UDP_HOSTS4+=("10.77.$i.2")
        UDP_HOSTS6+=("fd77:$i::2")
    done
    # The veths' carriers come up asynchronously.
    for i in $(seq 100); do
        [ "$(ip -n "$LAB_SCAN_NS" -br link show up type veth | grep -c '^vu[0-9]*@.* UP ')" -ge "$n" ] &&
            return 0
        sleep 0.05
    done
    _udp_log "udp_hosts_up: the veths did not come up"
    return 1
}

udp_hosts_down() {
    local i
    # Without a lab (lab_down ran first), lab_down took them along.
    if [ -n "${LAB_SCAN_NS:-}" ]; then
        for i in $(seq "$_udp_nhosts"); do _lab_del_ns "$(udp_host_ns "$i")"; done
    fi
    _udp_nhosts=0
    UDP_HOSTS4=()
    UDP_HOSTS6=()
}
