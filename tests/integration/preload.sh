#!/bin/bash
# SPDX-License-Identifier: MIT
# The shim's reliability rules (docs/reliability.md, rules 1 to 17 and 20
# to 23), one check each. Prints "PASS: name", "FAIL: name" or
# "SKIP: name (reason)" per check. Loopback checks run for anyone; the ones
# that need subflows, a blackhole or MPTCP disabled run in namespaces
# (root), and skip outside CI without it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/serve.sh"
. "$top/tests/lib/lab.sh"
. "$top/tests/lib/nobody.sh"
. "$top/tests/lib/gofake.sh"

SHIM=$top/build/libmptcp_auto.so
SHIM_DEBUG=$top/build/debug/libmptcp_auto.so
T=$top/build/tests
ST=$T/mpa-shimtest
tmp=$(mktemp -d)
nd=""
PIDS=""
TOPO_OK=0

cleanup()
{
	local p
	trap '' INT TERM HUP
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ "$TOPO_OK" = 1 ] && topo_cleanup
	rm -rf "$tmp" ${nd:+"$nd"}
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# A policy that converts everything and wants subflows from the lab's c2.
cat >"$tmp/policy.ini" <<EOF
[default]
interfaces = c2
skip-local = no
EOF
printf '[default\ninterfaces = ,,\n\x00garbage\n' >"$tmp/garbage.ini"
shim_env=(env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini")

# ---- loopback: a test server any user can run ----------------------------
serve "$T/mpa-testsrv" PORT || { fail "loopback test server"; exit 1; }
port=$served
L=(127.0.0.1 "$port")

# 1. Exported surface: exactly the hooks (setsockopt: preload/DESIGN.md)
# and the one-copy marker.
syms=$(nm -D --defined-only "$SHIM" | awk '{print $3}' | sort | tr '\n' ' ')
if [ "$syms" = "connect mptcp_auto_shim setsockopt socket " ]; then
	pass "exported symbols are the three hooks and the one-copy marker"
else
	fail "exported symbols are the three hooks and the one-copy marker" \
		"got: $syms"
fi

# 2. Another library's constructor uses the network, in either order.
check "hooks work before the shim's constructor (helper first)" \
	timeout 20 env LD_PRELOAD="$T/libctor_helper.so $SHIM" \
	MPA_CTOR_HOST=127.0.0.1 MPA_CTOR_PORT="$port" "$ST" connect "${L[@]}"
check "hooks work before the shim's constructor (shim first)" \
	timeout 20 env LD_PRELOAD="$SHIM $T/libctor_helper.so" \
	MPA_CTOR_HOST=127.0.0.1 MPA_CTOR_PORT="$port" "$ST" connect "${L[@]}"

# 3. No self-recursion: the debug build aborts on a nested hook.
check "no hook re-entry (debug build, threads and forks)" \
	timeout 60 env LD_PRELOAD="$SHIM_DEBUG" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/debug.log" \
	"$ST" fork "${L[@]}"

# 5. A broken policy leaves curl byte-identical.
head -c 200000 /dev/urandom >"$tmp/page"
serve "$T/mpa-httpd" PORT "$tmp/page" || { fail "loopback web server"; exit 1; }
hport=$served
url=http://127.0.0.1:$hport/page
if command -v curl >/dev/null; then
	curl -s "$url" >"$tmp/plain.out"
	rc_plain=$?
	env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/garbage.ini" \
		curl -s "$url" >"$tmp/shim.out" 2>"$tmp/shim.err"
	rc_shim=$?
	if [ $rc_plain -eq 0 ] && [ $rc_shim -eq 0 ] &&
		cmp -s "$tmp/plain.out" "$tmp/shim.out" &&
		cmp -s "$tmp/page" "$tmp/shim.out" && [ ! -s "$tmp/shim.err" ]; then
		pass "curl with a garbage policy: same output, exit 0"
	else
		fail "curl with a garbage policy: same output, exit 0" \
			"exit $rc_plain / $rc_shim" "$(cat "$tmp/shim.err")"
	fi
else
	no_tool "curl with a garbage policy" curl
fi

# 6. MPTCP refused by a seccomp filter: the socket the program asked for.
check "seccomp denies MPTCP: plain TCP sockets" \
	"$T/seccomp-filter" errno mptcp env LD_PRELOAD="$SHIM" "$ST" eligibility tcp
out=$("$T/seccomp-filter" errno mptcp env LD_PRELOAD="$SHIM" "$ST" proto "${L[@]}" 2>&1)
if [ "$out" = 6 ]; then
	pass "seccomp denies MPTCP: connection works over TCP"
else
	fail "seccomp denies MPTCP: connection works over TCP" "$out"
fi

# 7, 8. Eligibility table and flags.
check "eligibility: only TCP over IPv4/IPv6 becomes MPTCP" \
	env LD_PRELOAD="$SHIM" "$ST" eligibility mptcp
check "SOCK_NONBLOCK and SOCK_CLOEXEC are kept" \
	env LD_PRELOAD="$SHIM" "$ST" flags

# 10, 11. errno discipline, epoll registration.
check "errno untouched by successful calls" \
	env LD_PRELOAD="$SHIM" "$ST" errno "${L[@]}"
check "epoll registration survives connect (fd never replaced)" \
	env LD_PRELOAD="$SHIM" "$ST" epoll "${L[@]}"

# 13. Thread stress: 64 threads x 10k cycles.
cycles=${MPA_STRESS_CYCLES:-10000}
check "64 threads x $cycles socket/connect/close cycles" \
	timeout 400 env LD_PRELOAD="$SHIM" "$ST" stress 64 "$cycles"
tsan_stress()
{
	timeout 300 env LD_PRELOAD="$T/tsan/libmptcp_auto.so" \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		MPTCP_AUTO_POLICY="$tmp/policy.ini" MPTCP_AUTO_LOG=debug \
		MPTCP_AUTO_LOG_FILE="$tmp/tsan.log" \
		"$T/tsan/mpa-shimtest" stress 64 500
}
slow_tool tsan "thread stress under ThreadSanitizer (64 x 500)" &&
	check "thread stress under ThreadSanitizer (64 x 500)" tsan_stress

# 14. fork while another thread is inside a hook.
check "fork: children connect while the parent's threads use the hooks" \
	timeout 60 "${shim_env[@]}" "$ST" fork "${L[@]}"

# 15. vfork and posix_spawn children, under valgrind.
if slow_tool valgrind "vfork and posix_spawn under valgrind"; then
	check "vfork child calls socket() (valgrind clean)" \
		valgrind -q --error-exitcode=99 env LD_PRELOAD="$SHIM" \
		"$ST" vfork
	check "vfork child calls socket() under valgrind (shim loaded)" \
		env LD_PRELOAD="$SHIM" valgrind -q --error-exitcode=99 \
		"$ST" vfork
	check "posix_spawn child uses the shim (valgrind clean)" \
		env LD_PRELOAD="$SHIM" valgrind -q --error-exitcode=99 \
		--trace-children=yes "$ST" spawn
fi

# 16. No allocation in the hooks after init.
check "socket()+connect() allocate nothing (loopback)" \
	env LD_PRELOAD="$SHIM $T/libmalloc_count.so" "$ST" mallocs \
	"${L[@]}" 200

# 17. The environment is read in one place only.
uses=$(grep -rln 'getenv *(' "$top/common" "$top/core" "$top/policy" "$top/engine" "$top/preload" | sort)
if [ "$uses" = "$top/preload/mpa_init.c" ]; then
	pass "getenv only in the constructor's file"
else
	fail "getenv only in the constructor's file" "$uses"
fi

# 20. A program the policy excludes gets no MPTCP socket.
printf '[program mpa-shimtest]\nmptcp = off\n' >"$tmp/optout.ini"
check "program opted out: zero conversions" \
	env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/optout.ini" \
	"$ST" eligibility tcp

# 21. Logging: off by default; never stdout; survives close_range.
out=$(env LD_PRELOAD="$SHIM" "$ST" connect "${L[@]}" 2>&1)
if [ -z "$out" ]; then
	pass "logging off by default (nothing on stdout or stderr)"
else
	fail "logging off by default (nothing on stdout or stderr)" "$out"
fi
out=$(env LD_PRELOAD="$SHIM" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/log" "$ST" connect "${L[@]}" 2>&1)
if [ -z "$out" ] && grep -q '^mptcp-auto\[[0-9]*\]: info: ' "$tmp/log"; then
	pass "logging to its file when asked, never stdout"
else
	fail "logging to its file when asked, never stdout" "$out"
fi
check "log fd closed and reused by the program: no write, no close" \
	env LD_PRELOAD="$SHIM" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/log2" "$ST" logfd "${L[@]}" "$tmp/app"

# What the shim says unasked, once per process, when the policy wants
# subflows that the process cannot get: a Go program (its runtime makes
# its own system calls). A copy of the tester that carries Go's build
# information (a .go.buildinfo section) passes for one.
if command -v objcopy >/dev/null && go_fake go1.19.8 "$ST" "$tmp/go119" &&
	go_fake go1.22.1 "$ST" "$tmp/go122"; then
	err=$(env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		"$tmp/go119" connect "${L[@]}" 2 2>&1 >/dev/null)
	if [ "$(grep -c . <<<"$err")" = 1 ] && grep -q \
		'^mptcp-auto\[[0-9]*\]: warn: this Go program (go1\.19\.8) .*Go before 1\.21 ignores GODEBUG=multipathtcp=1: its connections stay plain TCP' \
		<<<"$err"; then
		pass "a Go 1.19 program: one line, GODEBUG=multipathtcp=1 is ignored"
	else
		fail "a Go 1.19 program: one line, GODEBUG=multipathtcp=1 is ignored" \
			"$err"
	fi
	env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		MPTCP_AUTO_LOG=debug MPTCP_AUTO_LOG_FILE="$tmp/go.log" \
		"$tmp/go119" connect "${L[@]}" 2 >/dev/null 2>&1
	if grep -q 'Go before 1\.21' "$tmp/go.log" &&
		! grep -q 'per policy\|subflow requested' "$tmp/go.log"; then
		pass "a Go 1.19 program: the log claims no subflows"
	else
		fail "a Go 1.19 program: the log claims no subflows" \
			"$(cat "$tmp/go.log")"
	fi
	err=$(env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		GODEBUG=multipathtcp=1 "$tmp/go122" connect "${L[@]}" 2>&1 \
		>/dev/null)
	if grep -q 'warn: this Go program (go1\.22\.1) makes its own MPTCP sockets' \
		<<<"$err"; then
		pass "a Go 1.22 program with multipathtcp=1: the shim never sees it"
	else
		fail "a Go 1.22 program with multipathtcp=1: the shim never sees it" \
			"$err"
	fi
	err=$(env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		MPTCP_AUTO_LOG=off "$tmp/go119" connect "${L[@]}" 2>&1 >/dev/null)
	out=$(env LD_PRELOAD="$SHIM" "$tmp/go119" connect "${L[@]}" 2>&1)
	if [ -z "$err" ] && [ -z "$out" ]; then
		pass "a Go program: nothing said with MPTCP_AUTO_LOG=off, or no subflows asked"
	else
		fail "a Go program: nothing said with MPTCP_AUTO_LOG=off, or no subflows asked" \
			"$err" "$out"
	fi
else
	skip "what the shim says of a Go program" "objcopy missing or failed"
fi

# 22. No descriptor of ours survives exec (compared with no shim at all).
base=$("$ST" fds "${L[@]}" 2>/dev/null)
out=$(env LD_PRELOAD="$SHIM" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/log3" "$ST" fds "${L[@]}" 2>/dev/null)
if [ -n "$base" ] && [ "$out" = "$base" ]; then
	pass "after exec no descriptor of the shim is left"
else
	fail "after exec no descriptor of the shim is left" \
		"without shim: $base, with: $out"
fi

# ---- namespaces: subflows, blackholes, MPTCP disabled (root) -------------
lab_up_or_skip
N=(10.9.0.1 7001)
in_cli() { ip netns exec "$TOPO_CLI" "$@"; }

# The policy's subflow is opened: the server sees two subflows.
cat >"$tmp/state.sh" <<'EOF'
exec 3<>/dev/tcp/10.9.0.1/7001
read -r greeting <&3
sleep 1
echo STATE >&3
while read -r line <&3 && [ "$line" != END ]; do echo "$line"; done
EOF
out=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	MPTCP_AUTO_LOG=debug MPTCP_AUTO_LOG_FILE="$tmp/ns.log" \
	bash "$tmp/state.sh" 2>&1)
if [ "$(grep -c . <<<"$out")" = 2 ] && grep -q '^10.0.2.1 ' <<<"$out"; then
	pass "bash /dev/tcp under the shim gets its policy subflow"
else
	fail "bash /dev/tcp under the shim gets its policy subflow" "$out" \
		"$(cat "$tmp/ns.log" 2>/dev/null)"
fi

out=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	"$ST" state ::ffff:10.9.0.1 7001 2>&1)
if [ "$(grep -c . <<<"$out")" = 2 ] && grep -q '^10.0.2.1 ' <<<"$out"; then
	pass "dual-stack socket to a v4-mapped peer gets an IPv4 subflow"
else
	fail "dual-stack socket to a v4-mapped peer gets an IPv4 subflow" "$out"
fi

# Regression (event before queue): the server greets at once, so the
# connection can be established before connect() has handed it over; the
# helper thread, just started, must not drop that ESTABLISHED event.
bad=0
for i in $(seq 8); do
	out=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
		"$ST" state 10.9.0.1 7001 2>&1)
	[ "$(grep -c . <<<"$out")" = 2 ] || bad=$((bad + 1))
