#!/usr/bin/env bash
# Benchmark (not a test): a list scan (-sL -n) of a large network with nmap
# and portscout: wall time and peak RSS of each, and portscout/nmap ratios.
# A list scan sends nothing (-n: no DNS either), so any network will do; the
# default is a /8 (16.7 million addresses: nmap takes about a minute).
# Each run writes its grepable output to /dev/null and its normal report
# through a pipe whose last line is kept, to check the count.
#
# Usage: bench/list.sh
# Environment:
#   PORTSCOUT   binary to time (default: build/portscout at the repo root;
#               a Release build, as `make build` makes, is the one to time)
#   NET         the network to list (default 10.0.0.0/8; 10.0.0.0/12 is quick)
#   ROUNDS      rounds (default 1); medians are printed
# Prints a markdown table on stdout, progress on stderr.
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
NET=${NET:-10.0.0.0/8}
ROUNDS=${ROUNDS:-1}

command -v nmap >/dev/null || { log "nmap is missing (scripts/setup installs it)"; exit 1; }
[ -x "$PORTSCOUT" ] || { log "no portscout binary at $PORTSCOUT (make build)"; exit 1; }
case $ROUNDS in '' | *[!0-9]* | 0) log "ROUNDS must be a positive integer"; exit 1 ;; esac

# measure CMD...: "seconds peak_rss_kb done-line" of one run, in a network
# namespace of its own when root, so that nothing could leave even by
# mistake.  Peak RSS from GNU time when installed; else from python's
# RUSAGE_CHILDREN, which also counts python's own size (about 10 MB: a
# child's peak includes what it had before its exec).
measure() {
    local wrap=()
    [ "$(id -u)" -eq 0 ] && wrap=(unshare -n)
    [ -x /usr/bin/time ] && wrap=(/usr/bin/time -f "PEAK %M" -o "/tmp/bench-list.$$.time" "${wrap[@]}")
    python3 - "/tmp/bench-list.$$.time" "${wrap[@]}" "$@" <<"PY"
import os, resource, subprocess, sys, time
timefile = sys.argv[1]
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
last = b""
for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
    last = (last + chunk)[-300:]
p.wait()
wall = time.monotonic() - t0
done = last.decode(errors="replace").rstrip("\n").split("\n")[-1]
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if os.path.exists(timefile):
    for line in open(timefile):
        if line.startswith("PEAK "):
            rss = int(line.split()[1])
    os.unlink(timefile)
print(f"{wall:.2f} {rss} {done}")
PY
}

declare -A T R
VARIANTS=("sequential" "--randomize-hosts")
for v in "${VARIANTS[@]}"; do
    opts=(-sL -n "$NET" -oG /dev/null)
    [ "$v" = sequential ] || opts+=("$v")
    for tool in nmap portscout; do
        bin=nmap
        [ "$tool" = portscout ] && bin=$PORTSCOUT
        : > "/tmp/bench-list.$$"
        for r in $(seq "$ROUNDS"); do
            log "$tool $v round $r: ${opts[*]}"
            read -r wall rss done < <(measure "$bin" "${opts[@]}")
            log "  ${wall} s, ${rss} KB: $done"
            echo "$wall $rss" >> "/tmp/bench-list.$$"
        done
        T[$tool,$v]=$(cut -d' ' -f1 "/tmp/bench-list.$$" | median %.6g)
        R[$tool,$v]=$(cut -d' ' -f2 "/tmp/bench-list.$$" | median %.6g)
        rm -f "/tmp/bench-list.$$"
    done
done

echo "| -sL -n $NET -oG /dev/null | nmap time | portscout time | ratio | nmap peak RSS | portscout peak RSS |"
echo "|---|---|---|---|---|---|"
for v in "${VARIANTS[@]}"; do
    awk -v v="$v" -v tn="${T[nmap,$v]}" -v tp="${T[portscout,$v]}" -v rn="${R[nmap,$v]}" \
        -v rp="${R[portscout,$v]}" 'BEGIN {
        printf "| %s | %.2f s | %.2f s | %.3fx | %.1f MB | %.1f MB |\n",
            v, tn, tp, (tn > 0 ? tp / tn : 0), rn / 1024, rp / 1024 }'
done
