#!/usr/bin/env bash
# Helpers every benchmark shares, sourced by bench/*.sh:
#   log TEXT...        progress on stderr ("bench: ...")
#   die TEXT...        log an error and exit 1
#   has LIST WORD      WORD is one of the space-separated LIST
#   median [FORMAT]    the median of the numbers on stdin (printf FORMAT,
#                      default %.2f), or "n/a" when there are none
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
has() { case " $1 " in *" $2 "*) return 0 ;; *) return 1 ;; esac }
median() {
    sort -g | awk -v fmt="${1:-%.2f}" '{ v[NR] = $1 }
        END { if (NR == 0) print "n/a";
              else if (NR % 2) printf fmt "\n", v[(NR + 1) / 2];
              else printf fmt "\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
