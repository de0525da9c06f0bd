#!/usr/bin/python3
"""Scores one host-discovery report against the lab's AnyIP ground truth (truth_sweep.tsv).

    sweep_check.py --truth FILE --tech TECH --xml REPORT.xml [--gnmap REPORT.gnmap]
                   [--mac MAC] [--ports P,P... --port-states POLICY=STATE[|STATE],...]
                   TARGET...

TARGET: the addresses and CIDR ranges the scan was given.  For each of their addresses, the
range row of the truth holding it gives the policy and how it is reached (routed / onlink),
the expect row of that policy and the address family gives the cell of column TECH, and the
report must agree: a host "up" with one of the cell's reasons, or not up where the cell says
down (absent from the report, or <status state="down">).  Hosts up by ARP or ND must carry
the MAC given by --mac, with a vendor naming Xensource (its OUI); other hosts on the segment
may carry it too (nmap reads the neighbour cache), hosts behind the router (routed) none.  The report may list no
address outside the targets, none twice, and its grepable twin (if given) must list exactly
the XML's hosts as up.  With --ports (a port scan with host discovery), every host reported up
must list exactly these TCP ports, in a state --port-states allows for its policy, and no host
that is not up may list any.

Prints, for tests/lab/test_discovery.sh and bench/sweep.sh:
    FAIL <what>              one line per mismatch
    POLICY <name> <up> <n>   per policy (and via): hosts reported up, hosts scanned
    LOSSY <up> <n>           the lossy hosts among the targets: reported up, scanned (only
                             where the truth allows them up: not for -PM, say)
    CHECKS <n>               how many comparisons were made
Exit status 0 when the report could be read (whatever it says), 2 on bad usage or truth.
"""

import argparse
import ipaddress
import re
import sys
import xml.etree.ElementTree as ET

ARP_REASONS = ("arp-response", "nd-response")


