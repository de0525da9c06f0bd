#!/usr/bin/env bash
# The counters every CLI test shares, sourced by tests/cli/test_*.sh:
#   check DESCRIPTION EXPRESSION   evaluate EXPRESSION; a FAIL line if false
#   clitest_end                    "N passed, M failed"; status 0 only if none failed
checks=0 failures=0

check() {
    checks=$((checks + 1))
    if ! eval "$2"; then echo "FAIL: $1"; failures=$((failures + 1)); fi
}

clitest_end() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
