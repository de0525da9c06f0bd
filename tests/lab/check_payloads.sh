#!/usr/bin/env bash
# Lab test of data/portscout-payloads against real servers: each payload, as portscout's
# parser reads it (lab_payload), is sent to a real server of its protocol running in the
# lab's target namespace, and the answer must be that protocol's answer to our request
# (tests/lab/payload_probe.py says what each check requires).  This is what makes the
# payload file trustworthy: a payload that only looks right to us fails here.
#
# Servers (Debian packages; scripts/setup installs them): dnsmasq (DNS), chronyd (NTP),
# snmpd (SNMP), memcached, rpcbind (RPC; NFS's call goes to it too, for PROG_UNAVAIL),
# in.tftpd (TFTP), openbsd inetd (echo, daytime, chargen, time), openssl s_server (DTLS),
# coap-server (CoAP and CoAP over DTLS), turnserver (STUN and TURN over DTLS), gtlsserver
# (QUIC), strongSwan (IKEv2 on 500 and 4500), openvpn, xl2tpd (L2TP), krb5kdc (Kerberos),
# avahi-daemon (mDNS), miniupnpd (SSDP, NAT-PMP), BIRD (RIP), ipmi_sim (RMCP; OpenIPMI's
# BMC simulator), xdm (XDMCP).  Also nmbd (NetBIOS) and kamailio (SIP) when installed:
# they are large, so scripts/setup leaves them out.  No server here for CLDAP, MS-SQL
# browser, the games, RIPng and qotd: those payloads are checked against their
# specifications only (unit_payloads).
#
# Every server listens only in the target namespace and is killed with it; nothing is
# sent outside the lab.  Daemons that keep state under /run get a private tmpfs there
# (ip netns exec gives each command its own mount namespace, so the host's /run and /etc
# are never touched).
#
# Usage: check_payloads.sh PORTSCOUT_BINARY   (root; exit 77 = skipped)
#        LAB_PAYLOAD: the lab_payload binary (CTest sets it)
set -eu

: "${1:?usage: check_payloads.sh PORTSCOUT_BINARY}"
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/labtest.sh"
labtest_need_root
LAB_PAYLOAD=${LAB_PAYLOAD:-$(dirname "$1")/tests/lab/lab_payload}
[ -x "$LAB_PAYLOAD" ] || { echo "FAIL: lab_payload not found (set LAB_PAYLOAD)"; exit 1; }
PAYLOADS=${CHECK_PAYLOADS_FILE:-$HERE/../../data/portscout-payloads} # another file: to see this test fail
export PATH=$PATH:/usr/sbin:/sbin

# command:Debian package, for every server the test needs
NEED="dnsmasq:dnsmasq-base chronyd:chrony snmpd:snmpd memcached:memcached rpcbind:rpcbind
      in.tftpd:tftpd-hpa inetd:openbsd-inetd openssl:openssl coap-server-openssl:libcoap3-bin
      turnserver:coturn gtlsserver:ngtcp2-server ipsec:strongswan-starter openvpn:openvpn
      xl2tpd:xl2tpd krb5kdc:krb5-kdc kdb5_util:krb5-kdc avahi-daemon:avahi-daemon
      miniupnpd:miniupnpd bird:bird2 ipmi_sim:openipmi xdm:xdm python3:python3"
missing=""
for n in $NEED; do
    command -v "${n%%:*}" >/dev/null 2>&1 || missing="$missing ${n#*:}"
done
if [ ! -e /usr/lib/ipsec/plugins/libstrongswan-openssl.so ]; then
    missing="$missing libstrongswan-standard-plugins" # ECP groups for IKE
fi
if [ -n "$missing" ]; then
    echo "FAIL: missing servers; install the Debian packages:$missing (scripts/setup does)"
    exit 1
fi
labtest_begin
W=$OUT
chmod 755 "$W" # some daemons read their files as nobody

in_target() { ip netns exec "$LAB_TARGET_NS" "$@"; }
# A daemon in the target namespace, in the background, its output in $W/NAME.log.
start() {
    local name=$1
    shift
    in_target "$@" >"$W/$name.log" 2>&1 </dev/null &
}
# The same with a private /run (and whatever else the shell snippet $2 mounts first).
start_private() {
    local name=$1 script=$2
    in_target sh -c "mount -t tmpfs tmpfs /run && $script" >"$W/$name.log" 2>&1 </dev/null &
}

T4=$LAB_T4
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$W/key.pem" -out "$W/cert.pem" -subj /CN=target.portscout.test 2>/dev/null
chmod 644 "$W/key.pem"

start dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address="$T4" \
    --bind-interfaces --user=nobody --group=nogroup --pid-file= --log-facility=-

printf 'allow all\nbindaddress %s\ncmdport 0\npidfile %s/chronyd.pid\n' "$T4" "$W" >"$W/chrony.conf"
# -x: never touch the clock
start_private chronyd "exec chronyd -x -d -u root -f $W/chrony.conf"

printf 'rocommunity public default\nsysDescr portscout lab\n' >"$W/snmpd.conf"
start snmpd snmpd -f -Lo -C -c "$W/snmpd.conf" -p "$W/snmpd.pid" "udp:$T4:161"

