# SPDX-License-Identifier: MIT
# Check reporting for the integration scripts: one line per check,
# "PASS: name", "FAIL: name" (with indented details) or "SKIP: name (why)",
# counted by tests/run.sh. $failed is 1 once anything failed.

failed=0

pass()
{
	echo "PASS: $1"
}

fail()
{
	echo "FAIL: $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/      /' | head -30
	failed=1
}

skip()
{
	echo "SKIP: $1 ($2)"
}

# no_tool NAME TOOL: the check NAME cannot run, TOOL is not installed. In
# CI (CI=true) that fails: make deps installs every tool the tests use,
# so a missing one is a package the Makefile forgot; elsewhere it skips.
no_tool()
{
	if [ "${CI:-}" = true ]; then
		fail "$1" "$2 is not installed (make deps installs it)"
	else
		skip "$1" "$2 is not installed"
	fi
}

# check NAME CMD...: PASS when CMD exits 0 (its output shown on failure).
check()
{
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

# slow_tool TOOL NAME: true when the check NAME, under TOOL (valgrind or
# tsan), is to run here; otherwise NAME is reported skipped, with why. The
# kernel matrix (tests/kernels/) sets MPA_SLOW_TOOLS=no: under emulation
# these checks take minutes, and `make check` runs them on the host, so
# there they are not part of the guest's suites at all (no SKIP line).
slow_tool()
{
	[ "${MPA_SLOW_TOOLS:-yes}" = no ] && return 1
	if [ "$1" = valgrind ] && ! command -v valgrind >/dev/null; then
		no_tool "$2" valgrind
		return 1
	fi
}
