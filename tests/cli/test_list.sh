#!/usr/bin/env bash
# List scan (-sL): every target named with its state unknown, nothing sent,
# in nmap 7.93's layout in every format (compared with what nmap itself
# writes for the same targets); --randomize-hosts lists the same targets in
# a seeded order; a /8 is listed in bounded memory.
#
# Never a DNS query: every run is -n, forward names come from a hosts file of
# our own (bind-mounted in a private mount namespace), and every run is in a
# fresh network namespace with nothing but its own loopback.
#
# Usage: test_list.sh PORTSCOUT_BINARY   (root: namespaces; exit 77 = skipped)
set -eu
PORTSCOUT=${1:?usage: test_list.sh PORTSCOUT_BINARY}
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root (network and mount namespaces)"
    exit 77
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# shellcheck source=tests/cli/clitest.sh
. "$(dirname "$0")/clitest.sh"

printf '127.0.0.1 localhost\n127.0.0.5 multi\n127.0.0.6 multi\n' > "$OUT/hosts"
# isolated CMD...: CMD in a new network namespace (loopback only, down) and a
# new mount namespace whose /etc/hosts is ours.
isolated() {
    unshare -n -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$OUT/hosts" "$@"
}

# ---- the layout of every format, against nmap ------------------------------

TARGETS="127.0.0.0/30 multi 127.0.0.9-10 localhost"
isolated nmap -sL -n -v $TARGETS -oA "$OUT/n" > "$OUT/n.stdout" 2> "$OUT/n.stderr"
isolated "$PORTSCOUT" -sL -n -v $TARGETS -oA "$OUT/p" -oJ "$OUT/p.json" \
    > "$OUT/p.stdout" 2> "$OUT/p.stderr"

# What may differ: the program's name and version, times, the command line.
normalize() {
    sed -e 's/Nmap/portscout/g; s/nmap/portscout/g' \
        -e '/^Starting /d; /^# portscout .* scan initiated /d' \
        -e 's/^# portscout done at .* -- /# portscout done -- /' \
        -e 's/scanned in [0-9.]* seconds/scanned in T seconds/' "$1"
}
for f in stdout nmap gnmap; do
    normalize "$OUT/n.$f" > "$OUT/n.$f.norm"
    normalize "$OUT/p.$f" > "$OUT/p.$f.norm"
    check "-sL $f output as nmap's" 'diff -u "$OUT/n.$f.norm" "$OUT/p.$f.norm"'
done
check "8 hosts listed" '[ "$(grep -c "^portscout scan report for" "$OUT/p.stdout")" -eq 8 ]'
check "the name's other address is shown" \
    'grep -qx "Other addresses for multi (not scanned): 127.0.0.6" "$OUT/p.stdout"'
check "nothing on stderr" '[ ! -s "$OUT/p.stderr" ]'

# XML: from <verbose> to the end, with the run's times taken out.
xml_body() {
    sed -n '/^<verbose/,$p' "$1" |
        sed -e 's/<finished [^>]*>/<finished\/>/' -e 's/scanned in [0-9.]* seconds//'
}
xml_body "$OUT/n.xml" > "$OUT/n.xml.body"
xml_body "$OUT/p.xml" > "$OUT/p.xml.body"
check "-sL XML hosts and counts as nmap's" 'diff -u "$OUT/n.xml.body" "$OUT/p.xml.body"'
check "-sL XML has no scaninfo, as nmap's" '! grep -q "<scaninfo" "$OUT/p.xml"'
check "-sL XML is well-formed" 'xmllint --noout "$OUT/p.xml"'

# JSON Lines: our own format, so checked against the schema and for content.
SCHEMA=$(dirname "$0")/../../docs/portscout-json.schema.json
check "-sL JSON records valid against the schema" 'python3 - "$SCHEMA" "$OUT/p.json" <<"PY"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]):
    jsonschema.validate(json.loads(line), schema)
PY'
check "-sL JSON: 8 hosts, every one unknown by user-set" \
    '[ "$(jq -c "select(.type == \"host\") | .status" "$OUT/p.json" | sort | uniq -c |
         sed "s/^ *//")" = "8 {\"state\":\"unknown\",\"reason\":\"user-set\"}" ]'
