#!/usr/bin/env bash
# --resume: a scan interrupted by SIGINT, resumed from each of its output
# formats (normal, grepable, XML), ends with the same hosts and port states
# as an uninterrupted run; every host appears once and the XML stays valid
# against nmap's DTD.  Scans loopback only.
#
# Usage: test_resume.sh PORTSCOUT_BINARY
set -eu
PORTSCOUT=${1:?usage: test_resume.sh PORTSCOUT_BINARY}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DTD=$OUT/nmap.dtd
sed -E 's/^([[:space:]]*scanner[[:space:]]+)\(nmap\)/\1(nmap | portscout)/' \
    /usr/share/nmap/nmap.dtd > "$DTD"

# shellcheck source=tests/cli/clitest.sh
. "$(dirname "$0")/clitest.sh"
# "addr port/state ..." per host of an XML file, sorted
states() {
    xsltproc - "$1" <<'XSL' | LC_ALL=C sort
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text"/>
<xsl:template match="/"><xsl:for-each select="nmaprun/host">
<xsl:value-of select="address/@addr"/><xsl:for-each select="ports/port">
<xsl:text> </xsl:text><xsl:value-of select="@portid"/>/<xsl:value-of select="state/@state"/>
</xsl:for-each><xsl:for-each select="ports/extraports">
<xsl:text> +</xsl:text><xsl:value-of select="@count"/>/<xsl:value-of select="@state"/>
</xsl:for-each><xsl:text>&#10;</xsl:text></xsl:for-each></xsl:template>
</xsl:stylesheet>
XSL
}

SCAN=(-n -Pn -p 1-10000 --max-hostgroup 1 127.0.0.1-4)
"$PORTSCOUT" "${SCAN[@]}" -oX "$OUT/ref.xml" > /dev/null
states "$OUT/ref.xml" > "$OUT/ref.states"
check "reference scan has 4 hosts" '[ "$(wc -l < "$OUT/ref.states")" -eq 4 ]'

for from in nmap gnmap xml; do
    # About half a second per host: SIGINT lands while the second or third runs.
    "$PORTSCOUT" "${SCAN[@]}" --max-rate 20000 -oA "$OUT/$from" > /dev/null &
    pid=$!
    sleep 1.3
    kill -INT "$pid"
    rc=0
    wait "$pid" || rc=$?
    check "$from: interrupted run exits 130 (got $rc)" '[ "$rc" -eq 130 ]'
    before=$(xmllint --xpath "count(/nmaprun/host)" "$OUT/$from.xml")
    check "$from: interrupted run finished some hosts, not all ($before)" \
        '[ "$before" -ge 1 ] && [ "$before" -le 3 ]'

    rc=0
    "$PORTSCOUT" --resume "$OUT/$from.$from" > "$OUT/$from.resumed" || rc=$?
    check "$from: resume exits 0 (got $rc)" '[ "$rc" -eq 0 ]'
    check "$from: resume scans only the hosts left" \
        '[ "$(grep -c "^portscout scan report for" "$OUT/$from.resumed")" -eq $((4 - before)) ]'
    check "$from: XML valid after resume" 'xmllint --noout --dtdvalid "$DTD" "$OUT/$from.xml" 2>/dev/null'
    states "$OUT/$from.xml" > "$OUT/$from.states"
    check "$from: same hosts and states as the uninterrupted scan" \
        'cmp -s "$OUT/ref.states" "$OUT/$from.states"'
    check "$from: runstats count all 4 hosts" \
        '[ "$(xmllint --xpath "string(/nmaprun/runstats/hosts/@total)" "$OUT/$from.xml")" = 4 ]'
    check "$from: normal file reports each host once" \
        '[ "$(grep "^portscout scan report for" "$OUT/$from.nmap" | sort -u | wc -l)" -eq 4 ] &&
         [ "$(grep -c "^portscout scan report for" "$OUT/$from.nmap")" -eq 4 ]'
    check "$from: grepable file has each host up once" \
        '[ "$(grep -c "Status: Up" "$OUT/$from.gnmap")" -eq 4 ]'
done

# Beyond nmap: the host being scanned when the signal came is resumed from
# the ports it had concluded ("portscout partial host" lines), not afresh.
ONE=(-n -Pn -d -v -p 1-40000 --max-rate 20000 127.0.0.1)
"$PORTSCOUT" "${ONE[@]}" -oA "$OUT/one" > /dev/null &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid" || true
check "partial host recorded in every resumable format" \
    '[ "$(cat "$OUT/one.nmap" "$OUT/one.gnmap" "$OUT/one.xml" | grep -c "portscout partial host 127.0.0.1 up")" -eq 3 ]'
check "XML with a partial host is valid" 'xmllint --noout --dtdvalid "$DTD" "$OUT/one.xml" 2>/dev/null'
"$PORTSCOUT" --resume "$OUT/one.gnmap" > "$OUT/one.resumed"
sent=$(sed -n 's/^Probes sent: \([0-9]*\).*/\1/p' "$OUT/one.resumed")
check "resumed run probes only the ports left (sent ${sent:-none} of 40000)" \
    '[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" -lt 35000 ]'
"$PORTSCOUT" -n -Pn -p 1-40000 127.0.0.1 -oX "$OUT/one.ref.xml" > /dev/null
check "resumed host has the same port states as an uninterrupted scan" \
    '[ "$(states "$OUT/one.xml")" = "$(states "$OUT/one.ref.xml")" ]'

# Bad input: a file that is not a portscout output, extra options.
printf 'hello\n' > "$OUT/junk"
rc=0
msg=$("$PORTSCOUT" --resume "$OUT/junk" 2>&1) || rc=$?
check "resume from a foreign file fails (got $rc)" '[ "$rc" -eq 1 ]'
check "resume from a foreign file names the problem" 'echo "$msg" | grep -q "not a portscout output file"'
msg=$("$PORTSCOUT" --resume "$OUT/nmap.nmap" -v 2>&1 || true)
check "resume with other options is refused" 'echo "$msg" | grep -q "nothing else"'

clitest_end
