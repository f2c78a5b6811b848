# SPDX-License-Identifier: MIT
#
# Two-host, two-path lab in network namespaces, for the integration tests.
# Source this file, then call topo_up; the EXIT trap tears everything down,
# also when a test fails or is interrupted.
#
#   client ns  c1 10.0.1.1/24 fd00:1::1/64 ---- s1 10.0.1.2/24 fd00:1::2/64  server ns
#              c2 10.0.2.1/24 fd00:2::1/64 ---- s2 10.0.2.2/24 fd00:2::2/64
#
# The client uses the userspace path manager, the server the in-kernel one
# with its join limits raised, as docs/kernel-facts.md §14 explains.
# Every address lives in namespaces this script creates; nothing leaves them.

# Every namespace name carries TOPO_TAG: MPA_NS_TAG when the caller sets it
# (tests/integration/parallel.sh gives each run its own, to find exactly its
# namespaces afterwards), then this shell's process id.
TOPO_TAG="${MPA_NS_TAG:+$MPA_NS_TAG-}$$"
TOPO_CLI="mpa-c-$TOPO_TAG-$RANDOM"
TOPO_SRV="mpa-s-$TOPO_TAG-$RANDOM"
TOPO_PIDS=""
# The namespaces this shell created (or was creating): topo_cleanup deletes
# these and no others.
TOPO_NETNS=""

# topo_netns_add NAME: create namespace NAME. It is recorded before it is
# created, so that a signal arriving during `ip netns add` still has it
# removed; an existing name is someone else's and is left alone.
topo_netns_add()
{
	if ip netns list | awk '{ print $1 }' | grep -qxF -- "$1"; then
		echo "namespace $1 exists already" >&2
		return 1
	fi
	TOPO_NETNS="$TOPO_NETNS $1"
	ip netns add "$1"
}

# topo_cleanup: stop every process in our namespaces (those of topo_bg and
# any other, such as a client still running when a signal came), then
# delete the namespaces. Made for exit paths, and safe to call twice: from
# here on INT, TERM and HUP are ignored, since a second signal (a second
# Ctrl-C, or the copy timeout(1) sends to the whole process group) would
# otherwise end the shell halfway and leave namespaces behind.
topo_cleanup()
{
	local pid ns pids i

	trap '' INT TERM HUP
	for pid in $TOPO_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for ns in $TOPO_NETNS; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	# A namespace lives on, nameless, while a process is in it: wait for
	# them to go (2 s), then kill what is left.
	for ns in $TOPO_NETNS; do
		for i in $(seq 20); do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -z "$pids" ] && break
			[ "$i" = 20 ] && kill -KILL $pids 2>/dev/null
			sleep 0.1
		done
	done
	for pid in $TOPO_PIDS; do
		wait "$pid" 2>/dev/null
	done
	for ns in $TOPO_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	TOPO_PIDS=""
	TOPO_NETNS=""
	return 0
}

# topo_reset: topo_cleanup in the middle of a script that goes on (one lab
# after another); its INT, TERM and HUP traps are given back afterwards.
topo_reset()
{
	local saved

	saved=$(trap -p INT TERM HUP)
	topo_cleanup
	trap - INT TERM HUP
	eval "$saved"
}

