#!/bin/bash
# SPDX-License-Identifier: MIT
# mptcplib on the real kernel, IPv4 and IPv6: builds the two-path lab,
# starts the test servers and runs the cmocka client suite in the client
# namespace. Usage: core.sh [4|6] [valgrind]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/topo.sh"

family=${1:-4}
wrap=()
if [ "${2:-}" = valgrind ]; then
	require_cmd valgrind
	wrap=(valgrind -q --error-exitcode=99 --leak-check=full
	      --errors-for-leak-kinds=definite,indirect --trace-children=no)
fi
require_netns_mptcp

topo_up userspace || die "cannot build the namespace lab"
# Shaped paths, so that a bulk transfer needs both subflows.
topo_shape c1 100mbit && topo_shape c2 100mbit || die "tc tbf failed"
srv=$top/build/tests/mpa-testsrv
topo_bg "$TOPO_SRV" "$srv" 7001
topo_bg "$TOPO_SRV" "$srv" --silent 7002
topo_bg "$TOPO_SRV" "$srv" --tcp 7003
for p in 7001 7002 7003; do
	topo_wait_listen "$TOPO_SRV" $p || die "test server $p did not start"
done

ip netns exec "$TOPO_CLI" env MPA_FAMILY="$family" MPA_SRV_NS="$TOPO_SRV" \
	MPA_PORT=7001 MPA_PORT_SILENT=7002 MPA_PORT_TCP=7003 \
	"${wrap[@]}" "$top/build/tests/test_core_integration"
