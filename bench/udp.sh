#!/usr/bin/env bash
# Benchmark (not a test): portscout's UDP scan (-sU) against nmap's, in the network lab
# (tests/lab/lab.sh + tests/lab/udp.sh), in one run:
#
#   off      the lab host 10.77.0.2 / fd77::2 of tests/lab/truth_udp.tsv (DNS, NTP, SNMP,
#            rpcbind, memcached, echo, discard, lossy echo, closed, DROP, every ICMP
#            unreachable), its ICMP rate limits off: -sU --top-ports 100 and -sU -p 1-1000
#   default  the same host and scans with the kernel's default ICMP rate limits (read from a
#            fresh namespace: about one port unreachable a second after a burst of six for
#            IPv4, ten a second for IPv6).  nmap needs ~1000 s for -p 1-1000 over IPv4 here
#            (SLOW=0 leaves that scan out)
#   multi    closed hosts with default rate limits (udp.sh's extra target namespaces):
#            -sU -p MULTI_PORTS of one host, then of NHOSTS hosts at once.  The limit is per
#            host, so a scanner that spreads its probes over the hosts goes NHOSTS times as
#            fast; one that waits for each host's limit in turn does not
#
# Per scan and tool: median wall time over the rounds (tool order rotated per round), the
# ratio to nmap's median, the ports reported per host, and the states against the lab's truth
# round by round: "0" or the mismatches as "EXPECTED→GOT xN" (unlisted truth ports are closed;
# every port of the extra hosts is closed).  portscout's rows end with the goal (same states as
# the truth in every round, time <= 0.5 x nmap's) and whether it was met.  With a rate limit,
# 0.5 x nmap's time can lie below what any exact scanner can do (one host's unreachables come
# at one a second over IPv4, and nmap is only ~20 % slower than that on one host): there the
# goal is that floor + 10 %, and the row says so (see goal_of).
# Prints markdown tables for docs/BENCHMARKS.md on stdout (progress on stderr).
#
# Usage: bench/udp.sh            (root: network namespaces, raw sockets)
# Environment:
#   PORTSCOUT     binary to time (default: build/portscout at the repo root)
#   TOOLS         subset of "nmap portscout" (default both)
#   SETTINGS      subset of "off default multi" (default all three)
#   SCANS         subset of "top100 p1000" for off/default (default both)
#   FAMILIES      subset of "4 6" for off/default (default both; multi is IPv4 only)
#   ROUNDS        rounds per scan without rate limits (default 3)
#   ROUNDS_LIMITED  rounds per scan of the default and multi settings (default 1)
#   SLOW          0: no -p 1-1000 over IPv4 with default rate limits (nmap: ~1000 s); default 1
#   NHOSTS        hosts of the multi setting (default 4)
#   MULTI_PORTS   ports of the multi setting (default 1-200)
#   EXTRA_OPTS    options added to every scan of both tools (e.g. "-T4"; default none)
#   SETTLE        seconds of silence before every rate-limited scan, so that it starts with
#                 the targets' limiters refilled (default 7: a burst of six at one a second)
#   SCAN_TIMEOUT  seconds after which a scan is stopped and counted as failed (default 3600)
#   BENCH_KEEP    1: keep the directory with every scan's output
# Builds nothing.  nmap's part alone takes about 40 minutes with everything (with the default
# limits: -p 1-1000 over IPv4 ~1040 s, the 4 hosts ~800 s); SLOW=0 saves 17 of them, and
# SETTINGS=off takes about a minute.  Nothing is sent outside the lab's namespaces.
# shellcheck disable=SC2016 # backquotes in printf formats are markdown code spans
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
TOOLS=${TOOLS:-nmap portscout}
SETTINGS=${SETTINGS:-off default multi}
SCANS=${SCANS:-top100 p1000}
FAMILIES=${FAMILIES:-4 6}
ROUNDS=${ROUNDS:-3}
ROUNDS_LIMITED=${ROUNDS_LIMITED:-1}
SLOW=${SLOW:-1}
NHOSTS=${NHOSTS:-4}
MULTI_PORTS=${MULTI_PORTS:-1-200}
EXTRA_OPTS=${EXTRA_OPTS:-}
SETTLE=${SETTLE:-7}
SCAN_TIMEOUT=${SCAN_TIMEOUT:-3600}
FLAT_XSL=$ROOT/tests/lab/xml/ports_ttl.xsl
# The target's ICMP rate-limit sysctls, switched between the lab's (off) and the defaults.
SYSCTLS="net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask net.ipv6.icmp.ratelimit
    net.ipv6.icmp.ratemask net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst"

