#!/bin/bash
# SPDX-License-Identifier: MIT
# The shim never touches what is not its own: the program's descriptor
# cleanups cannot reach the helper thread's sockets (nor the helper the
# program's files), a seccomp filter never gets the program killed because
# of the shim, two copies of the shim act as one, and the shim leaks
# nothing at start. Prints "PASS: name", "FAIL: name" or "SKIP: name".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/serve.sh"
. "$top/tests/lib/lab.sh"

SHIM=$top/build/libmptcp_auto.so
T=$top/build/tests
ST=$T/mpa-shimtest
FT=$T/mpa-fdtest
SF=$T/seccomp-filter
tmp=$(mktemp -d)
PIDS=""
TOPO_OK=0

cleanup()
{
	local p
	trap '' INT TERM HUP
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ "$TOPO_OK" = 1 ] && topo_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cat >"$tmp/policy.ini" <<EOF
[default]
interfaces = c2
skip-local = no
EOF

# ---- loopback: any user ---------------------------------------------------
serve "$T/mpa-testsrv" PORT || { fail "loopback test server"; exit 1; }
port=$served

# The start-up allocations live as long as the process: none is lost.
if slow_tool valgrind "valgrind: nothing lost at start-up"; then
	check "valgrind: nothing lost at start-up" \
		env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$ST" connect 127.0.0.1 "$port"
fi

# The marker that lets a second copy find the first is exported.
if nm -D --defined-only "$SHIM" | grep -qw mptcp_auto_shim; then
	pass "the shim exports its one-copy marker"
else
	fail "the shim exports its one-copy marker"
fi

# ---- namespaces: the helper thread at work (root) --------------------------
lab_up_or_skip
head -c 3000000 /dev/urandom >"$tmp/page"
topo_bg "$TOPO_SRV" "$T/mpa-httpd" 7002 "$tmp/page"
topo_wait_listen "$TOPO_SRV" 7002
in_cli() { ip netns exec "$TOPO_CLI" "$@"; }
shim()
{
	timeout 60 ip netns exec "$TOPO_CLI" env LD_PRELOAD="$SHIM" \
		MPTCP_AUTO_POLICY="$tmp/policy.ini" "$@"
}

# The helper's descriptors (rule 22b): closerange() then reuse: not a byte lost, the file stays ours, the
# helper idles and keeps working.
check "closerange(3, 1024) then a 10 MB download: every byte arrives" \
	shim "$FT" closerange 10.9.0.1 7001 10000000
if command -v python3 >/dev/null; then
	cat >"$tmp/closerange.py" <<'EOF'
import os, socket, sys, time
first = socket.create_connection(("10.9.0.1", 7001))
assert first.recv(3) == b"OK\n"
time.sleep(0.5)  # the helper thread is up
first.detach()  # closerange closes it; Python must not close it again
os.closerange(3, 1024)
log = open("/proc/self/cmdline", "rb")
s = socket.create_connection(("10.9.0.1", 7001))
f = s.makefile("rb")
assert f.readline() == b"OK\n"
s.sendall(b"SEND 10000000\n")
n = 0
while True:
    b = f.read(65536)
    if not b:
        break
    if b.count(b"x") != len(b):
        sys.exit("bad bytes")
    n += len(b)
sys.exit(0 if n == 10000000 and log.read(1) else "got %d bytes" % n)
EOF
	check "python3 os.closerange(3, 1024) then a 10 MB download" \
		shim python3 "$tmp/closerange.py"
else
	no_tool "python3 os.closerange" python3
fi

# /dev/null dup2()ed over every low number: the helper does not spin.
check "dup2 of /dev/null over 3..63: the helper idles and still works" \
	shim "$FT" dup2null 10.9.0.1 7001

# Privileges dropped after start: the helper's request fails (EPERM),
# and it closes nothing of the program's.
check "privileges dropped: every program descriptor stays open" \
	shim MPTCP_AUTO_LOG=debug MPTCP_AUTO_LOG_FILE="$tmp/drop.log" \
	"$FT" dropuid 10.9.0.1 7001
if grep -q 'CAP_NET_ADMIN' "$tmp/drop.log" 2>/dev/null; then
	pass "privileges dropped: the helper's refusal is logged"
else
	fail "privileges dropped: the helper's refusal is logged" \
		"$(cat "$tmp/drop.log" 2>/dev/null)"
fi

# The helper's own lines (the engine's, such as the connection it takes
# over) reach the program's log file.
if grep -q 'token [0-9a-f]*: to 10\.9\.0\.1' "$tmp/drop.log" 2>/dev/null; then
	pass "the helper thread logs through the program's log descriptor"
else
	fail "the helper thread logs through the program's log descriptor" \
		"$(cat "$tmp/drop.log" 2>/dev/null)"
fi

# nsubflows OUT: how many subflows the server listed.
nsubflows() { grep -c '^10\.0\.' <<<"$1"; }

# Seccomp filters that kill (rule 6): the program lives; what the shim can do
# safely, it still does. Each row: name, filter action and target, the
# tester's subcommand, what it must print (subflows the server sees, or
# the socket's protocol).
while IFS='|' read -r name action target cmd want; do
	# What the program prints; the shim's one line goes to stderr.
	out=$(shim "$SF" "$action" "$target" "$ST" "$cmd" 10.9.0.1 7001 \
		2>"$tmp/sf.err")
	rc=$?
	got=$out
	out="$out
