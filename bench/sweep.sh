#!/usr/bin/env bash
# Benchmark (not a test): host discovery and a small port scan over thousands of AnyIP hosts of
# the network lab (tests/lab/lab.sh + tests/lab/anyip.sh), portscout against nmap, in one run:
#
#   sn20   -sn -n of 10.78.0.0/20 (4096 addresses), the sub-ranges of tests/lab/truth_sweep.tsv:
#          1024 answering everything, 1024 dark, 512 ICMP-only, 512 TCP-only, 512 lossy (50 %
#          of packets dropped), 256 rejecting with host-unreachable, 256 routed but not there.
#          ROUNDS rounds, default timing and -T4, order rotated per round.  Per run: time, and
#          the host set against the truth: up hosts missed, dark hosts reported up, lossy hosts
#          found (of 512), and hosts nmap found up in the same round that portscout did not.
#          Goal: time <= 0.1 x nmap's, nothing missed that nmap finds, nothing dark reported up,
#          lossy recall at least nmap's.
#   ss16   -sS -n -p 22,80,443 of 10.78.0.0/16 (65536 addresses): the /20 above, and in the
#          rest 57600 hosts answering everything and 15 dark /24s, the last of every /20
#          (10.78.31.0/24, 10.78.47.0/24, ... 10.78.255.0/24).  Spread out, as dark subnets
#          are: nmap's timing learns nothing from a group of hosts that never answers (a dark
#          /24 alone takes it 206 s), so a dark /20 in one piece would dominate.  Time, peak RSS,
#          hosts up and ports open against the truth.  One round by default (ROUNDS16).
#   sn16   -sn -n of the same /16: time, peak RSS, hosts missed / wrongly up.
#
# Prints markdown tables for docs/BENCHMARKS.md on stdout (progress on stderr).  Peak RSS is
# the largest resident set of the scanner's process tree (getrusage RUSAGE_CHILDREN of a
# python3 wrapper: no /usr/bin/time needed).
#
# Usage: bench/sweep.sh          (root: network namespaces, raw sockets)
# Environment:
#   PORTSCOUT      binary to time (default: build/portscout at the repo root)
#   PARTS          subset of "sn20 ss16 sn16" (default: all three)
#   TOOLS          subset of "nmap portscout" (default both)
#   TIMINGS        timings of the sn20 part, subset of "default T4" (default both)
#   ROUNDS         rounds of the sn20 part (default 3)
#   TIMINGS16      timings of the /16 parts (default "T4"; nmap's default timing took 1.4x
#                  as long as -T4 on the /20)
#   ROUNDS16       rounds of the /16 parts (default 1)
#   NMAP16         0: leave nmap out of the /16 parts (it needs many minutes there)
#   SCAN_TIMEOUT   seconds after which a scan is stopped and counted as failed (default 7200)
#   BENCH_KEEP     1: keep the directory with every scan's output
# Builds nothing; installs nmap with apt-get if it is missing.  Takes about 25 minutes with
# every part and nmap (see docs/BENCHMARKS.md); PARTS=sn20 TIMINGS=T4 ROUNDS=1 about 2.
# Nothing is sent outside the lab's namespaces.
# shellcheck disable=SC2016 # backquotes in printf formats are markdown code spans
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
PARTS=${PARTS:-sn20 ss16 sn16}
TOOLS=${TOOLS:-nmap portscout}
TIMINGS=${TIMINGS:-default T4}
ROUNDS=${ROUNDS:-3}
TIMINGS16=${TIMINGS16:-T4}
ROUNDS16=${ROUNDS16:-1}
NMAP16=${NMAP16:-1}
SCAN_TIMEOUT=${SCAN_TIMEOUT:-7200}
PYTHON=/usr/bin/python3
CHECKER=$ROOT/tests/lab/sweep_check.py
NET20=10.78.0.0/20
NET16=10.78.0.0/16
# The /16 outside the /20: answering everything but for the last /24 of every /20.
REST16_ALL="10.78.16.0/20 10.78.32.0/19 10.78.64.0/18 10.78.128.0/17"
REST16_DARK=$(for x in $(seq 1 15); do printf '10.78.%d.0/24 ' $((16 * x + 15)); done)
UP_POLICIES="all icmp tcp"           # must be found
DOWN_POLICIES="dark reject nolocal"  # must not be reported up


