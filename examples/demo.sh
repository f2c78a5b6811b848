#!/bin/bash
# SPDX-License-Identifier: MIT
# `make demo`: mptcplib steering a real MPTCP connection in a two-path lab
# (network namespaces, removed on exit, also on Ctrl-C). Needs root.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/topo.sh"

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }
[ -e /proc/sys/net/mptcp/enabled ] || { echo "this kernel has no MPTCP"; exit 1; }

topo_up userspace || die "cannot build the namespace lab"
topo_shape c1 50mbit && topo_shape c2 50mbit || die "tc tbf failed"
topo_bg "$TOPO_SRV" "$top/build/tests/mpa-testsrv" 7001
topo_wait_listen "$TOPO_SRV" 7001 || die "server did not start"

cat <<TXT
Lab: client ns $TOPO_CLI (userspace path manager), server ns $TOPO_SRV
     path 1: 10.0.1.1 <-> 10.0.1.2   path 2: 10.0.2.1 <-> 10.0.2.2 (50 Mbit/s each)

The README example connects over path 1, opens a subflow over path 2 and a
backup subflow, lists them with mptcplib_get_sub_tuple(), closes one:

TXT
ip netns exec "$TOPO_CLI" "$top/build/examples/readme_example"
