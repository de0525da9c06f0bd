#!/usr/bin/env bash
# Benchmark (not a test): portscout's TCP SYN scan against nmap's and
# masscan's, full port range (-sS -p- -n -Pn), in the network lab
# (tests/lab/lab.sh, plus the hosts of bench/synlab.sh), on three targets:
#   closed  10.77.0.3  every port closed (reset)          goal: time <= 0.3 x nmap's
#   drop    10.77.0.4  every port filtered (dropped)      goal: time <= 0.5 x nmap's, same states
#   mixed   10.77.0.2  the lab host of tests/lab/truth.tsv: open, closed, DROP,
#                      REJECT (reset, admin-prohibited, host-unreachable) and
#                      ten open ports that drop 30 % of SYNs at random
#                                                         goal: no open port missed, no state
#                                                         wrong, time <= 0.5 x nmap's
# Tools: nmap -sS (-T4 by default), masscan (a stateless scanner, reports open
# ports only; no retries, as by default), portscout -sS with its default timing
# and with -T4.  The order of the tools rotates from round to round so none
# profits systematically from warm caches.
#
# Prints a markdown table for docs/BENCHMARKS.md on stdout (progress goes to
# stderr).  Per target and tool: median wall time over the rounds; the ratio
# to nmap's median (same timing if nmap ran with it, else nmap's first
# timing); median frames the scanner sent (every probe, retry, reset, ARP)
# and SYN probes that reached the target; per round, open ports missed and
# other ports whose state is wrong, against the lab's ground truth (for
# masscan, which lists open ports only, "wrong" counts ports it calls open
# that are not).  portscout rows end with their goal and whether it was met.
# A tool that fails says so in its row; the script then exits 1.
#
# Usage: bench/syn.sh            (root: network namespaces, raw sockets)
# Environment:
#   PORTSCOUT          binary to time (default: build/portscout at the repo root)
#   ROUNDS             rounds per target (default 3)
#   TARGETS            subset of "closed drop mixed" (default: all three)
#   TOOLS              subset of "nmap masscan portscout" (default: all three)
#   NMAP_TIMINGS       nmap's timings, subset of "default T4" (default "T4")
#   PORTSCOUT_TIMINGS  portscout's timings (default "default T4")
#   MASSCAN_RATE       masscan --rate, packets/s (default 100000: what 2 cores
#                      sustain; it reaches about half of it here)
#   MASSCAN_WAIT       masscan --wait, seconds after the last probe (default 1:
#                      lab round trips are ~0.1 ms; its default 10 is for the
#                      Internet)
#   MASSCAN_NUDGE      1 (default): broadcast a small UDP datagram every 50 ms
#                      from the target while masscan runs, so that its capture
#                      thread notices the end of the scan (see bench/synlab.sh);
#                      0: a silent lab, masscan then takes 2-10 s longer, at random
#   SCAN_TIMEOUT       seconds after which a scan is stopped and counted as
#                      failed (default 3600; nmap -T4 takes ~10 min on the
#                      all-dropped host)
#   BENCH_KEEP         1: keep the directory with every scan's output
# Builds nothing; installs nmap and masscan with apt-get if they are missing.
# shellcheck disable=SC2016 # backquotes in printf formats are markdown code spans
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
ROUNDS=${ROUNDS:-3}
TARGETS=${TARGETS:-closed drop mixed}
TOOLS=${TOOLS:-nmap masscan portscout}
NMAP_TIMINGS=${NMAP_TIMINGS:-T4}
PORTSCOUT_TIMINGS=${PORTSCOUT_TIMINGS:-default T4}
MASSCAN_RATE=${MASSCAN_RATE:-100000}
MASSCAN_WAIT=${MASSCAN_WAIT:-1}
MASSCAN_NUDGE=${MASSCAN_NUDGE:-1}
SCAN_TIMEOUT=${SCAN_TIMEOUT:-3600}
SCAN_OPTS=(-sS -p- -n -Pn)


# Wall clock in seconds; bash 5's EPOCHREALTIME forks nothing.
now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s\n' "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

