#!/usr/bin/env bash
# Benchmark (not a test): version detection (-sV) of the lab's service host
# (tests/lab/services.sh: sshd, nginx with TLS, vsftpd, redis, memcached,
# PostgreSQL, dnsmasq, rpcbind, rpc.statd, exim, dovecot, mosquitto, lighttpd,
# telnetd, slapd) by nmap and by portscout in the same run:
#   portscout           with our own database (data/portscout-service-probes)
#   portscout+nmapdb    with --versiondb pointed at nmap's installed file
# Prints, for docs/BENCHMARKS.md, a markdown table of the median wall times and
# the ratios against nmap, then the identification of every port side by side
# (service, product, version), with the lab's truth (truth_services.tsv) and
# whether each tool got it right.  The hostile services of the lab (an endless
# stream, binary junk) are left out: nmap spends many minutes on them.
#
# Usage: bench/version.sh   (root: the lab's namespaces)
# Environment:
#   PORTSCOUT   binary to time (default: build/portscout at the repo root)
#   ROUNDS      rounds (default 3); tools alternate their order every round
#   BENCH_KEEP  1: keep the directory with every scan's output
# shellcheck disable=SC2016 # backquotes in printf formats are markdown code spans
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
PORTSCOUT=${PORTSCOUT:-$ROOT/build/portscout}
ROUNDS=${ROUNDS:-3}
NMAPDB=/usr/share/nmap/nmap-service-probes
[ "$(id -u)" -eq 0 ] || die "the lab needs root"
[ -x "$PORTSCOUT" ] || die "portscout binary not found: $PORTSCOUT (make build)"
command -v nmap >/dev/null 2>&1 || die "nmap is missing (scripts/setup check installs it)"
[ -r "$NMAPDB" ] || die "$NMAPDB is missing"
case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS must be a positive integer" ;; esac

# shellcheck source=tests/lab/lab.sh
. "$ROOT/tests/lab/lab.sh"
# shellcheck source=tests/lab/services.sh
. "$ROOT/tests/lab/services.sh"
OUT=$(mktemp -d)
cleanup() { svc_down; lab_down; [ "${BENCH_KEEP:-0}" = 1 ] && log "kept $OUT" || rm -rf "$OUT"; }
LAB_NO_TRAP=1 lab_up >/dev/null || die "lab_up failed"
trap cleanup EXIT
svc_up || die "the lab's services did not start"

# the truth without the hostile ports
TRUTH=$OUT/truth.tsv
svc_truth | awk -F'\t' '$4 != "-"' >"$TRUTH"
TCP=$(awk -F'\t' '$2 == "tcp" { printf "%s%s", s, $1; s = "," }' "$TRUTH")
UDP=$(awk -F'\t' '$2 == "udp" { printf "%s%s", s, $1; s = "," }' "$TRUTH")
ARGS=(-sV -sS -sU -n -Pn -p "T:$TCP,U:$UDP")
now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }

run() { # run TOOL ROUND: one scan, its XML in OUT/TOOL.ROUND.xml, its time printed
    local tool=$1 round=$2 t0 t1 bin extra=()
    case $tool in
        nmap) bin=nmap ;;
        portscout) bin=$PORTSCOUT ;;
        portscout+nmapdb) bin=$PORTSCOUT extra=(--versiondb "$NMAPDB") ;;
    esac
    t0=$(now)
    lab_scan "$bin" "${ARGS[@]}" "${extra[@]}" -oX "$OUT/$tool.$round.xml" "$SVC_T4" \
        >"$OUT/$tool.$round.txt" 2>&1 || log "$tool exited non-zero (round $round)"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

TOOLS=(nmap portscout portscout+nmapdb)
for round in $(seq "$ROUNDS"); do
    order=("${TOOLS[@]}")
    [ $((round % 2)) = 1 ] || order=(portscout+nmapdb portscout nmap)
    for tool in "${order[@]}"; do
        log "round $round: $tool"
        run "$tool" "$round" >>"$OUT/$tool.times"
    done
done

# port/proto -> "name|product|version" of the last round of a tool
services() {
    python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
for p in ET.parse(sys.argv[1]).iter('port'):
    s = p.find('service')
    g = lambda k: s.get(k, '') if s is not None else ''
    name = ('ssl/' if s is not None and s.get('tunnel') == 'ssl' else '') + g('name')
    print(p.get('portid') + '/' + p.get('protocol') + '\t' + '|'.join([name, g('product'), g('version')]))
EOF
}
for tool in "${TOOLS[@]}"; do services "$OUT/$tool.$ROUNDS.xml" >"$OUT/$tool.ids"; done

nmap_t=$(median <"$OUT/nmap.times")
printf '| tool | median time (s) | ratio to nmap | ports named as the truth |\n|---|---|---|---|\n'
for tool in "${TOOLS[@]}"; do
    t=$(median <"$OUT/$tool.times")
    right=0 total=0
    while IFS=$'\t' read -r port proto _ svc product vspec _; do
        want="$svc|$( [ "$product" = - ] || printf %s "$product")|$(svc_expected_version "$vspec")"
        got=$(awk -F'\t' -v k="$port/$proto" '$1 == k { print $2 }' "$OUT/$tool.ids")
        total=$((total + 1))
        [ "$got" != "$want" ] || right=$((right + 1))
    done <"$TRUTH"
    printf '| %s | %s | %s | %d/%d |\n' "$tool" "$t" \
        "$(awk -v a="$t" -v b="$nmap_t" 'BEGIN { printf "%.3f", a / b }')" "$right" "$total"
done
printf '\n| port | truth | nmap | portscout | portscout --versiondb nmap |\n|---|---|---|---|---|\n'
while IFS=$'\t' read -r port proto _ svc product vspec _; do
    want="$svc|$( [ "$product" = - ] || printf %s "$product")|$(svc_expected_version "$vspec")"
    row="| $port/$proto | $want"
    for tool in "${TOOLS[@]}"; do
        row="$row | $(awk -F'\t' -v k="$port/$proto" '$1 == k { print $2 }' "$OUT/$tool.ids")"
    done
    printf '%s |\n' "$row"
done <"$TRUTH"
# the same answers as nmap with nmap's database?
same=0 total=0
while IFS=$'\t' read -r key id; do
    total=$((total + 1))
    [ "$(awk -F'\t' -v k="$key" '$1 == k { print $2 }' "$OUT/portscout+nmapdb.ids")" != "$id" ] || same=$((same + 1))
done <"$OUT/nmap.ids"
printf '\nWith nmap'"'"'s database, portscout named %d of %d ports exactly as nmap did.\n' "$same" "$total"