done
if [ $bad = 0 ]; then
	pass "event before queue: 8 fresh processes, 8 subflows"
else
	fail "event before queue: 8 fresh processes, 8 subflows" \
		"$bad of 8 without their subflow after 1 s"
fi

# 9. Non-blocking connect to a blackhole stays non-blocking.
check "non-blocking connect to a blackhole: EINPROGRESS, before any SYN retry" \
	in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	"$ST" nonblock 10.0.2.99 7001

# 12. Without CAP_NET_ADMIN: works, says why once, opens nothing. User
# nobody runs copies of the tester, the shim and the policy it can reach.
nd=$(nobody_copy "$ST" "$SHIM" "$tmp/policy.ini") || {
	fail "copies for user nobody"
	exit 1
}
out=$(in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all env \
	LD_PRELOAD="$nd/libmptcp_auto.so" MPTCP_AUTO_POLICY="$nd/policy.ini" \
	MPTCP_AUTO_LOG=info "$nd/mpa-shimtest" connect "${N[@]}" 5 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c 'no CAP_NET_ADMIN' <<<"$out")" = 1 ]; then
	pass "no CAP_NET_ADMIN: connections work, one log line says why"
else
	fail "no CAP_NET_ADMIN: connections work, one log line says why" \
		"exit $rc" "$out"
