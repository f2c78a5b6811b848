#!/bin/bash
# SPDX-License-Identifier: MIT
# `make demo`: a two-path lab in network namespaces, an MPTCP web server,
# and Debian's curl downloading the same file three ways: plain; under
# `mptcp-auto run` with examples/demo-policy.ini; and the same with path 1
# cut halfway through. Prints a table; removes the lab on exit, Ctrl-C,
# TERM or HUP, whenever it comes.
#   DEMO_MB    file size (default 60)      DEMO_RATE  per path (30mbit)
#   MPA_NS_TAG a word put into the lab's namespace names
#              (mpa-c-TAG-PID-N, mpa-s-TAG-PID-N), for a script that runs
#              the demo and checks afterwards that they are gone
# Its files go to a directory made with mktemp -d (under TMPDIR if set).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib/topo.sh"

MB=${DEMO_MB:-60}
RATE=${DEMO_RATE:-30mbit}
MA=$top/build/mptcp-auto
POLICY=$top/examples/demo-policy.ini

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }
[ -e /proc/sys/net/mptcp/enabled ] || { echo "this kernel has no MPTCP"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (make deps)"; exit 1; }

tmp=""
interrupted=0

# Runs once, on the way out: signals are ignored from its first line on,
# so that a second one cannot cut it short. The lab's processes are
# stopped by topo_cleanup; kill the shell's own background jobs too, for
# one started just as the signal came, before it was in the lab.
demo_cleanup()
{
	trap '' INT TERM HUP
	topo_cleanup
	kill $(jobs -pr) 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
	[ "$interrupted" = 1 ] && echo "interrupted: lab removed"
}

demo_signal()
{
	trap '' INT TERM HUP
	interrupted=1
	echo
	exit "$1"
}

TOPO_NO_TRAP=1
trap demo_cleanup EXIT
trap 'demo_signal 130' INT
trap 'demo_signal 143' TERM
trap 'demo_signal 129' HUP
tmp=$(mktemp -d) || exit 1

topo_up userspace && topo_multihome metrics &&
	topo_shape c1 "$RATE" && topo_shape c2 "$RATE" || {
	echo "could not build the lab"
	exit 1
}
head -c $((MB * 1024 * 1024)) /dev/urandom >"$tmp/file"
want=$(sha256sum <"$tmp/file")
topo_bg "$TOPO_SRV" "$top/build/tests/mpa-httpd" 8080 "$tmp/file" \
	>"$tmp/httpd.log"
topo_wait_listen "$TOPO_SRV" 8080 || { echo "server did not start"; exit 1; }

cat <<EOF
Lab: client namespace $TOPO_CLI, server namespace $TOPO_SRV
  path 1: c1 10.0.1.1 <-> 10.0.1.2   path 2: c2 10.0.2.1 <-> 10.0.2.2
  each path limited to $RATE; the server is 10.9.0.1, reached by default
  routes via c1 (metric 100) and via c2 (metric 200)
  policy ($POLICY): $(grep -v '^;' "$POLICY" | tr '\n' ' ')
Downloading $MB MB three times...
EOF

url=http://10.9.0.1:8080/file
rows=()

# fetch LABEL CUT CMD...: download, then add a table row.
fetch()
{
	local label=$1 cut=$2 before t0 t1 rc ok secs mbps subs bytes
	shift 2
	before=$(grep -c '^conn ' "$tmp/httpd.log")
	: >"$tmp/shim.log"
	rm -f "$tmp/out"
	t0=$(date +%s.%N)
	ip netns exec "$TOPO_CLI" env MPTCP_AUTO_LOG=debug \
		MPTCP_AUTO_LOG_FILE="$tmp/shim.log" "$@" -s -o "$tmp/out" "$url" &
	local pid=$!
	if [ "$cut" != 0 ]; then
		sleep "$cut"
		ip -n "$TOPO_CLI" link set c1 down
	fi
	wait $pid
	rc=$?
	t1=$(date +%s.%N)
	[ "$cut" != 0 ] && ip -n "$TOPO_CLI" link set c1 up
	for _ in $(seq 50); do
		[ "$(grep -c '^conn ' "$tmp/httpd.log")" -gt "$before" ] && break
		sleep 0.1
	done
	ok=no
	[ $rc -eq 0 ] && [ "$(sha256sum <"$tmp/out")" = "$want" ] && ok=yes
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	mbps=$(awk -v s="$secs" -v mb="$MB" \
		'BEGIN { printf "%.1f", mb * 8 * 1.048576 / s }')
	# Subflows that carried the file: the initial one plus each join
	# the shim saw come up; bytes as the server counted them at the end.
	subs=$((1 + $(grep -c 'is up' "$tmp/shim.log")))
	bytes=$(awk '/^conn /{r=""; split($3, b, "=");
		if ($5 == "mptcp=0") r = sprintf("TCP %.1f MB", b[2] / 1048576)}
		/^sub /{split($4, a, "=");
		r = r sprintf("%s%s %.1f MB", r ? ", " : "", $2, a[2] / 1048576)}
		END{print r}' "$tmp/httpd.log")
	rows+=("$(printf '%-28s %-9s %7s s %7s Mbit/s  %-8s %-40s %s' \
		"$label" "2x$RATE" "$secs" "$mbps" "$subs" "$bytes" "$ok")")
}

fetch "plain curl" 0 curl
fetch "mptcp-auto run curl" 0 "$MA" run --policy "$POLICY" -- curl
half=$(awk -v mb="$MB" -v r="${RATE%mbit}" \
	'BEGIN { printf "%.1f", mb * 8 * 1.048576 / (2 * r) / 2 }')
fetch "  + path 1 cut at ${half} s" "$half" "$MA" run --policy "$POLICY" -- curl

echo
printf '%-28s %-9s %9s %14s  %-8s %-40s %s\n' "download" "paths" "time" \
	"goodput" "subflows" "bytes per subflow at the end (server)" "intact"
printf '%s\n' "${rows[@]}"
cat <<EOF

With the shim, curl's connection opened a second subflow over path 2 and
used both links; with path 1 cut, the transfer went on over path 2 alone.
EOF
