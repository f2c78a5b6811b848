# SPDX-License-Identifier: MIT
# The two-path lab of the TAP scripts (tests/lib/topo.sh), with the test
# server on 10.9.0.1:7001. Needs tap.sh and require.sh sourced, and $top
# and $T set; the caller's cleanup calls topo_cleanup when TOPO_OK=1.

# lab_up_or_skip: the lab, or, without root, namespaces or MPTCP, the end
# of the script (a skip, a failure in CI).
lab_up_or_skip()
{
	local reason

	if ! (require_netns_mptcp) >/dev/null 2>&1; then
		reason=$( (require_netns_mptcp) 2>&1 | head -1)
		[ "${CI:-}" = true ] && fail "namespace checks" "$reason"
		skip "namespace checks" "$reason"
		exit $failed
	fi
	. "$top/tests/lib/topo.sh"
	TOPO_NO_TRAP=1
	TOPO_OK=1
	topo_up userspace && topo_multihome metrics || {
		fail "namespace lab"
		exit 1
	}
	topo_bg "$TOPO_SRV" "$T/mpa-testsrv" 7001
	topo_wait_listen "$TOPO_SRV" 7001
}
