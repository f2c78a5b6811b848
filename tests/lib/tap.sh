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
