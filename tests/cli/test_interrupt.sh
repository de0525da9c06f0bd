#!/usr/bin/env bash
# SIGINT in the middle of a scan: portscout stops, reports the hosts it
# finished, closes every output with a summary that says it was interrupted,
# and exits 130.  Scans loopback only.
#
# Usage: test_interrupt.sh PORTSCOUT_BINARY
set -eu
PORTSCOUT=${1:?usage: test_interrupt.sh PORTSCOUT_BINARY}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# shellcheck source=tests/cli/clitest.sh
. "$(dirname "$0")/clitest.sh"

# Four hosts, one at a time, each taking about half a second.
"$PORTSCOUT" -n -Pn -p 1-10000 --max-rate 20000 --max-hostgroup 1 127.0.0.1-4 \
    -oA "$OUT/scan" -oJ "$OUT/scan.json" > "$OUT/stdout" 2> "$OUT/stderr" &
pid=$!
sleep 1.3
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?

check "exit status 130 after SIGINT (got $rc)" '[ "$rc" -eq 130 ]'
hosts=$(grep -c "^portscout scan report for" "$OUT/stdout" || true)
check "some but not all hosts reported (got $hosts)" '[ "$hosts" -ge 1 ] && [ "$hosts" -le 3 ]'
check "terminal report says the scan stopped early" \
    'grep -q "^Scan stopped early (Interrupted by SIGINT)" "$OUT/stdout"'
check "terminal report ends with the done line" \
    'tail -n 1 "$OUT/stdout" | grep -q "^portscout done: $hosts IP address"'
check "-oN file is complete" \
    'tail -n 1 "$OUT/scan.nmap" | grep -q "^# portscout done at .* -- $hosts IP address"'
check "-oN file has the same hosts" \
    '[ "$(grep -c "^portscout scan report for" "$OUT/scan.nmap")" -eq "$hosts" ]'

# The machine-readable formats, each complete and saying it was interrupted.
check "-oG file ends with its footer" \
    'tail -n 1 "$OUT/scan.gnmap" | grep -q "^# portscout done at .* -- $hosts IP address"'
check "-oG file has one line per reported host" \
    '[ "$(grep -c "Status: Up" "$OUT/scan.gnmap")" -eq "$hosts" ]'
check "-oJ summary record says interrupted" \
    'tail -n 1 "$OUT/scan.json" | jq -e ".type == \"summary\" and .interrupted == true and .exit == \"error\"" >/dev/null'
check "-oJ has one host record per reported host" \
    '[ "$(jq -c "select(.type == \"host\")" "$OUT/scan.json" | wc -l)" -eq "$hosts" ]'
check "-oX file is well-formed and closed" 'xmllint --noout "$OUT/scan.xml"'
check "-oX runstats say exit=error with the reason" \
    '[ "$(xmllint --xpath "string(/nmaprun/runstats/finished/@exit)" "$OUT/scan.xml")" = error ]'
check "-oX reports the finished hosts" \
    '[ "$(xmllint --xpath "count(/nmaprun/host)" "$OUT/scan.xml")" -eq "$hosts" ]'

clitest_end