start memcached memcached -u nobody -U 11211 -p 0 -l "$T4"
start_private rpcbind "mkdir -p /run/rpcbind && exec rpcbind -f -w -h $T4"

mkdir "$W/tftp" && echo "hello from the lab" >"$W/tftp/portscout.txt" && chmod -R a+rX "$W/tftp"
start tftpd in.tftpd -L -s "$W/tftp" -a "$T4:69" -u nobody

printf '%s\tdgram\tudp\twait\troot\tinternal\n' echo daytime chargen time >"$W/inetd.conf"
start inetd inetd -d "$W/inetd.conf"

# s_server serves one client at a time: only the probe talks to it
start_private s_server "sleep 300 | exec openssl s_server -dtls -accept 4433 \
    -cert $W/cert.pem -key $W/key.pem -quiet"
start coap coap-server-openssl -A "$T4" -k lab-psk -c "$W/cert.pem" -j "$W/key.pem"
start turnserver turnserver -n -L "$T4" --cert="$W/cert.pem" --pkey="$W/key.pem" --no-cli \
    --no-tcp --no-tls --log-file=stdout --pidfile="$W/turn.pid"
start_private gtlsserver "cd $W && exec gtlsserver --quiet -d $W $T4 443 $W/key.pem $W/cert.pem"

# strongSwan: one IKEv2 connection whose proposal is among ours, so the answer is a whole
# IKE_SA_INIT (SA, KE, Nonce): our proposal and our group-19 public value were accepted.
cat >"$W/ipsec.conf" <<EOF
conn lab
    keyexchange=ikev2
    left=$T4
    right=%any
    authby=secret
    ike=aes128-sha256-ecp256!
    esp=aes128-sha256!
    auto=add
EOF
echo ': PSK "portscout-lab"' >"$W/ipsec.secrets"
cat >"$W/strongswan.conf" <<EOF
charon {
    install_routes = no
    filelog {
        lab {
            path = $W/charon.log
            default = 1
            cfg = 2
            flush_line = yes
        }
    }
}
EOF
start_private strongswan "mount --bind $W/ipsec.conf /etc/ipsec.conf && \
    mount --bind $W/ipsec.secrets /etc/ipsec.secrets && \
    STRONGSWAN_CONF=$W/strongswan.conf exec ipsec start --nofork"

start openvpn openvpn --dev null --tls-server --ca "$W/cert.pem" --cert "$W/cert.pem" \
    --key "$W/key.pem" --dh none --proto udp --local "$T4" --port 1194 --verb 3

printf '[global]\nlisten-addr = %s\nport = 1701\n[lns default]\nip range = 10.99.0.2-10.99.0.9\nlocal ip = 10.99.0.1\nrequire authentication = no\n' \
    "$T4" >"$W/xl2tpd.conf"
start xl2tpd xl2tpd -D -c "$W/xl2tpd.conf" -p "$W/xl2tpd.pid" -C "$W/l2tp-control"

mkdir "$W/krb"
cat >"$W/krb/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = $T4:88
    kdc_tcp_listen = ""
[realms]
    LAB.PORTSCOUT.TEST = {
        database_name = $W/krb/principal
        key_stash_file = $W/krb/stash
        acl_file = $W/krb/kadm5.acl
    }
[logging]
    kdc = FILE:$W/krb/kdc.log
EOF
printf '[libdefaults]\n    default_realm = LAB.PORTSCOUT.TEST\n' >"$W/krb/krb5.conf"
export KRB5_CONFIG=$W/krb/krb5.conf KRB5_KDC_PROFILE=$W/krb/kdc.conf
check
kdb5_util -r LAB.PORTSCOUT.TEST create -s -P lab-master-key >"$W/krb/create.log" 2>&1 ||
    { cat "$W/krb/create.log"; fail "kdb5_util could not create the lab realm"; }
start krb5kdc krb5kdc -n -r LAB.PORTSCOUT.TEST

printf '[server]\nhost-name=pslab\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=veth0\nenable-dbus=no\n[publish]\npublish-workstation=yes\n' \
    >"$W/avahi.conf"
start_private avahi "exec avahi-daemon -f $W/avahi.conf --no-drop-root --no-chroot --no-rlimits"

printf 'ext_ifname=lo\nlistening_ip=veth0\nenable_natpmp=yes\nenable_upnp=yes\nsecure_mode=yes\nuuid=50535053-5053-5053-5053-505350535053\nallow 1024-65535 10.77.0.0/24 1024-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n' \
    >"$W/miniupnpd.conf"
start_private miniupnpd "exec miniupnpd -d -f $W/miniupnpd.conf -P $W/miniupnpd.pid"

cat >"$W/bird.conf" <<EOF
router id $T4;
protocol device {}
protocol static { ipv4; route 10.99.0.0/24 blackhole; }
protocol rip { ipv4 { import all; export all; }; interface "veth0" {}; }
EOF
start bird bird -f -c "$W/bird.conf" -s "$W/bird.ctl" -P "$W/bird.pid"

