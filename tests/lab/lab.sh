#!/usr/bin/env bash
# portscout network lab: a scanner and a target network namespace joined by a
# veth pair, with real listeners and iptables/ip6tables rules on the target so
# that every port state nmap knows (open, closed, filtered; by SYN-ACK, RST,
# no response, ICMP) can be produced on demand, for IPv4 and IPv6 alike.
#
# Nothing is ever sent outside the two namespaces: both veth ends are created
# directly inside them, the root namespace is never touched.  Needs root,
# iproute2, iptables and ip6tables.
#
# Use from a test or benchmark (bash):
#
#     . tests/lab/lab.sh
#     lab_up                      # also installs EXIT/INT/TERM traps -> lab_down
#     lab_scan "$PORTSCOUT" -sT -n -Pn -p "$(lab_ports)" "$LAB_T4"
#     lab_scan nmap -6 -sS -n -Pn -p 22 "$LAB_T6"
#     lab_down                    # optional, the trap does it too
#
# or by hand:  tests/lab/lab.sh up | down [--all] | status
# ("up" by hand prints the variables and keeps the lab until "down").
#
# Variables set (and exported) by lab_up:
#     LAB_SCAN_NS LAB_TARGET_NS   namespace names (pslab<owner-pid>-<rand>-s/-t)
#     LAB_S4 LAB_S6               scanner addresses 10.77.0.1, fd77::1
#     LAB_T4 LAB_T6               target addresses  10.77.0.2, fd77::2
#     LAB_TMAC                    the target's MAC, 00:16:3e:77:00:02 (fixed, and of an OUI,
#                                 Xensource's, so that vendor lookups can be checked)
#     LAB_TRUTH                   tests/lab/truth.tsv, the ground truth the lab
#                                 is built from: port, policy, expected state,
#                                 and nmap's --reason for -sS, -sT v4, -sT v6
#
# Thousands of hosts more (AnyIP ranges behind the target, for host discovery): source
# tests/lab/anyip.sh after this file and call anyip_up after lab_up.
# UDP services and policies (tests/lab/truth_udp.tsv) and more target hosts that keep the
# kernel's ICMP rate limits: tests/lab/udp.sh, udp_up and udp_hosts_up N after lab_up.
#
# Functions: lab_up, lab_down, lab_status, lab_scan CMD..., lab_target CMD...,
#     lab_ports [STATE|POLICY] (comma-separated ports of the truth file),
#     lab_truth (truth rows without comments).
#
# Knobs (environment):
#     LAB_LISTEN   path of the lab_listen binary.  Default: the CMake target
#                  "lab_listen" (built into <builddir>/tests/lab/lab_listen),
#                  looked up in build-check/ then build/ at the repo root;
#                  otherwise tests/lab/lab_listen.c is compiled with ${CC:-cc}
#                  into a temporary directory.
#     LAB_NO_TRAP  set to 1 to stop lab_up from installing its traps (the
#                  caller then owns cleanup; a lab whose creating process died
#                  is reaped by the next lab_up anyway).
#
# Namespace names embed the pid of the process that owns the lab, so parallel
# runs never collide and the next lab_up can reap labs of processes that were
# killed (owner pid gone).  Owner 0 marks a lab made by hand ("lab.sh up"),
# kept until "lab.sh down".
#
# Deliberately no "set -eu" at file scope: this file is sourced into callers
# that choose their own shell options; every function checks its own errors
# and is safe under set -eu.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_DIR/../.." && pwd)
LAB_TRUTH=$LAB_DIR/truth.tsv
LAB_S4=10.77.0.1
LAB_S6=fd77::1
LAB_T4=10.77.0.2
LAB_T6=fd77::2
LAB_TMAC=00:16:3e:77:00:02
LAB_PREFIX=pslab
export LAB_TRUTH LAB_S4 LAB_S6 LAB_T4 LAB_T6 LAB_TMAC

_lab_log() { printf 'lab: %s\n' "$*" >&2; }

# Prints the truth rows (tab-separated: port policy state syn_reason
# connect4_reason connect6_reason), comments and blank lines removed.
lab_truth() {
    grep -v -e '^#' -e '^[[:space:]]*$' "$LAB_TRUTH"
}

# Comma-separated ports from the truth file, all of them or only those whose
# expected state or policy equals $1 (e.g. "lab_ports filtered", "lab_ports lossy").
lab_ports() {
    lab_truth | awk -F'\t' -v want="${1:-}" \
        'want == "" || $2 == want || $3 == want { printf "%s%s", sep, $1; sep = "," }
         END { print "" }'
}

