#!/usr/bin/env bash
# Lab test of the grepable (-oG) and JSON Lines (-oJ) outputs: every port of
# the lab target must come out in the state of the lab's ground truth
# (tests/lab/truth.tsv) in both formats, with the truth's reason in JSON, over
# IPv4 and IPv6; ignored states, down hosts, --open, the summaries, string
# escaping, per-host streaming and "-" (standard output) are checked too, and
# every JSON record is validated against docs/portscout-json.schema.json.
# Grepable lines are parsed with awk, JSON with jq; the schema is checked with
# Debian's python3-jsonschema.  Packets go only between the lab's namespaces.
#
# Usage: test_grepable_json.sh PORTSCOUT_BINARY   (root; exit 77 = skipped)
# Needs: jq, python3-jsonschema (and the lab's iproute2, iptables).
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail when either check fails
set -eu
export LC_ALL=C # byte-wise sort, grep and awk

PORTSCOUT=${1:?usage: test_grepable_json.sh PORTSCOUT_BINARY}
. "$(dirname "$0")/labtest.sh"
labtest_need_root
HERE=$(cd "$(dirname "$0")" && pwd)
SCHEMA=$HERE/../../docs/portscout-json.schema.json
# Debian's interpreter, whatever python3 comes first in PATH.
PYTHON=/usr/bin/python3
command -v jq >/dev/null 2>&1 || { echo "FAIL: jq not found (Debian package jq)"; exit 1; }
"$PYTHON" -c 'import jsonschema' 2>/dev/null ||
    { echo "FAIL: $PYTHON cannot import jsonschema (Debian package python3-jsonschema)"; exit 1; }

labtest_begin
NTRUTH=$(lab_truth | wc -l)
DOWN=10.77.0.3 # an address of the lab subnet nobody answers for
TAB=$'\t'

scan() { # scan LABEL ARGS...: portscout in the scanner namespace; stdout to LABEL.out
    local label=$1
    shift
    if ! lab_scan "$PORTSCOUT" "$@" >"$OUT/$label.out" 2>"$OUT/$label.err"; then
        fail "$label: portscout exited non-zero: $(cat "$OUT/$label.err")"
    fi
}

# The truth as "port state reason" lines; the reason is the raw-scan reason
# (a connect scan reads the ICMP errors too), a reset being a refused connect.
truth_rows() {
    lab_truth | awk -F'\t' '{ r = $4; sub(/ ttl .*/, "", r); if (r == "reset") r = "conn-refused"
                              print $1, $3, r }'
}

# ---- grepable parsing (awk) -------------------------------------------------

# The port entries of ADDR's Ports line: "port state proto owner service rpc
# version nfields" (nfields is 8 for a well-formed entry ending in '/').
g_ports() { # g_ports FILE ADDR
    awk -F'\t' -v h="Host: $2 (" '
        index($1, h) == 1 {
            for (i = 2; i <= NF; i++) {
                if (substr($i, 1, 7) != "Ports: ") continue
                n = split(substr($i, 8), e, ", ")
                for (j = 1; j <= n; j++) {
                    m = split(e[j], f, "/")
                    print f[1], f[2], f[3], (f[4] == "" ? "-" : f[4]), f[5], \
                        (f[6] == "" ? "-" : f[6]), (f[7] == "" ? "-" : f[7]), m
                }
            }
        }' "$1"
}
# "STATE COUNT" of ADDR's "Ignored State:" field, if any.
g_ignored() { # g_ignored FILE ADDR
    awk -F'\t' -v h="Host: $2 (" '
        index($1, h) == 1 { for (i = 2; i <= NF; i++)
            if ($i ~ /^Ignored State: /) { s = $i; sub(/^Ignored State: /, "", s)
                                            gsub(/[()]/, "", s); print s } }' "$1"
}
# The Status values of ADDR's lines, space-separated.
g_status() { # g_status FILE ADDR
    awk -F'\t' -v h="Host: $2 (" '
        index($1, h) == 1 && $2 ~ /^Status: / { s = s sep substr($2, 9); sep = " " }
        END { print s }' "$1"
}
# Every line must be a comment or a well-formed host line.
g_wellformed() { # g_wellformed FILE LABEL
    local bad
    check
    bad=$(grep -Evc -e '^# ' -e "^Host: [0-9a-f.:]+ \([^()$TAB]*\)$TAB(Status: (Up|Down|Timeout)|Ports: [^$TAB]*($TAB""Ignored State: [a-z|]+ \([0-9]+\))?)\$" "$1") || true
    [ "$bad" = 0 ] || fail "$2: $bad malformed grepable line(s): $(grep -Ev -e '^# ' -e '^Host: ' "$1" | head -n 3)"
    check
    head -n 1 "$1" | grep -Eq '^# portscout [^ ]+ scan initiated [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4} as: ' ||
        fail "$2: grepable header line wrong: $(head -n 1 "$1")"
    check
    tail -n 1 "$1" | grep -Eq '^# portscout done at [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4} -- [0-9]+ IP address(es)? \([0-9]+ hosts? up\) scanned in [0-9]+\.[0-9]{2} seconds$' ||
        fail "$2: grepable footer line wrong: $(tail -n 1 "$1")"
}

