# SPDX-License-Identifier: MIT
# A loopback test server on a port nobody else holds, for the
# integration scripts. The caller keeps $PIDS (killed at its cleanup).

# serve CMD...: run CMD with its word PORT replaced by a random port below
# the ephemeral range, and wait until that very process listens there (not
# another program, such as a run of these tests next to us); when the port
# is taken the server exits, and another one is tried. Sets $served.
serve()
{
	local p pid a i args lo

	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$lo" -gt 11024 ] || lo=61024
	for _ in 1 2 3 4 5; do
		p=$((10000 + RANDOM % (lo - 10000)))
		args=()
		for a in "$@"; do
			[ "$a" = PORT ] && a=$p
			args+=("$a")
		done
		"${args[@]}" >/dev/null &
		pid=$!
		PIDS="$PIDS $pid"
		for i in $(seq 50); do
			if ss -Hltnp "sport = :$p" | grep -q "pid=$pid,"; then
				served=$p
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
	done
	return 1
}
