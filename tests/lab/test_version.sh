#!/usr/bin/env bash
# Lab test of version detection (-sV): real Debian services on a lab host of their own
# (services.sh), each asserted by service name, product and the version of the package
# installed (truth_services.tsv), over IPv4 (and the services that listen there, IPv6);
# the XML valid against nmap's DTD and the JSON against our schema; hostile services (an
# endless stream, binary junk) reported without holding the scan beyond its budget;
# --versiondb with a file of our own; --version-intensity 0; a broken --versiondb refused
# with its line.
#
# Usage: tests/lab/test_version.sh PORTSCOUT_BINARY   (root)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/labtest.sh
. tests/lab/labtest.sh
labtest_need_root
labtest_scanner "${1:-}"
labtest_begin
# shellcheck source=tests/lab/services.sh
. tests/lab/services.sh
svc_up || { echo "FAIL: the lab's services did not start"; exit 1; }
trap 'svc_down; rm -rf "$OUT"; lab_down' EXIT
SCAN_TIMEOUT=${SCAN_TIMEOUT:-180}

TCP=$(svc_ports tcp)
UDP=$(svc_ports udp)

# Runs a scan to completion: label, then the scanner's arguments.
scan() {
    local label=$1
    shift
    start_scan "$label" "$@"
    wait "$SCAN_PID"
    [ "$(cat "$OUT/$label.rc")" = 0 ] || { fail "$label: exit $(cat "$OUT/$label.rc"): $(head -c 300 "$OUT/$label.err")"; return 1; }
}

# The ports of an XML report as "port/proto<TAB>state<TAB>name<TAB>product<TAB>version<TAB>extrainfo"
# (name with "ssl/" for a TLS tunnel, "-" for absent fields).
xml_services() {
    python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
for p in ET.parse(sys.argv[1]).iter('port'):
    s = p.find('service')
    st = p.find('state').get('state')
    g = (lambda k: (s.get(k) if s is not None and s.get(k) else '-'))
    name = g('name')
    if s is not None and s.get('tunnel') == 'ssl':
        name = 'ssl/' + name
    print('\t'.join([p.get('portid') + '/' + p.get('protocol'), st, name, g('product'), g('version'), g('extrainfo')]))
EOF
}

# Compares a report with the truth; $2: "4" or "6" (IPv6: only the rows whose service
# listens there, listed in $3 as port/proto words).
check_truth() {
    local xml=$1 fam=$2 only=${3:-} port proto kind svc product vspec extra want got line
    xml_services "$xml" >"$OUT/services.$fam"
    while IFS=$'\t' read -r port proto kind svc product vspec extra; do
        [ -z "$only" ] || case " $only " in *" $port/$proto "*) ;; *) continue ;; esac
        check
        line=$(awk -F'\t' -v k="$port/$proto" '$1 == k' "$OUT/services.$fam")
        if [ -z "$line" ]; then
            fail "IPv$fam $port/$proto ($kind): not in the report"
            continue
        fi
        IFS=$'\t' read -r _ got_state got_name got_product got_version got_extra <<<"$line"
        if [ "$got_state" != open ]; then
            fail "IPv$fam $port/$proto ($kind): state $got_state, want open"
            continue
        fi
        if [ "$svc" = - ]; then
            # hostile: reported, with some name, and nothing invented about it
            [ "$got_product" = - ] || fail "IPv$fam $port/$proto ($kind): product \"$got_product\" from junk"
            continue
        fi
        want=$(svc_expected_version "$vspec") || { fail "truth: $vspec"; continue; }
        [ -n "$want" ] || want=-
        got="$got_name|$got_product|$got_version"
        [ "$extra" = - ] || got="$got|$got_extra"
        local expect="$svc|$product|$want"
        [ "$extra" = - ] || expect="$expect|$extra"
        [ "$got" = "$expect" ] || fail "IPv$fam $port/$proto ($kind): got \"$got\", want \"$expect\""
    done < <(svc_truth)
}