now() { if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s\n' "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }

check_setup() {
    local v t
    case $SETTLE in '' | *[!0-9]*) die "SETTLE must be a whole number of seconds" ;; esac
    for v in ROUNDS ROUNDS_LIMITED NHOSTS SCAN_TIMEOUT; do
        case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer" ;; esac
    done
    if [ "$NHOSTS" -lt 2 ] || [ "$NHOSTS" -gt 250 ]; then die "NHOSTS must be 2..250"; fi
    case $MULTI_PORTS in *[!0-9,-]* | '') die "MULTI_PORTS must be a port list like 1-200" ;; esac
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, raw sockets)"
    for t in $TOOLS; do case $t in nmap | portscout) ;; *) die "unknown tool '$t' (nmap, portscout)" ;; esac; done
    for t in $SETTINGS; do case $t in off | default | multi) ;; *) die "unknown setting '$t' (off, default, multi)" ;; esac; done
    for t in $SCANS; do case $t in top100 | p1000) ;; *) die "unknown scan '$t' (top100, p1000)" ;; esac; done
    for t in $FAMILIES; do case $t in 4 | 6) ;; *) die "unknown family '$t' (4, 6)" ;; esac; done
    for t in xsltproc python3; do command -v "$t" >/dev/null 2>&1 || die "$t not found (scripts/setup)"; done
    if has "$TOOLS" nmap; then command -v nmap >/dev/null 2>&1 || die "nmap not found (scripts/setup)"; fi
    if has "$TOOLS" portscout && [ ! -x "$PORTSCOUT" ]; then
        log "portscout binary not found or not executable: $PORTSCOUT (build it: make build)"
    fi
}

# Scan options of scan kind $1.
scan_opts() {
    case $1 in
        top100) echo "--top-ports 100" ;;
        p1000) echo "-p 1-1000" ;;
        multi*) echo "-p $MULTI_PORTS" ;;
    esac
}

# Sets the target's rate-limit sysctls to the values in file $1 ("name = value" lines).
apply_sysctls() {
    local name _eq value
    while read -r name _eq value; do
        lab_target sysctl -q -w "$name=$value" || die "cannot set $name in the target"
    done <"$1"
}

# Frames sent so far by the scanner namespace on its lab links (every veth): probes,
# retransmissions, ARP and neighbour solicitations.
tx_frames() {
    ip netns exec "$LAB_SCAN_NS" sh -c 'cat /sys/class/net/*/statistics/tx_packets' |
        awk '{ t += $1 } END { print t + 0 }'
}

# Runs one scan: tool $2 ("nmap" or "portscout") with options $3 (words) and targets $4
# (words), output base $1.  Appends "SECONDS FRAMES" or "fail" to $1's directory's TOOL.stats.
run_scan() {
    local base=$1 tool=$2 rc=0 t0 t1 tx0 tx1 stats
    local -a cmd=(timeout --kill-after=10 "$SCAN_TIMEOUT")
    stats=$(dirname "$base")/$tool.stats
    if [ "$tool" = nmap ]; then cmd+=(nmap); else cmd+=("$PORTSCOUT"); fi
    # shellcheck disable=SC2206 # options and targets are words
    cmd+=(-sU -n -Pn --reason $3 $EXTRA_OPTS -oX "$base.xml" $4)
    if [ "$tool" = portscout ] && [ ! -x "$PORTSCOUT" ]; then
        echo "no portscout binary at $PORTSCOUT" >"$base.err"
        echo fail >>"$stats"
        return 0
    fi
    tx0=$(tx_frames)
    t0=$(now)
    lab_scan "${cmd[@]}" >"$base.txt" 2>"$base.err" </dev/null || rc=$?
    t1=$(now)
    tx1=$(tx_frames)
    [ "$rc" != 0 ] || grep -q ' scan report for ' "$base.txt" || rc=no-report
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "timed out after $SCAN_TIMEOUT s (SCAN_TIMEOUT)" >>"$base.err"; fi
    if [ "$rc" != 0 ]; then
        log "$tool exited $rc: $(head -c 300 "$base.err")"
        echo fail >>"$stats"
        return 0
    fi
    awk -v a="$t0" -v b="$t1" -v f="$((tx1 - tx0))" 'BEGIN { printf "%.3f %d\n", b - a, f }' >>"$stats"
}