fi

# The one unasked line: when the policy wants subflows this process
# cannot get, said once (not per connection), at the first connection the
# policy wants them for, with what to do; MPTCP_AUTO_LOG=off silences it,
# and so does mptcp-auto run having said the same (MPTCP_AUTO_SAID).
say_re='^mptcp-auto\[[0-9]*\]: warn: no extra subflow for this program: it has no CAP_NET_ADMIN and no mptcp-autod answers .*Start mptcp-autod'
printf '[default]\ninterfaces = c2\nexclude-destinations = 10.9.0.0/16\n' \
	>"$nd/excluded.ini"
chmod 0644 "$nd/excluded.ini"
# nobody_say VAR=VALUE... -- ARGS...: the tester as nobody, its stderr.
nobody_say()
{
	local vars=()
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all env \
		MPTCP_AUTO_PM_SOCKET="$nd/no-daemon.sock" \
		LD_PRELOAD="$nd/libmptcp_auto.so" \
		MPTCP_AUTO_POLICY="$nd/policy.ini" "${vars[@]}" \
		"$nd/mpa-shimtest" "$@" 2>&1 >/dev/null
}
err=$(nobody_say -- connect "${N[@]}" 3)
if [ "$(grep -c . <<<"$err")" = 1 ] && grep -qE "$say_re" <<<"$err"; then
	pass "no CAP_NET_ADMIN, no daemon: one line unasked, for three connections"