# 1. Every service over IPv4, TCP and UDP at once, every output format.
if scan v4 -sV -sS -sU -n -Pn -p "T:$TCP,U:$UDP" -oX "$OUT/v4.xml" -oJ "$OUT/v4.json" -oG "$OUT/v4.gnmap" "$SVC_T4"; then
    check_truth "$OUT/v4.xml" 4
    check
    sed 's/scanner="portscout"/scanner="nmap"/' "$OUT/v4.xml" |
        xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd - 2>"$OUT/dtd.err" ||
        fail "-sV XML is not valid against nmap's DTD: $(head -3 "$OUT/dtd.err")"
    check
    # (JSON Lines: every record; Debian's python3 has jsonschema)
    /usr/bin/python3 -c '
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[2])))
for line in open(sys.argv[1]):
    v.validate(json.loads(line))' \
        "$OUT/v4.json" docs/portscout-json.schema.json 2>"$OUT/schema.err" ||
        fail "-sV JSON does not follow the schema: $(tail -3 "$OUT/schema.err")"
    # the certificate of the TLS port, in JSON
    check
    [ "$(jq -r 'select(.type == "host") | .ports[] | select(.port == 443 and .protocol == "tcp") |
                .version.certificate.subject' "$OUT/v4.json")" = \
        "commonName=lab.portscout.test/organizationName=portscout lab" ] ||
        fail "443/tcp: the certificate's subject is not in the JSON"
    # normal output: the VERSION column and the Service Info line
    check
    grep -Eq '^22/tcp +open +ssh +OpenSSH [^ ]+ Debian .*\(protocol 2\.0\)$' "$OUT/v4.txt" ||
        fail "normal output: no VERSION column for ssh"
    check
    grep -Eq '^Service Info: .*OSs?: ([^;]*, )?Linux' "$OUT/v4.txt" || fail "normal output: no Service Info line"
    check
    grep -q '443/open/tcp//ssl|http//nginx ' "$OUT/v4.gnmap" || fail "grepable: no ssl|http for 443"
    check
    grep -q 'unrecognized despite returning data' "$OUT/v4.txt" ||
        fail "the hostile services' answers are not shown as fingerprints"
fi

# 2. IPv6: the services that listen there.
V6="22/tcp 80/tcp 443/tcp 6379/tcp 11211/tcp 5432/tcp 53/tcp 110/tcp 143/tcp 32765/tcp 53/udp 111/udp 32765/udp"
if scan v6 -6 -sV -sS -sU -n -Pn -p T:22,80,443,6379,11211,5432,53,110,143,32765,U:53,111,32765 -oX "$OUT/v6.xml" "$SVC_T6"; then
    check_truth "$OUT/v6.xml" 6 "$V6"
fi

# 3. A database of our own (--versiondb): its rules, not ours, name the service.
cat >"$OUT/mini.db" <<'EOF'
Probe TCP NULL q||
totalwaitms 3000
match labssh m|^SSH-([\d.]+)-OpenSSH_(\S+)| p/Lab SSH/ v/$2/
EOF
if scan mini -sV --versiondb "$OUT/mini.db" -n -Pn -p 22 -oX "$OUT/mini.xml" "$SVC_T4"; then
    check
    xml_services "$OUT/mini.xml" | grep -Eq $'^22/tcp\topen\tlabssh\tLab SSH\t[0-9]' ||
        fail "--versiondb: 22/tcp not named by the given file: $(xml_services "$OUT/mini.xml")"
fi

# 4. --version-intensity 0: only the probes registered for a port (lighttpd on 8080 is
# GetRequest's), and the NULL probe.
if scan light -sV --version-intensity 0 -n -Pn -p 22,8080 -oX "$OUT/light.xml" "$SVC_T4"; then
    check
    xml_services "$OUT/light.xml" | grep -Eq $'^8080/tcp\topen\thttp\tlighttpd\t' ||
        fail "--version-intensity 0: 8080/tcp not identified"
fi

# 5. A broken database is refused with its line, before any packet.
printf 'Probe TCP NULL q||\nmatch x m|(unclosed| p/x/\n' >"$OUT/bad.db"
start_scan bad -sV --versiondb "$OUT/bad.db" -n -Pn -p 22 "$SVC_T4"
wait "$SCAN_PID"
check
[ "$(cat "$OUT/bad.rc")" = 1 ] && grep -q 'bad.db:2: bad regex' "$OUT/bad.err" ||
    fail "a broken --versiondb: exit $(cat "$OUT/bad.rc"), $(cat "$OUT/bad.err")"

labtest_end
