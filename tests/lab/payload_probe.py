#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends portscout's UDP payloads to real servers and checks that each answers in its
own protocol.

Reads the payloads as portscout's parser sees them (the output of lab_payload: "port TAB
name TAB hex" lines) and, for each PORT given, sends that port's payload to TARGET:PORT
from one UDP socket, up to three tries, and waits for a datagram from TARGET (from any
port: a TFTP server answers from a port of its own).  The answer must look like its
protocol's answer to our request (a matching ID, the response type): any datagram would
also come from an echo service or a stray packet.

Usage: payload_probe.py DUMP TARGET PORT[@DPORT][,from=SPORT]...
P@Q sends port P's payload to port Q instead (e.g. NFS's RPC call to rpcbind, which
answers it with PROG_UNAVAIL: the RPC layer checked where no NFS server is); from=S sends
from source port S (BIRD hears RIP only from port 520).  A DTLS server's
HelloVerifyRequest is answered with the cookie, so that the check is its ServerHello.
Prints "ok PORT NAME: what came back" or "FAIL PORT NAME: why", one line per port;
exit status 0 only if every port passed.
"""
import socket
import struct
import sys

TRIES = 3
WAIT = 0.7  # seconds per try


def rpc_reply(q, r):
    # REPLY to our xid, MSG_ACCEPTED, then (after an empty verifier) SUCCESS, PROG_UNAVAIL or
    # PROG_MISMATCH: the call was understood (a garbled one gets GARBAGE_ARGS or a denial)
    if len(r) < 24 or r[:4] != q[:4]:
        return False
    msg_type, reply_stat, _, _, accept_stat = struct.unpack('>5I', r[4:24])
    return msg_type == 1 and reply_stat == 0 and accept_stat in (0, 1, 2)


def ike_reply(q, r, marker=0):
    # our SPI, IKE_SA_INIT, the Response flag, and an SA payload first: the responder took
    # our proposal and KE (a refusal would be a lone Notify, payload 41)
    q, r = q[marker:], r[marker:]
    return (len(r) >= 28 and r[:8] == q[:8] and r[16] == 33 and r[18] == 34 and
            r[19] & 0x20 != 0)


def l2tp_type(r):
    # control message: the first AVP (after the 12-byte header) is the Message Type
    if len(r) < 20 or not r[0] & 0x80:
        return None
    return struct.unpack('>H', r[18:20])[0]


# name -> (check(query, reply) -> bool, what the check means)
CHECKS = {
    'dns': (lambda q, r: len(r) >= 12 and r[:2] == q[:2] and r[2] & 0x80, 'response, our ID'),
    'mdns': (lambda q, r: len(r) >= 12 and r[:2] == q[:2] and r[2] & 0x80, 'response, our ID'),
    'netbios-ns': (lambda q, r: len(r) >= 12 and r[:2] == q[:2] and r[2] & 0x80,
                   'response, our NAME_TRN_ID'),
    'ntp': (lambda q, r: len(r) >= 48 and r[0] & 7 == 4 and r[24:32] == q[40:48],
            'mode 4, our transmit time as origin'),
    'snmp': (lambda q, r: r[:1] == b'\x30' and b'\xa2' in r and q[17:23] in r,
             'GetResponse-PDU with our request-id'),
    'rmcp': (lambda q, r: len(r) >= 12 and r[3] == 6 and r[8] == 0x40, 'Presence Pong'),
    'rpcbind': (rpc_reply, 'accepted RPC REPLY to our xid'),
    'nfs': (rpc_reply, 'accepted RPC REPLY to our xid'),
    'tftp': (lambda q, r: r[:2] in (b'\x00\x03', b'\x00\x05'), 'DATA or ERROR'),
    'memcached': (lambda q, r: r[:2] == q[:2] and r[8:16] == b'VERSION ',
                  'frame with our request ID, VERSION'),
    'ike': (ike_reply, 'IKE_SA_INIT response with SA to our SPI'),
    'ike-natt': (lambda q, r: r[:4] == b'\0\0\0\0' and ike_reply(q, r, 4),
                 'non-ESP marker, IKE_SA_INIT response with SA to our SPI'),
    'openvpn': (lambda q, r: len(r) >= 9 and r[0] >> 3 == 8, 'P_CONTROL_HARD_RESET_SERVER_V2'),
    'l2tp': (lambda q, r: l2tp_type(r) in (2, 4), 'SCCRP or StopCCN'),
    'dtls': (lambda q, r: len(r) >= 14 and r[0] == 22 and r[13] == 2,
             'ServerHello (after the cookie exchange)'),
    'quic': (lambda q, r: len(r) >= 7 and r[0] & 0x80 and r[1:5] == b'\0\0\0\0',
             'Version Negotiation'),
    'ssdp': (lambda q, r: r.startswith(b'HTTP/1.1 200'), 'HTTP/1.1 200'),
    'coap': (lambda q, r: len(r) >= 4 and r[0] >> 4 == 6 and r[1] == 0x45 and r[2:4] == q[2:4],
             'ACK 2.05 Content to our message ID'),
    'stun': (lambda q, r: len(r) >= 20 and r[:2] == b'\x01\x01' and r[4:20] == q[4:20],
             'Binding success, our transaction'),
    'nat-pmp': (lambda q, r: len(r) >= 8 and r[1] == 128, 'external address response'),
    'cldap': (lambda q, r: r[:1] == b'\x30' and (b'\x64' in r or b'\x65' in r),
              'LDAPMessage with a search result'),
    'kerberos': (lambda q, r: r[:1] in (b'\x7e', b'\x6b'), 'KRB-ERROR or AS-REP'),
    'sip': (lambda q, r: r.startswith(b'SIP/2.0 ') and b'5053-portscout' in r,
            'SIP response to our Call-ID'),
    'ms-sql-browser': (lambda q, r: r[:1] == b'\x05', 'SVR_RESP'),
    'rip': (lambda q, r: len(r) >= 4 and r[0] == 2, 'Response'),
    'ripng': (lambda q, r: len(r) >= 4 and r[0] == 2, 'Response'),
    'xdmcp': (lambda q, r: len(r) >= 6 and r[2:4] in (b'\0\x05', b'\0\x06'),
              'Willing or Unwilling'),
    'source-engine': (lambda q, r: r[:5] in (b'\xff\xff\xff\xffI', b'\xff\xff\xff\xffA'),
                      'info or challenge'),
    'quake3': (lambda q, r: r.startswith(b'\xff\xff\xff\xffinfoResponse'), 'infoResponse'),
    'echo': (lambda q, r: r == q, 'our datagram back'),
    'daytime': (lambda q, r: len(r) > 0, 'some text'),
    'qotd': (lambda q, r: len(r) > 0, 'some text'),
    'chargen': (lambda q, r: len(r) > 0, 'some characters'),
    'time': (lambda q, r: len(r) == 4, 'four bytes of time'),
}


def dtls_with_cookie(hello, hvr):
    """The ClientHello again with the cookie of a HelloVerifyRequest (RFC 6347 4.2.1):
    message_seq 1, record sequence 1; the cookie goes after the empty session_id."""
    cookie = hvr[28:28 + hvr[27]]
    body = hello[25:]  # after the record (13) and handshake (12) headers
    body = body[:35] + bytes([len(cookie)]) + cookie + body[36:]
    n = len(body).to_bytes(3, 'big')
    hs = b'\x01' + n + b'\x00\x01' + b'\x00\x00\x00' + n + body
    return hello[:5] + (1).to_bytes(6, 'big') + len(hs).to_bytes(2, 'big') + hs


def probe(target, port, payload, sport=0, dtls=False):
    family = socket.AF_INET6 if ':' in target else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(WAIT)
        s.bind(('::' if family == socket.AF_INET6 else '0.0.0.0', sport))
        for _ in range(TRIES):
            s.sendto(payload, (target, port))
            try:
                while True:
                    data, peer = s.recvfrom(65535)
                    if peer[0] != target:
                        continue
                    if dtls and len(data) > 28 and data[0] == 22 and data[13] == 3:
                        # a HelloVerifyRequest: answer it, so that the server judges
                        # the rest of our ClientHello (versions, suites, extensions)
                        payload = dtls_with_cookie(payload, data)
                        s.sendto(payload, (target, port))
                        dtls = False
                        continue
                    return data, peer[1]
            except socket.timeout:
                continue
    return None, 'no answer'


def parse_spec(spec):
    """PORT[@DPORT][,from=SPORT] -> (payload port, destination port, source port)."""
    head, *opts = spec.split(',')
    port, _, dport = head.partition('@')
    sport = 0
    for o in opts:
        key, _, val = o.partition('=')
        if key != 'from':
            sys.exit(f'payload_probe: bad option {o!r}')
        sport = int(val)
    return int(port), int(dport or port), sport


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    dump, target = sys.argv[1], sys.argv[2]
    table = {}
    with open(dump) as f:
        for line in f:
            port, name, hexbytes = line.rstrip('\n').split('\t')
            table[int(port)] = (name, bytes.fromhex(hexbytes))
    bad = 0
    for spec in sys.argv[3:]:
        port, dport, sport = parse_spec(spec)
        if port not in table:
            print(f'FAIL {port}: no payload for this port')
            bad += 1
            continue
        name, payload = table[port]
        label = name if dport == port else f'{name} (to port {dport})'
        reply, rport = probe(target, dport, payload, sport, name == 'dtls')
        check, meaning = CHECKS.get(name, (lambda q, r: True, 'any datagram'))
        if reply is None:
            print(f'FAIL {port} {label}: {rport}')
            bad += 1
        elif not check(payload, reply):
            print(f'FAIL {port} {label}: {len(reply)} bytes from port {rport}, not a '
                  f'{meaning}: {reply[:48].hex()}')
            bad += 1
        else:
            print(f'ok {port} {label}: {meaning} ({len(reply)} bytes from port {rport})')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