check "-sL JSON: the name with its other address" \
    'jq -e -s "any(.[]; .type == \"host\" and .address == \"127.0.0.5\" and
            .hostnames == [{\"name\": \"multi\", \"type\": \"user\"}] and
            .other_addresses == [\"127.0.0.6\"])" "$OUT/p.json" >/dev/null'
check "-sL JSON summary: 8 hosts, none up" \
    'jq -e "select(.type == \"summary\") | .hosts == {\"up\": 0, \"down\": 8, \"total\": 8}" \
        "$OUT/p.json" >/dev/null'

# A name that cannot be resolved (a 64-character label cannot be put in a
# DNS query, so the resolver fails without asking anyone): said on stderr,
# not counted, the others listed.
BAD=$(printf 'a%.0s' $(seq 64)).test
isolated "$PORTSCOUT" -sL -n 127.0.0.1 "$BAD" 127.0.0.2 > "$OUT/bad.stdout" 2> "$OUT/bad.stderr"
check "an unresolvable name is reported" 'grep -qF "Failed to resolve \"$BAD\"." "$OUT/bad.stderr"'
check "...and the other targets listed" \
    'grep -q "^portscout done: 2 IP addresses (0 hosts up)" "$OUT/bad.stdout"'

# IPv6.
isolated "$PORTSCOUT" -6 -sL -n ::1 fd00::/126 -oG - > "$OUT/v6.gnmap"
check "-6 -sL lists every address" \
    '[ "$(grep -c "Status: Unknown$" "$OUT/v6.gnmap")" -eq 5 ] &&
     grep -q "^Host: fd00::3 ()	Status: Unknown$" "$OUT/v6.gnmap"'

# ---- nothing is sent ---------------------------------------------------------

# In a namespace of our own whose loopback is up: its transmit counter (in
# /proc/net/dev, which is the reader's namespace's) does not move for a list
# scan (as root, the default scan would be a SYN scan), and does for a
# one-port scan (so the counter does see our packets).
unshare -n bash -c '
    ip link set lo up
    tx() { awk "/^ *lo:/ { sub(/.*:/, \"\"); print \$10 }" /proc/net/dev; }
    a=$(tx); "$0" -sL -n 127.0.0.0/29 > "$1/ns.list"; b=$(tx)
    "$0" -n -Pn -p 1 127.0.0.1 > /dev/null; c=$(tx)
    echo "$a $b $c" > "$1/ns.tx"' "$PORTSCOUT" "$OUT"
read -r tx_a tx_b tx_c < "$OUT/ns.tx"
check "-sL sends no packet (loopback sent $((tx_b - tx_a)))" '[ "$tx_b" -eq "$tx_a" ]'
check "...while a port scan there does (control: $((tx_c - tx_b)))" '[ "$tx_c" -gt "$tx_b" ]'
check "...and the list was complete" \
    'grep -q "^portscout done: 8 IP addresses (0 hosts up)" "$OUT/ns.list"'
# With no network at all (loopback down), the list is the same.
unshare -n "$PORTSCOUT" -sL -n 127.0.0.0/29 > "$OUT/down.list"
check "-sL works without any network" \
    '[ "$(grep -c "^portscout scan report for" "$OUT/down.list")" -eq 8 ]'

# ---- --randomize-hosts ------------------------------------------------------

list() { unshare -n "$PORTSCOUT" -sL -n "$@" -oG - | sed -n 's/^Host: \([^ ]*\) .*/\1/p'; }
list 10.3.0.0/23 10.9.9.9 > "$OUT/seq"
list --randomize-hosts --seed 11 10.3.0.0/23 10.9.9.9 > "$OUT/r11"
list --randomize-hosts --seed 11 10.3.0.0/23 10.9.9.9 > "$OUT/r11b"
list --randomize-hosts --seed 12 10.3.0.0/23 10.9.9.9 > "$OUT/r12"
check "random order holds the same 513 addresses" \
    '[ "$(wc -l < "$OUT/seq")" -eq 513 ] && [ "$(sort "$OUT/seq")" = "$(sort "$OUT/r12")" ]'
check "...in an order not sequential" '! cmp -s "$OUT/seq" "$OUT/r11"'
check "the same --seed gives the same order" 'cmp -s "$OUT/r11" "$OUT/r11b"'
check "another --seed another order" '! cmp -s "$OUT/r11" "$OUT/r12"'
unshare -n "$PORTSCOUT" -6 -sL -n --randomize-hosts fd00::/64 > /dev/null 2> "$OUT/huge.err" &&
    huge_rc=0 || huge_rc=$?
check "a space beyond 2^64 - 1 addresses is an error (exit $huge_rc)" \
    '[ "$huge_rc" -eq 1 ] && grep -q "more than 2^64 - 1 addresses" "$OUT/huge.err"'

# ---- a /8 in bounded memory ---------------------------------------------------

# Peak RSS of the scan (python's RUSAGE_CHILDREN: the largest waited-for
# descendant), and the done line of its normal report.
peak() {
    python3 - "$@" <<"PY"
import resource, subprocess, sys
p = subprocess.Popen(["unshare", "-n"] + sys.argv[1:], stdout=subprocess.PIPE)
last = b""
for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
    last = (last + chunk)[-200:]
p.wait()
done = last.decode().rstrip("\n").split("\n")[-1]
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, done)
PY
}
# Both orders at once (two cores; each measures its own scan).
peak "$PORTSCOUT" -sL -n 10.0.0.0/8 -oG /dev/null > "$OUT/peak.seq" &
peak "$PORTSCOUT" -sL -n 10.0.0.0/8 --randomize-hosts -oG /dev/null > "$OUT/peak.rand"
wait
for run in seq rand; do
    read -r rss rc done < "$OUT/peak.$run"
    what="-sL -n 10.0.0.0/8 -oG /dev/null"
    [ "$run" = seq ] || what="$what --randomize-hosts"
    check "$what: exit 0 (got $rc)" '[ "$rc" -eq 0 ]'
    check "$what: every address ($done)" '[ "${done%% IP*}" = "portscout done: 16777216" ]'
    check "$what: peak RSS ${rss} KB < 50 MB" '[ "$rss" -lt 51200 ]'
done
# The other formats, on a /12.
read -r rss rc done < <(peak "$PORTSCOUT" -sL -n 10.16.0.0/12 -oX /dev/null -oJ /dev/null)
check "-sL -n 10.16.0.0/12 -oX -oJ: every address, peak RSS ${rss} KB < 50 MB" \
    '[ "$rc" -eq 0 ] && [ "${done%% IP*}" = "portscout done: 1048576" ] && [ "$rss" -lt 51200 ]'

clitest_end
