#!/usr/bin/env bash
# Benchmark (not a test): portscout's TCP connect scan against nmap's, full
# port range, same options, on
#   loopback  127.0.0.1 in the current namespace
#   lab       10.77.0.2, the target of the network lab (tests/lab/lab.sh),
#             scanned from the lab's scanner namespace
#   lab6      fd77::2, the same over IPv6 (not in the default TARGETS)
# each with nmap's default timing and with -T4.  Tools alternate within every
# round (odd rounds portscout first, even rounds nmap first) so neither
# profits systematically from warm caches.  Prints a markdown table for
# docs/BENCHMARKS.md on stdout (progress goes to stderr): median wall time of
# each tool, the ratio portscout/nmap, and whether the tools agree on the state
# of every port that is not closed (disagreements are listed by port).
#
# Usage: bench/connect.sh            (root for the lab targets; `make bench`)
# Environment:
#   PORTSCOUT        binary to time (default: build/portscout at the repo root)
#   ROUNDS           rounds per target and timing (default 5)
#   TARGETS          subset of "loopback lab lab6" (default "loopback lab")
#   TIMINGS          subset of "default T4" (default "default T4")
#   BENCH_NMAP_ONLY  1: time nmap alone (e.g. before portscout is built)
#   BENCH_KEEP       1: keep the directory with every scan's output
# Builds nothing; installs nmap with apt-get if it is missing.
# shellcheck disable=SC2016 # backquotes in printf formats are markdown code spans
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
ROUNDS=${ROUNDS:-5}
TARGETS=${TARGETS:-loopback lab}
TIMINGS=${TIMINGS:-default T4}
BENCH_NMAP_ONLY=${BENCH_NMAP_ONLY:-0}
SCAN_OPTS=(-sT -n -Pn -p-)


# Wall clock in seconds with sub-millisecond resolution; bash 5's
# EPOCHREALTIME avoids forking date(1) inside the timed region.
now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s\n' "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

check_tools() {
    case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS must be a positive integer" ;; esac
    if ! command -v nmap >/dev/null 2>&1; then
        [ "$(id -u)" -eq 0 ] || die "nmap is missing and installing it needs root"
        log "installing nmap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null; } ||
            die "could not install nmap"
    fi
    if [ "$BENCH_NMAP_ONLY" = 1 ]; then
        log "BENCH_NMAP_ONLY=1: timing nmap alone"
    elif [ ! -x "$PORTSCOUT" ]; then
        die "portscout binary not found or not executable: $PORTSCOUT
    build it first (make build), or point PORTSCOUT at it,
    or set BENCH_NMAP_ONLY=1 to time nmap alone"
    fi
}