# Installs Debian package $1 when command $2 is missing.
need() {
    command -v "$2" >/dev/null 2>&1 && return 0
    log "installing $1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; } ||
        die "could not install $1"
}


check_setup() {
    case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS must be a positive integer" ;; esac
    case $MASSCAN_RATE in '' | *[!0-9]* | 0) die "MASSCAN_RATE must be a positive integer" ;; esac
    case $MASSCAN_WAIT in '' | *[!0-9]*) die "MASSCAN_WAIT must be a whole number of seconds" ;; esac
    case $SCAN_TIMEOUT in '' | *[!0-9]* | 0) die "SCAN_TIMEOUT must be a positive integer" ;; esac
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, raw sockets)"
    local t
    for t in $TARGETS; do
        case $t in closed | drop | mixed) ;; *) die "unknown target '$t' (closed, drop, mixed)" ;; esac
    done
    for t in $TOOLS; do
        case $t in nmap | masscan | portscout) ;; *) die "unknown tool '$t' (nmap, masscan, portscout)" ;; esac
    done
    for t in $NMAP_TIMINGS $PORTSCOUT_TIMINGS; do
        case $t in default | T[0-5]) ;; *) die "unknown timing '$t' (default, T0..T5)" ;; esac
    done
    if has "$TOOLS" nmap; then need nmap nmap; fi
    if has "$TOOLS" masscan; then need masscan masscan; fi
    if has "$TOOLS" masscan && [ "$MASSCAN_NUDGE" = 1 ]; then need python3 python3; fi
    # A missing portscout is not fatal: its rows say so, as for a failed scan.
    if has "$TOOLS" portscout && [ ! -x "$PORTSCOUT" ]; then
        log "portscout binary not found or not executable: $PORTSCOUT (build it: make build)"
    fi
}

# The runs of one target: "TOOL:TIMING" words (masscan has no timing).
runs_list() {
    local tool timing
    for tool in $TOOLS; do
        case $tool in
            nmap) for timing in $NMAP_TIMINGS; do printf '%s ' "nmap:$timing"; done ;;
            masscan) printf '%s ' "masscan:-" ;;
            portscout) for timing in $PORTSCOUT_TIMINGS; do printf '%s ' "portscout:$timing"; done ;;
        esac
    done
}

# The options shown for a run, e.g. "-sS -p- -n -Pn -T4".
run_opts() {
    local tool=${1%%:*} timing=${1#*:}
    if [ "$tool" = masscan ]; then
        printf -- '-p1-65535 --rate %s --wait %s\n' "$MASSCAN_RATE" "$MASSCAN_WAIT"
    elif [ "$timing" = default ]; then
        printf '%s\n' "${SCAN_OPTS[*]}"
    else
        printf '%s -%s\n' "${SCAN_OPTS[*]}" "$timing"
    fi
}

# Runs one scan of address $2 with run $3 ("TOOL:TIMING"), output in $1.
# Appends "TIME FRAMES SYNS" (or "fail") to $1's directory's $3.stats file.
run_scan() {
    local out=$1 addr=$2 run=$3 tool=${3%%:*} timing=${3#*:} rc=0 t0 t1 stats
    local -a cmd=(timeout --kill-after=10 "$SCAN_TIMEOUT")
    stats=$(dirname "$out")/$run.stats
    case $tool in
        nmap | portscout)
            if [ "$tool" = nmap ]; then cmd+=(nmap); else cmd+=("$PORTSCOUT"); fi
            cmd+=("${SCAN_OPTS[@]}")
            [ "$timing" = default ] || cmd+=("-$timing")
            cmd+=("$addr")
            ;;
        masscan)
            cmd+=(masscan -p1-65535 --rate "$MASSCAN_RATE" --wait "$MASSCAN_WAIT"
                --adapter "$(synlab_scan_dev)" --adapter-ip "$LAB_S4"
                --router-mac "$(synlab_target_mac)" -oL "$out" "$addr")
            ;;
    esac
    if [ "$tool" = portscout ] && [ ! -x "$PORTSCOUT" ]; then
        echo "no portscout binary at $PORTSCOUT" >"$out.err"
        echo fail >>"$stats"
        return 0
    fi
    if [ "$tool" = masscan ] && [ "$MASSCAN_NUDGE" = 1 ]; then synlab_nudge_start; fi
    synlab_count_start || die "cannot read the lab's counters"
    t0=$(now)
    if [ "$tool" = masscan ]; then
        # masscan prints progress on stderr and may leave paused.conf in its
        # working directory: run it in the scratch directory.
        (cd "$(dirname "$out")" && lab_scan "${cmd[@]}" >"$out.stdout" 2>"$out.err") || rc=$?
    else
        lab_scan "${cmd[@]}" >"$out" 2>"$out.err" </dev/null || rc=$?
    fi
    t1=$(now)
    synlab_count_stop "$addr" || die "cannot read the lab's counters"
    synlab_nudge_stop
    if [ "$rc" -eq 0 ] && [ "$tool" != masscan ] && ! grep -q ' scan report for ' "$out"; then
        rc=no-report
    fi
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "timed out after $SCAN_TIMEOUT s (SCAN_TIMEOUT)" >>"$out.err"
    fi
    if [ "$rc" != 0 ]; then
        log "$tool on $addr exited $rc: $(tr '\r' '\n' <"$out.err" | grep -v '^rate:' | head -c 300)"
        echo fail >>"$stats"
        return 0
    fi
    awk -v a="$t0" -v b="$t1" -v f="$SYNLAB_TX" -v s="$SYNLAB_SYNS" \
        'BEGIN { printf "%.3f %s %s\n", b - a, f, s }' >>"$stats"
}