# topo_up [client_pm]: client_pm is "userspace" (default) or "kernel".
# Sets EXIT/INT/TERM/HUP traps unless TOPO_NO_TRAP=1 (a caller with its own
# cleanup then calls topo_cleanup from it).
topo_up()
{
	local pm=${1:-userspace} i

	if [ "${TOPO_NO_TRAP:-0}" != 1 ]; then
		trap topo_cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		trap 'exit 129' HUP
	fi
	topo_netns_add "$TOPO_CLI" || return 1
	topo_netns_add "$TOPO_SRV" || return 1
	for i in 1 2; do
		ip link add "c$i" netns "$TOPO_CLI" type veth \
			peer name "s$i" netns "$TOPO_SRV" || return 1
		ip -n "$TOPO_CLI" addr add "10.0.$i.1/24" dev "c$i"
		ip -n "$TOPO_SRV" addr add "10.0.$i.2/24" dev "s$i"
		ip -n "$TOPO_CLI" addr add "fd00:$i::1/64" dev "c$i" nodad
		ip -n "$TOPO_SRV" addr add "fd00:$i::2/64" dev "s$i" nodad
		ip -n "$TOPO_CLI" link set "c$i" up
		ip -n "$TOPO_SRV" link set "s$i" up
	done
	ip -n "$TOPO_CLI" link set lo up
	ip -n "$TOPO_SRV" link set lo up
	ip netns exec "$TOPO_CLI" sysctl -qw net.mptcp.enabled=1
	ip netns exec "$TOPO_SRV" sysctl -qw net.mptcp.enabled=1
	topo_set_pm "$TOPO_CLI" "$pm" || return 1
	ip -n "$TOPO_SRV" mptcp limits set subflows 8 add_addr_accepted 8
}

# topo_set_pm NS kernel|userspace: the string sysctl exists since 6.15,
# pm_type (0 kernel, 1 userspace) before that.
topo_set_pm()
{
	local ns=$1 pm=$2 type=0

	[ "$pm" = userspace ] && type=1
	if ip netns exec "$ns" test -e /proc/sys/net/mptcp/path_manager; then
		ip netns exec "$ns" sysctl -qw "net.mptcp.path_manager=$pm"
	else
		ip netns exec "$ns" sysctl -qw "net.mptcp.pm_type=$type"
	fi
}

# topo_multihome metrics|rules: make the client a real multi-homed host
# and give the server a service address off both paths (10.9.0.1 and
# fd00:9::1 on its loopback), so that a subflow bound to c2 needs a route
# through c2:
#   metrics: two default routes, via c1 (metric 100) and c2 (metric 200),
#            as NetworkManager sets them up;
#   rules:   one default route via c1, and per-source policy routing that
#            sends traffic from c2's addresses to table 102 via c2.
# Without it (plain topo_up) no route leads through c2 to 10.9.0.1.
topo_multihome()
{
	local mode=$1 v

	ip -n "$TOPO_SRV" addr add 10.9.0.1/32 dev lo || return 1
	ip -n "$TOPO_SRV" addr add fd00:9::1/128 dev lo || return 1
	for v in 4 6; do
		local g1=10.0.1.2 g2=10.0.2.2 src=10.0.2.1
		if [ $v = 6 ]; then
			g1=fd00:1::2 g2=fd00:2::2 src=fd00:2::1
		fi
		case $mode in
		metrics)
			ip -$v -n "$TOPO_CLI" route add default via $g1 dev c1 \
				metric 100 || return 1
			ip -$v -n "$TOPO_CLI" route add default via $g2 dev c2 \
				metric 200 || return 1
			;;
		rules)
			ip -$v -n "$TOPO_CLI" route add default via $g1 dev c1 \
				|| return 1
			ip -$v -n "$TOPO_CLI" route add default via $g2 dev c2 \
				table 102 || return 1
			ip -$v -n "$TOPO_CLI" rule add from $src table 102 \
				|| return 1
			;;
		*)
			return 1
			;;
		esac
	done
}

# topo_shape DEV_IN_CLIENT_NS RATE: token-bucket rate limit on both ends of
# one path (this kernel has tbf and htb but no netem).
topo_shape()
{
	local dev=$1 rate=$2 peer=s${1#c}

	tc -n "$TOPO_CLI" qdisc replace dev "$dev" root tbf rate "$rate" \
		burst 32kbit latency 50ms || return 1
	tc -n "$TOPO_SRV" qdisc replace dev "$peer" root tbf rate "$rate" \
		burst 32kbit latency 50ms
}

# topo_bg NS CMD...: run CMD in NS in the background; killed at cleanup.
topo_bg()
{
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	TOPO_PIDS="$TOPO_PIDS $!"
}

# topo_wait_listen NS PORT: wait up to 5 s for a listener on PORT.
topo_wait_listen()
{
	local i
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
