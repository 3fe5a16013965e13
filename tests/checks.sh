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

# install_or_ask SUITE WHY PACKAGE...: the Debian packages a suite's
# consumers need. As root (with apt-get), installs them quietly (apt's
# output in build/apt-SUITE.log, its end shown on failure); otherwise
# prints "FAIL  WHY; install with:" and the one command that works on this
# machine. Returns only when they are installed: exits 1 otherwise, so a
# missing consumer is never a skipped check.
install_or_ask() {
    _suite=$1
    _why=$2
    shift 2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "$_suite: installing $* (apt output in build/apt-$_suite.log)"
        mkdir -p build
        if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } \
            >"build/apt-$_suite.log" 2>&1; then
            tail -5 "build/apt-$_suite.log"
            echo "FAIL  could not install $*"
            exit 1
        fi
        return 0
    fi
    echo "FAIL  $_why; install with:"
    if command -v sudo >/dev/null 2>&1; then
        echo "    sudo apt-get update && sudo apt-get install -y $*"
    else
        echo "    as root: apt-get update && apt-get install -y $*"
    fi
    exit 1
}