# Runs a command inside the scanner (resp. target) namespace.
lab_scan() {
    [ -n "${LAB_SCAN_NS:-}" ] || { _lab_log "lab_scan: no lab (call lab_up)"; return 1; }
    ip netns exec "$LAB_SCAN_NS" "$@"
}
lab_target() {
    [ -n "${LAB_TARGET_NS:-}" ] || { _lab_log "lab_target: no lab (call lab_up)"; return 1; }
    ip netns exec "$LAB_TARGET_NS" "$@"
}

# Lists lab namespaces, one a line.
_lab_list_ns() {
    ip netns list 2>/dev/null | awk -v p="^${LAB_PREFIX}[0-9]+-" '$1 ~ p { print $1 }'
}

# Owner pid encoded in a lab namespace name.
_lab_owner() {
    local n=${1#"$LAB_PREFIX"}
    printf '%s\n' "${n%%-*}"
}

# True when the lab owning namespace $1 is dead (owner pid gone; owner 0 =
# made by hand, never stale).
_lab_is_stale() {
    local owner
    owner=$(_lab_owner "$1")
    [ "$owner" != 0 ] && ! kill -0 "$owner" 2>/dev/null
}

# Kills every process inside namespace $1 (listeners, scans left running) and
# deletes it; the veth end inside goes with it, and its peer with it.  Killing
# by namespace rather than by remembered pid also cleans up after killed runs:
# a namespace is only freed once no process lives in it.
_lab_del_ns() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null) || pids=""
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086  # word splitting of the pid list is wanted
        kill -TERM $pids 2>/dev/null || true
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            pids=$(ip netns pids "$ns" 2>/dev/null) || pids=""
            [ -z "$pids" ] && break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        [ -n "$pids" ] && { kill -KILL $pids 2>/dev/null || true; }
    fi
    ip netns del "$ns" 2>/dev/null || true
}

# Deletes the labs (both namespaces) of dead owners.
_lab_reap_stale() {
    local ns
    for ns in $(_lab_list_ns); do
        if _lab_is_stale "$ns"; then
            _lab_log "removing stale $ns (owner $(_lab_owner "$ns") is gone)"
            _lab_del_ns "$ns"
        fi
    done
}

# Prints the path of a usable lab_listen binary, compiling one into the
# temporary directory $1 if no built one is found (or it is older than the source).
_lab_find_listen() {
    local tmp=$1 src=$LAB_DIR/lab_listen.c c
    if [ -n "${LAB_LISTEN:-}" ]; then
        [ -x "$LAB_LISTEN" ] || { _lab_log "LAB_LISTEN=$LAB_LISTEN is not executable"; return 1; }
        printf '%s\n' "$LAB_LISTEN"
        return 0
    fi
    for c in "$LAB_ROOT/build-check/tests/lab/lab_listen" "$LAB_ROOT/build/tests/lab/lab_listen"; do
        if [ -x "$c" ] && ! [ "$src" -nt "$c" ]; then
            printf '%s\n' "$c"
            return 0
        fi
    done
    "${CC:-cc}" -std=c11 -O2 -Wall -Wextra -o "$tmp/lab_listen" "$src" >&2 ||
        { _lab_log "cannot compile $src"; return 1; }
    printf '%s\n' "$tmp/lab_listen"
}

# Adds the iptables/ip6tables rules of one truth row to the target namespace.
_lab_rules_for() {
    local port=$1 policy=$2
    local -a r4 r6
    case $policy in
        open | closed) return 0 ;;
        drop) r4=(-j DROP) r6=(-j DROP) ;;
        reject-rst)
            r4=(-j REJECT --reject-with tcp-reset)
            r6=(-j REJECT --reject-with tcp-reset) ;;
        reject-admin)
            r4=(-j REJECT --reject-with icmp-admin-prohibited)
            r6=(-j REJECT --reject-with icmp6-adm-prohibited) ;;
        reject-unreach)
            r4=(-j REJECT --reject-with icmp-host-unreachable)
            r6=(-j REJECT --reject-with icmp6-addr-unreachable) ;;
        lossy)
            r4=(-m statistic --mode random --probability 0.3 -j DROP)
            r6=("${r4[@]}") ;;
        *) _lab_log "truth.tsv: unknown policy '$policy' for port $port"; return 1 ;;
    esac
    lab_target iptables -w -A INPUT -p tcp --dport "$port" "${r4[@]}" &&
        lab_target ip6tables -w -A INPUT -p tcp --dport "$port" "${r6[@]}"
}

