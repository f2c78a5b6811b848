# SPDX-License-Identifier: MIT
# Preconditions for tests that need root, namespaces or MPTCP. Outside CI
# such a test skips (exit 77) with a reason; in CI (CI=true) a missing
# precondition is a failure, because CI runs as root on an MPTCP kernel.

die()
{
	echo "FAIL: $*" >&2
	exit 1
}

skip_or_fail()
{
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI requires it): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

require_cmd()
{
	command -v "$1" >/dev/null 2>&1 || skip_or_fail "$1 is not installed"
}

require_netns_mptcp()
{
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root (network namespaces)"
	require_cmd ip
	require_cmd unshare
	[ -e /proc/sys/net/mptcp/enabled ] ||
		skip_or_fail "kernel without MPTCP (/proc/sys/net/mptcp missing)"
	# An unnamed namespace, gone with the process: nothing to clean up.
	unshare --net true 2>/dev/null ||
		skip_or_fail "cannot create network namespaces"
}
