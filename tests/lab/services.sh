#!/usr/bin/env bash
# Real TCP and UDP services for version detection, on a host of their own in the portscout
# network lab (tests/lab/lab.sh).  Source it after lab.sh:
#
#     . tests/lab/lab.sh; . tests/lab/services.sh
#     lab_up && svc_up            # the services of truth_services.tsv on 10.77.251.2 / fd77:251::2
#     lab_scan nmap -sV -n -Pn -p "$(svc_ports tcp)" "$SVC_T4"
#     svc_down                    # optional: lab_down's namespaces take the rest along
#
# svc_up builds one more target namespace, <lab>-v, joined to the scanner namespace by a veth
# of its own (the scanner is 10.77.251.1 / fd77:251::1 there), and starts in it, from
# tests/lab/truth_services.tsv: sshd, nginx (HTTP, and HTTPS with a self-signed certificate
# made on the spot for CN lab.portscout.test), vsftpd, redis-server, memcached, PostgreSQL
# (initdb in a private directory), dnsmasq, rpcbind, rpc.statd, exim4, dovecot (IMAP, POP3), mosquitto,
# lighttpd, telnetd (from inetd), slapd; and two hostile services of our own: one that
# streams bytes forever after connecting, one that sends binary junk and hangs up.  Each
# runs as the Debian package installed it (scripts/setup check installs them all, started
# by nobody), with a private configuration, state and /run where it wants one, so parallel
# labs never share a file and the machine's own services are never touched.
#
# Functions: svc_up, svc_down, svc_truth (rows without comments), svc_ports tcp|udp,
#     svc_expected_version ROW-VERSION-SPEC (the version string a spec gives for the
#     installed packages, see truth_services.tsv).
# Variables: SVC_NS, SVC_T4, SVC_T6, SVC_TRUTH.
# Deliberately no "set -eu" at file scope (see lab.sh).  Packets stay inside the lab.

SVC_TRUTH=${SVC_TRUTH:-$LAB_DIR/truth_services.tsv}
SVC_T4=10.77.251.2
SVC_T6=fd77:251::2
SVC_NS=""
_svc_tmp=""
_svc_pids=()

_svc_log() { printf 'services: %s\n' "$*" >&2; }

svc_truth() { grep -v -e '^#' -e '^[[:space:]]*$' "$SVC_TRUTH"; }

# Comma-separated ports of protocol $1 in the truth.
svc_ports() { svc_truth | awk -F'\t' -v p="$1" '$2 == p { printf "%s%s", s, $1; s = "," } END { print "" }'; }

# The version a truth spec stands for: "pkg:NAME:SED" is the installed version of package NAME
# (dpkg-query) rewritten by the sed expression SED; "-" is none; anything else is literal.
svc_expected_version() {
    local spec=$1 pkg expr v
    case $spec in
        -) echo "" ;;
        pkg:*)
            pkg=${spec#pkg:}
            expr=${pkg#*:}
            pkg=${pkg%%:*}
            v=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || { _svc_log "package $pkg is not installed"; return 1; }
            printf '%s\n' "$v" | sed -E "$expr" ;;
        *) echo "$spec" ;;
    esac
}

_svc_bin() { PATH=$PATH:/usr/sbin:/sbin command -v "$1" || { _svc_log "$1 not found (scripts/setup check installs it)"; return 1; }; }

# Command in the service namespace in the background, its output in $_svc_tmp/NAME.log.
_svc_spawn() {
    local name=$1
    shift
    ip netns exec "$SVC_NS" "$@" </dev/null >"$_svc_tmp/$name.log" 2>&1 &
    _svc_pids+=($!)
}

# The same in a mount namespace of its own whose /run is private (daemons that insist on
# /run/NAME: sshd's privilege separation directory, rpcbind's lock, dovecot's sockets).
_svc_spawn_run() {
    local name=$1
    shift
    # shellcheck disable=SC2016 # $@ expands in that sh
    _svc_spawn "$name" unshare --mount --propagation private sh -c \
        'mount -t tmpfs svc-run /run && mkdir -p /run/sshd /run/dovecot && chmod 755 /run/sshd && exec "$@"' sh "$@"
}

# Waits (10 s at most) until something listens on TCP (or UDP with $2=u) port $1.
_svc_wait() {
    local i flag=${2:-t}
    for i in $(seq 200); do
        ip netns exec "$SVC_NS" ss -Hln"$flag" "sport = :$1" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    _svc_log "nothing listens on port $1 (${3:-}); its log:"
    [ -z "${3:-}" ] || tail -n 5 "$_svc_tmp/$3.log" >&2 2>/dev/null
    return 1
}