# Scores XML report $1 of family $2: prints "PORTS<TAB>MISMATCHES<TAB>ICMP" (ports reported per
# host, "a/b" when hosts differ; mismatches "0" or "EXPECTED→GOT xN, ..."; the most ICMP errors
# one host must send to answer the scan exactly: its closed and filtered ports).  Expected: the truth's
# state on the lab host, closed elsewhere and on ports the truth does not list.
score() {
    local col=3
    [ "$2" = 4 ] || col=4
    xsltproc "$FLAT_XSL" "$1" 2>/dev/null | awk -F'\t' -v col="$col" -v main4="$LAB_T4" -v main6="$LAB_T6" '
        FILENAME == ARGV[1] { split($col, w, " "); truth[$1] = w[1]; next }
        function one(addr, port, state,    e) {
            e = "closed"
            if ((addr == main4 || addr == main6) && (port in truth)) e = truth[port]
            n[addr]++
            if (e == "closed" || e == "filtered") icmp[addr]++
            if (e != state) bad[e "→" state]++
        }
        $1 == "port" && $4 == "udp" { one($2, $3, $5) }
        $1 == "extra" && $4 == "udp" {
            k = split($3, rg, ",")
            for (i = 1; i <= k; i++) {
                if (split(rg[i], ab, "-") == 2) { for (p = ab[1] + 0; p <= ab[2] + 0; p++) one($2, p, $5) }
                else one($2, rg[i] + 0, $5)
            }
        }
        END {
            ports = ""; for (a in n) { if (!(n[a] in seen)) { ports = ports sep n[a]; sep = "/" }; seen[n[a]] = 1 }
            if (ports == "") ports = "0"
            m = ""; for (b in bad) { m = m s2 b " x" bad[b]; s2 = ", " }
            mx = 0; for (a in icmp) if (icmp[a] > mx) mx = icmp[a]
            printf "%s\t%s\t%d\n", ports, (m == "" ? "0" : m), mx
        }' "$WORK/truth" -
}