check_setup() {
    local v t
    for v in ROUNDS ROUNDS16 SCAN_TIMEOUT; do
        case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer" ;; esac
    done
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, raw sockets)"
    for t in $PARTS; do case $t in sn20 | ss16 | sn16) ;; *) die "unknown part '$t' (sn20, ss16, sn16)" ;; esac; done
    for t in $TOOLS; do case $t in nmap | portscout) ;; *) die "unknown tool '$t' (nmap, portscout)" ;; esac; done
    for t in $TIMINGS $TIMINGS16; do case $t in default | T[0-5]) ;; *) die "unknown timing '$t'" ;; esac; done
    [ -x "$PYTHON" ] || die "$PYTHON is needed (scoring, peak RSS)"
    if has "$TOOLS" nmap && ! command -v nmap >/dev/null 2>&1; then
        log "installing nmap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null; } ||
            die "could not install nmap"
    fi
    if has "$TOOLS" portscout && [ ! -x "$PORTSCOUT" ]; then
        log "portscout binary not found or not executable: $PORTSCOUT (build it: make build)"
    fi
}

# The lab: the routed IPv4 ranges of the truth (the /20) and the rest of the /16.  The onlink
# ranges of the truth (ARP sweep, inside the /16) are left out: here every host is routed.
build_lab() {
    # shellcheck source=tests/lab/lab.sh
    . "$ROOT/tests/lab/lab.sh"
    # shellcheck source=tests/lab/anyip.sh
    . "$ROOT/tests/lab/anyip.sh"
    trap cleanup EXIT
    lab_up || die "could not bring the lab up"
    anyip_up --none || die "could not prepare the AnyIP ranges"
    local r range policy via
    for r in $REST16_ALL; do anyip_add "$r" all || die "anyip_add $r"; done
    for r in $REST16_DARK; do anyip_add "$r" dark || die "anyip_add $r"; done
    while IFS=$'\t' read -r range policy via _; do
        [ "$via" = routed ] || continue
        case $range in *:*) continue ;; esac
        anyip_add "$range" "$policy" routed || die "anyip_add $range"
    done < <(anyip_ranges)
    # The truth of the /16 for the scorer: the truth file plus the ranges added here (the
    # scorer takes the most specific range holding an address).
    TRUTH16=$WORK/truth16.tsv
    grep -v -P '^range\t.*\tonlink$' "$ANYIP_TRUTH" >"$TRUTH16"
    for r in $REST16_ALL; do printf 'range\t%s\tall\trouted\n' "$r" >>"$TRUTH16"; done
    for r in $REST16_DARK; do printf 'range\t%s\tdark\trouted\n' "$r" >>"$TRUTH16"; done
}

cleanup() {
    anyip_down 2>/dev/null || true
    lab_down
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "outputs kept in $WORK"; else rm -rf "$WORK"; fi
}

# measure OUT ARGS...: runs ARGS in the scanner namespace (stdout to OUT, stderr to OUT.err)
# and prints "SECONDS PEAK_RSS_KIB STATUS".
MEASURE='
import resource, subprocess, sys, time
out = sys.argv[1]
with open(out, "wb") as o, open(out + ".err", "wb") as e:
    t0 = time.monotonic()
    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e, stdin=subprocess.DEVNULL)
    t1 = time.monotonic()