_svc_host() {
    SVC_NS="${LAB_SCAN_NS%-s}-v"
    ip netns add "$SVC_NS" || return 1
    ip link add name vsvc netns "$LAB_SCAN_NS" type veth peer name veth0 netns "$SVC_NS" || return 1
    ip -n "$SVC_NS" link set lo up || return 1
    ip -n "$SVC_NS" addr add "$SVC_T4/24" dev veth0 || return 1
    ip -n "$SVC_NS" addr add "$SVC_T6/64" dev veth0 nodad || return 1
    ip -n "$SVC_NS" link set veth0 up || return 1
    ip -n "$LAB_SCAN_NS" addr add 10.77.251.1/24 dev vsvc || return 1
    ip -n "$LAB_SCAN_NS" addr add fd77:251::1/64 dev vsvc nodad || return 1
    ip -n "$LAB_SCAN_NS" link set vsvc up || return 1
    local i
    for i in $(seq 100); do
        ip -n "$LAB_SCAN_NS" -br link show vsvc | grep -q ' UP ' && return 0
        sleep 0.05
    done
    _svc_log "the service host's veth did not come up"
    return 1
}

_svc_ssh() {
    local bin
    bin=$(_svc_bin sshd) || return 1
    ssh-keygen -q -t ed25519 -N '' -f "$_svc_tmp/ssh_host_key" || return 1
    printf 'Port %s\nListenAddress %s\nListenAddress [%s]\nHostKey %s\nPidFile %s\nUsePAM no\n' \
        "$1" "$SVC_T4" "$SVC_T6" "$_svc_tmp/ssh_host_key" "$_svc_tmp/sshd.pid" >"$_svc_tmp/sshd_config"
    _svc_spawn_run ssh "$bin" -D -e -f "$_svc_tmp/sshd_config" || return 1
    _svc_wait "$1" t ssh
}

_svc_cert() {
    [ -e "$_svc_tmp/cert.pem" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=lab.portscout.test/O=portscout lab" \
        -keyout "$_svc_tmp/key.pem" -out "$_svc_tmp/cert.pem" >/dev/null 2>&1
}

_svc_nginx() {
    local bin
    bin=$(_svc_bin nginx) || return 1
    _svc_cert || return 1
    mkdir -p "$_svc_tmp/nginx"
    cat >"$_svc_tmp/nginx.conf" <<EOF
daemon off;
master_process off;
pid $_svc_tmp/nginx.pid;
error_log stderr;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $_svc_tmp/nginx;
    proxy_temp_path $_svc_tmp/nginx;
    fastcgi_temp_path $_svc_tmp/nginx;
    uwsgi_temp_path $_svc_tmp/nginx;
    scgi_temp_path $_svc_tmp/nginx;
    server {
        listen $SVC_T4:$1; listen [$SVC_T6]:$1;
        listen $SVC_T4:$2 ssl; listen [$SVC_T6]:$2 ssl;
        ssl_certificate $_svc_tmp/cert.pem;
        ssl_certificate_key $_svc_tmp/key.pem;
        location / { return 200 "portscout lab\n"; }
    }
}
EOF
    _svc_spawn nginx "$bin" -e stderr -c "$_svc_tmp/nginx.conf" || return 1
    _svc_wait "$1" t nginx && _svc_wait "$2" t nginx
}

_svc_vsftpd() {
    local bin
    bin=$(_svc_bin vsftpd) || return 1
    mkdir -p "$_svc_tmp/ftp-empty"
    chmod 555 "$_svc_tmp/ftp-empty"
    printf 'listen=YES\nlisten_address=%s\nlisten_port=%s\nbackground=NO\nanonymous_enable=YES\nno_anon_password=YES\nanon_root=%s\nlocal_enable=NO\nwrite_enable=NO\nsecure_chroot_dir=%s\nvsftpd_log_file=/dev/null\n' \
        "$SVC_T4" "$1" "$_svc_tmp/ftp-empty" "$_svc_tmp/ftp-empty" >"$_svc_tmp/vsftpd.conf"
    _svc_spawn vsftpd "$bin" "$_svc_tmp/vsftpd.conf" || return 1
    _svc_wait "$1" t vsftpd
}

_svc_redis() {
    local bin
    bin=$(_svc_bin redis-server) || return 1
    _svc_spawn redis "$bin" --port "$1" --bind "$SVC_T4" "$SVC_T6" --save '' --appendonly no \
        --dir "$_svc_tmp" --daemonize no --protected-mode no --logfile '' || return 1
    _svc_wait "$1" t redis
}

