#!/bin/bash
# SPDX-License-Identifier: MIT
# The shim under mptcp-autod, with a stand-in for the daemon's socket
# (tests/tools/mpa-fakepm, which checks what is passed as the daemon does):
# each connection that wants subflows is registered once with its token
# and the user's own narrowing, by root and by an unprivileged user, also
# after a privilege drop; the shim opens no subflow itself meanwhile, even
# as root; a stopped daemon slows no connect(); a descriptor closed and
# reused before the helper took it is not registered, nor a vfork()ed
# child's connection; without a daemon
# the program works and one line says so. Prints "PASS: name", "FAIL:
# name" or "SKIP: name".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/lab.sh"
. "$top/tests/lib/nobody.sh"

T=$top/build/tests
tmp=$(mktemp -d)
PIDS=""
TOPO_OK=0
TUSER=""
ND=""
FAKE=""

cleanup()
{
	local p
	trap '' INT TERM HUP
	for p in $PIDS; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	[ "$TOPO_OK" = 1 ] && topo_cleanup
	[ -n "$TUSER" ] && userdel "$TUSER" 2>/dev/null
	[ -n "$ND" ] && rm -rf "$ND"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

lab_up_or_skip
head -c 2000000 /dev/urandom >"$tmp/page"
topo_bg "$TOPO_SRV" "$T/mpa-httpd" 7002 "$tmp/page" >/dev/null
topo_wait_listen "$TOPO_SRV" 7002

# A user of our own, and copies of what it runs where it can reach them
# (the socket and every file the programs wait for live there too).
TUSER=mpa-u-$$-$RANDOM
if ! useradd -M -r -s /usr/sbin/nologin "$TUSER" 2>"$tmp/useradd.err"; then
	TUSER=""
	fail "a test user" "$(cat "$tmp/useradd.err")"
	exit 1
fi
TUID=$(id -u "$TUSER")
TGID=$(id -g "$TUSER")
ND=$(nobody_copy "$T/mpa-shimtest" "$T/../libmptcp_auto.so") || {
	fail "copies for the test user"
	exit 1
}
ST=$ND/mpa-shimtest
SHIM=$ND/libmptcp_auto.so
SOCK=$ND/pm.sock
printf '[default]\ninterfaces = c2\nskip-local = no\n' >"$ND/policy.ini"
mkdir -p "$ND/xdg/mptcp-auto"
printf '[program mpa-shimtest]\nsubflows = 1\nbackup = c2\n' \
	>"$ND/xdg/mptcp-auto/policy.ini"
chmod -R a+rX "$ND"

# fake_start [ARGS]: a new stand-in daemon at $SOCK, its lines in
# $tmp/fake.out (emptied), its pid in $FAKE.
fake_start()
{
	local i
	fake_stop
	rm -f "$SOCK"
	: >"$tmp/fake.out"
	ip netns exec "$TOPO_CLI" "$T/mpa-fakepm" listen "$SOCK" "$@" \
		>"$tmp/fake.out" 2>&1 &
	FAKE=$!
	PIDS="$PIDS $FAKE"
	for i in $(seq 50); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	return 1
}

# fake_stop [SIGNAL]: end it (TERM removes the socket, KILL leaves it).
fake_stop()
{
	[ -n "$FAKE" ] || return 0
	kill -CONT "$FAKE" 2>/dev/null
	kill "-${1:-TERM}" "$FAKE" 2>/dev/null
	wait "$FAKE" 2>/dev/null
	FAKE=""
}

# wait_lines FILE ERE N: until FILE has N lines matching ERE (10 s).
wait_lines()
{
	local i n
	for i in $(seq 100); do
		n=$(grep -cE "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# as_root / as_user CMD...: CMD in the client namespace under the shim,
# registering at $SOCK, with the test's policy and the variables given
# before CMD (NAME=value words).
as_root()
{
	timeout 60 ip netns exec "$TOPO_CLI" env -u XDG_CONFIG_HOME \
		HOME=/nonexistent LD_PRELOAD="$SHIM" \
		MPTCP_AUTO_PM_SOCKET="$SOCK" \
		MPTCP_AUTO_POLICY="$ND/policy.ini" "$@"
}
as_user()
{
	timeout 60 ip netns exec "$TOPO_CLI" setpriv --reuid "$TUID" \
		--regid "$TGID" --clear-groups --inh-caps=-all \
		--bounding-set=-all env -u XDG_CONFIG_HOME HOME=/nonexistent \
		LD_PRELOAD="$SHIM" MPTCP_AUTO_PM_SOCKET="$SOCK" \
		MPTCP_AUTO_POLICY="$ND/policy.ini" "$@"
}

# registered: the tokens of the REGISTER lines, sorted.
registered() { sed -n 's/^REGISTER token=\([0-9a-f]*\) .*/\1/p' \
	"$tmp/fake.out" | sort; }

# tokens_check NAME UID RUN...: RUN (as_root or as_user) makes three
# connections and holds them until the stand-in saw three registrations;
# each of its tokens must be registered exactly once, by UID, nothing bad.
tokens_check()
{
	local name=$1 uid=$2 pid rc want got
	shift 2
	fake_start || { fail "$name" "the stand-in did not start"; return; }
	rm -f "$ND/hold"
	"$@" MPA_HOLD_UNTIL="$ND/hold" "$ST" tokens 10.9.0.1 7001 3 \
		>"$tmp/tokens.out" 2>&1 &
	pid=$!
	wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 3
	touch "$ND/hold"
	wait "$pid"
	rc=$?
	sleep 0.2 # a fourth, wrong, registration would show by now
	want=$(sort "$tmp/tokens.out")
	got=$(registered)
	if [ $rc = 0 ] && [ -n "$want" ] && [ "$got" = "$want" ] &&
		[ "$(grep -c "^REGISTER .* uid=$uid " "$tmp/fake.out")" = 3 ] &&
		! grep -q '^BAD' "$tmp/fake.out"; then
		pass "$name"
	else
		fail "$name" "exit $rc" "tokens:" "$(cat "$tmp/tokens.out")" \
			"the stand-in saw:" "$(cat "$tmp/fake.out")"
	fi
}

# held RUN...: RUN (as_root or as_user, with its variables) makes one
# connection and holds it until the stand-in saw a registration (or 10
# s); its exit status.
held()
{
	local pid
	rm -f "$ND/hold"
	"$@" MPA_HOLD_UNTIL="$ND/hold" "$ST" tokens 10.9.0.1 7001 1 \
		>"$tmp/held.out" 2>&1 &
	pid=$!
	wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 1
	touch "$ND/hold"
	wait "$pid"
}

# nsubflows OUT: how many subflows the server listed.
nsubflows() { grep -c '^10\.0\.' <<<"$1"; }

# ---- registration: root, a user, curl ---------------------------------
tokens_check "root: each connection registered once, with its token" 0 \
	as_root
tokens_check "a user: each connection registered once, with its token" \
	"$TUID" as_user

# curl as both (the program most people start this way).
if command -v curl >/dev/null; then
	for who in root user; do
		fake_start
		out=$(as_$who curl -s -o /dev/null -w '%{size_download}' \
			--limit-rate 2M http://10.9.0.1:7002/page 2>&1)
		rc=$?
		uid=0
		[ $who = user ] && uid=$TUID
		wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 1
		sleep 0.2
		if [ $rc = 0 ] && [ "$out" = 2000000 ] &&
			[ "$(grep -c "^REGISTER .* uid=$uid " "$tmp/fake.out")" = 1 ] &&
			[ "$(grep -c . "$tmp/fake.out")" = 1 ]; then
			pass "curl as $who: its connection registered once"
		else
			fail "curl as $who: its connection registered once" \
				"exit $rc, $out bytes" "$(cat "$tmp/fake.out")"
		fi
	done
else
	no_tool "curl registers its connection" curl
fi

# ---- daemon mode, root: no subflow of the shim's own --------------------
# The control first: without a daemon the same run opens the subflow
# in-process, so the check below can see one.
fake_stop
out=$(as_root MPTCP_AUTO_PM_SOCKET="$tmp/none.sock" "$ST" state \
	10.9.0.1 7001 2>&1)
fake_start
out2=$(as_root MPTCP_AUTO_LOG=info MPTCP_AUTO_LOG_FILE="$tmp/mode.log" \
	"$ST" state 10.9.0.1 7001 2>&1)
if [ "$(nsubflows "$out")" = 2 ] && [ "$(nsubflows "$out2")" = 1 ] &&
	[ "$(grep -c '^REGISTER ' "$tmp/fake.out")" = 1 ]; then
	pass "root under the daemon: registered, no subflow opened in-process"
else
	fail "root under the daemon: registered, no subflow opened in-process" \
		"without a daemon:" "$out" "with one:" "$out2" \
		"$(cat "$tmp/fake.out")"
fi
if [ "$(grep -c 'info: mptcp-autod answers' "$tmp/mode.log")" = 1 ] &&
	[ "$(grep -c 'userspace path manager' "$tmp/mode.log")" = 0 ]; then
	pass "the daemon mode is said once, at info"
else
	fail "the daemon mode is said once, at info" "$(cat "$tmp/mode.log")"
fi

# Rule 16 in daemon mode: once the helper runs, the hooks allocate
# nothing, whatever the registrations cost the helper. How many of the
# 200 short connections the helper registers before the program closes
# them depends on the machine's speed (a closed one is dropped, never
# sent; an emulated 6.1 took none): the helper's own line says it chose
# the daemon mode.
fake_start
out=$(as_root LD_PRELOAD="$SHIM $T/libmalloc_count.so" MPTCP_AUTO_LOG=info \
	MPTCP_AUTO_LOG_FILE="$tmp/mallocs.log" "$ST" mallocs \
	10.9.0.1 7001 200 2>&1)
rc=$?
if [ $rc = 0 ] && grep -q 'info: mptcp-autod answers' "$tmp/mallocs.log"; then
	pass "daemon mode: socket()+connect() allocate nothing"
else
	fail "daemon mode: socket()+connect() allocate nothing" "exit $rc" \
		"$out" "$(cat "$tmp/mallocs.log" 2>&1)"
fi

# ---- the user's narrowing ---------------------------------------------
# XDG_CONFIG_HOME's file narrows (subflows, backup); MPTCP_AUTO_POLICY's
# names the interface. Both are the user's, so both are in the message.
for who in root user; do
	fake_start
	held as_$who XDG_CONFIG_HOME="$ND/xdg"
	rc=$?
	want='narrow=subflows=1;interfaces=c2;backup=c2'
	if [ $rc = 0 ] && grep -q "^REGISTER .* $want\$" "$tmp/fake.out"; then
		pass "the user's policy narrowing is in the message ($who)"
	else
		fail "the user's policy narrowing is in the message ($who)" \
			"exit $rc" "$(cat "$tmp/held.out")" \
			"$(cat "$tmp/fake.out")"
	fi
done

# The user's policy wants no subflow to this destination: the connection
# is registered all the same, saying so (left unregistered, it would get
# what the daemon gives connections no shim registers).
printf '[default]\ninterfaces = c2\nskip-local = no\nexclude-destinations = 10.9.0.0/16\n' \
	>"$ND/none.ini"
fake_start
held as_root MPTCP_AUTO_POLICY="$ND/none.ini"
rc=$?
if [ $rc = 0 ] && grep -q '^REGISTER .* narrow=subflows=0$' "$tmp/fake.out"
then
	pass "a destination the user's policy excludes: registered with 0 subflows"
else
	fail "a destination the user's policy excludes: registered with 0 subflows" \
		"exit $rc" "$(cat "$tmp/held.out")" "$(cat "$tmp/fake.out")"
fi

# ---- refusals are said once per reason --------------------------------
fake_start --refuse "not today"
rm -f "$ND/hold"
as_root MPTCP_AUTO_LOG=warn MPTCP_AUTO_LOG_FILE="$tmp/refused.log" \
	MPA_HOLD_UNTIL="$ND/hold" "$ST" tokens 10.9.0.1 7001 3 >/dev/null &
pid=$!
wait_lines "$tmp/fake.out" '^REGISTER ' 3
sleep 0.3 # the replies reach the helper
touch "$ND/hold"
wait "$pid"
rc=$?
n=$(grep -c 'refused a registration: not today' "$tmp/refused.log")
if [ $rc = 0 ] && [ "$n" = 1 ] &&
	[ "$(grep -c '^REGISTER ' "$tmp/fake.out")" = 3 ]; then
	pass "three refusals for one reason: one warning"
else
	fail "three refusals for one reason: one warning" "exit $rc" \
		"$(cat "$tmp/refused.log")" "$(cat "$tmp/fake.out")"
fi

# ---- a registration served narrower than asked: said once --------------
fake_start --note "less than asked"
rm -f "$ND/hold"
as_root MPTCP_AUTO_LOG=warn MPTCP_AUTO_LOG_FILE="$tmp/noted.log" \
	MPA_HOLD_UNTIL="$ND/hold" "$ST" tokens 10.9.0.1 7001 3 >/dev/null &
pid=$!
wait_lines "$tmp/fake.out" '^REGISTER ' 3
sleep 0.3 # the replies reach the helper
touch "$ND/hold"
wait "$pid"
rc=$?
n=$(grep -c 'served a registration narrower than asked: less than asked' \
	"$tmp/noted.log")
if [ $rc = 0 ] && [ "$n" = 1 ]; then
	pass "three notes from the daemon: one warning"
else
	fail "three notes from the daemon: one warning" "exit $rc" \
		"$(cat "$tmp/noted.log")" "$(cat "$tmp/fake.out")"
fi

# The same with logging off: the process's one unasked line on standard
# error, once; not at all when mptcp-auto run said it already.
for said in "" daemon-none; do
	fake_start --note "less than asked"
	rm -f "$ND/hold"
	as_root ${said:+MPTCP_AUTO_SAID=$said} MPA_HOLD_UNTIL="$ND/hold" \
		"$ST" tokens 10.9.0.1 7001 3 >/dev/null 2>"$tmp/noted.err" &
	pid=$!
	wait_lines "$tmp/fake.out" '^REGISTER ' 3
	sleep 0.3 # the replies reach the helper
	touch "$ND/hold"
	wait "$pid"
	if [ -z "$said" ]; then
		name="a note from the daemon, logging off: one line unasked"
		[ "$(grep -c . "$tmp/noted.err")" = 1 ] && grep -q \
			'warn: mptcp-autod serves this program less than its policy asks (less than asked)' \
			"$tmp/noted.err"
	else
		name="a note from the daemon, said already by run: nothing"
		[ ! -s "$tmp/noted.err" ]
	fi
	if [ $? = 0 ]; then
		pass "$name"
	else
		fail "$name" "$(cat "$tmp/noted.err")"
	fi
done

# ---- a descriptor closed and reused before the helper took it ---------
# Standard error is a pipe nobody reads yet: the tester fills it, so the
# helper's first log line (its mode, said before it takes any connection)
# waits until the test reads the pipe, while the tester closes A and gets
# B on the same number. Only B may be registered, once.
fake_start
mkfifo "$tmp/err.fifo"
exec 8<>"$tmp/err.fifo"
rm -f "$ND/hold"
as_root MPTCP_AUTO_LOG=info MPA_HOLD_UNTIL="$ND/hold" "$ST" reuse \
	10.9.0.1 7001 >"$tmp/reuse.out" 2>"$tmp/err.fifo" &
pid=$!
wait_lines "$tmp/reuse.out" '^B ' 1
cat <&8 >/dev/null &
PIDS="$PIDS $!"
ta=$(sed -n 's/^A //p' "$tmp/reuse.out")
tb=$(sed -n 's/^B //p' "$tmp/reuse.out")
wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 1
sleep 0.3
touch "$ND/hold"
wait "$pid"
rc=$?
exec 8<&-
if [ $rc = 0 ] && [ -n "$tb" ] && [ "$(registered)" = "$tb" ] &&
	[ "$(grep -c . "$tmp/fake.out")" = 1 ]; then
	pass "a closed and reused descriptor: only the new socket registered"
else
	fail "a closed and reused descriptor: only the new socket registered" \
		"exit $rc" "A $ta, B $tb" "$(cat "$tmp/reuse.out")" \
		"$(cat "$tmp/fake.out")"
fi

# ---- a vfork()ed child's connection --------------------------------------
# A vfork()ed child shares the process's memory: its connection is not
# queued. Were it queued, the helper, which copies descriptor numbers from
# the process's own table, would find A there and drop it; but the
# child's push would also wake the helper from another pid, which the
# helper takes for the program's own SIGURG: handed to the process, and
# the helper's wake-ups given up. Only A may be registered, once, and the
# wake-ups must stay.
fake_start
as_root MPTCP_AUTO_LOG=debug "$ST" vforkconn 10.9.0.1 7001 \
	>"$tmp/vf.out" 2>"$tmp/vf.err"
rc=$?
ta=$(sed -n 's/^A //p' "$tmp/vf.out")
tc=$(sed -n 's/^C //p' "$tmp/vf.out")
if [ $rc = 0 ] && [ -n "$ta" ] && [ -n "$tc" ] && [ "$ta" != "$tc" ] &&
	[ "$(registered)" = "$ta" ] &&
	[ "$(grep -c . "$tmp/fake.out")" = 1 ]; then
	pass "a vfork()ed child's connection: not registered, the parent's once"
else
	fail "a vfork()ed child's connection: not registered, the parent's once" \
		"exit $rc" "A $ta, C $tc" "$(cat "$tmp/fake.out")" \
		"$(tail -5 "$tmp/vf.err")"
fi
if ! grep -q "SIGURG sent to the process" "$tmp/vf.err"; then
	pass "a vfork()ed child's connection: the helper keeps its wake-ups"
else
	fail "a vfork()ed child's connection: the helper keeps its wake-ups" \
		"$(grep SIGURG "$tmp/vf.err")"
fi

# ---- a stopped daemon ---------------------------------------------------
# connect() costs what it costs without the shim (a bound in absolute
# terms: 1 ms a connection more, by the median cycle, is a failure; a
# hook that waited for the daemon would wait its whole timeout), and the
# program ends by itself. An emulated guest stretches the bound
# (MPA_SLOW_FACTOR).
N=500
rate_us() { sed -n 's/.*median_us=\([0-9]*\).*/\1/p' <<<"$1"; }
slack=$((1000 * ${MPA_SLOW_FACTOR:-1}))
base=$(timeout 60 ip netns exec "$TOPO_CLI" "$ST" rate $N 2>&1)
fake_start
kill -STOP "$FAKE"
out=$(as_root "$ST" rate $N 2>&1)
rc=$?
b=$(rate_us "$base")
s=$(rate_us "$out")
if [ $rc = 0 ] && [ -n "$b" ] && [ -n "$s" ] && [ "$s" -le $((b + slack)) ]
then
	pass "a stopped daemon: connect() as without the shim ($s us vs $b us)"
else
	fail "a stopped daemon: connect() as without the shim" "exit $rc" \
		"without the shim: $base" "with it: $out"
fi

# Registrations a stopped daemon does not take are dropped, not kept
# waiting: once its socket holds as many as the helper lets wait, the
# rest of 300 open connections are never registered, even after it
# resumes; the helper says so once.
fake_start
kill -STOP "$FAKE"
rm -f "$ND/hold"
as_root MPTCP_AUTO_LOG=info MPTCP_AUTO_LOG_FILE="$tmp/stopped.log" \
	MPA_HOLD_UNTIL="$ND/hold" "$ST" tokens 10.9.0.1 7001 300 \
	>"$tmp/tokens.out" 2>&1 &
pid=$!
wait_lines "$tmp/stopped.log" 'mptcp-autod does not answer' 1
wait_lines "$tmp/tokens.out" . 300
kill -CONT "$FAKE"
wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 1
sleep 1 # whatever was kept waiting would be registered by now
touch "$ND/hold"
wait "$pid"
rc=$?
n=$(grep -c '^REGISTER ' "$tmp/fake.out")
if [ $rc = 0 ] && [ "$n" -gt 0 ] && [ "$n" -lt 300 ] &&
	! grep -q '^BAD' "$tmp/fake.out" &&
	[ "$(grep -c 'mptcp-autod does not answer' "$tmp/stopped.log")" = 1 ]
then
	pass "a stopped daemon: $((300 - n)) of 300 registrations dropped, said once"
else
	fail "a stopped daemon: registrations dropped, said once" "exit $rc" \
		"$n registered" "$(cat "$tmp/stopped.log")" \
		"$(grep -v '^REGISTER ' "$tmp/fake.out")"
fi
fake_start
kill -STOP "$FAKE"

# Stopped, and its queue of new connections full: a program starting now
# cannot even connect to it, and still runs as without the shim.
ip netns exec "$TOPO_CLI" "$T/mpa-fakepm" fill "$SOCK" >"$tmp/fill.out" &
PIDS="$PIDS $!"
fillpid=$!
wait_lines "$tmp/fill.out" '^FULL' 1 ||
	fail "a stopped daemon: its queue of new connections filled" \
		"$(cat "$tmp/fill.out")"
out=$(as_root MPTCP_AUTO_LOG=info MPTCP_AUTO_LOG_FILE="$tmp/full.log" \
	"$ST" rate $N 2>&1)
rc=$?
s=$(rate_us "$out")
kill "$fillpid" 2>/dev/null
if [ $rc = 0 ] && [ -n "$s" ] && [ "$s" -le $((b + slack)) ] &&
	grep -q 'info: mptcp-autod answers' "$tmp/full.log" &&
	! grep -q 'this process opens the subflows' "$tmp/full.log"; then
	pass "a stopped daemon with a full backlog: daemon mode, connect() unslowed ($s us)"
else
	fail "a stopped daemon with a full backlog: daemon mode, connect() unslowed" \
		"exit $rc" "$out" "$(cat "$tmp/full.log")"
fi
fake_stop

# ---- no daemon --------------------------------------------------------
# A socket left by a daemon that is gone: the user's program works, one
# line says that no daemon answers, nothing is registered.
fake_start
fake_stop KILL
out=$(as_user MPTCP_AUTO_LOG=info "$ST" connect 10.9.0.1 7001 5 2>&1)
rc=$?
if [ $rc = 0 ] && [ "$(grep -c 'mptcp-auto' <<<"$out")" = 1 ] &&
	grep -q 'no mptcp-autod answers' <<<"$out"; then
	pass "a stale socket, a user: the program works, one line says so"
else
	fail "a stale socket, a user: the program works, one line says so" \
		"exit $rc" "$out"
fi
# Root, same socket: no daemon acts, so the in-process engine does.
out=$(as_root "$ST" state 10.9.0.1 7001 2>&1)
if [ "$(nsubflows "$out")" = 2 ]; then
	pass "a stale socket, root: the in-process engine opens the subflow"
else
	fail "a stale socket, root: the in-process engine opens the subflow" \
		"$out"
fi

# The daemon goes away while the program runs: one line, and the
# program's next connection works (one path).
cat >"$ND/gone.sh" <<EOF
exec 3<>/dev/tcp/10.9.0.1/7001
read -r greeting <&3
while [ ! -e "$ND/gone.go" ]; do sleep 0.05; done
exec 4<>/dev/tcp/10.9.0.1/7001
read -r greeting <&4
echo PING >&4
read -r pong <&4
echo "\$pong"
EOF
fake_start
rm -f "$ND/gone.go"
as_root MPTCP_AUTO_LOG=info MPTCP_AUTO_LOG_FILE="$tmp/gone.log" \
	bash "$ND/gone.sh" >"$tmp/gone.out" 2>&1 &
pid=$!
wait_lines "$tmp/fake.out" '^REGISTER ' 1
fake_stop
wait_lines "$tmp/gone.log" 'went away' 1
touch "$ND/gone.go"
wait "$pid"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/gone.out")" = PONG ] &&
	[ "$(grep -c 'mptcp-autod' "$tmp/gone.log")" = 2 ] &&
	[ "$(grep -c 'went away' "$tmp/gone.log")" = 1 ]; then
	pass "the daemon goes away: one line, the next connection works"
else
	fail "the daemon goes away: one line, the next connection works" \
		"exit $rc" "$(cat "$tmp/gone.out")" "$(cat "$tmp/gone.log")"
fi

# ---- privileges dropped after start -------------------------------------
# Root, then the test user (apt's download helper runs as _apt): every
# connection is still registered. setresuid() changes every thread (the
# C library's doing), the raw system call only the calling one: the
# helper keeps root's then. The daemon sees the uid of whoever connected
# its socket: root's, when the helper connected before the drop.
while read -r how uid; do
	name="privileges dropped $how: both connections registered"
	fake_start
	rm -f "$ND/hold" "$ND/drop"
	as_root MPA_HOLD_UNTIL="$ND/hold" MPA_DROP_WHEN="$ND/drop" "$ST" \
		privdrop 10.9.0.1 7001 "$TUID" "$how" >"$tmp/priv.out" 2>&1 &
	pid=$!
	wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 1
	touch "$ND/drop"
	wait_lines "$tmp/fake.out" '^(REGISTER|BAD) ' 2
	touch "$ND/hold"
	wait "$pid"
	rc=$?
	[ "$uid" = user ] && uid=$TUID
	want=$(sort "$tmp/priv.out")
	if [ $rc = 0 ] && [ "$(registered)" = "$want" ] &&
		[ "$(grep -c "^REGISTER .* uid=$uid " "$tmp/fake.out")" = 2 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc" "$(cat "$tmp/priv.out")" \
			"$(cat "$tmp/fake.out")"
	fi
done <<'EOF'
after 0
thread 0
before user
EOF
fake_stop
exit $failed