print("%.3f %d %d" % (t1 - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
'
measure() {
    local out=$1
    shift
    ip netns exec "$LAB_SCAN_NS" "$PYTHON" -c "$MEASURE" "$out" \
        timeout --kill-after=10 "$SCAN_TIMEOUT" "$@"
}

# run TOOL TIMING OUTBASE SCANOPTS...: one scan, -oX OUTBASE.xml -oG OUTBASE.gnmap; appends
# "SECONDS RSS" or "fail" to OUTBASE's run file ($RUNFILE).
run() {
    local tool=$1 timing=$2 base=$3 res secs rss rc
    shift 3
    local -a cmd
    if [ "$tool" = nmap ]; then cmd=(nmap); else cmd=("$PORTSCOUT"); fi
    [ "$timing" = default ] || cmd+=("-$timing")
    cmd+=("$@" -oX "$base.xml" -oG "$base.gnmap")
    if [ "$tool" = portscout ] && [ ! -x "$PORTSCOUT" ]; then
        echo "no portscout binary at $PORTSCOUT" >"$base.txt.err"
        echo fail >>"$RUNFILE"
        return 0
    fi
    log "$(basename "$base"): ${cmd[0]##*/} ${cmd[*]:1}"
    res=$(measure "$base.txt" "${cmd[@]}") || res="0 0 1"
    read -r secs rss rc <<<"$res"
    if [ "$rc" != 0 ] || ! grep -q ' done: ' "$base.txt"; then
        [ "$rc" != 124 ] || echo "timed out after $SCAN_TIMEOUT s (SCAN_TIMEOUT)" >>"$base.txt.err"
        log "$tool exited $rc: $(head -c 300 "$base.txt.err")"
        echo fail >>"$RUNFILE"
        return 0
    fi
    echo "$secs $rss" >>"$RUNFILE"
}

# score BASE TRUTH TARGET [PORTS]: "MISSED WRONG LOSSYUP LOSSYN BADREASON OPENPORTS UP" of
# BASE.xml against TRUTH (technique "default"): up hosts of UP_POLICIES not reported up, hosts
# of DOWN_POLICIES reported up, lossy hosts up and scanned, hosts up with a reason the truth
# does not allow, open ports listed (with PORTS: port states checked too, counted in BADREASON),
# hosts up.
score() {
    local base=$1 truth=$2 target=$3 plist=${4:-}
    local -a popts=()
    [ -z "$plist" ] || popts=(--ports "$plist" --port-states "all=open,tcp=open,icmp=filtered,lossy=open|filtered")
    "$PYTHON" "$CHECKER" --truth "$truth" --tech default --xml "$base.xml" "${popts[@]}" "$target" |
        awk -v upp=" $UP_POLICIES " -v downp=" $DOWN_POLICIES " '
            /^POLICY / { split($2, pv, "/"); p = pv[1]
                         up += $3
                         if (index(upp, " " p " ")) missed += $4 - $3
                         if (index(downp, " " p " ")) wrong += $3 }
            /^LOSSY / { lu = $2; ln = $3 }
            /^FAIL .*(up with reason|ports )/ { bad++ }
            /^FAIL no readable/ { broken = 1 }
            END { if (broken) print "n/a n/a n/a n/a n/a n/a n/a"
                  else printf "%d %d %d %d %d %s %d\n", missed, wrong, lu, ln, bad, "-", up }' |
        { read -r m w lu ln b _ u; echo "$m $w $lu $ln $b $(open_ports "$base.gnmap") $u"; }
}

# Open ports listed in a grepable report.
open_ports() { grep -o '[0-9]*/open/tcp' "$1" 2>/dev/null | wc -l; }

# Hosts up in grepable report $1 that are not up in $2, but for the lossy sub-ranges of the
# truth, where each scan finds a random subset (the goal there is recall, its own column).
missing_vs() {
    comm -23 <(awk '/Status: Up/ { print $2 }' "$1" | sort -u) \
        <(awk '/Status: Up/ { print $2 }' "$2" | sort -u) |
        "$PYTHON" -c '
import ipaddress, sys
lossy = [ipaddress.ip_network(f[1]) for f in (l.split("\t") for l in open(sys.argv[1]))
         if len(f) > 2 and f[0] == "range" and f[2] == "lossy"]
print(sum(1 for a in sys.stdin
          if not any(ipaddress.ip_address(a.strip()) in n for n in lossy)))' "$TRUTH16"
}

# col N FILE: column N of a score file, one value per round joined by slashes.
col() { awk -v c="$1" '$1 == "fail" { printf "%sfail", s; s = "/"; next } { printf "%s%s", s, $c; s = "/" }' "$2"; }

# "tool:timing" words of a part: $1 timings, $2 whether nmap takes part.
runs_of() {
    local tool t
    for tool in $TOOLS; do
        [ "$tool" != nmap ] || [ "$2" = 1 ] || continue
        for t in $1; do printf '%s ' "$tool:$t"; done
    done
}

opts_shown() { # opts_shown TIMING TARGET OPTS...: "OPTS [-Tn] TARGET"
    local t=$1 target=$2
    shift 2
    if [ "$t" = default ]; then printf '%s %s' "$*" "$target"; else printf '%s -%s %s' "$*" "$t" "$target"; fi
}

# bench_part NAME TARGET ROUNDS TIMINGS NMAP PORTS SCANOPTS...: the runs of one part, rotated
# per round, scored; one table on stdout.
bench_part() {
    local name=$1 target=$2 rounds=$3 timings=$4 with_nmap=$5 plist=$6
    shift 6
    local -a scanopts=("$@") runs
    local dir=$WORK/$name r i n run tool timing truth=$TRUTH16
    mkdir -p "$dir"
    read -ra runs <<<"$(runs_of "$timings" "$with_nmap")"
    n=${#runs[@]}
    [ "$n" -gt 0 ] || return 0
    for r in $(seq "$rounds"); do
        for i in $(seq 0 $((n - 1))); do
            run=${runs[$(((i + r - 1) % n))]}
            tool=${run%%:*} timing=${run#*:}
            RUNFILE=$dir/$run.runs
            run "$tool" "$timing" "$dir/$run.$r" "${scanopts[@]}" "$target"
            if [ "$(tail -n 1 "$RUNFILE")" != fail ]; then
                score "$dir/$run.$r" "$truth" "$target" "$plist" >>"$dir/$run.score"
            else
                echo "fail" >>"$dir/$run.score"
            fi
        done
    done
    # Per run: medians, per-round accuracy, ratio to nmap of the same timing, goal.
    local t rss ref ratio missed wrong lossy bad up vsn goal nfail k
    declare -A ntime=()
    for run in "${runs[@]}"; do
        [ "${run%%:*}" = nmap ] || continue
        ntime[${run#*:}]=$(grep -v '^fail$' "$dir/$run.runs" | awk '{ print $1 }' | median '%.3f')
    done
    printf '| tool | options | time (s) | ×nmap | peak RSS (MiB) | up | missed | dark up | lossy up | bad reason/state | missed vs nmap | goal |\n'
    printf '|---|---|---:|---:|---:|---:|---|---|---|---|---|---|\n'
    for run in "${runs[@]}"; do
        tool=${run%%:*} timing=${run#*:}
        nfail=$(grep -c '^fail$' "$dir/$run.runs" || true)
        t=$(grep -v '^fail$' "$dir/$run.runs" | awk '{ print $1 }' | median '%.2f')
        rss=$(grep -v '^fail$' "$dir/$run.runs" | awk '{ print $2 / 1024 }' | sort -g | tail -n 1)
        rss=$(awk -v r="${rss:-}" 'BEGIN { if (r == "") print "n/a"; else printf "%.0f", r }')
        ref=${ntime[$timing]:-}
        ratio=$(awk -v a="$t" -v b="$ref" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "n/a" }')
        up=$(col 7 "$dir/$run.score") missed=$(col 1 "$dir/$run.score")
        wrong=$(col 2 "$dir/$run.score") bad=$(col 5 "$dir/$run.score")
        lossy=$(awk '$1 != "fail" { printf "%s%s", s, $3; s = "/" }' "$dir/$run.score")
        vsn="" goal=""
        if [ "$tool" = portscout ] && [ -n "$ref" ]; then
            for k in $(seq "$rounds"); do
                if [ -s "$dir/$run.$k.gnmap" ] && [ -s "$dir/nmap:$timing.$k.gnmap" ]; then
                    vsn="$vsn${vsn:+/}$(missing_vs "$dir/nmap:$timing.$k.gnmap" "$dir/$run.$k.gnmap")"
                fi
            done
            goal=$(goal_of "$name" "$ratio" "$dir/$run.score" "$dir/nmap:$timing.score" "$vsn" "$nfail")
        fi
        [ "$nfail" -eq 0 ] || { FAILED=1; t="$t (**failed ${nfail}x**)"; }
        printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$tool" \
            "$(opts_shown "$timing" "$target" "${scanopts[@]}")" "$t" "$ratio" "$rss" "$up" \
            "$missed" "$wrong" "$lossy" "$bad" "${vsn:-}" "$goal"
    done
}

# goal_of PART RATIO SCOREFILE NMAPSCOREFILE VSNMAP NFAIL: the sn20 goal and whether it is met.
goal_of() {
    local part=$1 ratio=$2 score=$3 nscore=$4 vsn=$5 nfail=$6
    [ "$part" = sn20 ] || return 0
    local fast=0 clean=0 recall=0
    awk -v r="$ratio" 'BEGIN { exit !(r != "n/a" && r + 0 <= 0.1) }' && fast=1
    # No dark host up, and nothing nmap found missed (outside the lossy hosts), in any round.
    awk '$1 == "fail" || $2 + 0 > 0 { bad = 1 } END { exit bad }' "$score" &&
        ! printf '%s\n' "$vsn" | tr '/' '\n' | grep -qv '^0$' && clean=1
    # Lossy hosts found over all rounds, at least nmap's.
    awk 'FNR == 1 { f++ } $1 != "fail" { s[f] += $3 } END { exit !(s[1] >= s[2]) }' "$score" "$nscore" && recall=1
    local text="≤0.1× nmap, none missed that nmap finds, no dark host up, lossy ≥ nmap's"
    if [ "$nfail" -eq 0 ] && [ "$fast$clean$recall" = 111 ]; then printf '%s: **met**' "$text"
    else
        printf '%s: not met (%s)' "$text" "$( { [ "$fast" = 1 ] || echo time; [ "$clean" = 1 ] || echo hosts;
            [ "$recall" = 1 ] || echo lossy; [ "$nfail" -eq 0 ] || echo failures; } | paste -sd, -)"
    fi
}

main() {
    check_setup
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-sweep.XXXXXX")
    FAILED=0
    build_lab
    local pver="not run" nver="not run" out=$WORK/tables.md
    has "$TOOLS" portscout && { pver=$("$PORTSCOUT" --version 2>/dev/null | head -n 1) || pver="portscout"; }
    has "$TOOLS" nmap && nver=$(nmap --version 2>/dev/null | head -n 1)
    {
        printf '%s; %s; %s CPU(s); kernel %s; %s.\n\n' "${pver:-portscout}" "$nver" "$(nproc)" \
            "$(uname -r)" "$(date -u +%Y-%m-%d)"
        if has "$PARTS" sn20; then
            printf '### Host discovery of a /20 (`-sn -n %s`), median of %s rounds\n\n' "$NET20" "$ROUNDS"
            bench_part sn20 "$NET20" "$ROUNDS" "$TIMINGS" 1 "" -sn -n
            printf '\nOf 4096 addresses, 2048 must be found (1024 all, 512 ICMP-only, 512 TCP-only) and 1536\n'
            printf 'must not (1024 dark, 256 rejecting, 256 not there); lossy: of 512, 50 %% of packets dropped.\n'
            printf 'Per-round figures are separated by slashes; "missed vs nmap": hosts nmap found up in the\n'
            printf 'same round (same timing) that portscout did not, lossy hosts aside (their goal is\n'
            printf 'the recall, "lossy up").\n\n'
        fi
        if has "$PARTS" ss16; then
            printf '### SYN scan of a /16 (`-sS -n -p 22,80,443 %s`)\n\n' "$NET16"
            bench_part ss16 "$NET16" "$ROUNDS16" "$TIMINGS16" "$NMAP16" 22,80,443 -sS -n -p 22,80,443
            printf '\nOf 65536 addresses, 59648 must be up (58624 answering everything with 22, 80 and 443\n'
            printf 'open, 512 TCP-only: open too, 512 ICMP-only: filtered), 5376 must not; 512 lossy.\n'
            printf '"bad reason/state": hosts up with a reason, or ports in a state, the truth does not allow.\n\n'
        fi
        if has "$PARTS" sn16; then
            printf '### Host discovery of a /16 (`-sn -n %s`)\n\n' "$NET16"
            bench_part sn16 "$NET16" "$ROUNDS16" "$TIMINGS16" "$NMAP16" "" -sn -n
            printf '\n'
        fi
    } >"$out"
    cat "$out"
    if [ "$FAILED" = 1 ]; then
        log "some scans failed (see the tables); exiting 1"
        exit 1
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
