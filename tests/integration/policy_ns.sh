#!/bin/bash
# SPDX-License-Identifier: MIT
# Policy resolution against interfaces created in a namespace of our own
# (the peers p10..p14 carry no address and stay down).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/topo.sh"

require_netns_mptcp
ns="mpa-pol-$TOPO_TAG-$RANDOM"
trap topo_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
topo_netns_add "$ns" || die "cannot create namespace"
ip -n "$ns" link set lo up
i=10
for dev in wlan0 wlan1 eth1 wwan0 tun0; do
	# veth, not dummy: this kernel has no dummy driver.
	ip -n "$ns" link add "$dev" type veth peer name "p$i" ||
		die "cannot create $dev"
	ip -n "$ns" addr add "192.168.$i.1/24" dev "$dev"
	ip -n "$ns" addr add "fd00:$i::1/64" dev "$dev" nodad
	[ "$dev" = wlan1 ] || ip -n "$ns" link set "$dev" up
	i=$((i + 1))
done
ip netns exec "$ns" "$top/build/tests/test_policy_ns"