# Scores one scan output $1 (nmap's normal output, or masscan's -oL if $2 is
# "masscan") against the expected states on stdin (synlab_truth).  Prints
# "MISSED WRONG LOSSYMISSED": open ports not reported open (of which on lossy
# ports), and other ports whose reported state differs from the truth.  An
# nmap-style report's unlisted ports are in its "Not shown:" state; with
# several such states, the counts per state are compared.
score() {
    awk -v out="$1" -v kind="$2" '
        NR == 1 { dflt = $2; next }
        { exp_[$1] = $2; pol[$1] = $3 }
        END {
            while ((getline line < out) > 0) {
                n = split(line, f, /[ \t]+/)
                if (kind == "masscan") {
                    if (f[1] == "open" && f[2] == "tcp") rep[f[3]] = "open"
                } else if (line ~ /^[0-9]+\/tcp[ \t]/) {
                    split(f[1], pp, "/"); rep[pp[1]] = f[2]
                } else if (line ~ /^Not shown: /) {
                    s = line; sub(/^Not shown: /, "", s)
                    k = split(s, items, /, /)
                    for (i = 1; i <= k; i++) { split(items[i], w, " "); hidden[w[2]] += w[1] }
                    nhidden = k
                }
            }
            missed = wrong = lossy = 0
            for (p = 1; p <= 65535; p++) {
                e = (p in exp_) ? exp_[p] : dflt
                if (p in rep) r = rep[p]
                else if (kind == "masscan") r = "not-open"
                else if (nhidden == 1) for (r in hidden) ;
                else { unlisted[e]++; continue }     # several "Not shown" states
                if (kind == "masscan" && e != "open" && r != "open") continue
                if (e == r) continue
                if (e == "open") { missed++; if (pol[p] == "lossy") lossy++ }
                else wrong++
            }
            for (s in unlisted) {
                d = unlisted[s] - hidden[s]
                if (d > 0) { if (s == "open") missed += d; else wrong += d }
            }
            print missed, wrong, lossy
        }'
}

