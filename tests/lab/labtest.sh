#!/usr/bin/env bash
# The frame every lab test shares, sourced by tests/lab/test_*.sh:
#   labtest_need_root   exit 77 (CTest: skipped) unless root
#   labtest_begin       bring the lab up and set: check/fail counters,
#                       FAST (tight RTT timeouts), PORTS (every truth port),
#                       OUT (a scratch directory), cleanup of both on exit
#   labtest_end         print "N passed, M failed"; status 0 only if none failed
#   labtest_scanner BINARY  SCAN=(what to run): BINARY, or nmap with SCANNER=nmap
#                       (the tests that check their truth against nmap 7.93)
#   start_scan LABEL ARGS...  ${SCAN[@]} ARGS in the scanner namespace, in the
#                       background, within SCAN_TIMEOUT: stdout to LABEL.txt,
#                       stderr to LABEL.err, exit status to LABEL.rc; sets SCAN_PID

labtest_need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: the lab needs root (network namespaces)"
        exit 77
    fi
}

labtest_begin() {
    # shellcheck source=tests/lab/lab.sh
    . "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
    lab_up
    failures=0
    checks=0
    # Tight timeouts: a filtered port costs its retries times the RTT timeout.
    FAST=(--initial-rtt-timeout 300ms --max-rtt-timeout 300ms)
    PORTS=$(lab_ports)
    OUT=$(mktemp -d)
    trap 'rm -rf "$OUT"; lab_down' EXIT
}

labtest_scanner() {
    SCANNER=${SCANNER:-portscout}
    case $SCANNER in
        nmap) SCAN=(nmap) ;;
        portscout)
            local me
            me=$(basename "$0")
            SCAN=("${1:?usage: $me PORTSCOUT_BINARY (or SCANNER=nmap $me)}") ;;
        *) echo "SCANNER must be portscout (default) or nmap"; exit 2 ;;
    esac
    [ "$SCANNER" != nmap ] || command -v nmap >/dev/null 2>&1 || { echo "FAIL: nmap not found"; exit 1; }
}

start_scan() {
    local label=$1
    shift
    (
        rc=0
        ip netns exec "$LAB_SCAN_NS" timeout -k 5 "$SCAN_TIMEOUT" "${SCAN[@]}" "$@" \
            >"$OUT/$label.txt" 2>"$OUT/$label.err" || rc=$?
        echo "$rc" >"$OUT/$label.rc"
    ) &
    SCAN_PID=$!
}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { checks=$((checks + 1)); }

labtest_end() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