# OpenIPMI's simulated BMC: one LAN channel, no persistent state
mkdir "$W/ipmi"
cat >"$W/ipmi/lan.conf" <<EOF
name "pslab"
set_working_mc 0x20
  startlan 1
    addr $T4 623
    priv_limit admin
    allowed_auths_callback none md5
    allowed_auths_user none md5
    allowed_auths_operator none md5
    allowed_auths_admin none md5
    guid 50535053505350535053505350535053
  endlan
  user 1 true "" "lab" user 10 none md5
EOF
printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n' \
    >"$W/ipmi/sim.emu"
start ipmi_sim ipmi_sim -c "$W/ipmi/lan.conf" -f "$W/ipmi/sim.emu" -s "$W/ipmi" -n

# xdm with XDMCP on and no local displays of its own
mkdir "$W/xdm"
cat >"$W/xdm/xdm-config" <<EOF
DisplayManager.errorLogFile: $W/xdm.log
DisplayManager.pidFile: $W/xdm/xdm.pid
DisplayManager.keyFile: $W/xdm/xdm-keys
DisplayManager.servers: $W/xdm/Xservers
DisplayManager.accessFile: $W/xdm/Xaccess
DisplayManager.authDir: $W/xdm
DisplayManager.requestPort: 177
EOF
: >"$W/xdm/Xservers"
echo '*' >"$W/xdm/Xaccess"
start xdm-out xdm -nodaemon -config "$W/xdm/xdm-config"

PORTS="53 123 161 11211 111 2049@111 69 7 13 19 37 4433 5683 5684 3478 5349 443
       4500 500 1194 1701 88 5353 1900 5351 520,from=520 623 177"
# BIRD hears RIP only from port 520 (RFC 2453 also allows other ports; BIRD does not).

if command -v nmbd >/dev/null 2>&1; then
    mkdir "$W/samba"
    printf '[global]\nnetbios name = PSLAB\nworkgroup = LAB\ninterfaces = %s/24\nbind interfaces only = yes\n' \
        "$T4" >"$W/samba/smb.conf"
    for d in lock state cache pid; do echo "$d directory = $W/samba" >>"$W/samba/smb.conf"; done
    printf 'private dir = %s/samba\nncalrpc dir = %s/samba/ncalrpc\nlog file = %s/samba/log.%%m\n' \
        "$W" "$W" "$W" >>"$W/samba/smb.conf"
    start nmbd nmbd -F --no-process-group --configfile="$W/samba/smb.conf"
    PORTS="$PORTS 137"
else
    echo "SKIP: NetBIOS-NS (no nmbd; Debian package samba)"
fi
if command -v kamailio >/dev/null 2>&1; then
    cat >"$W/kamailio.cfg" <<EOF
#!KAMAILIO
listen=udp:$T4:5060
children=1
disable_tcp=yes
mpath="$(echo /usr/lib/*/kamailio/modules)/"
loadmodule "sl.so"
loadmodule "maxfwd.so"
request_route {
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    sl_send_reply("404", "Not Here");
}
EOF
    start kamailio kamailio -DD -E -f "$W/kamailio.cfg" -P "$W/kamailio.pid" -Y "$W/kamailio-run" -w "$W"
    PORTS="$PORTS 5060"
else
    echo "SKIP: SIP (no kamailio; Debian package kamailio)"
fi

# Wait (up to 10 s) until every server's port is bound in the target namespace.
want=""
for spec in $PORTS; do
    p=${spec%%,*}
    want="$want ${p#*@}"
done
for _ in $(seq 100); do
    bound=$(in_target ss -H -uln | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
    late=""
    for p in $want; do printf '%s\n' "$bound" | grep -qx "$p" || late="$late $p"; done
    [ -z "$late" ] && break
    sleep 0.1
done
[ -z "$late" ] || echo "note: no server bound on:$late (their checks will fail; logs in the output)"
# avahi answers only once it has probed its names (about a second after binding), and
# strongSwan's starter loads the connection after charon binds.
for _ in $(seq 50); do
    grep -q 'Server startup complete' "$W/avahi.log" 2>/dev/null &&
        grep -q "added configuration 'lab'" "$W/charon.log" 2>/dev/null && break
    sleep 0.1
done

check
"$LAB_PAYLOAD" "$PAYLOADS" >"$W/payloads.tsv" || fail "lab_payload could not read $PAYLOADS"
# shellcheck disable=SC2086
lab_scan python3 "$HERE/payload_probe.py" "$W/payloads.tsv" "$T4" $PORTS >"$W/probe.out" || true
cat "$W/probe.out"
while read -r verdict rest; do
    check
    [ "$verdict" = ok ] || fail "$rest"
done <"$W/probe.out"
n=$(wc -l <"$W/probe.out")
check
[ "$n" -eq "$(echo $PORTS | wc -w)" ] || fail "payload_probe.py printed $n lines for $(echo $PORTS | wc -w) ports"

if [ "$failures" -ne 0 ]; then
    for f in "$W"/*.log; do
        echo "---- $(basename "$f")"
        tail -n 15 "$f"
    done
fi
labtest_end
