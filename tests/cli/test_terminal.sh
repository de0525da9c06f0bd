#!/usr/bin/env bash
# The interactive terminal, driven through tmux: a live status line on
# stderr while the scan runs, nmap's keys (v raises verbosity, any other key
# prints the status), Ctrl-C ends the scan with exit 130, and the terminal's
# settings are restored.  Scans loopback only.
#
# Usage: test_terminal.sh PORTSCOUT_BINARY
set -eu
PORTSCOUT=${1:?usage: test_terminal.sh PORTSCOUT_BINARY}
command -v tmux >/dev/null || { echo "tmux missing (scripts/setup installs it)"; exit 1; }
OUT=$(mktemp -d)
SOCK=pstest$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$OUT"' EXIT

# shellcheck source=tests/cli/clitest.sh
. "$(dirname "$0")/clitest.sh"
screen() { tmux -L "$SOCK" capture-pane -p -t scan; }
# wait_for PATTERN: poll the screen for up to 5 s
wait_for() {
    for _ in $(seq 50); do
        screen | grep -q -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

# stdout goes to a file; stderr and stdin stay on tmux's terminal.
tmux -L "$SOCK" new-session -d -s scan -x 200 -y 50 \
    "stty -a > '$OUT/stty.before'; '$PORTSCOUT' -n -Pn -p 1-65535 --max-rate 5000 127.0.0.1 \
     > '$OUT/stdout'; echo \"EXIT=\$?\" > '$OUT/rc'; stty -a > '$OUT/stty.after'; sleep 30"

check "a live status line appears on the terminal" 'wait_for "^Stats: .* elapsed; .*% done"'
tmux -L "$SOCK" send-keys -t scan v
check "key v raises verbosity" 'wait_for "Verbosity Increased to 1."'
tmux -L "$SOCK" send-keys -t scan x
check "another key prints a status line" \
    'wait_for "Stats: .* probes/s"'
tmux -L "$SOCK" send-keys -t scan C-c
for _ in $(seq 50); do [ -s "$OUT/rc" ] && break; sleep 0.1; done
check "Ctrl-C ends the scan with exit 130" 'grep -q "^EXIT=130$" "$OUT/rc"'
check "the status line never reaches stdout" '! grep -q "Stats:" "$OUT/stdout"'
# (a raw scan's -v adds nmap's "Raw packets sent" line after it)
check "the report on stdout is complete" \
    'tail -n 2 "$OUT/stdout" | grep -q "^portscout done:"'
for _ in $(seq 20); do [ -s "$OUT/stty.after" ] && break; sleep 0.1; done
check "terminal settings are restored" 'cmp -s "$OUT/stty.before" "$OUT/stty.after"'

clitest_end