# Median of the numbers on stdin ("n/a" if none).
# bench_case LABEL SETTING FAMILY KIND TARGETS: ROUNDS rounds of every tool; appends a table
# row per tool to $ROWS.
bench_case() {
    local label=$1 setting=$2 fam=$3 kind=$4 targets=$5 dir r i n tool opts rounds=$ROUNDS
    local -a tools
    dir=$WORK/$setting.${label// /_}
    [ "$setting" = off ] || rounds=$ROUNDS_LIMITED
    mkdir -p "$dir"
    read -ra tools <<<"$TOOLS"
    n=${#tools[@]}
    opts=$(scan_opts "$kind")
    [ "$fam" = 4 ] || opts="-6 $opts"
    for r in $(seq "$rounds"); do
        for i in $(seq 0 $((n - 1))); do
            tool=${tools[$(((i + r - 1) % n))]}
            # Every scan starts with the targets' limiters full (a burst of six unreachables
            # per host): the scan before must not have drained them.
            if [ "$setting" != off ]; then sleep "$SETTLE"; fi
            log "$setting $label: round $r/$rounds, $tool -sU $opts"
            run_scan "$dir/$tool.$r" "$tool" "$opts" "$targets"
            if [ "$(tail -n 1 "$dir/$tool.stats")" != fail ]; then
                score "$dir/$tool.$r.xml" "$fam" >>"$dir/$tool.score"
            fi
        done
    done
    local nt t frames ratio ports wrong nfail goal shown
    nt=$(grep -v '^fail$' "$dir/nmap.stats" 2>/dev/null | awk '{ print $1 }' | median) || nt=n/a
    for tool in $TOOLS; do
        nfail=$(grep -c '^fail$' "$dir/$tool.stats" || true)
        t=$(grep -v '^fail$' "$dir/$tool.stats" | awk '{ print $1 }' | median)
        frames=$(grep -v '^fail$' "$dir/$tool.stats" | awk '{ print $2 }' | median | sed 's/\.00$//; s/\.50$/.5/')
        ratio=$(awk -v a="$t" -v b="$nt" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
        ports=$(cut -f1 "$dir/$tool.score" 2>/dev/null | sort -u | paste -sd' ') || ports=""
        wrong=$(cut -f2 "$dir/$tool.score" 2>/dev/null | paste -sd'/' | sed 's/|/\\|/g') || wrong=""
        goal=""
        if [ "$tool" = portscout ]; then
            goal=$(goal_of "$dir" "$setting" "$fam" "$t" "$nt" "$nfail")
        fi
        if [ "$nfail" -gt 0 ]; then
            FAILED=1
            t="$t (**failed ${nfail}x**: $(cat "$dir/$tool".*.err | grep -m 1 . | cut -c 1-80 | sed 's/|/\\|/g'))"
        fi
        shown="-sU $opts${EXTRA_OPTS:+ $EXTRA_OPTS}"
        printf '| %s | %s | %s | `%s` | %s | %s | %s | %s | %s | %s |\n' "$setting" "$label" "$tool" \
            "$shown" "$t" "$ratio" "$frames" "${ports:-n/a}" "${wrong:-n/a}" "$goal" >>"$ROWS"
    done
}

# The goal of a portscout row and whether it was met: the truth's states in every round, and
# time <= 0.5 x nmap's.  With a rate limit, no exact scanner beats the limit's floor: every
# closed or ICMP-filtered port needs its unreachable, which the target sends at 1000 / limit
# (ms) a second after a burst of six (per host; hosts in parallel).  Where the floor is above
# half nmap's time, the goal is the floor + 10 % instead, and the row says so.
goal_of() {
    local dir=$1 setting=$2 fam=$3 t=$4 nt=$5 nfail=$6 want text floor="" ms states_ok=1
    want=$(awk -v n="$nt" 'BEGIN { if (n + 0 > 0) printf "%.2f", n * 0.5; else print "n/a" }')
    text="≤0.5× nmap"
    if [ "$setting" != off ] && [ -s "$dir/portscout.score" ]; then
        if [ "$fam" = 4 ]; then ms=$(awk '$1 == "net.ipv4.icmp_ratelimit" { print $3 }' "$WORK/sysctl.default")
        else ms=$(awk '$1 == "net.ipv6.icmp.ratelimit" { print $3 }' "$WORK/sysctl.default")
        fi
        floor=$(head -n 1 "$dir/portscout.score" | awk -F'\t' -v ms="${ms:-0}" \
            '{ n = $3 - 6; if (n < 0) n = 0; printf "%.1f", n * ms / 1000 }')
        if awk -v f="$floor" -v w="$want" 'BEGIN { exit !(w == "n/a" || f * 1.1 > w + 0) }'; then
            want=$(awk -v f="$floor" 'BEGIN { printf "%.2f", f * 1.1 }')
            text="≤ the limit's floor ${floor} s + 10 % (0.5× nmap is below it)"
        fi
    fi
    if [ "$nfail" != 0 ] || [ ! -s "$dir/portscout.score" ] || cut -f2 "$dir/portscout.score" | grep -qv '^0$'; then
        states_ok=0
    fi
    if [ "$states_ok" = 1 ] && awk -v t="$t" -v w="$want" 'BEGIN { exit !(w != "n/a" && t + 0 <= w + 0) }'; then
        printf 'same states, %s: **met**\n' "$text"
    else
        printf 'same states, %s: not met\n' "$text"
    fi
}

cleanup() {
    udp_down
    lab_down
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "outputs kept in $WORK"; else rm -rf "$WORK"; fi
}

main() {
    check_setup
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-udp.XXXXXX")
    ROWS=$WORK/rows.md
    : >"$ROWS"
    FAILED=0
    # shellcheck source=../tests/lab/lab.sh
    . "$ROOT/tests/lab/lab.sh"
    # shellcheck source=../tests/lab/udp.sh
    . "$ROOT/tests/lab/udp.sh"
    trap cleanup EXIT
    lab_up || die "could not bring the lab up"
    udp_up || die "could not start the lab's UDP services"
    udp_hosts_up "$NHOSTS" || die "could not add the rate-limited hosts"
    udp_truth >"$WORK/truth"
    # The kernel's defaults, from a namespace nobody changed; the lab's own values, to go back.
    # shellcheck disable=SC2086
    ip netns exec "$(udp_host_ns 1)" sysctl $SYSCTLS >"$WORK/sysctl.default" || die "cannot read the defaults"
    # shellcheck disable=SC2086
    lab_target sysctl $SYSCTLS >"$WORK/sysctl.lab" || die "cannot read the lab's sysctls"

    local setting fam kind addr hosts
    for setting in off default; do
        has "$SETTINGS" "$setting" || continue
        if [ "$setting" = default ]; then apply_sysctls "$WORK/sysctl.default"; fi
        for fam in $FAMILIES; do
            if [ "$fam" = 4 ]; then addr=$LAB_T4; else addr=$LAB_T6; fi
            for kind in $SCANS; do
                if [ "$setting" = default ] && [ "$kind" = p1000 ] && [ "$fam" = 4 ] && [ "$SLOW" = 0 ]; then
                    log "default, IPv4, -p 1-1000: left out (SLOW=0)"
                    printf '| default | p1000.v4 | | `-sU -p 1-1000` | left out (SLOW=0) | | | | | |\n' >>"$ROWS"
                    continue
                fi
                bench_case "$kind.v$fam" "$setting" "$fam" "$kind" "$addr"
            done
        done
        if [ "$setting" = default ]; then apply_sysctls "$WORK/sysctl.lab"; fi
    done
    if has "$SETTINGS" multi; then
        bench_case "1 host" multi 4 multi1 "${UDP_HOSTS4[0]}"
        hosts="${UDP_HOSTS4[*]}"
        bench_case "$NHOSTS hosts" multi 4 multiN "$hosts"
    fi

    local pver="not run" nver="not run"
    if has "$TOOLS" portscout; then
        pver=$("$PORTSCOUT" --version 2>/dev/null | head -n 1) || pver="portscout (no --version)"
    fi
    has "$TOOLS" nmap && nver=$(nmap --version 2>/dev/null | head -n 1)
    printf '### UDP scan (`-sU -n -Pn --reason`), median of %s round(s), rate-limited: %s\n\n' "$ROUNDS" \
        "$ROUNDS_LIMITED"
    printf '%s; %s; %s CPU(s); kernel %s; %s.\n\n' "${pver:-portscout}" "$nver" "$(nproc)" "$(uname -r)" \
        "$(date -u +%Y-%m-%d)"
    printf '| ICMP rate limit | scan | tool | options | time (s) | ×nmap | frames sent | ports | wrong states | goal |\n'
    printf '|---|---|---|---|---:|---:|---:|---|---|---|\n'
    cat "$ROWS"
    printf '\noff: the lab host %s / %s without ICMP rate limits; default: the same host with the\n' "$LAB_T4" "$LAB_T6"
    printf 'kernel'"'"'s defaults (%s);\n' "$(sed 's/ = /=/' "$WORK/sysctl.default" | paste -sd' ')"
    printf 'multi: closed hosts with the defaults, %s (one scanner address each).\n' "${UDP_HOSTS4[*]}"
    printf 'Frames sent: by the scanner on every lab link (probes, retransmissions, ARP/ND). Ports: per\n'
    printf 'host, as reported. Wrong states: against tests/lab/truth_udp.tsv, round by round\n'
    printf '("EXPECTED→GOT xN"; every port of the multi hosts is closed).\n'
    if [ "$FAILED" = 1 ]; then
        log "some scans failed (see the table); exiting 1"
        exit 1
    fi
}

# Run unless sourced (sourcing gives the helpers, e.g. to re-score kept outputs).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