# Runs one scan; $1 output file, $2 target (loopback|lab|lab6), $3 tool,
# then the options.  Prints the wall time, or "fail" if the tool failed.
run_scan() {
    local out=$1 target=$2 tool=$3 t0 t1 rc=0 bin addr
    shift 3
    if [ "$tool" = portscout ]; then bin=$PORTSCOUT; else bin=nmap; fi
    case $target in
        loopback) addr=(127.0.0.1) ;;
        lab) addr=("$LAB_T4") ;;
        lab6) addr=(-6 "$LAB_T6") ;;
    esac
    t0=$(now)
    if [ "$target" = loopback ]; then
        "$bin" "$@" "${addr[@]}" >"$out" 2>"$out.err" || rc=$?
    else
        lab_scan "$bin" "$@" "${addr[@]}" >"$out" 2>"$out.err" || rc=$?
    fi
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        log "$tool on $target exited $rc: $(head -c 300 "$out.err")"
        mv "$out" "$out.failed" # not compared
        echo fail
        return 0
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# Median of the numbers on stdin ("fail" lines ignored; "n/a" if none).
# Compares the reports of one target/timing: files TOOL.ROUND.txt in $1.
# A port missing from a report's table is in that report's "Not shown:" state
# if it has a single one (else "unlisted"), so only ports some report lists
# (every port that is not closed, in a -p- scan) need comparing.  Prints
# "yes (COUNTS OF NMAP'S USUAL STATES)", "yes but for lossy ports (...)" or "no", then
# one line per port on which the tools differ in some round; $2 is a truth
# file used to recognise lossy ports (a miss there is no bug), or empty.
compare() {
    local dir=$1 truth=$2
    awk -v truth="$truth" '
        function state_of(run, p) {
            if (!(run in seen)) return ""
            if ((run, p) in st) return st[run, p]
            return dflt[run]
        }
        BEGIN {
            if (truth != "")
                while ((getline line < truth) > 0)
                    if (line !~ /^#/) { split(line, f, "\t"); policy[f[1]] = f[2] }
        }
        FNR == 1 {
            n = split(FILENAME, parts, "/"); split(parts[n], nm, ".")
            run = nm[1] "." nm[2]; seen[run] = 1; rounds[nm[2]] = 1; dflt[run] = "unlisted"
        }
        /^Not shown: / {
            s = $0; sub(/^Not shown: /, "", s)
            if (split(s, items, /, /) == 1) { split(items[1], w, " "); dflt[run] = w[2] }
        }
        /^[0-9]+\/tcp[ \t]/ { split($1, pp, "/"); st[run, pp[1]] = $2; ports[pp[1]] = 1 }
        END {
            bad = 0
            for (p in ports) {
                diff = 0
                split("", cp); split("", cn)
                for (r in rounds) {
                    a = state_of("portscout." r, p); b = state_of("nmap." r, p)
                    if (a != "" && b != "" && a != b) diff++
                    if (a != "") cp[a]++
                    if (b != "") cn[b]++
                }
                best = 0
                for (v in cn) if (cn[v] > best) { best = cn[v]; usual[p] = v }
                if (diff) {
                    line = p "/tcp: differs in " diff " round(s); portscout:"
                    for (v in cp) line = line " " v " x" cp[v]
                    line = line "; nmap:"
                    for (v in cn) line = line " " v " x" cn[v]
                    if (policy[p] == "lossy") line = line " (lossy port: a miss is legitimate)"
                    else hard++
                    out[++bad] = line
                }
            }
            for (p in usual) if (usual[p] != "closed") tally[usual[p]]++
            s = ""
            for (v in tally) s = s (s == "" ? "" : ", ") tally[v] " " v
            if (hard) print "no"
            else if (bad) print "yes but for lossy ports" (s == "" ? "" : " (" s ")")
            else print "yes" (s == "" ? "" : " (" s ")")
            for (i = 1; i <= bad; i++) print out[i]
        }' "$dir"/*.txt
}

# Benchmarks one target with one timing; appends a table row to $ROWS and
# disagreements to $NOTES.
bench_one() {
    local target=$1 timing=$2 dir r tool order label truth="" opts shown
    dir=$WORK/$target.$timing
    mkdir -p "$dir"
    opts=("${SCAN_OPTS[@]}")
    [ "$timing" = T4 ] && opts+=(-T4)
    shown="${opts[*]}"
    case $target in
        loopback) label="127.0.0.1 (loopback)" ;;
        lab) label="$LAB_T4 (lab)" truth=$LAB_TRUTH ;;
        lab6) label="$LAB_T6 (lab)" truth=$LAB_TRUTH shown="-6 $shown" ;; # run_scan adds -6
    esac
    for r in $(seq "$ROUNDS"); do
        if [ "$BENCH_NMAP_ONLY" = 1 ]; then order="nmap"
        elif [ $((r % 2)) -eq 1 ]; then order="portscout nmap"
        else order="nmap portscout"
        fi
        for tool in $order; do
            log "$label $shown: round $r/$ROUNDS, $tool"
            run_scan "$dir/$tool.$r.txt" "$target" "$tool" "${opts[@]}" >>"$dir/$tool.times"
        done
    done

    local mp mn ratio agree verdict
    mn=$(grep -v '^fail$' "$dir/nmap.times" | median)
    if [ "$BENCH_NMAP_ONLY" = 1 ]; then
        mp="n/a" ratio="n/a" verdict="n/a (nmap only)"
    else
        mp=$(grep -v '^fail$' "$dir/portscout.times" | median)
        ratio=$(awk -v a="$mp" -v b="$mn" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
        if ls "$dir"/portscout.*.txt >/dev/null 2>&1 && ls "$dir"/nmap.*.txt >/dev/null 2>&1; then
            agree=$(compare "$dir" "$truth")
        else
            agree="n/a"
        fi
        verdict=$(head -n 1 <<<"$agree")
        if [ "$(wc -l <<<"$agree")" -gt 1 ]; then
            verdict="$verdict, see below"
            {
                printf -- '- %s `%s`:\n' "$label" "$shown"
                tail -n +2 <<<"$agree" | sort -n | sed 's/^/    - /'
            } >>"$NOTES"
        fi
    fi
    for tool in portscout nmap; do
        if [ -f "$dir/$tool.times" ] && grep -q '^fail$' "$dir/$tool.times"; then
            verdict="$verdict; **$tool failed $(grep -c '^fail$' "$dir/$tool.times")x**"
            FAILED=1
        fi
    done
    printf '| %s | `%s` | %s | %s | %s | %s |\n' \
        "$label" "$shown" "$mp" "$mn" "$ratio" "$verdict" >>"$ROWS"
}