else
	fail "no CAP_NET_ADMIN, no daemon: one line unasked, for three connections" \
		"$err"
fi
for v in MPTCP_AUTO_LOG=off MPTCP_AUTO_SAID=no-cap MPTCP_AUTO_SAID=quiet \
	MPTCP_AUTO_POLICY="$nd/excluded.ini"; do
	err=$(nobody_say "$v" -- connect "${N[@]}" 2)
	if [ -z "$err" ]; then
		pass "nothing said with $(sed "s|$nd/||" <<<"$v")"
	else
		fail "nothing said with $(sed "s|$nd/||" <<<"$v")" "$err"
	fi
done
err=$(nobody_say MPTCP_AUTO_SAID=kernel-pm -- connect "${N[@]}" 1)
if grep -qE "$say_re" <<<"$err"; then
	pass "said when mptcp-auto run said another reason"
else
	fail "said when mptcp-auto run said another reason" "$err"
fi
err=$(in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all env \
	LD_PRELOAD="$nd/libmptcp_auto.so" MPTCP_AUTO_POLICY="$nd/policy.ini" \
	MPTCP_AUTO_PM_SOCKET="$nd/no-daemon.sock" true 2>&1)
if [ -z "$err" ]; then
	pass "a program that connects nowhere is told nothing"