# Builds the lab; see the header.  Returns non-zero (lab torn down) on failure.
lab_up() {
    if [ -n "${LAB_SCAN_NS:-}" ]; then
        _lab_log "lab_up: a lab is already up ($LAB_SCAN_NS); call lab_down first"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        _lab_log "lab_up: needs root (network namespaces, iptables)"
        return 1
    fi
    local cmd
    for cmd in ip iptables ip6tables; do
        command -v "$cmd" >/dev/null 2>&1 || { _lab_log "lab_up: $cmd not found"; return 1; }
    done
    _lab_reap_stale

    local owner=${_LAB_OWNER:-${BASHPID:-$$}} id
    id=$LAB_PREFIX$owner-$(printf '%04x' "$RANDOM")
    LAB_SCAN_NS=$id-s
    LAB_TARGET_NS=$id-t
    export LAB_SCAN_NS LAB_TARGET_NS

    # Traps first, so that an interrupted lab_up still cleans up.  A caller's
    # own EXIT trap is kept and run after lab_down; INT/TERM traps are replaced.
    if [ "${LAB_NO_TRAP:-0}" != 1 ]; then
        local prev
        prev=$(_lab_trap_cmd EXIT)
        [ "$prev" = _lab_on_exit ] || _lab_prev_exit=$prev
        trap _lab_on_exit EXIT
        trap '_lab_on_signal INT' INT
        trap '_lab_on_signal TERM' TERM
    fi

    if ! _lab_build; then
        _lab_log "lab_up: failed, tearing down"
        lab_down
        return 1
    fi
}

# Command of the current trap for signal $1 (empty if none).  bash lists the
# parent's traps in this command substitution, as documented.
_lab_trap_cmd() {
    local t
    t=$(trap -p "$1")
    [ -n "$t" ] || return 0
    eval "set -- $t" # trap -- 'CMD' SIG
    printf '%s\n' "$3"
}

_lab_prev_exit=""
_lab_on_exit() {
    lab_down
    if [ -n "$_lab_prev_exit" ]; then eval "$_lab_prev_exit"; fi
}

# Signal trap: clean up, then die of the same signal so the caller sees it
# (bash still runs the EXIT trap on the way out).  Note that bash runs traps
# only once the current foreground command has finished.
_lab_on_signal() {
    lab_down
    trap - "$1"
    kill -s "$1" "${BASHPID:-$$}"
}

_lab_build() {
    local s=$LAB_SCAN_NS t=$LAB_TARGET_NS tmp bin port policy ports=() i
    ip netns add "$s" || return 1
    ip netns add "$t" || return 1
    # Both veth ends are born inside the namespaces: fixed short names, no
    # clash with the root namespace or with other labs.  Namespaces have Ethernet segments of
    # their own, so every lab's target can have the same MAC.
    ip link add name veth0 netns "$s" type veth peer name veth0 netns "$t" address "$LAB_TMAC" ||
        return 1

    # The target answers rejected probes with ICMP errors; the default per-
    # destination ICMP rate limit (1/s v4, 10/s v6 after a burst) would turn
    # "admin-prohibited"/"host-unreach" into "no-response".  The ratemask
    # sysctls also take destination-unreachable out of the host-wide limiter
    # (icmp_msgs_per_sec) which applies even with ratelimit 0.
    lab_target sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || return 1
    lab_target sysctl -q -w net.ipv4.icmp_ratemask=0 2>/dev/null || true
    lab_target sysctl -q -w net.ipv6.icmp.ratemask=128-255 2>/dev/null || true

    local ns addr4 addr6
    for ns in "$s" "$t"; do
        if [ "$ns" = "$s" ]; then addr4=$LAB_S4 addr6=$LAB_S6; else addr4=$LAB_T4 addr6=$LAB_T6; fi
        ip -n "$ns" link set lo up || return 1
        ip -n "$ns" addr add "$addr4/24" dev veth0 || return 1
        ip -n "$ns" addr add "$addr6/64" dev veth0 nodad || return 1
        ip -n "$ns" link set veth0 up || return 1
    done

    while IFS=$'\t' read -r port policy _; do
        _lab_rules_for "$port" "$policy" || return 1
        case $policy in open | lossy) ports+=("$port") ;; esac
    done < <(lab_truth)

    # Listener: compiled (if needed) into a private temporary directory which
    # is removed as soon as the listener runs (a running binary needs no file).
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/pslab.XXXXXX") || return 1
    if ! bin=$(_lab_find_listen "$tmp"); then
        rm -rf "$tmp"
        return 1
    fi
    # Not via lab_target: backgrounding a function would fork a subshell, and
    # $! must be the listener itself.
    ip netns exec "$t" "$bin" both "${ports[@]}" >"$tmp/listen.out" 2>&1 </dev/null &
    for i in $(seq 100); do
        grep -q '^ready$' "$tmp/listen.out" 2>/dev/null && break
        kill -0 $! 2>/dev/null || break
        sleep 0.05
    done
    if ! grep -q '^ready$' "$tmp/listen.out" 2>/dev/null; then
        _lab_log "lab_listen did not start (after ${i} polls):"
        cat "$tmp/listen.out" >&2
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "$tmp"

    # veth carrier comes up asynchronously; wait until both ends are usable.
    for i in $(seq 50); do
        if ip -n "$s" -br link show veth0 | grep -q ' UP ' &&
            ip -n "$t" -br link show veth0 | grep -q ' UP '; then
            return 0
        fi
        sleep 0.05
    done
    _lab_log "veth did not come up"
    return 1
}