# Median of the numbers on stdin ("n/a" if none); $1 printf format.
# Benchmarks target $1; appends table rows to $ROWS.
bench_target() {
    local target=$1 addr label dir r i run runs=() n tool timing
    case $target in
        closed) addr=$SYNLAB_CLOSED label="$addr (all closed)" ;;
        drop) addr=$SYNLAB_DROP label="$addr (all dropped)" ;;
        mixed) addr=$LAB_T4 label="$addr (mixed lab host)" ;;
    esac
    dir=$WORK/$target
    mkdir -p "$dir"
    synlab_truth "$addr" >"$dir/truth"
    read -ra runs <<<"$(runs_list)"
    n=${#runs[@]}
    for r in $(seq "$ROUNDS"); do
        for i in $(seq 0 $((n - 1))); do
            run=${runs[$(((i + r - 1) % n))]}
            log "$label: round $r/$ROUNDS, $run"
            run_scan "$dir/$run.$r.out" "$addr" "$run"
            if [ -f "$dir/$run.$r.out" ] && [ "$(tail -n 1 "$dir/$run.stats")" != fail ]; then
                tool=${run%%:*}
                score "$dir/$run.$r.out" "$tool" <"$dir/truth" >>"$dir/$run.score"
            fi
        done
    done

    # nmap's median time per timing: the reference of the ratios.
    local ref_timing="" mt
    declare -A nmap_time=()
    for run in "${runs[@]}"; do
        [ "${run%%:*}" = nmap ] || continue
        mt=$(grep -v '^fail$' "$dir/$run.stats" | awk '{ print $1 }' | median '%.3f')
        nmap_time[${run#*:}]=$mt
        [ -n "$ref_timing" ] || ref_timing=${run#*:}
    done

    local t frames syns nfail ratio ref missed wrong lossy goal shown
    for run in "${runs[@]}"; do
        tool=${run%%:*} timing=${run#*:}
        shown=$(run_opts "$run")
        nfail=$(grep -c '^fail$' "$dir/$run.stats" || true)
        t=$(grep -v '^fail$' "$dir/$run.stats" | awk '{ print $1 }' | median '%.2f')
        frames=$(grep -v '^fail$' "$dir/$run.stats" | awk '{ print $2 }' | median '%d')
        syns=$(grep -v '^fail$' "$dir/$run.stats" | awk '{ print $3 }' | grep -v '?' | median '%d')
        # nmap's rows compare with nmap's first timing, the others with nmap's
        # row of the same timing, else with nmap's first timing.
        ref=""
        if [ "$tool" != nmap ] && [ -n "${nmap_time[$timing]:-}" ]; then ref=${nmap_time[$timing]}
        elif [ -n "$ref_timing" ]; then ref=${nmap_time[$ref_timing]}
        fi
        ratio=$(awk -v a="$t" -v b="$ref" \
            'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
        if [ -s "$dir/$run.score" ]; then
            missed=$(awk '{ printf "%s%s", s, $1; s = "/" }' "$dir/$run.score")
            lossy=$(awk '{ t += $3 } END { print t + 0 }' "$dir/$run.score")
            wrong=$(awk '{ printf "%s%s", s, $2; s = "/" }' "$dir/$run.score")
            [ "$lossy" -gt 0 ] && missed="$missed ($lossy lossy)"
        else
            missed="n/a" wrong="n/a"
        fi
        goal=""
        [ "$tool" = portscout ] && goal=$(goal_of "$target" "$ratio" "$dir/$run.score" "$nfail")
        if [ "$nfail" -gt 0 ]; then
            FAILED=1
            if [ "$nfail" -eq "$ROUNDS" ]; then
                t="**failed**" frames="" syns=""
                goal="${goal:+$goal; }$(failure_note "$dir" "$run")"
            else
                t="$t (**failed ${nfail}x**)"
            fi
        fi
        printf '| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$tool" "$shown" \
            "$t" "$ratio" "$frames" "$syns" "$missed" "$wrong" "$goal" >>"$ROWS"
    done
}

# First line of the error of the last failed round of run $2 in directory $1.
failure_note() {
    local f="" r
    for r in $(seq "$ROUNDS" -1 1); do
        [ -s "$1/$2.$r.out.err" ] && { f=$1/$2.$r.out.err; break; }
    done
    [ -n "$f" ] || return 0
    { grep -m 1 '^timed out after' "$f" || tr '\r' '\n' <"$f"; } |
        grep -v -e '^rate:' -e '^[[:space:]]*$' | head -n 1 | cut -c 1-120 |
        sed 's/|/\\|/g; s/^/`/; s/$/`/'
}

# The goal of target $1 and whether ratio $2 and the scores in file $3 meet
# it ($4 failed rounds).  Every goal also needs the states right in every
# round: a fast scan with wrong answers meets nothing (the all-closed goal
# says so in brackets, as the issue states it as a time only).
goal_of() {
    local target=$1 ratio=$2 score=$3 nfail=$4 want states_ok=1 fast=0 text
    case $target in closed) want=0.30 ;; *) want=0.50 ;; esac
    if [ ! -s "$score" ] || awk '$1 + $2 > 0 { bad = 1 } END { exit !bad }' "$score"; then
        states_ok=0
    fi
    awk -v r="$ratio" -v w="$want" 'BEGIN { exit !(r != "n/a" && r + 0 <= w + 0) }' && fast=1
    case $target in
        closed) text="≤${want}× nmap (states right)" ;;
        drop) text="≤${want}× nmap, same states" ;;
        mixed) text="0 missed, 0 wrong, ≤${want}× nmap" ;;
    esac
    if [ "$nfail" -eq 0 ] && [ "$fast" = 1 ] && [ "$states_ok" = 1 ]; then
        printf '%s: **met**\n' "$text"
    elif [ "$nfail" -eq 0 ] && [ "$fast" = 1 ]; then
        printf '%s: not met (states)\n' "$text"
    else
        printf '%s: not met\n' "$text"
    fi
}