else
	fail "a program that connects nowhere is told nothing" "$err"
fi
# The in-kernel path manager: its endpoints decide, not the policy.
topo_set_pm "$TOPO_CLI" kernel
err=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	MPTCP_AUTO_PM_SOCKET="$tmp/no-daemon.sock" \
	"$ST" connect "${N[@]}" 2 2>&1 >/dev/null)
topo_set_pm "$TOPO_CLI" userspace
if [ "$(grep -c . <<<"$err")" = 1 ] && grep -q \
	"warn: the in-kernel path manager serves this network namespace and no mptcp-autod runs: the kernel's endpoints (ip mptcp endpoint) decide" \
	<<<"$err"; then
	pass "in-kernel path manager: one line, the endpoints decide"
else
	fail "in-kernel path manager: one line, the endpoints decide" "$err"
fi
# Root at start, then a drop (apt's download helpers run as _apt): the
# helper finds no privilege left when the first connection comes.
rm -f "$nd/said"
in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	MPTCP_AUTO_PM_SOCKET="$nd/no-daemon.sock" \
	MPA_HOLD_UNTIL="$nd/said" \
	"$ST" privdrop "${N[@]}" 65534 before >/dev/null 2>"$tmp/drop.err" &
pid=$!
for _ in $(seq 100); do
	grep -q 'warn:' "$tmp/drop.err" && break
	sleep 0.1