# ---- JSON parsing (jq) ------------------------------------------------------

# Every line one JSON object, the record types in the order "scan host... summary".
j_wellformed() { # j_wellformed FILE LABEL NHOSTS
    local types want
    check
    types=$(jq -R -r 'try (fromjson | if type == "object" then .type else "not-an-object" end)
                      catch "not-json"' "$1" | tr '\n' ' ')
    want="scan $(printf 'host %.0s' $(seq "$3"))summary "
    [ "$types" = "$want" ] || fail "$2: JSON records are '$types', expected '$want'"
}
# "port state reason ttl service" of ADDR's listed ports.
j_ports() { # j_ports FILE ADDR
    jq -r --arg a "$2" 'select(.type == "host" and .address == $a) | .ports[] |
        "\(.port) \(.state) \(.reason) \(.ttl) \(.service // "null") \(.protocol)"' "$1"
}
j_host() { # j_host FILE ADDR JQ-EXPR: the expression applied to ADDR's host record
    jq -r --arg a "$2" "select(.type == \"host\" and .address == \$a) | $3" "$1"
}
j_type() { # j_type FILE TYPE JQ-EXPR
    jq -r --arg t "$2" "select(.type == \$t) | $3" "$1"
}
# The ports of nmap's compact form ("1-3,22"), one a line.
expand_compact() {
    tr , '\n' | awk -F- 'NF == 1 { print $1 } NF == 2 { for (p = $1; p <= $2; p++) print p }'
}

# States (and reasons) of every truth port against a "port state [reason]" list.
check_truth() { # check_truth LABEL LISTFILE WITH_REASON
    local label=$1 list=$2 port state reason want got
    while read -r port state reason; do
        check
        want=$state
        [ "$3" = 1 ] && want="$state $reason"
        got=$(awk -v p="$port" -v r="$3" '$1 == p { print (r == 1 ? $2 " " $3 : $2); exit }' "$list")
        [ "$got" = "$want" ] || fail "$label: port $port: expected '$want', got '${got:-nothing}'"
    done < <(truth_rows)
}

# The checks common to a full lab scan (-p the truth ports, --reason) of ADDR.
check_full_scan() { # check_full_scan LABEL ADDR ADDRTYPE ARGS...
    local label=$1 addr=$2 atype=$3 g j n bad
    shift 3
    g=$OUT/$label.gnmap j=$OUT/$label.json
    g_wellformed "$g" "$label -oG"
    j_wellformed "$j" "$label -oJ" 1

    # grepable: the host lines, then each port against the truth
    check
    [ "$(g_status "$g" "$addr")" = Up ] || fail "$label -oG: status '$(g_status "$g" "$addr")', expected 'Up'"
    g_ports "$g" "$addr" >"$OUT/$label.gports"
    check
    n=$(wc -l <"$OUT/$label.gports")
    [ "$n" -eq "$NTRUTH" ] || fail "$label -oG: $n ports listed, expected $NTRUTH"
    check
    bad=$(awk '$3 != "tcp" || $4 != "-" || $6 != "-" || $7 != "-" || $8 != 8' "$OUT/$label.gports")
    [ -z "$bad" ] || fail "$label -oG: malformed port entries: $(head -n 2 <<<"$bad")"
    check_truth "$label -oG" "$OUT/$label.gports" 0
    check
    [ -z "$(g_ignored "$g" "$addr")" ] || fail "$label -oG: unexpected Ignored State $(g_ignored "$g" "$addr")"
    check
    ! grep -q '^# Ports scanned:' "$g" || fail "$label -oG: '# Ports scanned' without -v"
    check
    head -n 1 "$g" | grep -qF " as: $PORTSCOUT $*" || fail "$label -oG: header does not carry the command line"

    # JSON: the scan record
    check
    [ "$(j_type "$j" scan '"\(.scanner) \(.version) \(.verbose) \(.debugging)"')" = "portscout $VERSION 0 0" ] ||
        fail "$label -oJ: scan record: $(j_type "$j" scan tojson)"
    check
    [ "$(jq --arg a "$PORTSCOUT $*" 'select(.type == "scan") | .args == $a' "$j")" = true ] ||
        fail "$label -oJ: args '$(j_type "$j" scan .args)', expected '$PORTSCOUT $*'"
    check
    [ "$(j_type "$j" scan '.scaninfo | map("\(.type) \(.protocol) \(.numservices)") | join(",")')" = "connect tcp $NTRUTH" ] ||
        fail "$label -oJ: scaninfo $(j_type "$j" scan '.scaninfo | tojson')"
    check
    [ "$(j_type "$j" scan '.scaninfo[0].services' | expand_compact | sort -n | tr '\n' ,)" = \
        "$(lab_ports | tr , '\n' | sort -n | tr '\n' ,)" ] ||
        fail "$label -oJ: scaninfo services '$(j_type "$j" scan '.scaninfo[0].services')' are not the truth's ports"

    # JSON: the host record, each port against the truth, with its reason
    check
    [ "$(j_host "$j" "$addr" '"\(.addrtype) \(.status.state) \(.status.reason) \(.timed_out) \(.hostnames | length) \(.extraports | length)"')" = \
        "$atype up user-set false 0 0" ] || fail "$label -oJ: host record: $(j_host "$j" "$addr" tojson | cut -c 1-300)"
    j_ports "$j" "$addr" >"$OUT/$label.jports"
    check
    n=$(wc -l <"$OUT/$label.jports")
    [ "$n" -eq "$NTRUTH" ] || fail "$label -oJ: $n ports listed, expected $NTRUTH"
    check_truth "$label -oJ" "$OUT/$label.jports" 1
    check
    bad=$(awk '$4 != 0 || $6 != "tcp"' "$OUT/$label.jports")
    [ -z "$bad" ] || fail "$label -oJ: ports with a ttl or a protocol other than tcp: $(head -n 2 <<<"$bad")"
    # the same service names in both formats ("unknown" in grepable is null in JSON)
    check
    diff <(awk '{ print $1, $2, $5 }' "$OUT/$label.gports" | sort) \
        <(awk '{ print $1, $2, ($5 == "null" ? "unknown" : $5) }' "$OUT/$label.jports" | sort) >/dev/null ||
        fail "$label: grepable and JSON disagree on states or services"
    check
    [ "$(j_host "$j" "$addr" '(.starttime <= .endtime) and (.latency_s == null or .latency_s >= 0)')" = true ] ||
        fail "$label -oJ: host times wrong: $(j_host "$j" "$addr" '[.starttime, .endtime, .latency_s] | tojson')"

    # summaries: the same sentence in both, the same counts
    check
    [ "$(j_type "$j" summary '"\(.hosts.up) \(.hosts.down) \(.hosts.total) \(.exit) \(.errormsg) \(.interrupted)"')" = \
        "1 0 1 success null false" ] || fail "$label -oJ: summary record: $(j_type "$j" summary tojson)"
    check
    [ "# portscout done at $(j_type "$j" summary '"\(.endstr) -- \(.summary)"')" = "$(tail -n 1 "$g")" ] ||
        fail "$label: JSON summary '$(j_type "$j" summary .summary)' differs from the grepable footer '$(tail -n 1 "$g")'"
    check
    [ "$(jq -s '(.[0].start <= .[-1].end) and (.[-1].elapsed >= 0) and (.[1].starttime >= .[0].start)' "$j")" = true ] ||
        fail "$label -oJ: start/end times out of order"
    # the terminal still gets the normal report when the formats go to files
    check
    grep -q "^portscout scan report for $addr\$" "$OUT/$label.out" ||
        fail "$label: the normal report is missing from standard output"
}

VERSION=$("$PORTSCOUT" --version | awk 'NR == 1 { print $3 }')

# 1. IPv4 and IPv6, discovery skipped, every truth port.
ARGS=(-sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" -oG "$OUT/v4.gnmap" -oJ "$OUT/v4.json" "$LAB_T4")
scan v4 "${ARGS[@]}"
check_full_scan v4 "$LAB_T4" ipv4 "${ARGS[@]}"
ARGS=(-6 -sT -n -Pn --reason "${FAST[@]}" -p "$PORTS" -oG "$OUT/v6.gnmap" -oJ "$OUT/v6.json" "$LAB_T6")
scan v6 "${ARGS[@]}"
check_full_scan v6 "$LAB_T6" ipv6 "${ARGS[@]}"

# 2. The default 1000 ports: the closed ones are an ignored state, listed in
#    neither format but counted ("Ignored State:", "extraports").
scan def -sT -n -Pn "${FAST[@]}" -oG "$OUT/def.gnmap" -oJ "$OUT/def.json" "$LAB_T4"
g_wellformed "$OUT/def.gnmap" "default ports -oG"
j_wellformed "$OUT/def.json" "default ports -oJ" 1
NDEF=$(j_type "$OUT/def.json" scan '.scaninfo[0].numservices')
check
[ "$NDEF" = 1000 ] || fail "default ports: $NDEF ports scanned, expected 1000"
j_type "$OUT/def.json" scan '.scaninfo[0].services' | expand_compact >"$OUT/def.scanned"
g_ports "$OUT/def.gnmap" "$LAB_T4" >"$OUT/def.gports"
j_ports "$OUT/def.json" "$LAB_T4" >"$OUT/def.jports"
read -r ist icount < <(g_ignored "$OUT/def.gnmap" "$LAB_T4"; echo) || true
check
[ "${ist:-}" = closed ] && [ $((icount + $(wc -l <"$OUT/def.gports"))) -eq "$NDEF" ] ||
    fail "default ports -oG: 'Ignored State: ${ist:-} (${icount:-})' plus $(wc -l <"$OUT/def.gports") listed is not $NDEF closed+listed"
check
[ "$(j_host "$OUT/def.json" "$LAB_T4" '.extraports | map("\(.protocol) \(.state) \(.count) \(.reasons | to_entries | map("\(.key)=\(.value)") | join(","))") | join(";")')" = \
    "tcp closed ${icount:-?} conn-refused=${icount:-?}" ] ||
    fail "default ports -oJ: extraports $(j_host "$OUT/def.json" "$LAB_T4" '.extraports | tojson'), expected ${icount:-?} closed"
check
diff <(awk '{ print $1, $2 }' "$OUT/def.gports") <(awk '{ print $1, $2 }' "$OUT/def.jports") >/dev/null ||
    fail "default ports: grepable and JSON list different ports"
# every truth port among the scanned ones that is not closed is listed, in its state
while read -r port state reason; do
    grep -qx "$port" "$OUT/def.scanned" || continue
    [ "$state" = closed ] && continue
    check
    got=$(awk -v p="$port" '$1 == p { print $2, $3; exit }' "$OUT/def.jports")
    [ "$got" = "$state $reason" ] || fail "default ports -oJ: port $port: expected '$state $reason', got '${got:-nothing}'"
done < <(truth_rows)
check
[ -z "$(awk '$2 == "closed"' "$OUT/def.gports")" ] || fail "default ports -oG: a closed port is listed"

# 3. A silent host, verbose, with discovery: "Status: Down" in grepable, a
#    down host record in JSON, and the verbose "# Ports scanned" line.
ARGS=(-sT -n -v "${FAST[@]}" -p 22 -oG "$OUT/down.gnmap" -oJ "$OUT/down.json" "$DOWN")
scan down "${ARGS[@]}"
g_wellformed "$OUT/down.gnmap" "down -oG"
j_wellformed "$OUT/down.json" "down -oJ" 1
check
[ "$(sed -n 2p "$OUT/down.gnmap")" = "# Ports scanned: TCP(1;22) UDP(0;) SCTP(0;) PROTOCOLS(0;)" ] ||
    fail "down -oG: second line '$(sed -n 2p "$OUT/down.gnmap")'"
check
[ "$(grep -c '^Host: ' "$OUT/down.gnmap")" = 1 ] && grep -qx "Host: $DOWN ()${TAB}Status: Down" "$OUT/down.gnmap" ||
    fail "down -oG: expected one 'Host: $DOWN ()<TAB>Status: Down' line: $(grep '^Host' "$OUT/down.gnmap")"
check
tail -n 1 "$OUT/down.gnmap" | grep -q -- "-- 1 IP address (0 hosts up) scanned in " ||
    fail "down -oG: footer $(tail -n 1 "$OUT/down.gnmap")"
check
[ "$(j_host "$OUT/down.json" "$DOWN" '"\(.status.state) \(.status.reason) \(.latency_s) \(.ports | length) \(.extraports | length)"')" = \
    "down no-response null 0 0" ] || fail "down -oJ: host record $(j_host "$OUT/down.json" "$DOWN" tojson)"
check
[ "$(j_type "$OUT/down.json" summary '"\(.hosts.up) \(.hosts.down) \(.hosts.total) \(.exit)"')" = "0 1 1 success" ] ||
    fail "down -oJ: summary $(j_type "$OUT/down.json" summary tojson)"
check
[ "$(j_type "$OUT/down.json" scan .verbose)" = 1 ] || fail "down -oJ: scan record verbose is not 1"

# 4. Without -v a down host has no grepable line but still a JSON record.
scan two -sT -n "${FAST[@]}" -p 21,22,80 -oG "$OUT/two.gnmap" -oJ "$OUT/two.json" "$LAB_T4" "$DOWN"
g_wellformed "$OUT/two.gnmap" "two hosts -oG"
j_wellformed "$OUT/two.json" "two hosts -oJ" 2
check
! grep -q "^Host: $DOWN " "$OUT/two.gnmap" || fail "two hosts -oG: the down host is listed without -v"
check
[ "$(g_status "$OUT/two.gnmap" "$LAB_T4")" = Up ] && [ "$(g_ports "$OUT/two.gnmap" "$LAB_T4" | awk '{ printf "%s%s/%s", s, $1, $2; s = "," }')" = \
    "21/closed,22/open,80/open" ] || fail "two hosts -oG: $LAB_T4 lines wrong: $(grep "^Host: $LAB_T4 " "$OUT/two.gnmap")"
check
tail -n 1 "$OUT/two.gnmap" | grep -q -- "-- 2 IP addresses (1 host up) scanned in " ||
    fail "two hosts -oG: footer $(tail -n 1 "$OUT/two.gnmap")"
check
[ "$(j_host "$OUT/two.json" "$LAB_T4" '.status | "\(.state) \(.reason)"') $(j_host "$OUT/two.json" "$DOWN" .status.state)" = \
    "up arp-response down" ] || fail "two hosts -oJ: statuses wrong"
check
j_host "$OUT/two.json" "$LAB_T4" .mac.address | grep -Eq '^([0-9A-F]{2}:){5}[0-9A-F]{2}$' ||
    fail "two hosts -oJ: no MAC address for the host on the lab's Ethernet"
check
[ "$(j_type "$OUT/two.json" summary '"\(.hosts.up) \(.hosts.down) \(.hosts.total)"')" = "1 1 2" ] ||
    fail "two hosts -oJ: summary $(j_type "$OUT/two.json" summary tojson)"

# 5. --open: only open ports listed; grepable names no ignored state when
#    two are ignored (as nmap); JSON counts the rest per state and reason.
scan open -sT -n -Pn --open "${FAST[@]}" -p "$PORTS" -oG "$OUT/open.gnmap" -oJ "$OUT/open.json" "$LAB_T4"
g_wellformed "$OUT/open.gnmap" "--open -oG"
j_wellformed "$OUT/open.json" "--open -oJ" 1
WANT_OPEN=$(truth_rows | awk '$2 == "open" { print $1 }' | sort -n | tr '\n' ,)
check
[ "$(g_ports "$OUT/open.gnmap" "$LAB_T4" | awk '$2 == "open" { print $1 }' | sort -n | tr '\n' ,)" = "$WANT_OPEN" ] &&
    [ "$(g_ports "$OUT/open.gnmap" "$LAB_T4" | wc -l)" -eq "$(truth_rows | awk '$2 == "open"' | wc -l)" ] ||
    fail "--open -oG: listed $(g_ports "$OUT/open.gnmap" "$LAB_T4" | awk '{ print $1 "/" $2 }' | tr '\n' ' '), expected the open ports $WANT_OPEN"
check
[ -z "$(g_ignored "$OUT/open.gnmap" "$LAB_T4")" ] || fail "--open -oG: Ignored State with two ignored states"
check
[ "$(j_ports "$OUT/open.json" "$LAB_T4" | awk '$2 == "open" { print $1 }' | sort -n | tr '\n' ,)" = "$WANT_OPEN" ] &&
    [ "$(j_ports "$OUT/open.json" "$LAB_T4" | wc -l)" -eq "$(truth_rows | awk '$2 == "open"' | wc -l)" ] ||
    fail "--open -oJ: listed ports are not the open ones"
check
[ "$(j_host "$OUT/open.json" "$LAB_T4" '.extraports[] | "\(.protocol) \(.state) \(.count) \(.reasons | to_entries | map("\(.key)=\(.value)") | sort | join(","))"' | sort)" = \
    "$(truth_rows | awk '$2 != "open" { print $2, $3 }' | sort | uniq -c |
        awk '{ n[$2] += $1; r[$2] = r[$2] (r[$2] == "" ? "" : ",") $3 "=" $1 }
             END { for (s in n) print "tcp", s, n[s], r[s] }' | sort)" ] ||
    fail "--open -oJ: extraports $(j_host "$OUT/open.json" "$LAB_T4" '.extraports | tojson') do not count the truth's closed and filtered ports"
# ... and a host without an open port: no grepable line at all, a JSON record still.
scan noopen -sT -n -Pn --open "${FAST[@]}" -p 21,23,2000 -oG "$OUT/noopen.gnmap" -oJ "$OUT/noopen.json" "$LAB_T4"
check
! grep -q '^Host: ' "$OUT/noopen.gnmap" || fail "--open -oG: a host without open ports is listed"
check
[ "$(j_host "$OUT/noopen.json" "$LAB_T4" '"\(.status.state) \(.ports | length) \([.extraports[].count] | add)"')" = "up 0 3" ] ||
    fail "--open -oJ: host without open ports: $(j_host "$OUT/noopen.json" "$LAB_T4" tojson)"

# 6. "-oG -" and "-oJ -" write the format to standard output, and then the
#    normal report is not printed there.
scan gstdout -sT -n -Pn "${FAST[@]}" -p 21,22,80 -oG - "$LAB_T4"
g_wellformed "$OUT/gstdout.out" "-oG -"
check
[ "$(g_ports "$OUT/gstdout.out" "$LAB_T4" | awk '{ printf "%s%s/%s", s, $1, $2; s = "," }')" = "21/closed,22/open,80/open" ] ||
    fail "-oG -: ports on standard output wrong: $(cat "$OUT/gstdout.out")"
check
! grep -Eq '^(Starting portscout|portscout scan report|PORT )' "$OUT/gstdout.out" ||
    fail "-oG -: the normal report is printed to standard output too"
scan jstdout -sT -n -Pn "${FAST[@]}" -p 21,22,80 -oJ - "$LAB_T4"
j_wellformed "$OUT/jstdout.out" "-oJ -" 1
check
[ "$(j_ports "$OUT/jstdout.out" "$LAB_T4" | awk '{ printf "%s%s/%s", s, $1, $2; s = "," }')" = "21/closed,22/open,80/open" ] ||
    fail "-oJ -: ports on standard output wrong"
# with -v, the verbose progress lines belong to the normal report too
scan jstdoutv -sT -n -Pn -v "${FAST[@]}" -p 21,22,80 -oJ - "$LAB_T4"
j_wellformed "$OUT/jstdoutv.out" "-v -oJ - (standard output must hold only JSON records)" 1
scan gstdoutv -sT -n -Pn -v "${FAST[@]}" -p 21,22,80 -oG - "$LAB_T4"
g_wellformed "$OUT/gstdoutv.out" "-v -oG - (standard output must hold only grepable lines)"

# 7. Escaping: a command line with control characters, quotes, backslashes,
#    UTF-8 and bytes that are not UTF-8 (--stylesheet takes any text).
# (a surrogate, an emoji, an overlong '/', a sequence cut short at the end)
WEIRD=$'a\x01b\xff"\\\n\tc\xc3\xa9\xed\xa0\x80z\xf0\x9f\x98\x80\xc0\xaf\xe2\x82'
R=$'\xef\xbf\xbd' # U+FFFD
DECODED=$'a\x01b'"$R"$'"\\\n\tc\xc3\xa9'"$R$R$R"$'z\xf0\x9f\x98\x80'"$R$R$R"
ARGS=(-sT -n -Pn --stylesheet "$WEIRD" -p 22 -oG "$OUT/esc.gnmap" -oJ "$OUT/esc.json" "$LAB_T4")
scan esc "${ARGS[@]}"
g_wellformed "$OUT/esc.gnmap" "escaping -oG"
j_wellformed "$OUT/esc.json" "escaping -oJ" 1
WANT="$PORTSCOUT -sT -n -Pn --stylesheet $DECODED -p 22 -oG $OUT/esc.gnmap -oJ $OUT/esc.json $LAB_T4"
check
[ "$(jq --arg a "$WANT" 'select(.type == "scan") | .args == $a' "$OUT/esc.json")" = true ] ||
    fail "escaping -oJ: args decode to '$(j_type "$OUT/esc.json" scan .args)'"
check
head -n 1 "$OUT/esc.json" | grep -qF 'a\u0001b\ufffd\"\\\n\tc'$'\xc3\xa9''\ufffd\ufffd\ufffdz'$'\xf0\x9f\x98\x80''\ufffd\ufffd\ufffd -p 22' ||
    fail "escaping -oJ: raw args not escaped as expected: $(head -n 1 "$OUT/esc.json" | cut -c 1-200)"
check
head -n 1 "$OUT/esc.gnmap" | grep -qF -- "--stylesheet a?b"$'\xff''"\??c' ||
    fail "escaping -oG: control characters not replaced in the header: $(head -n 1 "$OUT/esc.gnmap")"

# 8. Streaming: each host's lines are written (and flushed) when the host is
#    done, not at the end.  One host at a time, a second between probes: the
#    first host's records must be in the files while the scan still runs.
lab_scan "$PORTSCOUT" -sT -n -Pn --max-hostgroup 1 --scan-delay 1s -p 22,80 \
    -oG "$OUT/stream.gnmap" -oJ "$OUT/stream.json" "$LAB_T4" "$LAB_T4" >/dev/null 2>&1 &
spid=$!
seen=""
for _ in $(seq 200); do
    if grep -q "^Host: $LAB_T4 .*Ports: " "$OUT/stream.gnmap" 2>/dev/null &&
        grep -q '"type":"host"' "$OUT/stream.json" 2>/dev/null; then
        kill -0 "$spid" 2>/dev/null && seen=running || seen=finished
        break
    fi
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05
done
wait "$spid" || true
check
[ "$seen" = running ] || fail "streaming: the first host's records were not written while the scan ran (${seen:-never seen})"
check
[ "$(grep -c '"type":"host"' "$OUT/stream.json")" = 2 ] && tail -n 1 "$OUT/stream.json" | grep -q '"type":"summary"' ||
    fail "streaming: the finished file lacks its records"

# 9. Every JSON record of every scan above against the schema.
for f in "$OUT"/*.json "$OUT/jstdout.out"; do
    check
    if ! msg=$("$PYTHON" - "$SCHEMA" "$f" <<'EOF'
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=FormatChecker())
bad = []
with open(sys.argv[2], "rb") as f:
    for n, raw in enumerate(f, 1):
        try:
            rec = json.loads(raw.decode("utf-8"))  # strict: the line must be UTF-8
        except ValueError as e:
            bad.append(f"line {n}: not JSON/UTF-8: {e}")
            continue
        err = best_match(validator.iter_errors(rec))
        if err is not None and isinstance(rec, dict) and rec.get("type") in schema["$defs"]:
            # the oneOf says only "not valid under any"; ask the record's own type why
            own = {k: v for k, v in schema.items() if k != "oneOf"}
            own["$ref"] = "#/$defs/" + rec["type"]
            err = best_match(Draft202012Validator(own, format_checker=FormatChecker())
                             .iter_errors(rec)) or err
        if err is not None:
            bad.append(f"line {n}: {err.message} at /{'/'.join(map(str, err.absolute_path))}")
print("; ".join(bad[:3]))
sys.exit(1 if bad else 0)
EOF
    ); then
        fail "schema: $(basename "$f"): $msg"
    fi
done

labtest_end