def load_truth(path):
    """Returns (ranges, expect): ranges a list of (network, policy, via); expect a dict
    (policy, via, family) -> {technique: cell}."""
    ranges, expect, columns = [], {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#expect\t"):
                columns = line.split("\t")[4:]
                continue
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if cells[0] == "range":
                ranges.append((ipaddress.ip_network(cells[1], strict=False), cells[2], cells[3]))
            elif cells[0] == "expect":
                if columns is None:
                    raise ValueError("an expect row before the #expect header")
                if len(cells) != 4 + len(columns):
                    raise ValueError("expect row with %d cells, header has %d: %s"
                                     % (len(cells) - 4, len(columns), line))
                expect[(cells[1], cells[2], cells[3])] = dict(zip(columns, cells[4:]))
            else:
                raise ValueError("unknown row kind %r" % cells[0])
    return ranges, expect


def parse_cell(cell):
    """'up a|b or down' -> (set of allowed reasons when up, whether down is allowed)."""
    reasons, down = set(), False
    for alt in cell.split(" or "):
        alt = alt.strip()
        if alt == "down":
            down = True
        elif alt.startswith("up "):
            reasons.update(alt[3:].split("|"))
        else:
            raise ValueError("bad truth cell %r" % cell)
    return reasons, down


def expand(targets):
    """Every address of the target specs, in order, each once."""
    seen, out = set(), []
    for t in targets:
        net = ipaddress.ip_network(t, strict=False)
        if net.num_addresses > 1 << 20:
            raise ValueError("target %s too large to check" % t)
        for a in net:
            if a not in seen:
                seen.add(a)
                out.append(a)
    return out


def expand_ports(text):
    """'22,80-81' -> [22, 80, 81]."""
    out = []
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def host_ports(h):
    """port -> list of states of one <host>: its <port> elements and the ports named by its
    <extrareasons> (nmap 7.93 and portscout name them; an <extraports> that does not is
    reported as port 0, which matches nothing)."""
    ports = {}
    for p in h.iter("port"):
        if p.get("protocol") == "tcp":
            st = p.find("state")
            ports.setdefault(int(p.get("portid")), []).append(st.get("state") if st is not None else None)
    for ex in h.iter("extraports"):
        named = False
        for er in ex.iter("extrareasons"):
            if er.get("ports") and er.get("proto", "tcp") == "tcp":
                named = True
                for port in expand_ports(er.get("ports")):
                    ports.setdefault(port, []).append(ex.get("state"))
        if not named:
            ports.setdefault(0, []).append(ex.get("state"))
    return ports


def read_xml(path):
    """addr -> list of (state, reason, mac, vendor, ports) of the report's <host> elements.
    Streamed, each <host> dropped once read: a /16's report is tens of megabytes."""
    hosts = {}
    for _, h in ET.iterparse(path):
        if h.tag != "host":
            continue
        st = h.find("status")
        addr = mac = vendor = None
        for a in h.findall("address"):
            if a.get("addrtype") in ("ipv4", "ipv6"):
                addr = ipaddress.ip_address(a.get("addr"))
            elif a.get("addrtype") == "mac":
                mac, vendor = a.get("addr"), a.get("vendor")
        if addr is not None:
            state = st.get("state") if st is not None else None
            reason = st.get("reason") if st is not None else None
            hosts.setdefault(addr, []).append((state, reason, mac, vendor, host_ports(h)))
        h.clear()
    return hosts


def read_gnmap_up(path):
    up = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"Host: (\S+) .*\tStatus: Up", line)
            if m:
                up.add(ipaddress.ip_address(m.group(1)))
    return up


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True)
    ap.add_argument("--tech", required=True)
    ap.add_argument("--xml", required=True)
    ap.add_argument("--gnmap")
    ap.add_argument("--mac")
    ap.add_argument("--ports")
    ap.add_argument("--port-states")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    try:
        ranges, expect = load_truth(args.truth)
        addrs = expand(args.targets)
        scanned = expand_ports(args.ports) if args.ports else []
        port_ok = {}
        for item in filter(None, (args.port_states or "").split(",")):
            pol, _, states = item.partition("=")
            port_ok[pol] = set(states.split("|"))
    except (OSError, ValueError) as e:
        print("sweep_check: %s" % e, file=sys.stderr)
        return 2

    checks = 0
    fails = []
    try:
        hosts = read_xml(args.xml)
    except (OSError, ET.ParseError) as e:
        print("FAIL no readable XML report (%s)" % e)
        print("CHECKS 1")
        return 0

    per_policy = {}
    lossy_up = lossy_n = 0
    for a in addrs:
        # The most specific range holding it (a benchmark may carve dark /24s out of a /16).
        row = max((r for r in ranges if a in r[0]), key=lambda r: r[0].prefixlen, default=None)
        if row is None:
            print("sweep_check: no truth range holds %s" % a, file=sys.stderr)
            return 2
        net, policy, via = row
        key = (policy, via, str(a.version))
        cell = expect.get(key, {}).get(args.tech)
        if cell is None or cell == "-":
            print("sweep_check: no truth for %s %s IPv%d %s" % (policy, via, a.version, args.tech),
                  file=sys.stderr)
            return 2
        reasons, down_ok = parse_cell(cell)
        got = hosts.get(a, [])
        checks += 1
        label = "%s (%s %s %s)" % (a, policy, via, net)
        if len(got) > 1:
            fails.append("%s: listed %d times" % (label, len(got)))
            continue
        state, reason, mac, vendor, ports = got[0] if got else ("absent", None, None, None, {})
        is_up = state == "up"
        pk = "%s/%s" % (policy, via)
        n_up, n = per_policy.get(pk, (0, 0))
        per_policy[pk] = (n_up + is_up, n + 1)
        if policy == "lossy" and reasons: # where the technique can find a lossy host at all
            lossy_n += 1
            lossy_up += is_up
        if is_up:
            if not reasons:
                fails.append("%s: reported up (%s), expected down" % (label, reason))
            elif reason not in reasons:
                fails.append("%s: up with reason %s, expected %s" % (label, reason, cell))
            elif reason in ARP_REASONS and args.mac:
                if (mac or "").lower() != args.mac.lower():
                    fails.append("%s: MAC %s, expected %s" % (label, mac, args.mac))
                elif not re.search("xensource", vendor or "", re.I):
                    fails.append("%s: MAC vendor %r, expected Xensource's" % (label, vendor))
            elif mac is not None and via == "routed":
                # A MAC belongs to hosts on the scanner's segment; here it would be the router's.
                fails.append("%s: MAC %s reported for a host behind a router" % (label, mac))
            elif mac is not None and args.mac and mac.lower() != args.mac.lower():
                fails.append("%s: MAC %s, expected %s (or none)" % (label, mac, args.mac))
        elif not down_ok:
            fails.append("%s: not reported up (%s), expected %s" % (label, state, cell))
        if scanned:
            checks += 1
            if not is_up:
                if ports:
                    fails.append("%s: not up, yet ports listed: %s" % (label, sorted(ports)))
            elif policy not in port_ok:
                fails.append("%s: up, but no port states given for policy %s" % (label, policy))
            elif sorted(ports) != scanned or any(
                    len(v) != 1 or v[0] not in port_ok[policy] for v in ports.values()):
                fails.append("%s: ports %s, expected %s each %s" % (
                    label, {p: "/".join(map(str, v)) for p, v in sorted(ports.items())},
                    ",".join(map(str, scanned)), "|".join(sorted(port_ok[policy]))))

    wanted = set(addrs)
    for a in sorted(set(hosts) - wanted, key=lambda x: (x.version, int(x))):
        checks += 1
        fails.append("%s: in the report but not a target" % a)
    if args.gnmap:
        checks += 1
        try:
            gup = read_gnmap_up(args.gnmap)
        except OSError as e:
            fails.append("no grepable report (%s)" % e)
        else:
            xup = {a for a, v in hosts.items() if any(s == "up" for s, *_ in v)}
            if gup != xup:
                diff = sorted(gup ^ xup, key=lambda x: (x.version, int(x)))[:5]
                fails.append("grepable and XML reports differ on up hosts (e.g. %s)"
                             % ", ".join(map(str, diff)))

    for f in fails:
        print("FAIL " + f)
    for pk, (u, n) in sorted(per_policy.items()):
        print("POLICY %s %d %d" % (pk, u, n))
    if lossy_n:
        print("LOSSY %d %d" % (lossy_up, lossy_n))
    print("CHECKS %d" % checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