$(cat "$tmp/sf.err")"
	[ "$cmd" = state ] && got=$(nsubflows "$out")
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc" "$out"
	fi
done <<'EOF2'
seccomp kills AF_NETLINK: program lives, one path|kill|netlink|state|1
seccomp traps AF_NETLINK: program lives, one path|trap|netlink|state|1
seccomp kills protocol 262: program lives, plain TCP|kill|mptcp|proto|6
seccomp kills AF_UNIX: program lives, subflow opened|kill|unix|state|2
AF_NETLINK refused (RestrictAddressFamilies): one path|errno|netlink|state|1
EOF2
if command -v curl >/dev/null; then
	shim "$SF" kill netlink curl -s -o "$tmp/curl.out" \
		http://10.9.0.1:7002/page
	rc=$?
	if [ $rc = 0 ] && cmp -s "$tmp/page" "$tmp/curl.out"; then
		pass "curl under a seccomp filter that kills AF_NETLINK"
	else
		fail "curl under a seccomp filter that kills AF_NETLINK" "exit $rc"
	fi
else
	no_tool "curl under a seccomp filter" curl
fi

# The seccomp filter kills signalfd4 or tgkill (the wake-up): the
# probe finds out, the program lives, and the helper, looking at its queue
# now and then instead, still opens the subflow. The second connection is
# made while the helper sleeps: a hook would signal it now.
cat >"$tmp/two.sh" <<'EOF2'
exec 3<>/dev/tcp/10.9.0.1/7001
read -r greeting <&3
sleep 0.5
exec 4<>/dev/tcp/10.9.0.1/7001
read -r greeting <&4
echo PING >&4
read -r pong <&4
sleep 1
echo STATE >&4
while read -r line <&4 && [ "$line" != END ]; do echo "$line"; done
EOF2
for call in signalfd tgkill; do
	out=$(shim MPTCP_AUTO_LOG=info MPTCP_AUTO_LOG_FILE="$tmp/$call.log" \
		"$SF" kill $call bash "$tmp/two.sh" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$(nsubflows "$out")" = 2 ] &&
		grep -q "would kill the process on signalfd4 or tgkill" \
			"$tmp/$call.log"; then
		pass "seccomp kills $call: program lives, subflow opened"
	else
		fail "seccomp kills $call: program lives, subflow opened" \
			"exit $rc" "$out" "$(cat "$tmp/$call.log" 2>/dev/null)"
	fi
done

# Between events the helper thread sleeps: no polling tick while a
# connection lives and nothing happens (it would wake 20 times a second).
# A signal to the process (SIGCHLD of sleep and sed here) wakes its poll
# for a moment in the kernel: a few wake-ups, not twenty.
cat >"$tmp/idle.sh" <<'EOF2'
exec 3<>/dev/tcp/10.9.0.1/7001
read -r greeting <&3
echo PING >&3
read -r pong <&3
sleep 1
for t in /proc/$$/task/*; do
	[ "$(<"$t/comm")" = mptcp-auto ] && h=$t
done
[ -n "$h" ] || { echo "no helper thread"; exit 1; }
a=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "$h/status")
sleep 1
b=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "$h/status")
echo $((b - a))
EOF2
out=$(shim bash "$tmp/idle.sh" 2>&1)
if [[ "$out" =~ ^[0-9]+$ ]] && [ "$out" -le 5 ]; then
	pass "the idle helper thread sleeps: $out wake-ups in a second"
else
	fail "the idle helper thread sleeps" "$out"
fi

# subflow-delay: a connection shorter than the delay never takes a
# second local port; one that outlives it gets its subflow.
printf '[default]\ninterfaces = c2\nskip-local = no\nsubflow-delay = %s\n' \
	3s >"$tmp/delay3s.ini"
printf '[default]\ninterfaces = c2\nskip-local = no\nsubflow-delay = %s\n' \
	200ms >"$tmp/delay200.ini"
short=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/delay3s.ini" \
	"$ST" state 10.9.0.1 7001 2>&1)
long=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/delay200.ini" \
	"$ST" state 10.9.0.1 7001 2>&1)
if [ "$(nsubflows "$short")" = 1 ] && [ "$(nsubflows "$long")" = 2 ]; then
	pass "subflow-delay: a 1 s connection gets a subflow after 200ms, not 3s"
else
	fail "subflow-delay: a 1 s connection gets a subflow after 200ms, not 3s" \
		"delay 3s:" "$short" "delay 200ms:" "$long"
fi

# The shim twice in LD_PRELOAD, by two paths: one copy acts.
mkdir -p "$tmp/other"
cp "$SHIM" "$tmp/other/libmptcp_auto.so"
out=$(in_cli env LD_PRELOAD="$SHIM:$tmp/other/libmptcp_auto.so" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/twice.log" "$ST" state 10.9.0.1 7001 2>&1)
req=$(grep -c 'subflow requested' "$tmp/twice.log" 2>/dev/null)
if [ "$(nsubflows "$out")" = 2 ] && [ "$req" = 1 ]; then
	pass "shim preloaded twice by two paths: each subflow asked for once"
else
	fail "shim preloaded twice by two paths: each subflow asked for once" \
		"$out" "requests: $req"
fi
exit $failed