# Tears the lab of this process down (harmless when there is none).  With
# --all, removes every lab namespace on the machine; "lab.sh down" also removes
# hand-made labs (owner 0) and stale ones.
lab_down() {
    local ns
    if [ "${1:-}" = --all ]; then
        for ns in $(_lab_list_ns); do _lab_del_ns "$ns"; done
    fi
    for ns in ${LAB_SCAN_NS:-} ${LAB_TARGET_NS:-}; do
        _lab_del_ns "$ns"
    done
    # Namespaces that helpers added to this lab under its name (udp.sh's extra hosts).
    if [ -n "${LAB_SCAN_NS:-}" ]; then
        for ns in $(_lab_list_ns); do
            case $ns in "${LAB_SCAN_NS%-s}"-*) _lab_del_ns "$ns" ;; esac
        done
    fi
    unset LAB_SCAN_NS LAB_TARGET_NS
    return 0
}

# Human-readable state of all labs on the machine.
lab_status() {
    local ns owner alive any=0
    for ns in $(_lab_list_ns); do
        any=1
        owner=$(_lab_owner "$ns")
        if [ "$owner" = 0 ]; then alive="made by hand"
        elif kill -0 "$owner" 2>/dev/null; then alive="owner $owner running"
        else alive="owner $owner GONE (stale)"
        fi
        printf '%s\t%s\tprocesses: %s\n' "$ns" "$alive" \
            "$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
        case $ns in
            *-t)
                printf '\tlistening: %s\n' "$(ip netns exec "$ns" ss -Hltn 2>/dev/null |
                    awk '{ n = split($4, a, ":"); print a[n] }' | sort -nu | tr '\n' ' ')"
                printf '\trules: %s iptables, %s ip6tables\n' \
                    "$(ip netns exec "$ns" iptables -w -S INPUT 2>/dev/null | grep -c '^-A')" \
                    "$(ip netns exec "$ns" ip6tables -w -S INPUT 2>/dev/null | grep -c '^-A')"
                ;;
        esac
    done
    [ "$any" = 1 ] || echo "no lab"
}

# Command-line entry point (only when executed, not when sourced).
_lab_main() {
    set -eu
    case ${1:-} in
        up)
            _LAB_OWNER=0 LAB_NO_TRAP=1 lab_up
            printf 'export LAB_SCAN_NS=%s LAB_TARGET_NS=%s LAB_T4=%s LAB_T6=%s\n' \
                "$LAB_SCAN_NS" "$LAB_TARGET_NS" "$LAB_T4" "$LAB_T6"
            printf '# e.g.: ip netns exec %s nmap -n -Pn -sT -p %s %s\n' \
                "$LAB_SCAN_NS" "$(lab_ports)" "$LAB_T4" >&2
            ;;
        down)
            [ "$(id -u)" -eq 0 ] || { _lab_log "needs root"; exit 1; }
            local ns
            for ns in $(_lab_list_ns); do
                if [ "$(_lab_owner "$ns")" = 0 ] || _lab_is_stale "$ns"; then
                    _lab_del_ns "$ns"
                fi
            done
            [ "${2:-}" = --all ] && lab_down --all
            return 0
            ;;
        status) lab_status ;;
        ports) lab_ports "${2:-}" ;;
        *)
            echo "usage: $0 up | down [--all] | status | ports [STATE|POLICY]" >&2
            exit 2
            ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    _lab_main "$@"
fi
