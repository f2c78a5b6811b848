#!/bin/bash
# SPDX-License-Identifier: MIT
# mptcp-autod in the two-path lab (tests/lib/topo.sh), the lab built with
# the kernel path manager: the daemon itself makes the client namespace's
# switch to userspace, and puts it back. A user made for the test registers
# its connections with the daemon (build/tests/mpa-pmclient, as the shim
# would) and gets its subflow on the policy's interface; forged, foreign
# and malformed registrations are refused with their reason; a stopped,
# killed and restarted daemon harms no connection; `mptcp-auto status`
# and `explain` see the daemon, and see it gone; a user holding its whole
# share of client slots stops no other user; systemd hears READY,
# RELOADING and STOPPING; a user's narrowing is served across many
# reloads; a client whose command line cannot be read (its read hangs)
# stops nobody, itself included; connections no program registered get
# the [default] rule or the host's endpoints, and follow a reload that
# adds or removes [default]. Prints "PASS: name", "FAIL: name" or
# "SKIP: name (why)".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/nobody.sh"

T=$top/build/tests
DAEMON=$top/build/mptcp-autod
tmp=$(mktemp -d /tmp/mpa-daemon-XXXXXX)
# The test user reaches the daemon's socket in $tmp/run.
chmod 0755 "$tmp"
SOCK=$tmp/run/pm.sock
TOPO_OK=0
user=""
bin=""
dpid=""
PIDS=""
stall_fifo=""