cleanup() {
    synlab_down
    lab_down
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "outputs kept in $WORK"; else rm -rf "$WORK"; fi
}

main() {
    check_setup
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-syn.XXXXXX")
    ROWS=$WORK/rows.md
    : >"$ROWS"
    FAILED=0
    # shellcheck source=../tests/lab/lab.sh
    . "$ROOT/tests/lab/lab.sh"
    # shellcheck source=synlab.sh disable=SC1091
    . "$ROOT/bench/synlab.sh"
    # lab_up chains this EXIT trap after its own lab_down; ours runs synlab_down
    # first, so set it before and let lab_down be harmless twice.
    trap cleanup EXIT
    lab_up || die "could not bring the lab up"
    synlab_up || die "could not add the benchmark hosts to the lab"

    local target
    for target in $TARGETS; do
        bench_target "$target"
    done

    local pver="not run" nver="not run" mver="not run"
    if has "$TOOLS" portscout; then
        pver=$("$PORTSCOUT" --version 2>/dev/null | head -n 1) || pver="portscout (no --version)"
    fi
    has "$TOOLS" nmap && nver=$(nmap --version 2>/dev/null | head -n 1)
    has "$TOOLS" masscan && mver=$(masscan --version 2>/dev/null | grep -m 1 -i 'version')
    printf '### SYN scan (`-sS -p- -n -Pn`), median of %s rounds\n\n' "$ROUNDS"
    printf '%s; %s; %s; %s CPU(s); kernel %s; %s.\n\n' "${pver:-portscout}" "$nver" "$mver" \
        "$(nproc)" "$(uname -r)" "$(date -u +%Y-%m-%d)"
    printf '| target | tool | options | time (s) | ×nmap | frames sent | SYNs | open missed | wrong states | goal |\n'
    printf '|---|---|---|---:|---:|---:|---:|---|---|---|\n'
    cat "$ROWS"
    printf '\n×nmap: median time over nmap'"'"'s median with the same timing (masscan and timings nmap did\n'
    printf 'not run with: over nmap'"'"'s first timing, %s). Frames sent: by the scanner on the lab link\n' "${NMAP_TIMINGS%% *}"
    printf '(probes, retries, resets, ARP); SYNs: probes that reached the target. Open missed and wrong\n'
    printf 'states: round by round, against the lab'"'"'s ground truth; masscan lists open ports only.\n'
    synlab_down
    if [ "$FAILED" = 1 ]; then
        log "some scans failed (see the table); exiting 1"
        exit 1
    fi
}

# Run unless sourced (sourcing gives the helpers, e.g. to re-score kept outputs).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
