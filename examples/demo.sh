#!/bin/bash
# SPDX-License-Identifier: MIT
# `make demo`: a two-path lab in network namespaces, an MPTCP web server,
# and Debian's curl downloading the same file three ways: plain; under
# `mptcp-auto run` with examples/demo-policy.ini; the same with path 1
# cut halfway through; and the same as a normal user (made for the demo,
# removed after), first alone (it cannot open subflows: no CAP_NET_ADMIN),
# then with mptcp-autod running in the client namespace. Prints a table;
# removes the lab and the user on exit, Ctrl-C, TERM or HUP, whenever it
# comes.
#   DEMO_MB    file size (default 60)      DEMO_RATE  per path (30mbit)
#   MPA_NS_TAG a word put into the lab's namespace names
#              (mpa-c-TAG-PID-N, mpa-s-TAG-PID-N), for a script that runs
#              the demo and checks afterwards that they are gone
#   DEMO_KEEP  a directory: the logs (web server, shim, mptcp-autod) are
#              copied there on exit, for a script that shows them when a
#              row is not what it expected
# Its files go to a directory made with mktemp -d (under TMPDIR if set).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib/topo.sh"
. "$top/tests/lib/nobody.sh"

MB=${DEMO_MB:-60}
RATE=${DEMO_RATE:-30mbit}
MA=$top/build/mptcp-auto
POLICY=$top/examples/demo-policy.ini

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }
[ -e /proc/sys/net/mptcp/enabled ] || { echo "this kernel has no MPTCP"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing (make deps)"; exit 1; }
for c in useradd userdel setpriv; do
	command -v $c >/dev/null || { echo "$c is missing"; exit 1; }
done

tmp=""
interrupted=0
user=""
ud=""

# Runs once, on the way out: signals are ignored from its first line on,
# so that a second one cannot cut it short. The lab's processes are
# stopped by topo_cleanup; kill the shell's own background jobs too, for
# one started just as the signal came, before it was in the lab.
demo_cleanup()
{
	trap '' INT TERM HUP
	topo_cleanup
	kill $(jobs -pr) 2>/dev/null
	if [ -n "${DEMO_KEEP:-}" ] && mkdir -p "$DEMO_KEEP"; then
		cp "$tmp"/*.log "$DEMO_KEEP"/ 2>/dev/null
		[ -n "$ud" ] && cp "$ud/work/shim.log" "$DEMO_KEEP/user-shim.log" \
			2>/dev/null
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	[ -n "$user" ] && userdel "$user" 2>/dev/null
	[ -n "$ud" ] && rm -rf "$ud"
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

# The normal user: a name of its own (recorded before it exists, so that
# the cleanup removes it whenever the signal comes), and copies of the
# command, the shim and the policy where it can reach them (the tree may
# not be), with its own directory for the download and the shim's log.
user=mpa-u-$$-$RANDOM
useradd -M -r -s /usr/sbin/nologin "$user" ||
	{ user=""; echo "could not add a user"; exit 1; }
ud=$(nobody_copy "$MA" "$top/build/libmptcp_auto.so" "$POLICY") ||
	{ echo "could not copy the programs for $user"; exit 1; }
install -d -o "$user" -m 0755 "$ud/work"
# The daemon's system policy: a rule for curl and no [default], so that
# only a connection the shim registers gets a second subflow.
printf '[program curl]\ninterfaces = c2\n' >"$ud/daemon-policy.ini"

cat <<EOF
Lab: client namespace $TOPO_CLI, server namespace $TOPO_SRV
  path 1: c1 10.0.1.1 <-> 10.0.1.2   path 2: c2 10.0.2.1 <-> 10.0.2.2
  each path limited to $RATE; the server is 10.9.0.1, reached by default
  routes via c1 (metric 100) and via c2 (metric 200)
  policy ($POLICY): $(grep -v '^;' "$POLICY" | tr '\n' ' ')
  as user: $user (removed at the end), programs in $ud;
  mptcp-autod's policy: $(tr '\n' ' ' <"$ud/daemon-policy.ini")
Downloading $MB MB five times...
EOF

url=http://10.9.0.1:8080/file
rows=()
# One format for the rows and the header: each column as wide as its
# widest cell, and two blanks between columns.
row_format='%-28s  %-9s  %7s s  %7s Mbit/s  %-8s  %-40s  %s'
head_format='%-28s  %-9s  %9s  %14s  %-8s  %-40s  %s'

# Where fetch writes (the user's rows: a directory the user owns), and how
# it counts subflows: "shim", the initial one plus each join the shim
# saw come up (its in-process engine opens them); "server", the subflows
# the server saw carry data (mptcp-autod opens them, the shim sees none).
work=""
count=shim

# fetch LABEL CUT CMD...: download, then add a table row.
fetch()
{
	local label=$1 cut=$2 before t0 t1 rc ok secs mbps subs bytes
	local w=${work:-$tmp}
	shift 2
	before=$(grep -c '^conn ' "$tmp/httpd.log")
	rm -f "$w/out" "$w/shim.log"
	t0=$(date +%s.%N)
	ip netns exec "$TOPO_CLI" env MPTCP_AUTO_LOG=debug \
		MPTCP_AUTO_LOG_FILE="$w/shim.log" "$@" -s -o "$w/out" "$url" &
	local pid=$!
	if [ "$cut" != 0 ]; then
		sleep "$cut"
		ip -n "$TOPO_CLI" link set c1 down
	fi
	wait $pid
	rc=$?
	t1=$(date +%s.%N)
	# The link's routes went with it: path 1 first again, for what follows.
	if [ "$cut" != 0 ]; then
		ip -n "$TOPO_CLI" link set c1 up
		ip -n "$TOPO_CLI" route replace default via 10.0.1.2 dev c1 \
			metric 100
	fi
	for _ in $(seq 50); do
		[ "$(grep -c '^conn ' "$tmp/httpd.log")" -gt "$before" ] && break
		sleep 0.1
	done
	ok=no
	[ $rc -eq 0 ] && [ "$(sha256sum <"$w/out")" = "$want" ] && ok=yes
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	mbps=$(awk -v s="$secs" -v mb="$MB" \
		'BEGIN { printf "%.1f", mb * 8 * 1.048576 / s }')
	# Subflows that carried the file: the initial one plus each join
	# the shim saw come up; bytes as the server counted them at the end.
	subs=$((1 + $(cat "$w/shim.log" 2>/dev/null | grep -c 'is up')))
	[ $count = server ] && subs=$(awk '/^conn /{n = 0; tcp = $5 == "mptcp=0"}
		/^sub / && $5 != "acked=0" {n++}
		END{print tcp || n == 0 ? 1 : n}' "$tmp/httpd.log")
	# Bytes per path (client address, in order), as the server counted
	# them: its subflows at the end, and those gone before (a path cut).
	bytes=$(awk '/^conn /{n = 0; delete by; tcp = ""; split($3, b, "=");
		if ($5 == "mptcp=0") tcp = sprintf("TCP %.1f MB", b[2] / 1048576)}
		/^(sub|gone) /{split($4, a, "="); if (!($2 in by)) p[++n] = $2
		by[$2] += a[2]}
		END{if (tcp != "") { print tcp; exit }
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (p[j] < p[i]) { t = p[i]; p[i] = p[j]; p[j] = t }
		for (i = 1; i <= n; i++)
			r = r sprintf("%s%s %.1f MB", r ? ", " : "", p[i],
				by[p[i]] / 1048576)
		print r}' "$tmp/httpd.log")
	rows+=("$(printf "$row_format" \
		"$label" "2x$RATE" "$secs" "$mbps" "$subs" "$bytes" "$ok")")
}

fetch "plain curl" 0 curl
fetch "mptcp-auto run curl" 0 "$MA" run --policy "$POLICY" -- curl
half=$(awk -v mb="$MB" -v r="${RATE%mbit}" \
	'BEGIN { printf "%.1f", mb * 8 * 1.048576 / (2 * r) / 2 }')
fetch "  + path 1 cut at ${half} s" "$half" "$MA" run --policy "$POLICY" -- curl

# The same download as the normal user: alone, then with mptcp-autod in
# the client namespace, on a socket in the user's reach, which the shim
# finds through MPTCP_AUTO_PM_SOCKET.
as_user=(setpriv --reuid "$user" --regid "$user" --clear-groups
	env MPTCP_AUTO_PM_SOCKET="$ud/run/pm.sock"
	"$ud/mptcp-auto" run --policy "$ud/$(basename "$POLICY")" -- curl)
work=$ud/work
count=server
fetch "as user: mptcp-auto run curl" 0 "${as_user[@]}"
topo_bg "$TOPO_CLI" "$top/build/mptcp-autod" --socket "$ud/run/pm.sock" \
	--policy "$ud/daemon-policy.ini" ${DEMO_KEEP:+--verbose} \
	2>"$tmp/daemon.log"
dpid=${TOPO_PIDS##* }
for _ in $(seq 50); do
	[ -S "$ud/run/pm.sock" ] && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
[ -S "$ud/run/pm.sock" ] || { cat "$tmp/daemon.log"; echo "mptcp-autod did not start"; exit 1; }
fetch "  + mptcp-autod running" 0 "${as_user[@]}"
kill -TERM "$dpid"
wait "$dpid"

echo
# The header's columns are those of the rows, two blanks apart.
printf "$head_format\n" "download" "paths" "time" "goodput" "subflows" \
	"bytes per path (server)" "intact"
printf '%s\n' "${rows[@]}"
cat <<EOF

With the shim, curl's connection opened a second subflow over path 2 and
used both links; with path 1 cut, the transfer went on over path 2 alone.
As a normal user, the shim alone cannot open a subflow (that takes
CAP_NET_ADMIN): one path. With mptcp-autod running, the shim registers
curl's connection and the daemon opens its subflow by curl's rule.
EOF
