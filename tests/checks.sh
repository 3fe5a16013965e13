# tests/checks.sh - how every test script of the project reports a check
# (sourced: `. tests/checks.sh`, from the tree's top folder).
#
#   check NAME COMMAND...   runs COMMAND (a test, a function, `[ ... ]`) and
#                           prints "ok    NAME", or "FAIL  NAME" followed by
#                           what COMMAND printed (its last 40 lines,
#                           indented); counts `checks` and `failures`.
#
# Each script prints its own last line from those two counts.
checks=0
failures=0

check() {
    _check_name=$1
    shift
    checks=$((checks + 1))
    _check_log=$(mktemp "${TMPDIR:-/tmp}/mm-check-XXXXXX") || {
        echo "FAIL  $_check_name (no temporary file for its output)"
        failures=$((failures + 1))
        return
    }
    if "$@" >"$_check_log" 2>&1; then
        echo "ok    $_check_name"
    else
        echo "FAIL  $_check_name"
        tail -n 40 "$_check_log" | sed 's/^/      /'
        failures=$((failures + 1))
    fi
    rm -f "$_check_log"
}
