#!/bin/bash
# SPDX-License-Identifier: MIT
# The README example (examples/readme_example.c) in the two-path lab, under
# valgrind: three subflows listed (one backup), one closed, no leak.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/topo.sh"
. "$top/tests/lib/nobody.sh"

require_netns_mptcp
require_cmd valgrind
nd=""
TOPO_NO_TRAP=1
trap 'topo_cleanup; rm -rf ${nd:+"$nd"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
topo_up userspace || die "cannot build the namespace lab"
topo_bg "$TOPO_SRV" "$top/build/tests/mpa-testsrv" 7001
topo_wait_listen "$TOPO_SRV" 7001 || die "test server did not start"

out=$(ip netns exec "$TOPO_CLI" valgrind -q --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=all \
	"$top/build/examples/readme_example" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || die "readme_example exited $rc"
[ "$(grep -c '^subflow ' <<<"$out")" -eq 3 ] || die "expected 3 subflows"
grep -q '^subflow 1: 10.0.1.1 .* priority: normal' <<<"$out" ||
	die "initial subflow missing"
grep -q '10.0.2.1 .* -> 10.0.2.2 port 7001, priority: normal' <<<"$out" ||
	die "path-2 subflow missing"
grep -q '10.0.2.1 .* -> 10.0.1.2 port 7001, priority: backup' <<<"$out" ||
	die "backup subflow missing"
grep -q '^closed subflow 1, 2 left' <<<"$out" || die "close_sub failed"
echo "example: OK"

# The same program without privilege (setpriv: uid nobody, no capability):
# it still connects and lists, and says why it cannot open subflows. It
# runs a copy it can reach.
nd=$(nobody_copy "$top/build/examples/readme_example") ||
	die "cannot copy the example for user nobody"
out=$(ip netns exec "$TOPO_CLI" setpriv --reuid 65534 --regid 65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all \
	"$nd/readme_example" 2>&1)
echo "$out"
grep -q 'open_sub: changing subflows needs CAP_NET_ADMIN (Operation not permitted)' \
	<<<"$out" || die "unprivileged open_sub did not report EPERM"
[ "$(grep -c '^subflow ' <<<"$out")" -eq 1 ] || die "expected 1 subflow"
echo "example without privilege: OK"