_svc_memcached() {
    local bin
    bin=$(_svc_bin memcached) || return 1
    _svc_spawn memcached "$bin" -u root -p "$1" -U 0 -l "$SVC_T4,[$SVC_T6]" -m 8 || return 1
    _svc_wait "$1" t memcached
}

_svc_postgres() {
    local bin dir=$_svc_tmp/pg
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$bin/postgres" ] || { _svc_log "PostgreSQL is not installed"; return 1; }
    install -d -o postgres -m 700 "$dir" "$_svc_tmp/pgsock" || return 1
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$_svc_tmp/initdb.log" 2>&1 ||
        { tail -n 5 "$_svc_tmp/initdb.log" >&2; return 1; }
    _svc_spawn postgres runuser -u postgres -- "$bin/postgres" -D "$dir/data" -p "$1" \
        -c "listen_addresses=$SVC_T4,$SVC_T6" -c "unix_socket_directories=$_svc_tmp/pgsock" || return 1
    _svc_wait "$1" t postgres
}

_svc_dns() {
    local bin
    bin=$(_svc_bin dnsmasq) || return 1
    _svc_spawn dns "$bin" --keep-in-foreground --no-resolv --no-hosts --listen-address="$SVC_T4,$SVC_T6" \
        --bind-interfaces --port="$1" --user=nobody --group=nogroup --pid-file= --log-facility=- || return 1
    _svc_wait "$1" t dns && _svc_wait "$1" u dns
}

_svc_rpcbind() {
    local bin
    bin=$(_svc_bin rpcbind) || return 1
    [ "$1" = 111 ] || { _svc_log "rpcbind listens on port 111 only"; return 1; }
    _svc_spawn_run rpcbind "$bin" -f -w -h "$SVC_T4" -h "$SVC_T6" || return 1
    _svc_wait 111 t rpcbind && _svc_wait 111 u rpcbind
}

# rpc.statd (NFS's status monitor, RPC program 100024) on a fixed port: a real RPC service
# away from 111 that only RPC grinding can name.  It registers with the lab's rpcbind.
_svc_statd() {
    local bin
    bin=$(_svc_bin rpc.statd) || return 1
    mkdir -p "$_svc_tmp/statd/sm" "$_svc_tmp/statd/sm.bak"
    _svc_spawn_run statd "$bin" -F -p "$1" -o "$(($1 + 1))" -P "$_svc_tmp/statd" --no-notify || return 1
    _svc_wait "$1" t statd && _svc_wait "$1" u statd
}

_svc_exim() {
    local bin
    bin=$(_svc_bin exim4) || return 1
    # -oX: the daemon's port and addresses; -oP: its pid file; no queue runner.
    _svc_spawn exim "$bin" -bdf -oX "$1:$SVC_T4" -oP "$_svc_tmp/exim.pid" || return 1
    _svc_wait "$1" t exim
}

_svc_dovecot() {
    local bin
    bin=$(_svc_bin dovecot) || return 1
    cat >"$_svc_tmp/dovecot.conf" <<EOF
protocols = imap pop3
listen = $SVC_T4, $SVC_T6
base_dir = /run/dovecot
state_dir = $_svc_tmp/dovecot-state
ssl = no
log_path = /dev/stderr
passdb {
  driver = static
  args = nopassword=no
}
service imap-login {
  inet_listener imap {
    port = $1
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $2
  }
}
EOF
    mkdir -p "$_svc_tmp/dovecot-state"
    _svc_spawn_run dovecot "$bin" -F -c "$_svc_tmp/dovecot.conf" || return 1
    _svc_wait "$1" t dovecot && _svc_wait "$2" t dovecot
}

_svc_mosquitto() {
    local bin
    bin=$(_svc_bin mosquitto) || return 1
    printf 'listener %s %s\nallow_anonymous true\npersistence false\nlog_dest stderr\n' "$1" "$SVC_T4" \
        >"$_svc_tmp/mosquitto.conf"
    _svc_spawn mosquitto "$bin" -c "$_svc_tmp/mosquitto.conf" || return 1
    _svc_wait "$1" t mosquitto
}