done
touch "$nd/said"
wait $pid
if [ "$(grep -c . "$tmp/drop.err")" = 1 ] && grep -q \
	'warn: no extra subflow for this program: it gave up CAP_NET_ADMIN after it started (it runs as uid 65534 now)' \
	"$tmp/drop.err"; then
	pass "privileges dropped after start: one line says so"
else
	fail "privileges dropped after start: one line says so" \
		"$(cat "$tmp/drop.err")"
fi

name="thread stress under ThreadSanitizer, subflow engine active"
slow_tool tsan "$name" && check "$name" \
	in_cli bash -c "$(declare -f tsan_stress); T=$T tmp=$tmp tsan_stress"

# An idle process costs nothing when others connect: once its connection
# is gone (and the lingers, ENG_EVENTS_LINGER_MS and ENG_PATHS_LINGER_MS,
# are over), its helper thread holds no subscription and sleeps through
# another process's 200 multipath connections in the same namespace.
# helper_switches PID: the context switches of PID's helper thread.
helper_switches()
{
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = mptcp-auto ] || continue
		awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }' \
			"$t/status"
		return 0
	done
	return 1
}
name="idle process: not woken by another's 200 connections"
# Not in_cli, a function: $! is then the tester's own pid (both exec).
ip netns exec "$TOPO_CLI" env LD_PRELOAD="$SHIM" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/idle.log" \
	"$ST" idle "${N[@]}" 60 >"$tmp/idle.out" 2>&1 &
idle_pid=$!
PIDS="$PIDS $idle_pid"
# Up to 20 s for: the connection closed, both lingers over.
for i in $(seq 200); do
	grep -q '^idle' "$tmp/idle.out" 2>/dev/null &&
		grep -q 'MPTCP events: no longer followed' "$tmp/idle.log" &&
		grep -q 'routes: no longer followed' "$tmp/idle.log" && break
	sleep 0.1
done
sw0=$(helper_switches "$idle_pid")
in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	"$ST" connect "${N[@]}" 200 >/dev/null 2>&1
busy_rc=$?
sw1=$(helper_switches "$idle_pid")
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null
if [ $busy_rc -eq 0 ] && [ -n "$sw0" ] && [ "$sw0" = "$sw1" ] &&
	grep -q 'subflow requested' "$tmp/idle.log"; then
	pass "$name"
else
	fail "$name" "helper thread's context switches: before ${sw0:-none}," \
		"after ${sw1:-none} (exit $busy_rc)" "$(cat "$tmp/idle.log")"
fi

# 22 again, with the helper thread's netlink sockets open.
base=$(in_cli "$ST" fds "${N[@]}" 2>/dev/null)
out=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	MPTCP_AUTO_LOG=debug MPTCP_AUTO_LOG_FILE="$tmp/fds.log" \
	"$ST" fds "${N[@]}" 2>/dev/null)
if [ -n "$base" ] && [ "$out" = "$base" ] &&
	grep -q 'subflow requested' "$tmp/fds.log"; then
	pass "after exec no descriptor of the subflow engine is left"
else
	fail "after exec no descriptor of the subflow engine is left" \
		"without shim: $base, with: $out" "$(cat "$tmp/fds.log")"
fi

# 16 again, with the engine busy: connections tracked, still no malloc.
check "socket()+connect() allocate nothing (subflows tracked)" \
	in_cli env LD_PRELOAD="$SHIM $T/libmalloc_count.so" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" "$ST" mallocs "${N[@]}" 200

# 6. MPTCP disabled in the namespace: plain TCP, same behaviour.
ip netns exec "$TOPO_CLI" sysctl -qw net.mptcp.enabled=0
out=$(in_cli env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini" \
	"$ST" proto "${N[@]}" 2>&1)
ip netns exec "$TOPO_CLI" sysctl -qw net.mptcp.enabled=1
if [ "$out" = 6 ]; then
	pass "net.mptcp.enabled=0: the connection is plain TCP"
else
	fail "net.mptcp.enabled=0: the connection is plain TCP" "$out"
fi
exit $failed