main() {
    check_tools
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-connect.XXXXXX")
    ROWS=$WORK/rows.md
    NOTES=$WORK/notes.md
    : >"$ROWS"
    : >"$NOTES"
    FAILED=0
    # Set before lab_up, which keeps (chains) an existing EXIT trap.
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        trap 'log "outputs kept in $WORK"' EXIT
    else
        trap 'rm -rf "$WORK"' EXIT
    fi

    local target timing need_lab=0
    for target in $TARGETS; do
        case $target in
            loopback) ;;
            lab | lab6) need_lab=1 ;;
            *) die "unknown target '$target' (loopback, lab, lab6)" ;;
        esac
    done
    for timing in $TIMINGS; do
        case $timing in default | T4) ;; *) die "unknown timing '$timing' (default, T4)" ;; esac
    done
    # shellcheck source=../tests/lab/lab.sh
    . "$ROOT/tests/lab/lab.sh"
    if [ "$need_lab" = 1 ]; then
        [ "$(id -u)" -eq 0 ] || die "the lab targets need root (or set TARGETS=loopback)"
        lab_up || die "could not bring the lab up"
    fi

    for target in $TARGETS; do
        for timing in $TIMINGS; do
            bench_one "$target" "$timing"
        done
    done

    local pver nver
    nver=$(nmap --version 2>/dev/null | head -n 1)
    if [ "$BENCH_NMAP_ONLY" = 1 ]; then pver="not run"
    else pver=$("$PORTSCOUT" --version 2>/dev/null | head -n 1) || true
    fi
    printf '### Connect scan (`-sT -n -Pn -p-`), median of %s rounds\n\n' "$ROUNDS"
    printf '%s; %s; %s CPU(s); kernel %s; %s.\n\n' "${pver:-portscout (no --version)}" "$nver" \
        "$(nproc)" "$(uname -r)" "$(date -u +%Y-%m-%d)"
    printf '| target | options | portscout (s) | nmap (s) | portscout/nmap | same states (ports not closed) |\n'
    printf '|---|---|---:|---:|---:|---|\n'
    cat "$ROWS"
    if [ -s "$NOTES" ]; then
        printf '\nDisagreements (state counts over all rounds):\n\n'
        cat "$NOTES"
    fi
    if [ "$FAILED" = 1 ]; then
        log "some scans failed (see the table); exiting 1"
        exit 1
    fi
}

# Run unless sourced (sourcing gives the helpers, e.g. to re-compare kept outputs).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