_svc_lighttpd() {
    local bin
    bin=$(_svc_bin lighttpd) || return 1
    mkdir -p "$_svc_tmp/www"
    echo lab >"$_svc_tmp/www/index.html"
    printf 'server.document-root = "%s"\nserver.port = %s\nserver.bind = "%s"\nserver.pid-file = "%s"\nserver.errorlog = "/dev/stderr"\n' \
        "$_svc_tmp/www" "$1" "$SVC_T4" "$_svc_tmp/lighttpd.pid" >"$_svc_tmp/lighttpd.conf"
    _svc_spawn lighttpd "$bin" -D -f "$_svc_tmp/lighttpd.conf" || return 1
    _svc_wait "$1" t lighttpd
}

_svc_telnet() {
    local inetd telnetd
    inetd=$(_svc_bin inetd) || return 1
    telnetd=$(_svc_bin telnetd) || return 1
    printf '%s:%s stream tcp nowait root %s telnetd\n' "$SVC_T4" "$1" "$telnetd" >"$_svc_tmp/inetd.conf"
    _svc_spawn telnet "$inetd" -d "$_svc_tmp/inetd.conf" || return 1
    _svc_wait "$1" t telnet
}

_svc_slapd() {
    local bin
    bin=$(_svc_bin slapd) || return 1
    printf 'pidfile %s\nargsfile %s\n' "$_svc_tmp/slapd.pid" "$_svc_tmp/slapd.args" >"$_svc_tmp/slapd.conf"
    _svc_spawn slapd "$bin" -d 0 -f "$_svc_tmp/slapd.conf" -h "ldap://$SVC_T4:$1/" || return 1
    _svc_wait "$1" t slapd
}

# Hostile services (python3): "endless" sends bytes as fast as it can until the client
# leaves; "junk" sends a burst of binary bytes and hangs up.
_svc_hostile() {
    _svc_spawn "hostile$1" /usr/bin/python3 -c '
import os, socket, sys, threading
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port)); s.listen(64)
def serve(c):
    try:
        if kind == "endless":
            chunk = os.urandom(4096)
            while True: c.sendall(chunk)
        c.sendall(bytes(range(256)) * 4 + b"\x00\xff" * 100)
    except OSError: pass
    finally: c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$2" "$SVC_T4" "$1" || return 1
    _svc_wait "$1" t "hostile$1"
}

svc_up() {
    [ -n "${LAB_SCAN_NS:-}" ] || { _svc_log "svc_up: no lab (call lab_up first)"; return 1; }
    [ -z "$_svc_tmp" ] || { _svc_log "svc_up: already up"; return 1; }
    _svc_tmp=$(mktemp -d "${TMPDIR:-/tmp}/pslab-svc.XXXXXX") || return 1
    chmod 755 "$_svc_tmp"
    if ! _svc_host || ! _svc_build; then
        svc_down
        return 1
    fi
}

_svc_build() {
    local port proto kind
    while IFS=$'\t' read -r port proto kind _; do
        case $kind in
            ssh) _svc_ssh "$port" ;;
            nginx) _svc_nginx "$port" 443 ;;
            nginx-tls) continue ;; # (started with nginx)
            vsftpd) _svc_vsftpd "$port" ;;
            redis) _svc_redis "$port" ;;
            memcached) _svc_memcached "$port" ;;
            postgres) _svc_postgres "$port" ;;
            dns) [ "$proto" = tcp ] || continue; _svc_dns "$port" ;;
            rpcbind) [ "$proto" = tcp ] || continue; _svc_rpcbind "$port" ;;
            statd) [ "$proto" = tcp ] || continue; _svc_statd "$port" ;;
            exim) _svc_exim "$port" ;;
            imap) _svc_dovecot "$port" 110 ;;
            pop3) continue ;; # (dovecot, with imap)
            mosquitto) _svc_mosquitto "$port" ;;
            lighttpd) _svc_lighttpd "$port" ;;
            telnet) _svc_telnet "$port" ;;
            slapd) _svc_slapd "$port" ;;
            endless | junk) _svc_hostile "$port" "$kind" ;;
            *) _svc_log "truth_services.tsv: unknown service kind '$kind'"; false ;;
        esac || return 1
    done < <(svc_truth)
}

# Stops what svc_up started and removes the service host.  Harmless twice.
svc_down() {
    local pid i
    for pid in "${_svc_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${_svc_pids[@]}"; do
        for i in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    _svc_pids=()
    if [ -n "$SVC_NS" ]; then
        # what a daemon forked on its own (postgres's children, inetd's telnetd) goes with it
        ip netns pids "$SVC_NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        _lab_del_ns "$SVC_NS"
    fi
    SVC_NS=""
    [ -z "$_svc_tmp" ] || rm -rf "$_svc_tmp"
    _svc_tmp=""
    return 0
}