cleanup()
{
	local p

	trap '' INT TERM HUP
	# A daemon that read a command line in its loop would wait there.
	[ -n "$stall_fifo" ] && [ -p "$stall_fifo" ] &&
		timeout 2 sh -c "printf x >'$stall_fifo'" 2>/dev/null
	for p in $dpid $PIDS; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	[ "$TOPO_OK" = 1 ] && topo_cleanup
	[ -n "$user" ] && userdel "$user" 2>/dev/null
	[ -n "$bin" ] && rm -rf "$bin"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if ! (require_netns_mptcp) >/dev/null 2>&1; then
	reason=$( (require_netns_mptcp) 2>&1 | head -1)
	[ "${CI:-}" = true ] && fail "namespace checks" "$reason"
	skip "namespace checks" "$reason"
	exit $failed
fi
for c in useradd userdel setpriv; do
	if ! command -v $c >/dev/null; then
		[ "${CI:-}" = true ] && fail "a user for the test" "no $c"
		skip "a user for the test" "$c is not installed"
		exit $failed
	fi
done

. "$top/tests/lib/topo.sh"
TOPO_NO_TRAP=1
TOPO_OK=1
topo_up kernel && topo_multihome metrics || {
	fail "namespace lab"
	exit 1
}
topo_bg "$TOPO_SRV" "$T/mpa-testsrv" 7001
topo_wait_listen "$TOPO_SRV" 7001
in_cli() { ip netns exec "$TOPO_CLI" "$@"; }

printf '[default]\ninterfaces = c2\n' >"$tmp/policy.ini"

# pm_now: the client namespace's path manager, as its knob says it.
knob=path_manager
in_cli test -e /proc/sys/net/mptcp/path_manager || knob=pm_type
pm_now() { in_cli cat "/proc/sys/net/mptcp/$knob"; }
pm_user=userspace
pm_kernel=kernel
if [ $knob = pm_type ]; then
	pm_user=1
	pm_kernel=0
fi

# daemon_start [env] [OPTION...]: the daemon in the client namespace, on
# our socket (given by --socket, or with "env" by MPTCP_AUTO_PM_SOCKET),
# with a rate low enough for the flood check and the OPTIONs after it;
# waits for its socket (5 s). $dpid is the daemon itself (ip netns exec
# execs it).
daemon_start()
{
	local i sock=(--socket "$SOCK")

	if [ "${1:-}" = env ]; then
		sock=()
		shift
	fi
	MPTCP_AUTO_PM_SOCKET=$SOCK ip netns exec "$TOPO_CLI" "$DAEMON" \
		--policy "$tmp/policy.ini" --rate 10 --burst 100 --verbose \
		"${sock[@]}" "$@" 2>>"$tmp/daemon.log" &
	dpid=$!
	for i in $(seq 50); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# status_stopped WHEN: status and explain with no daemon on $SOCK.
status_stopped()
{
	local out

	out=$(MPTCP_AUTO_PM_SOCKET=$SOCK in_cli "$top/build/mptcp-auto" status \
		2>&1)
	if grep -q "^daemon: not running (socket $SOCK: " <<<"$out"; then
		pass "status $1: the daemon not running"
	else
		fail "status $1: the daemon not running" "$out"
	fi
	out=$(MPTCP_AUTO_PM_SOCKET=$SOCK in_cli "$top/build/mptcp-auto" \
		explain --policy "$tmp/policy.ini" 10.9.0.1:7001 2>&1)
	if grep -q '^path: ' <<<"$out" && ! grep -q '^path: daemon' <<<"$out"
	then
		pass "explain $1: not the daemon's path"
	else
		fail "explain $1: not the daemon's path" "$out"
	fi
}

# daemon_stop: SIGTERM; the exit status.
daemon_stop()
{
	local rc

	kill -TERM "$dpid"
	wait "$dpid"
	rc=$?
	dpid=""
	return $rc
}

# ---- the path manager: switched at start, put back at a clean stop ------
before=$(pm_now)
if [ "$before" != "$pm_kernel" ]; then
	fail "the lab starts with the kernel path manager" "$knob=$before"
fi
if daemon_start && [ "$(pm_now)" = "$pm_user" ]; then
	pass "the daemon switches $knob to userspace"
else
	fail "the daemon switches $knob to userspace" "$knob=$(pm_now)" \
		"$(cat "$tmp/daemon.log")"
fi
daemon_stop
rc=$?
if [ $rc = 0 ] && [ "$(pm_now)" = "$before" ] && [ ! -e "$SOCK" ]; then
	pass "SIGTERM: $knob is $before again, the socket gone, exit 0"
else
	fail "SIGTERM: $knob is $before again, the socket gone, exit 0" \
		"exit $rc, $knob=$(pm_now)" "$(ls -l "$tmp/run" 2>&1)" \
		"$(tail -5 "$tmp/daemon.log")"
fi
status_stopped "after SIGTERM"

# ---- a user of its own, with the tools where it can reach them -----------
user=mpa-u-$$-$RANDOM
if ! useradd -M -r -s /usr/sbin/nologin "$user" 2>"$tmp/useradd.err"; then
	user=""
	fail "a user for the test" "$(cat "$tmp/useradd.err")"
	exit 1
fi
uid=$(id -u "$user")
bin=$(nobody_copy "$T/mpa-pmclient" "$top/build/mptcp-auto") || {
	fail "tools the test user can run"
	exit 1
}
# as_user ARGS...: mpa-pmclient as the test user in the client namespace.
as_user()
{
	in_cli setpriv --reuid "$user" --regid "$user" --clear-groups \
		"$bin/mpa-pmclient" --socket "$SOCK" "$@"
}

: >"$tmp/daemon.log"
daemon_start || fail "the daemon starts again" "$(cat "$tmp/daemon.log")"

# ---- a registered connection gets its subflow on c2 ----------------------
out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "a registered connection of user $user gets its subflow on c2"
else
	fail "a registered connection of user $user gets its subflow on c2" \
		"$out" "$(tail -20 "$tmp/daemon.log")"
fi
# Registered at connect(), before it is fully established, right after
# the daemon started: the daemon saw its CREATED event, so it waits for
# ESTABLISHED instead of asking too early (under a burst, every early
# request delays all the others).
tok=$(sed -n 's/^token //p' <<<"$out")
if [ -n "$tok" ] && grep -q "token $tok: subflow requested" "$tmp/daemon.log" &&
	! grep -q "token $tok: not fully established yet" "$tmp/daemon.log"; then
	pass "a registration is served at its ESTABLISHED event, not before"
else
	fail "a registration is served at its ESTABLISHED event, not before" \
		"token ${tok:-?}" "$(grep "token ${tok:-?}" "$tmp/daemon.log")"
fi
if grep -q "uid $uid pid [0-9]* (mpa-pmclient): token .* registered" \
	"$tmp/daemon.log"; then
	pass "the daemon knows the user and program from the kernel"
else
	fail "the daemon knows the user and program from the kernel" \
		"$(tail -20 "$tmp/daemon.log")"
fi
# Registered while the SYN was out (a non-blocking connect): no addresses
# yet; they come with the connection's event. The first path is cut until
# the daemon has taken the registration: the SYN is retransmitted after it.
ip -n "$TOPO_SRV" link set s1 down
as_user --nonblock --subflows 2 10.9.0.1 7001 >"$tmp/synsent.out" 2>&1 &
spid=$!
PIDS="$PIDS $spid"
for i in $(seq 50); do
	grep -q 'registered while connecting' "$tmp/daemon.log" && break
	sleep 0.1
done
ip -n "$TOPO_SRV" link set s1 up
wait $spid
out=$(cat "$tmp/synsent.out")
token=$(sed -n 's/^token //p' <<<"$out")
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	grep -q "token $token registered while connecting" "$tmp/daemon.log"
then
	pass "registered in SYN-SENT: its subflow once it is connected"
else
	fail "registered in SYN-SENT: its subflow once it is connected" \
		"$out" "$(tail -20 "$tmp/daemon.log")"
fi

# ---- mptcp-auto status and explain see the daemon -------------------------
# Two registrations of the test user's mpa-pmclient were served above.
# The command, as the test user (any user may ask), on the daemon's socket.
ma_user()
{
	in_cli setpriv --reuid "$user" --regid "$user" --clear-groups \
		env MPTCP_AUTO_PM_SOCKET="$SOCK" "$bin/mptcp-auto" "$@"
}
out=$(ma_user status 2>&1)
line=$(head -1 <<<"$out")
if grep -q "^daemon: running (pid $dpid, since [0-9-]* [0-9:]*, serving [0-9]* registrations: .*uid $uid prog mpa-pmclient 2\b" <<<"$line" &&
	grep -q '^userspace path manager, run by mptcp-autod: programs of any user get subflows' <<<"$out"
then
	pass "status: the daemon running, with the user's registrations"
else
	fail "status: the daemon running, with the user's registrations" \
		"$out" "$(tail -5 "$tmp/daemon.log")"
fi
out=$(ma_user status --json 2>&1)
if python3 -c '
import json, sys
d = json.loads(sys.argv[1])["daemon"]
ok = d["running"] and d["pid"] == int(sys.argv[2]) and \
	d["mode"] == "userspace" and d["unregistered"] == "default" and \
	{"uid": int(sys.argv[3]), "program": "mpa-pmclient", "count": 2} \
	in d["served"]
sys.exit(0 if ok else 1)' "$out" "$dpid" "$uid"; then
	pass "status --json: the daemon and the registrations it served"
else
	fail "status --json: the daemon and the registrations it served" "$out"
fi
out=$(ma_user explain --policy "$tmp/policy.ini" 10.9.0.1:7001 2>&1)
if grep -q '^path: daemon: ' <<<"$out"; then
	pass "explain: the daemon's path while it answers"
else
	fail "explain: the daemon's path while it answers" "$out"
fi

# ---- what a hostile user may send: each refused, with its reason ---------
# A socket of another namespace, handed over by a helper living there.
foreign=mpa-f-$$-$RANDOM
topo_netns_add "$foreign"
ip -n "$foreign" link set lo up
ip netns exec "$foreign" sysctl -qw net.mptcp.enabled=1
topo_bg "$foreign" "$T/mpa-testsrv" 7002
topo_wait_listen "$foreign" 7002
ip netns exec "$foreign" "$T/mpa-pmclient" give-fd "$tmp/give.sock" \
	127.0.0.1 7002 >"$tmp/give.out" 2>&1 &
PIDS="$PIDS $!"
for i in $(seq 50); do
	grep -q ready "$tmp/give.out" && break
	sleep 0.1
done
chmod 0666 "$tmp/give.sock" 2>/dev/null

# Each row: check name | mpa-pmclient mode (and options) | the reason.
while IFS='|' read -r name args reason; do
	# shellcheck disable=SC2086
	out=$(as_user $args 10.9.0.1 7001 2>&1)
	if grep -qxF "reply: REFUSED $reason" <<<"$out" &&
		grep -F "refused: $reason" "$tmp/daemon.log" |
		grep -q "uid $uid pid "; then
		pass "$name: refused and logged ($reason)"
	else
		fail "$name: refused and logged ($reason)" "$out" \
			"$(tail -5 "$tmp/daemon.log")"
	fi
	out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
	if ! grep -qx 'reply: OK' <<<"$out" ||
		! grep -q '^state: 10\.0\.2\.1 ' <<<"$out"; then
		fail "after $name: a good registration is served" "$out"
	fi
done <<EOF
a forged token|--mode forged|the token is not the socket's
a TCP socket|--mode tcp|not an MPTCP socket
a listening socket|--mode listen|a listening socket
no socket|--mode nofd|no socket passed with the message
two descriptors|--mode twofds|more than one descriptor passed
a socket of another namespace|--mode foreign --fd-from $tmp/give.sock|a socket of another network namespace
garbage|--mode garbage|bad message: not MPTCP-AUTO/1
EOF

# Garbage on and on: disconnected after 16 in a row.
out=$(as_user --mode garbage --flood 200 10.9.0.1 7001 2>&1)
if grep -q '^flood: sent [0-9]* replies 16 ok 0 refused 16$' <<<"$out" &&
	grep -q "uid $uid pid [0-9]*: 16 bad messages in a row: disconnected" \
		"$tmp/daemon.log"; then
	pass "garbage on and on: disconnected after 16 bad messages"
else
	fail "garbage on and on: disconnected after 16 bad messages" "$out" \
		"$(grep disconnected "$tmp/daemon.log")"
fi

# A flood of registrations: the user's excess is refused; root, another
# user, is served at once; the user again once its bucket has refilled.
out=$(as_user --flood 2000 10.9.0.1 7001 2>&1)
if grep -q '^flood-reply: REFUSED too many registrations from this user' \
	<<<"$out" && grep -q '^flood: sent 2000 ' <<<"$out"; then
	pass "a flood: the excess over the user's rate is refused"
else
	fail "a flood: the excess over the user's rate is refused" "$out"
fi
out=$(in_cli "$T/mpa-pmclient" --socket "$SOCK" --subflows 2 \
	10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "right after the flood, another user is served"
else
	fail "right after the flood, another user is served" "$out"
fi
sleep 1
out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out"; then
	pass "a second later, the flooding user is served again"
else
	fail "a second later, the flooding user is served again" "$out"
fi

# ---- a stopped daemon slows no connect() -----------------------------------
# The client registers without waiting (as the shim does): with the
# daemon stopped, connect() and the registration take as long as with no
# daemon at all, and the connection works; it never waits for the reply
# (--wait-ms would make a client that did wait take 5 s).
kill -STOP "$dpid"
for what in stopped absent; do
	sock=$SOCK
	[ $what = absent ] && sock=$tmp/nothing/pm.sock
	t0=$(date +%s%N)
	out=$(timeout 20 ip netns exec "$TOPO_CLI" setpriv --reuid "$user" \
		--regid "$user" --clear-groups "$bin/mpa-pmclient" \
		--socket "$sock" --nonblock --wait-ms 5000 10.9.0.1 7001 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	us=$(sed -n 's/^connect-us //p' <<<"$out")
	if [ $rc = 0 ] && [ -n "$us" ] && [ "$us" -lt 1000000 ] &&
		[ $ms -lt 3000 ] && grep -q '^reply: \(none\|no daemon\)' \
		<<<"$out"; then
		pass "daemon $what: connect() and registration in $us us"
	else
		fail "daemon $what: connect() and registration, no wait" \
			"exit $rc after $ms ms" "$out"
	fi
done
kill -CONT "$dpid"
out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "SIGCONT: the daemon serves again"
else
	fail "SIGCONT: the daemon serves again" "$out"
fi

# ---- killed mid-transfer: the transfer completes ---------------------------
# 20 MB over two 40 Mbit/s paths: a few seconds, killed in the middle.
topo_shape c1 40mbit && topo_shape c2 40mbit ||
	fail "tc tbf on both paths (the transfer would end before the kill)"
as_user --subflows 2 --get 20000000 10.9.0.1 7001 >"$tmp/transfer.out" 2>&1 &
tpid=$!
PIDS="$PIDS $tpid"
for i in $(seq 100); do
	grep -q '^state: 10\.0\.2\.1 ' "$tmp/transfer.out" && break
	sleep 0.05
done
sleep 0.5
kill -KILL "$dpid"
wait "$dpid" 2>/dev/null
dpid=""
if kill -0 $tpid 2>/dev/null; then
	killed_mid=yes
else
	killed_mid=no
fi
wait $tpid
rc=$?
if [ $rc = 0 ] && [ $killed_mid = yes ] &&
	grep -qx 'got 20000000 bytes' "$tmp/transfer.out" &&
	grep -q '^state: 10\.0\.2\.1 ' "$tmp/transfer.out"; then
	pass "SIGKILL mid-transfer: the 20 MB transfer completes"
else
	fail "SIGKILL mid-transfer: the 20 MB transfer completes" \
		"exit $rc, killed during the transfer: $killed_mid" \
		"$(cat "$tmp/transfer.out")"
fi
tc -n "$TOPO_CLI" qdisc del dev c1 root 2>/dev/null
tc -n "$TOPO_CLI" qdisc del dev c2 root 2>/dev/null
tc -n "$TOPO_SRV" qdisc del dev s1 root 2>/dev/null
tc -n "$TOPO_SRV" qdisc del dev s2 root 2>/dev/null

# Its socket file is left behind: nobody answers on it.
status_stopped "after SIGKILL"

# ---- restarted: serving within a second, by the environment's socket -------
# The killed daemon left its socket file and the userspace path manager.
# The issue's second, on this machine; MPA_SLOW_FACTOR stretches it where
# the machine itself is slower (the kernel matrix's emulated guests: 5).
limit=$((1000 * ${MPA_SLOW_FACTOR:-1}))
t0=$(date +%s%N)
daemon_start env || fail "the daemon restarts" "$(tail -5 "$tmp/daemon.log")"
ok=""
while [ $((($(date +%s%N) - t0) / 1000000)) -lt $((3 * limit)) ]; do
	out=$(as_user --wait-ms 200 10.9.0.1 7001 2>&1)
	if grep -qx 'reply: OK' <<<"$out"; then
		ok=$((($(date +%s%N) - t0) / 1000000))
		break
	fi
done
if [ -n "$ok" ] && [ "$ok" -lt $limit ]; then
	pass "restarted: a new registration served ${ok} ms after the start"
else
	fail "restarted: a new registration served within $limit ms of the start" \
		"${ok:-not} served" "$out" "$(tail -5 "$tmp/daemon.log")"
fi
out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "restarted: registered connections get their subflow again"
else
	fail "restarted: registered connections get their subflow again" "$out"
fi
daemon_stop
rc=$?
if [ $rc = 0 ] && [ "$(pm_now)" = "$before" ]; then
	pass "after a kill and a restart, SIGTERM puts $knob $before back"
else
	fail "after a kill and a restart, SIGTERM puts $knob $before back" \
		"exit $rc, $knob=$(pm_now)" "$(tail -5 "$tmp/daemon.log")"
fi

# ---- the user's own policy narrows, never widens -------------------------
: >"$tmp/daemon.log"
daemon_start || fail "the daemon starts for narrowing" "$(cat "$tmp/daemon.log")"
out=$(as_user --narrow 'user-subflows 0' --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && ! grep -q '^note: ' <<<"$out" &&
	! grep -q '^state: 10\.0\.2\.1 ' <<<"$out"; then
	pass "narrowing: user-subflows 0 is served with no subflow"
else
	fail "narrowing: user-subflows 0 is served with no subflow" "$out" \
		"$(tail -10 "$tmp/daemon.log")"
fi
# Asking for an interface the system policy does not give: served (as
# narrowed as that leaves it: nothing), and told why, in the reply and
# the daemon's log.
out=$(as_user --narrow 'user-interfaces wlan9' --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" &&
	grep -q '^note: your policy.s interface wlan9 is not one the system policy' \
		<<<"$out" && ! grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	grep -q "uid $uid .*wlan9 is not one" "$tmp/daemon.log"; then
	pass "widening: an interface the system does not give is refused, said"
else
	fail "widening: an interface the system does not give is refused, said" \
		"$out" "$(tail -10 "$tmp/daemon.log")"
fi
out=$(as_user --narrow 'user-subflows 9' --subflows 2 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" &&
	grep -q '^note: your policy.s 9 subflows are more than' <<<"$out" &&
	grep -q '^state: 10\.0\.2\.1 ' <<<"$out"; then
	pass "widening: more subflows than the system's: its cap, said"
else
	fail "widening: more subflows than the system's: its cap, said" "$out" \
		"$(tail -10 "$tmp/daemon.log")"
fi
daemon_stop

# ---- the shim and the daemon together: a normal user's curl --------------
# What the issue promises: LD_PRELOAD=libmptcp_auto.so curl, run by a
# user without privilege, gets its second subflow on the policy's
# interface through the daemon, and the file arrives intact.
if command -v curl >/dev/null; then
	head -c $((4 * 1024 * 1024)) /dev/urandom >"$tmp/file"
	sum=$(sha256sum <"$tmp/file")
	chmod 0644 "$tmp/file"
	: >"$tmp/httpd.log"
	topo_bg "$TOPO_SRV" "$T/mpa-httpd" 8080 "$tmp/file" >>"$tmp/httpd.log"
	topo_wait_listen "$TOPO_SRV" 8080
	shimdir=$(nobody_copy "$top/build/libmptcp_auto.so") || shimdir=""
	: >"$tmp/daemon.log"
	daemon_start || fail "the daemon starts for the shim" \
		"$(cat "$tmp/daemon.log")"
	got=$(in_cli setpriv --reuid "$user" --regid "$user" --clear-groups \
		env LD_PRELOAD="$shimdir/libmptcp_auto.so" \
		MPTCP_AUTO_PM_SOCKET="$SOCK" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		MPTCP_AUTO_LOG=debug HOME=/nonexistent \
		curl -s http://10.9.0.1:8080/file 2>"$tmp/curl.err" | sha256sum)
	for i in $(seq 30); do
		grep -q '^conn ' "$tmp/httpd.log" && break
		sleep 0.1
	done
	if [ "$got" = "$sum" ] && grep -q '^conn .*subflows=2' "$tmp/httpd.log" &&
		grep -q '^sub 10\.0\.2\.1 ' "$tmp/httpd.log" &&
		grep -q "uid $uid pid [0-9]* (curl): token .* registered" \
			"$tmp/daemon.log"; then
		pass "a user's curl under the shim: registered, a subflow on c2, intact"
	else
		fail "a user's curl under the shim: registered, a subflow on c2, intact" \
			"$(cat "$tmp/httpd.log")" "$(cat "$tmp/curl.err" 2>&1)" \
			"$(tail -10 "$tmp/daemon.log")"
	fi
	daemon_stop
	rm -rf "$shimdir"
elif [ "${CI:-}" = true ]; then
	fail "a user's curl under the shim" "curl is not installed"
else
	skip "a user's curl under the shim" "curl is not installed"
fi

# ---- client slots: one user at its share stops nobody else ---------------
# Every process under the shim holds one connection to the daemon. The
# test user tries to take every one of the 6 there are with bare
# connections: it gets its share, 3, and the others are turned away with
# the reason, said once in the log; root, another user, registers and
# gets its subflow all the same; and the
# user's own shimmed curl works, registers nothing (its connections are
# served as unregistered ones), and is told why once.
: >"$tmp/daemon.log"
daemon_start --max-clients 6 --max-clients-per-user 3 ||
	fail "the daemon starts with 6 clients, 3 per user" \
		"$(cat "$tmp/daemon.log")"
cat >"$bin/hold.py" <<'PY'
import socket, sys, time
path, n, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(path)
    socks.append(c)
# Accepted in order: once the last one is answered, all were looked at.
socks[-1].settimeout(5)
replies = {}
try:
    replies[n - 1] = socks[-1].recv(4096).decode()
except socket.timeout:
    pass
for i, c in enumerate(socks[:-1]):
    c.setblocking(False)
    try:
        replies[i] = c.recv(4096).decode()
    except BlockingIOError:
        pass
held, refused, first = 0, 0, "none"
for i in range(n):
    if i not in replies:
        held += 1
        continue
    text = replies[i]
    refused += 1
    seq = [l for l in text.split("\n") if l.startswith("seq ")]
    why = [l[7:] for l in text.split("\n") if l.startswith("reason ")]
    if first == "none":
        first = (seq[0] if seq else "-") + " | " + (why[0] if why else text)
print("refused", refused, "first:", first)
print("held", held, flush=True)
time.sleep(hold)
PY
chmod 0644 "$bin/hold.py"
# A python3 the test user can run (not one under /root, as pyenv's).
userpy=/usr/bin/python3
[ -x "$userpy" ] || userpy=$(command -v python3)
# Not through in_cli (a function: $! would be a subshell's): $hpid is
# python itself, which ip netns exec and setpriv exec.
ip netns exec "$TOPO_CLI" setpriv --reuid "$user" --regid "$user" \
	--clear-groups "$userpy" "$bin/hold.py" "$SOCK" 6 60 \
	>"$tmp/hold.out" 2>&1 &
hpid=$!
PIDS="$PIDS $hpid"
for i in $(seq 100); do
	grep -q '^held ' "$tmp/hold.out" && break
	sleep 0.05
done
share_reason="too many clients of this user (3): this program's connections are not registered; the administrator may raise mptcp-autod --max-clients-per-user"
if grep -qxF "refused 3 first: seq 0 | $share_reason" "$tmp/hold.out" &&
	grep -qx 'held 3' "$tmp/hold.out"; then
	pass "a user asking for all 6 clients gets its 3, the rest turned away"
else
	fail "a user asking for all 6 clients gets its 3, the rest turned away" \
		"$(cat "$tmp/hold.out")" "$(tail -5 "$tmp/daemon.log")"
fi
out=$(as_user 10.9.0.1 7001 2>&1)
if grep -qxF "reply: REFUSED $share_reason" <<<"$out"; then
	pass "the user at its share: a registration is turned away, with why"
else
	fail "the user at its share: a registration is turned away, with why" \
		"$out"
fi
out=$(in_cli "$T/mpa-pmclient" --socket "$SOCK" --subflows 2 \
	10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "while the user holds its share, root registers and gets its subflow"
else
	fail "while the user holds its share, root registers and gets its subflow" \
		"$out" "$(tail -5 "$tmp/daemon.log")"
fi
if command -v curl >/dev/null && [ -f "$tmp/file" ]; then
	shimdir=$(nobody_copy "$top/build/libmptcp_auto.so") || shimdir=""
	lines=$(wc -l <"$tmp/httpd.log")
	dlines=$(wc -l <"$tmp/daemon.log")
	got=$(in_cli setpriv --reuid "$user" --regid "$user" --clear-groups \
		env LD_PRELOAD="$shimdir/libmptcp_auto.so" \
		MPTCP_AUTO_PM_SOCKET="$SOCK" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		MPTCP_AUTO_LOG=info HOME=/nonexistent \
		curl -s http://10.9.0.1:8080/file http://10.9.0.1:8080/file \
		2>"$tmp/curl-away.err" | sha256sum)
	for i in $(seq 30); do
		[ "$(tail -n +$((lines + 1)) "$tmp/httpd.log" |
			grep -c '^conn ')" -ge 2 ] && break
		sleep 0.1
	done
	said=$(grep -c "mptcp-autod turned this process away: $share_reason" \
		"$tmp/curl-away.err")
	if [ "$got" = "$(cat "$tmp/file" "$tmp/file" | sha256sum)" ] &&
		[ "$said" = 1 ] &&
		[ "$(tail -n +$((lines + 1)) "$tmp/httpd.log" |
			grep -c '^conn ')" = 2 ] &&
		! tail -n +$((dlines + 1)) "$tmp/daemon.log" |
			grep -q '(curl): token .* registered'; then
		pass "the user's shimmed curl, turned away: unregistered, intact, said once"
	else
		fail "the user's shimmed curl, turned away: unregistered, intact, said once" \
			"said $said times" "$(cat "$tmp/curl-away.err")" \
			"$(tail -n +$((lines + 1)) "$tmp/httpd.log")" \
			"$(tail -n +$((dlines + 1)) "$tmp/daemon.log")"
	fi
	rm -rf "$shimdir"
elif [ "${CI:-}" = true ]; then
	fail "a shimmed curl turned away" "curl is not installed"
else
	skip "a shimmed curl turned away" "curl is not installed"
fi
# Turned away four times and more: one line.
n=$(grep -c "uid $uid holds its 3 clients (--max-clients-per-user)" \
	"$tmp/daemon.log")
if [ "$n" = 1 ]; then
	pass "the user's clients turned away: logged once"
else
	fail "the user's clients turned away: logged once" "$n lines" \
		"$(grep 'turned away' "$tmp/daemon.log")"
fi
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
# Its clients gone, the user is served again.
for i in $(seq 50); do
	out=$(as_user --subflows 2 10.9.0.1 7001 2>&1)
	grep -qx 'reply: OK' <<<"$out" && break
	sleep 0.1
done
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "its clients gone, the user registers again"
else
	fail "its clients gone, the user registers again" "$out"
fi
daemon_stop

# ---- SIGHUP, again and again: a user's narrowing stays served -------------
# Each reload starts the narrowings afresh: those of the replaced policy
# used to stay and count against the user's share (128), so that after
# that many reloads the user's registrations were refused. The replaced
# policies are freed once no connection uses them.
: >"$tmp/daemon.log"
daemon_start --rate 1000 ||
	fail "the daemon starts for the reloads" "$(cat "$tmp/daemon.log")"
ok=0
for round in $(seq 135); do
	out=$(as_user --narrow 'user-subflows 1' 10.9.0.1 7001 2>&1)
	grep -qx 'reply: OK' <<<"$out" && ok=$((ok + 1))
	kill -HUP "$dpid"
	for i in $(seq 100); do
		[ "$(grep -c 'policy reloaded' "$tmp/daemon.log")" -ge \
			"$round" ] && break
		sleep 0.02
	done
done
if [ $ok = 135 ]; then
	pass "135 reloads, a narrowing registration before each: all served"
else
	fail "135 reloads, a narrowing registration before each: all served" \
		"$ok served" "$out" "$(grep refused "$tmp/daemon.log" | tail -3)"
fi
# Their connections closed and their plans old, a reload frees them all.
freed=""
for i in $(seq 5); do
	sleep 1.1
	kill -HUP "$dpid"
	sleep 0.2
	freed=$(grep 'replaced polic.* freed' "$tmp/daemon.log" | tail -1)
	grep -q '; 0 kept$' <<<"$freed" && break
done
if grep -q '; 0 kept$' <<<"$freed"; then
	pass "replaced policies are freed once no connection uses them"
else
	fail "replaced policies are freed once no connection uses them" \
		"${freed:-none freed}"
fi
daemon_stop

# ---- systemd's word: ready, reloading, stopping ----------------------------
# With $NOTIFY_SOCKET (here a datagram socket of the test's), the daemon
# says READY=1 once its socket is there, RELOADING=1 (with the monotonic
# time) then READY=1 around a SIGHUP, and STOPPING=1 at SIGTERM.
cat >"$tmp/notify.py" <<'PY'
import os, socket, sys
path, sock, out = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(120)
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while True:
        lines = s.recv(4096).decode().strip().split("\n")
        there = "yes" if os.path.exists(sock) else "no"
        f.write("|".join(lines) + " socket=" + there + "\n")
        if lines[0] == "STOPPING=1":
            break
PY
: >"$tmp/notify.out"
python3 "$tmp/notify.py" "$tmp/notify.sock" "$SOCK" "$tmp/notify.out" &
npid=$!
PIDS="$PIDS $npid"
for i in $(seq 50); do
	grep -q '^listening' "$tmp/notify.out" && break
	sleep 0.1
done
# notified N PATTERN: wait (5 s) for N lines matching PATTERN.
notified()
{
	local i

	for i in $(seq 50); do
		[ "$(grep -c "$2" "$tmp/notify.out")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
: >"$tmp/daemon.log"
[ -e "$SOCK" ] && fail "no socket before the daemon starts" "$(ls -l "$SOCK")"
NOTIFY_SOCKET=$tmp/notify.sock daemon_start --rate 1000 ||
	fail "the daemon starts with NOTIFY_SOCKET" "$(cat "$tmp/daemon.log")"
if notified 1 '^READY=1' &&
	grep -q '^READY=1|STATUS=serving .* socket=yes$' "$tmp/notify.out" &&
	! grep -q 'socket=no' "$tmp/notify.out"; then
	pass "NOTIFY_SOCKET: READY=1 once the socket is there"
else
	fail "NOTIFY_SOCKET: READY=1 once the socket is there" \
		"$(cat "$tmp/notify.out")" "$(tail -5 "$tmp/daemon.log")"
fi
kill -HUP "$dpid"
if notified 2 '^READY=1' &&
	sed -n 3p "$tmp/notify.out" |
	grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*|STATUS=reloading' &&
	sed -n 4p "$tmp/notify.out" | grep -q '^READY=1|STATUS=policy reloaded'
then
	pass "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1"
else
	fail "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1" \
		"$(cat "$tmp/notify.out")"
fi
daemon_stop
rc=$?
if [ $rc = 0 ] && notified 1 '^STOPPING=1'; then
	pass "SIGTERM: STOPPING=1, exit 0"
else
	fail "SIGTERM: STOPPING=1, exit 0" "exit $rc" "$(cat "$tmp/notify.out")"
fi
wait "$npid" 2>/dev/null

# ---- a client whose command line cannot be read ---------------------------
# Another process's /proc/PID/cmdline is that process's memory: reading it
# can be made to wait as long as the process likes (its argv behind a FUSE
# file that never answers, its mmap lock held). Here the daemon reads its
# clients from a /proc of the test's (--procdir), where one client's
# cmdline is a FIFO nobody writes, so that the read hangs as such a read
# would. The daemon serves on: that client is answered after the deadline,
# known by its comm alone, and said once; root registers meanwhile; a
# client that comes while the read hangs is known without its command
# line; once the read returns, command lines are read again.
proc=$tmp/proc
mkdir -p "$proc"
# in_fake NAME CMDLINE PROG ARGS...: PROG as the test user in the client
# namespace, its pid given entries in $proc (comm NAME; cmdline CMDLINE, a
# printf format, or a FIFO for "fifo") before it runs; prints "pid N" first.
in_fake()
{
	in_cli sh -c 'd=$0/$$; mkdir "$d" && echo "$1" >"$d/comm" &&
		if [ "$2" = fifo ]; then mkfifo "$d/cmdline"
		else printf "$2" >"$d/cmdline"; fi || exit 1
		echo "pid $$"; shift 2; exec "$@"' "$proc" "$@"
}
# as_fake NAME CMDLINE ARGS...: mpa-pmclient as the test user so.
as_fake()
{
	local name=$1 cmdline=$2

	shift 2
	in_fake "$name" "$cmdline" setpriv --reuid "$user" --regid "$user" \
		--clear-groups "$bin/mpa-pmclient" --socket "$SOCK" "$@"
}
: >"$tmp/daemon.log"
daemon_start --procdir "$proc" ||
	fail "the daemon starts with --procdir" "$(cat "$tmp/daemon.log")"
as_fake mpa-stall fifo --wait-ms 5000 --subflows 2 10.9.0.1 7001 \
	>"$tmp/stall.out" 2>&1 &
spid=$!
PIDS="$PIDS $spid"
for i in $(seq 50); do
	hpid=$(sed -n 's/^pid //p' "$tmp/stall.out")
	[ -n "$hpid" ] && break
	sleep 0.1
done
stall_fifo=$proc/$hpid/cmdline
late="uid $uid pid $hpid (mpa-stall): its command line was not read within 200 ms"
for i in $(seq 50); do
	grep -qF "$late" "$tmp/daemon.log" && break
	sleep 0.1
done
if grep -qF "$late" "$tmp/daemon.log"; then
	pass "a command line that cannot be read: given up after 200 ms, said"
else
	fail "a command line that cannot be read: given up after 200 ms, said" \
		"$(cat "$tmp/stall.out")" "$(tail -5 "$tmp/daemon.log")"
fi
out=$(in_cli "$T/mpa-pmclient" --socket "$SOCK" --subflows 2 \
	10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "while that read hangs, root registers and gets its subflow"
else
	fail "while that read hangs, root registers and gets its subflow" \
		"$out" "$(tail -5 "$tmp/daemon.log")"
fi
out=$(as_fake mpa-late 'mpa-argv\0' 10.9.0.1 7001 2>&1)
cpid=$(sed -n 's/^pid //p' <<<"$out")
if grep -qx 'reply: OK' <<<"$out" && grep -q "client uid $uid pid $cpid (mpa-late) connected, identified without its command line" \
	"$tmp/daemon.log"; then
	pass "while that read hangs, a new client goes without its command line"
else
	fail "while that read hangs, a new client goes without its command line" \
		"$out" "$(tail -5 "$tmp/daemon.log")"
fi
wait $spid
out=$(cat "$tmp/stall.out")
if grep -qx 'reply: OK' <<<"$out" && grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	[ "$(grep -cF "its command line was not read" "$tmp/daemon.log")" = 1 ]
then
	pass "the client whose read hangs is served, by its comm"
else
	fail "the client whose read hangs is served, by its comm" "$out" \
		"$(grep -F "command line" "$tmp/daemon.log")"
fi
# The read returns once someone writes: command lines are read again.
timeout 5 sh -c "printf 'mpa-stall\0' >'$stall_fifo'"
for i in $(seq 50); do
	grep -q 'command lines are read again' "$tmp/daemon.log" && break
	sleep 0.1
done
out=$(as_fake mpa-late2 'mpa-argv\0' 10.9.0.1 7001 2>&1)
cpid=$(sed -n 's/^pid //p' <<<"$out")
if grep -q "returned after [0-9]* ms; 1 client was identified without theirs meanwhile; command lines are read again" \
	"$tmp/daemon.log" && grep -qx 'reply: OK' <<<"$out" &&
	grep -q "client uid $uid pid $cpid (mpa-late2, argv0 mpa-argv) connected" \
		"$tmp/daemon.log"; then
	pass "the read returned: command lines are read again"
else
	fail "the read returned: command lines are read again" "$out" \
		"$(tail -5 "$tmp/daemon.log")"
fi
daemon_stop
stall_fifo=""

# ---- connections no program registered ------------------------------------
# With a [default] rule (this policy's): a native MPTCP client, no shim,
# gets that rule's subflow on c2 once its grace period is over.
: >"$tmp/daemon.log"
daemon_start || fail "the daemon starts for the native client" \
	"$(cat "$tmp/daemon.log")"
out=$(as_user --mode native --subflows 2 10.9.0.1 7001 2>&1)
if grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	grep -q 'not registered within 100 ms: the \[default\] rule' \
		"$tmp/daemon.log"; then
	pass "unregistered: a native MPTCP client gets the [default] rule"
else
	fail "unregistered: a native MPTCP client gets the [default] rule" \
		"$out" "$(tail -20 "$tmp/daemon.log")"
fi
daemon_stop

printf '[program nothing-here]\nmptcp = no\n' >"$tmp/nodefault.ini"

# A reload that adds [default], and one that removes it, each to a daemon
# that started without, and with it: unregistered connections follow the
# policy in force, its [default] rule or the host's endpoints as they were
# at the start (none here: one path).
# reload_to FILE: FILE is the policy now; SIGHUP, and its line awaited.
reload_to()
{
	local n i

	cp "$1" "$tmp/reload.ini"
	n=$(grep -c 'policy reloaded' "$tmp/daemon.log")
	kill -HUP "$dpid"
	for i in $(seq 50); do
		[ "$(grep -c 'policy reloaded' "$tmp/daemon.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
# unreg_mode: what `mptcp-auto status --json` says unregistered ones get.
unreg_mode()
{
	ma_user status --json 2>&1 | python3 -c '
import json, sys
print(json.load(sys.stdin)["daemon"]["unregistered"])'
}
cp "$tmp/nodefault.ini" "$tmp/reload.ini"
: >"$tmp/daemon.log"
daemon_start --policy "$tmp/reload.ini" ||
	fail "the daemon starts without [default]" "$(cat "$tmp/daemon.log")"
reload_to "$tmp/policy.ini" || fail "SIGHUP: [default] added" \
	"$(tail -5 "$tmp/daemon.log")"
out=$(as_user --mode native --subflows 2 10.9.0.1 7001 2>&1)
mode=$(unreg_mode)
if grep -q '^state: 10\.0\.2\.1 ' <<<"$out" && [ "$mode" = default ] &&
	grep -q 'connections no program registers: the \[default\] rule' \
		"$tmp/daemon.log"; then
	pass "a reload that adds [default]: unregistered connections get it"
else
	fail "a reload that adds [default]: unregistered connections get it" \
		"status: $mode" "$out" "$(tail -20 "$tmp/daemon.log")"
fi
daemon_stop
cp "$tmp/policy.ini" "$tmp/reload.ini"
: >"$tmp/daemon.log"
daemon_start --policy "$tmp/reload.ini" ||
	fail "the daemon starts with [default]" "$(cat "$tmp/daemon.log")"
reload_to "$tmp/nodefault.ini" || fail "SIGHUP: [default] removed" \
	"$(tail -5 "$tmp/daemon.log")"
out=$(as_user --mode native --subflows 2 10.9.0.1 7001 2>&1)
mode=$(unreg_mode)
if grep -q '^state: ' <<<"$out" && ! grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	[ "$mode" = endpoints ] &&
	grep -q "connections no program registers: the host's 0 endpoints" \
		"$tmp/daemon.log"; then
	pass "a reload that removes [default]: the host's endpoints again"
else
	fail "a reload that removes [default]: the host's endpoints again" \
		"status: $mode" "$out" "$(tail -20 "$tmp/daemon.log")"
fi
daemon_stop

# Without a [default] rule: what the host's endpoints gave before the
# switch. A subflow endpoint on c2, read at the start.
in_cli ip mptcp endpoint add 10.0.2.1 dev c2 subflow
: >"$tmp/daemon.log"
MPTCP_AUTO_PM_SOCKET=$SOCK ip netns exec "$TOPO_CLI" "$DAEMON" \
	--policy "$tmp/nodefault.ini" --socket "$SOCK" --verbose \
	2>>"$tmp/daemon.log" &
dpid=$!
for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
out=$(as_user --mode native --subflows 2 10.9.0.1 7001 2>&1)
if grep -q '^state: 10\.0\.2\.1 ' <<<"$out" &&
	grep -q "the host's 1 endpoint" "$tmp/daemon.log"; then
	pass "unregistered: the host's subflow endpoint still opens its subflow"
else
	fail "unregistered: the host's subflow endpoint still opens its subflow" \
		"$out" "$(tail -20 "$tmp/daemon.log")"
fi
# A registered connection follows its rule, not the endpoints: this
# policy has none for it, so it stays on one path.
out=$(as_user --subflows 2 --wait-ms 2000 10.9.0.1 7001 2>&1)
if grep -qx 'reply: OK' <<<"$out" && ! grep -q '^state: 10\.0\.2\.1 ' <<<"$out"
then
	pass "registered: its rule, not the host's endpoints"
else
	fail "registered: its rule, not the host's endpoints" "$out" \
		"$(tail -20 "$tmp/daemon.log")"
fi
daemon_stop
in_cli ip mptcp endpoint flush

# A server whose namespace runs the daemon keeps announcing its signal
# endpoint to clients (here one on the kernel path manager that accepts
# one address): the client joins the announced address.
SSOCK=$tmp/run/srv.sock
ip -n "$TOPO_SRV" mptcp endpoint add 10.0.2.2 dev s2 signal
in_cli ip mptcp limits set subflows 2 add_addr_accepted 1
: >"$tmp/daemon-srv.log"
MPTCP_AUTO_PM_SOCKET=$SSOCK ip netns exec "$TOPO_SRV" "$DAEMON" \
	--policy "$tmp/nodefault.ini" --socket "$SSOCK" --verbose \
	2>>"$tmp/daemon-srv.log" &
spid=$!
PIDS="$PIDS $spid"
for i in $(seq 50); do [ -S "$SSOCK" ] && break; sleep 0.1; done
out=$(as_user --mode native --subflows 2 10.9.0.1 7001 2>&1)
kill -TERM "$spid"
wait "$spid"
src=$(ip netns exec "$TOPO_SRV" cat "/proc/sys/net/mptcp/$knob")
if grep -c '^state: ' <<<"$out" | grep -qx 2 &&
	grep -q 'announce\|announced' "$tmp/daemon-srv.log" &&
	[ "$src" = "$pm_kernel" ]; then
	pass "unregistered server: its signal endpoint announced and joined"
else
	fail "unregistered server: its signal endpoint announced and joined" \
		"$out" "server $knob=$src" "$(tail -20 "$tmp/daemon-srv.log")"
fi
ip -n "$TOPO_SRV" mptcp endpoint flush
in_cli ip mptcp limits set subflows 2 add_addr_accepted 0
exit $failed
