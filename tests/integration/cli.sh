#!/bin/bash
# SPDX-License-Identifier: MIT
# Every mptcp-auto subcommand, with its error cases: run, enable/disable
# (against a temporary root), check, explain; status and monitor against
# live connections in namespaces (root). "PASS: x" / "FAIL: x" / "SKIP: x".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/nobody.sh"
. "$top/tests/lib/gofake.sh"

MA=$top/build/mptcp-auto
T=$top/build/tests
tmp=$(mktemp -d)
nd=""
pub=""
dpid2=""
TOPO_OK=0
cleanup()
{
	trap '' INT TERM HUP
	[ -n "$dpid2" ] && kill "$dpid2" 2>/dev/null
	[ "$TOPO_OK" = 1 ] && topo_cleanup
	rm -rf "$tmp" ${nd:+"$nd"} ${pub:+"$pub"}
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# expect NAME STATUS PATTERN CMD...: CMD exits STATUS, output matches.
expect()
{
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "exit $rc (want $want), pattern '$pat'" "$out"
	fi
}

# ---- help and usage ----------------------------------------------------------
for c in run enable disable check explain status monitor; do
	expect "$c --help" 0 "^usage: mptcp-auto $c" "$MA" "$c" --help
done
expect "no command: usage, exit 2" 2 "^usage: mptcp-auto COMMAND" "$MA"
expect "unknown command" 2 "unknown command 'frobnicate'" "$MA" frobnicate

# ---- run ---------------------------------------------------------------------
expect "run: LD_PRELOAD gets the shim" 0 \
	"^LD_PRELOAD=$top/build/libmptcp_auto.so$" "$MA" run env
expect "run: appended to an existing LD_PRELOAD" 0 \
	"^LD_PRELOAD=/lib/x.so:$top/build/libmptcp_auto.so$" \
	env LD_PRELOAD=/lib/x.so "$MA" run env
expect "run: twice adds it once" 0 \
	"^LD_PRELOAD=$top/build/libmptcp_auto.so$" \
	"$MA" run "$MA" run env
expect "run: GODEBUG merged" 0 "^GODEBUG=http2client=0,multipathtcp=1$" \
	env GODEBUG=http2client=0 "$MA" run env
expect "run: --policy exported as an absolute path" 0 \
	"^MPTCP_AUTO_POLICY=$top/conf/policy.ini$" \
	bash -c "cd '$top' && '$MA' run --policy conf/policy.ini -- env"
expect "run: sockets become MPTCP" 0 "" "$MA" run "$T/mpa-shimtest" \
	eligibility mptcp
expect "run: static binary warned about, runs unchanged" 0 \
	"statically linked.*static hello|static hello" \
	"$MA" run "$T/static-hello"
out=$("$MA" run "$T/static-hello" 2>&1 >/dev/null)
if grep -q "warning: .*static-hello is statically linked" <<<"$out"; then
	pass "run: the warning names the program"
else
	fail "run: the warning names the program" "$out"
fi
expect "run: program's exit status passed through" 3 "" \
	"$MA" run sh -c 'exit 3'
expect "run: no program" 2 "no program given" "$MA" run
expect "run: unknown program" 127 "nope-not-here: command not found" \
	"$MA" run nope-not-here
expect "run: missing policy file" 2 "policy /nonexistent.ini" \
	"$MA" run --policy /nonexistent.ini true

# Found but not runnable is 126, not there 127, as in a shell.
bin=$tmp/bin
mkdir -p "$bin/d1" "$bin/d2" "$bin/d3/foo" "$bin/d4" "$bin/dir"
for f in d1/foo d2/foo d4/foo noexec; do
	printf '#!/bin/sh\necho ran %s\n' "$f" >"$bin/$f"
done
chmod 0644 "$bin/d1/foo" "$bin/d4/foo" "$bin/noexec"
chmod 0755 "$bin/d2/foo"
expect "run: a file that is not executable: 126" 126 \
	"run: $bin/noexec: permission denied$" "$MA" run "$bin/noexec"
expect "run: a directory: 126" 126 "run: $bin/dir: is a directory$" \
	"$MA" run "$bin/dir"
expect "run: a path that does not exist: 127" 127 \
	"run: $bin/missing: no such file or directory$" "$MA" run "$bin/missing"
expect "run: PATH has only a non-executable file: 126" 126 \
	"run: $bin/d1/foo: permission denied$" env PATH="$bin/d1" "$MA" run foo
# The same cases through bash: the exit status must be bash's.
BASH_BIN=$(command -v bash)
while read -r path prog; do
	[ "$path" = - ] && path=/nonexistent
	want=$(cd "$bin" && env PATH="$path" "$BASH_BIN" -c "$prog" 2>/dev/null
		echo $?)
	want=${want##*$'\n'}
	got=$(cd "$bin" && env PATH="$path" "$MA" run "$prog" 2>/dev/null
		echo $?)
	got=${got##*$'\n'}
	name="run: exit status as bash's: PATH=${path//$bin\//} $prog"
	if [ "$got" = "$want" ]; then
		pass "$name ($want)"
	else
		fail "$name" "got $got, bash $want"
	fi
done <<EOF2
- ./noexec
- ./dir
- ./missing
- ./noexec/x
$bin/d1 foo
$bin/d1:$bin/d2 foo
$bin/d1:$bin/d4 foo
$bin/d3 foo
$bin/d3:$bin/d1 foo
$bin/d3:$bin/d2 foo
$bin/nowhere foo
EOF2

# The shim at another path in LD_PRELOAD: kept, not loaded twice.
mkdir -p "$tmp/other"
cp "$top/build/libmptcp_auto.so" "$tmp/other/libmptcp_auto.so"
out=$(LD_PRELOAD=$tmp/other/libmptcp_auto.so "$MA" run printenv LD_PRELOAD \
	2>"$tmp/note")
name="run: the shim already in LD_PRELOAD at another path is kept alone"
if [ "$out" = "$tmp/other/libmptcp_auto.so" ]; then
	pass "$name"
else
	fail "$name" "$out"
fi
if grep -q "note: LD_PRELOAD already has $tmp/other/libmptcp_auto.so" \
	"$tmp/note" && [ "$(wc -l <"$tmp/note")" = 1 ]; then
	pass "run: one note on stderr when the two paths differ"
else
	fail "run: one note on stderr when the two paths differ" \
		"$(cat "$tmp/note")"
fi
n=$(LD_PRELOAD=$tmp/other/libmptcp_auto.so "$MA" run cat /proc/self/maps \
	2>/dev/null | grep -o '/[^ ]*/libmptcp_auto\.so$' | sort -u | wc -l)
if [ "$n" = 1 ]; then
	pass "run: one copy of the shim loads"
else
	fail "run: one copy of the shim loads" "$n copies mapped"
fi
out=$(LD_PRELOAD='/lib/a.so:/usr/$LIB/libmptcp_auto.so' "$MA" run \
	printenv LD_PRELOAD 2>/dev/null)
if [ "$out" = '/lib/a.so:/usr/$LIB/libmptcp_auto.so' ]; then
	pass "run: /usr/\$LIB/libmptcp_auto.so in LD_PRELOAD is kept alone"
else
	fail "run: /usr/\$LIB/libmptcp_auto.so in LD_PRELOAD is kept alone" \
		"$out"
fi

# ---- enable / disable (temporary root, no systemd needed) -------------------
root=$tmp/root
mkdir -p "$root/lib/systemd/system"
printf '[Service]\nExecStart=/usr/sbin/web\n' >"$root/lib/systemd/system/web.service"
vendor=$(sha256sum <"$root/lib/systemd/system/web.service")
dropin=$root/etc/systemd/system/web.service.d/mptcp-auto.conf
expect "enable --dry-run prints, writes nothing" 0 \
	"would write $dropin" "$MA" enable web --dry-run --root "$root"
[ ! -e "$dropin" ] && pass "enable --dry-run: no file" ||
	fail "enable --dry-run: no file"
expect "enable writes the drop-in" 0 "wrote $dropin" \
	"$MA" enable web --root "$root" --policy "$top/conf/policy.ini"
if grep -qx 'Environment="LD_PRELOAD=/usr/local/$LIB/libmptcp_auto.so"' \
	"$dropin" && grep -qx "Environment=\"MPTCP_AUTO_POLICY=$top/conf/policy.ini\"" \
	"$dropin" && grep -qx '\[Service\]' "$dropin"; then
	pass "drop-in: unversioned \$LIB path and the policy"
else
	fail "drop-in: unversioned \$LIB path and the policy" "$(cat "$dropin")"
fi
if [ "$(sha256sum <"$root/lib/systemd/system/web.service")" = "$vendor" ]; then
	pass "the vendor unit is untouched"
else
	fail "the vendor unit is untouched"
fi
printf '[Service]\nNice=5\n' >"$(dirname "$dropin")/other.conf"
expect "disable removes the drop-in" 0 "removed $dropin" \
	"$MA" disable web.service --root "$root"
if [ ! -e "$dropin" ] && [ -e "$(dirname "$dropin")/other.conf" ]; then
	pass "disable removes exactly our file"
else
	fail "disable removes exactly our file"
fi
expect "disable when not enabled" 0 "is not enabled" \
	"$MA" disable web --root "$root"
# Socket activation is said only when the socket unit is enabled: one
# shipped but not enabled (Debian's ssh.socket) activates nothing.
printf '[Socket]\nListenStream=80\n' >"$root/lib/systemd/system/sock.socket"
out=$("$MA" enable sock --root "$root" --dry-run 2>&1)
if grep -q "would write" <<<"$out" && ! grep -q "socket-activated" <<<"$out"; then
	pass "socket unit shipped but not enabled: no warning"
else
	fail "socket unit shipped but not enabled: no warning" "$out"
fi
mkdir -p "$root/etc/systemd/system/sockets.target.wants"
ln -s /lib/systemd/system/sock.socket \
	"$root/etc/systemd/system/sockets.target.wants/sock.socket"
expect "socket-activated unit (enabled): warned, pointed to SocketProtocol=mptcp" 0 \
	"socket-activated \(sock.socket is enabled, in /etc/systemd/system/sockets.target.wants\).*SocketProtocol=mptcp" \
	"$MA" enable sock --root "$root" --dry-run
expect "a template's socket (Accept=yes) counts for its instances" 0 \
	"sock@1.service is socket-activated" \
	"$MA" enable sock@1 --root "$root" --dry-run
ln -s /dev/null "$root/etc/systemd/system/sock.socket"
out=$("$MA" enable sock --root "$root" --dry-run 2>&1)
if ! grep -q "socket-activated" <<<"$out"; then
	pass "a masked socket unit: no warning"
else
	fail "a masked socket unit: no warning" "$out"
fi
rm -r "$root/etc/systemd/system/sock.socket" \
	"$root/etc/systemd/system/sockets.target.wants"
expect "enable: not a service" 2 "not a service unit name" \
	"$MA" enable foo.socket --root "$root"
expect "enable: no unit" 2 "no unit given" "$MA" enable

# Unit names by systemd's rules: refused with a reason, exit 2.
before=$(find "$root" | sort)
long=$(printf 'a%.0s' $(seq 256))
expect "enable: a 256-character unit name is refused" 2 \
	"unit name is too long: 264 characters" \
	"$MA" enable "$long" --root "$root"
expect "disable: a 256-character unit name is refused" 2 \
	"unit name is too long" "$MA" disable "$long" --root "$root"
expect "enable: 247 characters + .service fit" 0 "would write" \
	"$MA" enable "${long:0:247}" --root "$root" --dry-run
expect "enable: a space in a unit name" 2 "character 3 is a space" \
	"$MA" enable "we b" --root "$root"
expect "enable: a '/' in a unit name" 2 "'/' is not allowed" \
	"$MA" enable "../x" --root "$root"
expect "enable: a newline in a unit name" 2 "character 2 is a newline" \
	"$MA" enable $'a\nb' --root "$root"
expect "enable: an empty unit name" 2 "the unit name is empty" \
	"$MA" enable "" --root "$root"
expect "enable: a template unit" 0 "getty@.service.d/mptcp-auto.conf" \
	"$MA" enable getty@ --root "$root" --dry-run
after=$(find "$root" | sort)
if [ "$after" = "$before" ]; then
	pass "enable: refused unit names write nothing"
else
	fail "enable: refused unit names write nothing" \
		"$(diff <(echo "$before") <(echo "$after"))"
fi

# Values in the drop-in are quoted for Environment=: no directive injected.
pol="$tmp/p \"q\" 100% a\\b.ini"
cp "$top/conf/policy.ini" "$pol"
out=$("$MA" enable web --root "$root" --dry-run --policy "$pol")
want_pol="Environment=\"MPTCP_AUTO_POLICY=$tmp/p \\\"q\\\" 100%% a\\\\b.ini\""
name="enable: a quote, %, a backslash and a space in --policy are escaped"
if [ "$(grep -c '^Environment=' <<<"$out")" = 2 ] &&
	grep -qxF "$want_pol" <<<"$out" &&
	grep -qxF 'Environment="LD_PRELOAD=/usr/local/$LIB/libmptcp_auto.so"' \
		<<<"$out"; then
	pass "$name"
else
	fail "$name" "want $want_pol" "$out"
fi
if command -v systemd-analyze >/dev/null; then
	# systemd's own parser reads the real file without a complaint.
	sroot=$tmp/sroot
	mkdir -p "$sroot/etc/systemd/system" "$sroot/usr/bin"
	printf '#!/bin/sh\n' >"$sroot/usr/bin/web"
	chmod +x "$sroot/usr/bin/web"
	printf '[Service]\nExecStart=/usr/bin/web\n' \
		>"$sroot/etc/systemd/system/web.service"
	# A quote not followed by a space, an unknown escape: each one
	# makes systemd drop a line that is not escaped.
	pol2=$tmp/$'v"x%q\\z.ini'
	cp "$top/conf/policy.ini" "$pol2"
	"$MA" enable web --root "$sroot" --policy "$pol2" >/dev/null
	out=$(systemd-analyze verify --root="$sroot" web.service 2>&1)
	name="enable: systemd-analyze verify accepts the escaped drop-in"
	if [ -s "$sroot/etc/systemd/system/web.service.d/mptcp-auto.conf" ] &&
		! grep -q 'mptcp-auto.conf' <<<"$out"; then
		pass "$name"
	else
		fail "$name" "$out"
	fi
else
	no_tool "enable: systemd-analyze verify" systemd-analyze
fi
nroot=$tmp/nroot
mkdir "$nroot"
pol=$tmp/$'p\nExecStartPre=touch injected'
cp "$top/conf/policy.ini" "$pol"
expect "enable: a newline in the --policy path is refused" 2 \
	"path has a newline.*cannot carry" \
	"$MA" enable web --root "$nroot" --policy "$pol"
if [ -z "$(ls -A "$nroot")" ]; then
	pass "enable: nothing written for a refused --policy path"
else
	fail "enable: nothing written for a refused --policy path" \
		"$(find "$nroot")"
fi

# --root must exist: a typo creates no tree.
expect "enable: --root that does not exist" 2 \
	"enable: --root $tmp/nope: no such directory" \
	"$MA" enable web --root "$tmp/nope"
expect "disable: --root that does not exist" 2 \
	"disable: --root $tmp/nope: no such directory" \
	"$MA" disable web --root "$tmp/nope"
expect "enable --dry-run: --root that does not exist" 2 \
	"no such directory" "$MA" enable web --root "$tmp/nope" --dry-run
[ ! -e "$tmp/nope" ] && pass "enable: a missing --root is not created" ||
	fail "enable: a missing --root is not created" "$(find "$tmp/nope")"
expect "enable: --root that is a file" 2 "not a directory" \
	"$MA" enable web --root "$top/conf/policy.ini"

# ---- check -------------------------------------------------------------------
F=$top/tests/fixtures/policy
expect "check: a valid file" 0 "1 file applied, 0 errors" \
	"$MA" check "$top/conf/policy.ini"
expect "check: file:line: message, exit 1" 1 \
	"^$F/bad_port.ini:3: error: ports: 70000 is not a port$" \
	"$MA" check "$F/bad_port.ini"
expect "check: warnings do not fail" 0 \
	"warn_unknown_key.ini:2: warning: unknown key 'subflow' \(did you mean 'subflows'\?\)" \
	"$MA" check "$F/warn_unknown_key.ini"
expect "check: missing file" 1 "cannot read: No such file" \
	"$MA" check /nonexistent.ini
out=$("$MA" check --json "$F/bad_port.ini" "$top/conf/policy.ini")
if python3 -c 'import json, sys
d = json.loads(sys.argv[1])
assert d["errors"] == 1 and d["files_applied"] == 1
assert d["diagnostics"][0]["line"] == 3' "$out" 2>/dev/null; then
	pass "check --json"
else
	fail "check --json" "$out"
fi
expect "check: default sources (MPTCP_AUTO_POLICY)" 1 "bad_bool.ini:2" \
	env MPTCP_AUTO_POLICY="$F/bad_bool.ini" HOME=/nonexistent "$MA" check
# Regression: a FIFO as a policy file blocked the loader in open() (in
# `check`, `explain` and every program under the shim); only regular files
# are read. timeout makes a hang a failure (exit 124), not a stuck suite.
fifo=$tmp/fifo.ini
mkfifo "$fifo"
expect "check: a FIFO is reported at once, not read" 1 \
	"^$fifo: error: cannot read: not a regular file$" \
	timeout 5 "$MA" check "$fifo"
expect "check: a FIFO as MPTCP_AUTO_POLICY" 1 \
	"^$fifo: error: cannot read: not a regular file$" \
	timeout 5 env MPTCP_AUTO_POLICY="$fifo" HOME=/nonexistent "$MA" check
expect "check: a device is not a policy file" 1 \
	"^/dev/zero: error: cannot read: not a regular file$" \
	timeout 5 "$MA" check /dev/zero
expect "explain: a FIFO policy is reported at once" 0 \
	"$fifo: error: cannot read: not a regular file" \
	timeout 5 "$MA" explain --policy "$fifo" 192.0.2.1:443
expect "run: a program under the shim with a FIFO policy starts" 0 "" \
	timeout 5 "$MA" run --policy "$fifo" true

# ---- explain -----------------------------------------------------------------
P=$top/conf/policy.ini
expect "explain: the program's rule" 0 "rule \[program curl\] from $P:" \
	"$MA" explain --policy "$P" --program curl 192.0.2.1:443
expect "explain: opted-out program" 0 "sockets: plain TCP" \
	"$MA" explain --policy "$P" --program java 192.0.2.1:443
expect "explain: excluded destination says why" 0 \
	"none \(destination in exclude-destinations\)" \
	"$MA" explain --policy "$P" 10.1.2.3
expect "explain: excluded port" 0 "none \(port in exclude-ports\)" \
	"$MA" explain --policy "$P" '[2001:db8::1]:53'
expect "explain: bad destination" 2 "is not ADDR\[:PORT\]" \
	"$MA" explain --policy "$P" not-an-address
expect "explain: no destination" 2 "no destination" "$MA" explain

# ---- status, monitor, explain on live interfaces (namespaces) ---------------
if ! (require_netns_mptcp) >/dev/null 2>&1; then
	reason=$( (require_netns_mptcp) 2>&1 | head -1)
	[ "${CI:-}" = true ] && fail "namespace checks" "$reason"
	echo "SKIP: status, monitor, explain in namespaces ($reason)"
	exit $failed
fi
. "$top/tests/lib/topo.sh"
TOPO_NO_TRAP=1
TOPO_OK=1
topo_up userspace && topo_multihome metrics || { fail "lab"; exit 1; }
topo_bg "$TOPO_SRV" "$T/mpa-testsrv" 7001
topo_wait_listen "$TOPO_SRV" 7001
printf '[default]\ninterfaces = c2\n' >"$tmp/p.ini"
in_cli() { ip netns exec "$TOPO_CLI" "$@"; }

out=$(in_cli "$MA" explain --policy "$tmp/p.ini" --json 10.9.0.1:7001)
if python3 -c 'import json, sys
d = json.loads(sys.argv[1])
i = d["interfaces"]
assert d["open_subflows"] and len(i) == 1
assert i[0]["interface"] == "c2" and i[0]["address"] == "10.0.2.1"
assert i[0]["route"] is True' "$out" 2>/dev/null; then
	pass "explain: resolves c2 with its route, on live interfaces"
else
	fail "explain: resolves c2 with its route, on live interfaces" "$out"
fi

# Not through in_cli: $! must be the monitor itself, for kill below.
ip netns exec "$TOPO_CLI" "$MA" monitor >"$tmp/monitor.log" 2>&1 &
mon=$!
ip netns exec "$TOPO_CLI" "$MA" monitor --json >"$tmp/monitor.json" 2>&1 &
monj=$!
sleep 0.5
# The connection lives until $tmp/release exists: status looks at it
# once its subflow from c2 is listed, however slow the machine.
in_cli env MPA_HOLD_UNTIL="$tmp/release" MPTCP_AUTO_LOG=warn \
	"$MA" run --policy "$tmp/p.ini" \
	"$T/mpa-shimtest" state 10.9.0.1 7001 >"$tmp/state.out" 2>&1 &
conn=$!
for _ in $(seq 100); do
	in_cli "$MA" status >"$tmp/status.txt" 2>&1
	grep -q '^  subflow 10.0.2.1:' "$tmp/status.txt" && break
	sleep 0.1
done
in_cli "$MA" status --json >"$tmp/status.json" 2>&1
touch "$tmp/release"
wait $conn
# A join the server refuses: it accepted one connection and closed its
# listener (socat without fork), so the subflow from c2 meets a reset.
topo_bg "$TOPO_SRV" "$T/mpa-testsrv" --once 7002
topo_wait_listen "$TOPO_SRV" 7002
in_cli env MPA_HOLD_UNTIL="$tmp/release-once" MPTCP_AUTO_LOG=warn \
	"$MA" run --policy "$tmp/p.ini" \
	"$T/mpa-shimtest" state 10.9.0.1 7002 >"$tmp/once.out" 2>&1 &
once=$!
for _ in $(seq 100); do
	grep -q 'refused by the peer' "$tmp/monitor.log" && break
	sleep 0.1
done
touch "$tmp/release-once"
wait $once
# A kernel that does not bind subflows to an interface (6.1) leaves it
# unbound, and the shim says so: then status and monitor show none.
want_if=c2
grep -q 'does not bind subflows to an interface' "$tmp/state.out" &&
	want_if=-
sleep 0.3
kill $mon $monj 2>/dev/null
wait $mon $monj 2>/dev/null

if grep -q '^connection token [0-9a-f]* 10.0.1.1:[0-9]* -> 10.9.0.1:7001 ESTAB  mpa-shimtest\[' \
	"$tmp/status.txt" && grep -q "^  subflow 10.0.2.1:[0-9]* -> 10.9.0.1:7001  $want_if " \
	"$tmp/status.txt"; then
	pass "status: the connection, its process and its subflow on c2"
else
	fail "status: the connection, its process and its subflow on c2" \
		"$(cat "$tmp/status.txt")"
fi
if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["connections"] if c["remote"] == "10.9.0.1:7001"]
assert len(c) == 1 and c[0]["process"] == "mpa-shimtest"
s = c[0]["subflows"]
want = sys.argv[2].strip("-")
assert len(s) == 2 and sorted(x["interface"] for x in s) == sorted(["", want])
assert d["mode"].startswith("userspace")' "$tmp/status.json" "$want_if" 2>/dev/null; then
	pass "status --json"
else
	fail "status --json" "$(cat "$tmp/status.json")"
fi
if grep -q '^CREATED ' "$tmp/monitor.log" &&
	grep -q '^ESTABLISHED ' "$tmp/monitor.log" &&
	grep '^SUB_ESTABLISHED .*10.0.2.1:[0-9]* -> 10.9.0.1:7001' \
		"$tmp/monitor.log" | if [ $want_if = - ]; then
		! grep -q ' dev '; else grep -q 'dev c2'; fi &&
	grep -q '^CLOSED ' "$tmp/monitor.log"; then
	pass "monitor: a connection's life, one line per event"
else
	fail "monitor: a connection's life, one line per event" \
		"$(cat "$tmp/monitor.log")"
fi
if grep -q '^SUB_CLOSED .*10\.0\.2\.1:[0-9]* -> 10\.9\.0\.1:7002 .*refused by the peer' \
	"$tmp/monitor.log"; then
	pass "monitor: a join the server refuses is 'refused by the peer'"
else
	fail "monitor: a join the server refuses is 'refused by the peer'" \
		"$(cat "$tmp/monitor.log")"
fi
if grep -q 'subflow from 10\.0\.2\.1 (c2) failed: refused by the peer' \
	"$tmp/once.out"; then
	pass "the shim's log: the join was refused by the peer"
else
	fail "the shim's log: the join was refused by the peer" \
		"$(cat "$tmp/once.out")"
fi
if python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert "SUB_ESTABLISHED" in names and "CLOSED" in names
sub = [e for e in ev if e["event"] == "SUB_ESTABLISHED"][0]
assert sub["interface"] == sys.argv[2].strip("-")
refused = [e for e in ev if e.get("refused_by_peer")]
assert len(refused) == 1 and refused[0]["event"] == "SUB_CLOSED"
assert refused[0]["remote"] == "10.9.0.1:7002"' "$tmp/monitor.json" \
	"$want_if" 2>/dev/null; then
	pass "monitor --json"
else
	fail "monitor --json" "$(cat "$tmp/monitor.json")"
fi
# ---- explain runs the engine's own plan ----------------------------------------
# For each policy, `explain --json` lists the subflows the engine itself
# opens for such a connection (mpa-engine-plan runs the engine's state
# machine on this namespace's interfaces and routes): the same interfaces,
# addresses and order. wlan0 and wwan0 have default routes; eth1 and tun0
# reach their own subnets only, and tun0 also 203.0.113.0/24 through a
# routing table of its own.
pns="mpa-plan-$TOPO_TAG-$RANDOM"
plan_lab()
{
	local i=10 dev
	topo_netns_add "$pns" || return 1
	ip -n "$pns" link set lo up
	# Root, userspace path manager, no daemon: the shim's own engine
	# opens the plan, so explain's "subflows" is the plan too.
	topo_set_pm "$pns" userspace || return 1
	for dev in wlan0 eth1 wwan0 tun0; do
		ip -n "$pns" link add "$dev" type veth peer name "p$i" || return 1
		ip -n "$pns" addr add "192.168.$i.1/24" dev "$dev"
		ip -n "$pns" addr add "fd00:$i::1/64" dev "$dev" nodad
		ip -n "$pns" link set "$dev" up
		ip -n "$pns" link set "p$i" up
		i=$((i + 1))
	done
	ip -n "$pns" route add default via 192.168.10.254 dev wlan0 metric 100 &&
		ip -n "$pns" route add default via 192.168.12.254 dev wwan0 \
			metric 300 &&
		ip -6 -n "$pns" route add default via fd00:10::fe dev wlan0 &&
		ip -n "$pns" route add 203.0.113.0/24 via 192.168.13.254 \
			dev tun0 table 100
}
# plan_case NAME POLICY WANT [--program P] DEST: WANT is the interfaces the
# engine must open, in order ("" for none), and explain must say the same.
plan_case()
{
	local name=$1 policy=$2 want=$3 e g
	shift 3
	printf "$policy" >"$tmp/plan.ini"
	e=$(ip netns exec "$pns" "$MA" explain --policy "$tmp/plan.ini" --json \
		"$@" 2>&1)
	g=$(ip netns exec "$pns" "$T/mpa-engine-plan" --policy "$tmp/plan.ini" \
		"$@" 2>&1)
	if python3 -c 'import json, sys
e, g = json.loads(sys.argv[1]), json.loads(sys.argv[2])
want = sys.argv[3].split()
assert [s["interface"] for s in g["subflows"]] == want, "engine"
assert e["path"] == "in-process", "path"
assert e["plan"] == g["subflows"], "explain plan"
assert e["subflows"] == g["subflows"], "explain subflows"
used = [i for i in e["interfaces"] if i["use"]]
assert [i["interface"] for i in used] == want, "interfaces"' \
		"$e" "$g" "$want" 2>/dev/null; then
		pass "explain --json = the engine's plan: $name"
	else
		fail "explain --json = the engine's plan: $name" \
			"want: $want" "explain: $e" "engine: $g"
	fi
}
if plan_lab; then
	all='[default]\ninterfaces = *\nsubflows = 8\n'
	plan_case "interfaces without a route are skipped" "$all" \
		"wlan0 wwan0" 198.51.100.1:443
	plan_case "a connected subnet is a route" "$all" \
		"wlan0 eth1 wwan0" 192.168.11.9:80
	plan_case "a route in another table counts" "$all" \
		"wlan0 wwan0 tun0" 203.0.113.5:443
	plan_case "IPv6" "$all" "wlan0" '[2001:db8::1]:443'
	plan_case "the cap comes after the route check" \
		'[default]\ninterfaces = eth1, wlan0\nbackup = wwan0\nsubflows = 2\n' \
		"wlan0 wwan0" 198.51.100.1:443
	plan_case "subflows = 1" \
		'[default]\ninterfaces = *\nsubflows = 1\n' \
		"wlan0" 198.51.100.1:443
	plan_case "an excluded destination" \
		'[default]\ninterfaces = *\nexclude-destinations = 198.51.100.0/24\n' \
		"" 198.51.100.1:443
	plan_case "a program with MPTCP off" \
		'[default]\ninterfaces = *\n[program curl]\nmptcp = off\n' \
		"" --program curl 198.51.100.1:443
else
	fail "explain = the engine's plan: namespace with four interfaces"
fi

# ---- status under mptcp-autod: a join the peer refused -------------------
# The daemon sees every connection's events: a join refused by the server
# (it accepted one connection and closed its listener) is counted for the
# connection, and status says so while it lives.
sock=$tmp/pm.sock
MPTCP_AUTO_PM_SOCKET=$sock ip netns exec "$TOPO_CLI" "$top/build/mptcp-autod" \
	--socket "$sock" --policy "$tmp/p.ini" 2>"$tmp/daemon.log" &
dpid=$!
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
topo_bg "$TOPO_SRV" "$T/mpa-testsrv" --once 7003
topo_wait_listen "$TOPO_SRV" 7003
in_cli env MPA_HOLD_UNTIL="$tmp/release-d" MPTCP_AUTO_PM_SOCKET="$sock" \
	"$MA" run --policy "$tmp/p.ini" \
	"$T/mpa-shimtest" state 10.9.0.1 7003 >"$tmp/once-d.out" 2>&1 &
onced=$!
for _ in $(seq 100); do
	in_cli env MPTCP_AUTO_PM_SOCKET="$sock" "$MA" status \
		>"$tmp/status-refused.txt" 2>&1
	grep -q 'refused by the peer' "$tmp/status-refused.txt" && break
	sleep 0.1
done
in_cli env MPTCP_AUTO_PM_SOCKET="$sock" "$MA" status --json \
	>"$tmp/status-refused.json" 2>&1
touch "$tmp/release-d"
wait $onced
kill -TERM $dpid
wait $dpid
if grep -A3 '^connection token [0-9a-f]* 10\.0\.1\.1:[0-9]* -> 10\.9\.0\.1:7003 ' \
	"$tmp/status-refused.txt" |
	grep -Eq '^  [123] joins? refused by the peer: nothing accepts a new subflow at 10\.9\.0\.1:7003'; then
	pass "status (mptcp-autod): a join the server refuses is 'refused by the peer'"
else
	fail "status (mptcp-autod): a join the server refuses is 'refused by the peer'" \
		"$(cat "$tmp/status-refused.txt")" "$(cat "$tmp/daemon.log")"
fi
if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["connections"] if c["remote"] == "10.9.0.1:7003"]
# reopen asks again (1 s later, 3 times at most) for a join never up.
assert len(c) == 1 and 1 <= c[0]["refused_joins"] <= 3
assert all(x["refused_joins"] == 0 for x in d["connections"] if x not in c)' \
	"$tmp/status-refused.json" 2>/dev/null; then
	pass "status --json: refused_joins"
else
	fail "status --json: refused_joins" "$(cat "$tmp/status-refused.json")"
fi

# ---- run and explain say what a program really gets ----------------------
# Copies a normal user can reach: the command, the shim beside it (run
# finds it there), the tester, a copy that passes for apt-get, policies,
# and a folder for a daemon's socket.
pub=$(nobody_copy "$MA" "$top/build/libmptcp_auto.so" "$T/mpa-shimtest") ||
	{ fail "copies for user nobody"; exit 1; }
cp "$pub/mpa-shimtest" "$pub/apt-get"
printf '[default]\ninterfaces = c2\n' >"$pub/p.ini"
chmod 0644 "$pub/p.ini"
PM="$pub/none.sock" # no daemon there
# as_nobody VAR=VALUE... -- CMD...: CMD as user nobody in the client
# namespace, the variables set; stdout dropped, stderr kept.
as_nobody()
{
	local vars=()
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all env -u XDG_CONFIG_HOME \
		HOME=/nonexistent "${vars[@]}" "$@" 2>&1 >/dev/null
}
err=$(as_nobody MPTCP_AUTO_PM_SOCKET="$PM" -- "$pub/mptcp-auto" run \
	--policy "$pub/p.ini" "$pub/mpa-shimtest" connect 10.9.0.1 7001 2)
if [ "$(grep -c . <<<"$err")" = 1 ] && grep -q \
	"^mptcp-auto: warning: mpa-shimtest will get no extra subflow (its sockets become MPTCP, on one path): no CAP_NET_ADMIN, and no mptcp-autod runs. Start mptcp-autod (systemctl enable --now mptcp-autod), or run it as root$" \
	<<<"$err"; then
	pass "run as a user, no daemon: one line says why and what to do"
else
	fail "run as a user, no daemon: one line says why and what to do" \
		"$err"
fi
err=$(as_nobody MPTCP_AUTO_PM_SOCKET="$PM" -- "$pub/mptcp-auto" run \
	--quiet --policy "$pub/p.ini" "$pub/mpa-shimtest" connect 10.9.0.1 \
	7001 2)
if [ -z "$err" ]; then
	pass "run --quiet: nothing said, by run or the shim"
else
	fail "run --quiet: nothing said, by run or the shim" "$err"
fi
err=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" run --policy "$pub/p.ini" \
	"$T/mpa-shimtest" connect 10.9.0.1 7001 2 2>&1 >/dev/null)
if [ -z "$err" ]; then
	pass "run as root, userspace path manager: nothing to say"
else
	fail "run as root, userspace path manager: nothing to say" "$err"
fi
if getent passwd _apt >/dev/null; then
	err=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" run \
		--policy "$pub/p.ini" "$pub/apt-get" connect 10.9.0.1 7001 \
		2>&1 >/dev/null)
	if grep -q "^mptcp-auto: warning: apt-get will get no extra subflow for its downloads: they run as user _apt, without CAP_NET_ADMIN, and no mptcp-autod runs" \
		<<<"$err"; then
		pass "run apt-get as root without a daemon: its downloads run as _apt"
	else
		fail "run apt-get as root without a daemon: its downloads run as _apt" \
			"$err"
	fi
else
	skip "run apt-get as root without a daemon" "no user _apt here"
fi
topo_set_pm "$TOPO_CLI" kernel
err=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" run --policy "$pub/p.ini" \
	"$T/mpa-shimtest" connect 10.9.0.1 7001 2 2>&1 >/dev/null)
x=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" explain --json \
	--policy "$pub/p.ini" 10.9.0.1:7001 2>&1)
topo_set_pm "$TOPO_CLI" userspace
if [ "$(grep -c . <<<"$err")" = 1 ] && grep -q \
	"warning: mpa-shimtest will not get the policy's subflows: the in-kernel path manager serves this network namespace and no mptcp-autod runs, so the kernel's endpoints decide (there is no subflow endpoint: one path)" \
	<<<"$err"; then
	pass "run, in-kernel path manager: one line, the endpoints decide"
else
	fail "run, in-kernel path manager: one line, the endpoints decide" "$err"
fi
if python3 -c 'import json, sys
d = json.loads(sys.argv[1])
assert d["path"] == "kernel endpoints" and d["reason"] == "kernel-pm"
assert d["plan"] and d["subflows"] == []' "$x" 2>/dev/null; then
	pass "explain, in-kernel path manager: the plan is not what it gets"
else
	fail "explain, in-kernel path manager: the plan is not what it gets" "$x"
fi
if command -v objcopy >/dev/null && go_fake go1.19.8 "$T/mpa-shimtest" \
	"$tmp/go119"; then
	err=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" run \
		--policy "$pub/p.ini" "$tmp/go119" connect 10.9.0.1 7001 \
		2>&1 >/dev/null)
	if [ "$(grep -c . <<<"$err")" = 1 ] && grep -q \
		"^mptcp-auto: warning: go119 is a Go program (go1\.19\.8): Go makes its own system calls, out of the shim's reach, and Go before 1\.21 ignores GODEBUG=multipathtcp=1: it will run on plain TCP" \
		<<<"$err"; then
		pass "run a Go 1.19 program: one line, GODEBUG=multipathtcp=1 is ignored"
	else
		fail "run a Go 1.19 program: one line, GODEBUG=multipathtcp=1 is ignored" \
			"$err"
	fi
else
	skip "run a Go 1.19 program" "objcopy missing or failed"
fi
# explain states the path for the caller's privileges, and what comes.
x=$(in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all env HOME=/nonexistent \
	MPTCP_AUTO_PM_SOCKET="$PM" "$pub/mptcp-auto" explain --json \
	--policy "$pub/p.ini" 10.9.0.1:7001 2>&1)
y=$(in_cli env MPTCP_AUTO_PM_SOCKET="$PM" "$MA" explain --json \
	--policy "$pub/p.ini" 10.9.0.1:7001 2>&1)
if python3 -c 'import json, sys
u, r = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert u["path"] == "nothing" and u["reason"] == "no-cap", "user"
assert [s["interface"] for s in u["plan"]] == ["c2"] and u["subflows"] == []
assert "no CAP_NET_ADMIN" in u["gets"]
assert r["path"] == "in-process" and r["reason"] == "", "root"
assert [s["interface"] for s in r["subflows"]] == ["c2"]' "$x" "$y" \
	2>/dev/null; then
	pass "explain: a user gets nothing, root gets c2 (the caller's privileges)"
else
	fail "explain: a user gets nothing, root gets c2 (the caller's privileges)" \
		"$x" "$y"
fi
# --policy FILE is layered over the other files in explain as in run: the
# user's own file excludes the destination, FILE asks for c2.
mkdir -p "$tmp/xdg/mptcp-auto"
printf '[default]\nexclude-destinations = 10.9.0.0/16\n' \
	>"$tmp/xdg/mptcp-auto/policy.ini"
out=$(in_cli env XDG_CONFIG_HOME="$tmp/xdg" MPTCP_AUTO_PM_SOCKET="$PM" \
	"$MA" explain --policy "$pub/p.ini" 10.9.0.1:7001 2>&1)
in_cli env XDG_CONFIG_HOME="$tmp/xdg" MPTCP_AUTO_PM_SOCKET="$PM" \
	MPTCP_AUTO_LOG=debug MPTCP_AUTO_LOG_FILE="$tmp/layer.log" "$MA" run \
	--policy "$pub/p.ini" "$T/mpa-shimtest" connect 10.9.0.1 7001 \
	>/dev/null 2>&1
if grep -q "^extra subflows to 10.9.0.1:7001: none (destination in exclude-destinations)$" \
	<<<"$out" &&
	grep -q 'no extra subflow: destination in exclude-destinations' \
		"$tmp/layer.log" && ! grep -q 'subflow requested' "$tmp/layer.log"; then
	pass "explain --policy: layered as run layers it (they agree)"
else
	fail "explain --policy: layered as run layers it (they agree)" "$out" \
		"$(cat "$tmp/layer.log")"
fi
expect "check --policy: layered over the other files" 0 \
	"^2 files applied, 0 errors" \
	env XDG_CONFIG_HOME="$tmp/xdg" "$MA" check --policy "$pub/p.ini"
# Under mptcp-autod: the daemon's rule, narrowed by the user's own files.
printf '[default]\ninterfaces = c2\n' >"$pub/daemon.ini"
printf '[default]\nsubflows = 0\n' >"$pub/none.ini"
chmod 0644 "$pub/daemon.ini" "$pub/none.ini"
DS=$pub/pm.sock
MPTCP_AUTO_PM_SOCKET=$DS ip netns exec "$TOPO_CLI" "$top/build/mptcp-autod" \
	--socket "$DS" --policy "$pub/daemon.ini" 2>"$tmp/daemon2.log" &
dpid2=$!
for _ in $(seq 50); do
	[ -S "$DS" ] && break
	sleep 0.1
done
x=$(in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all env HOME=/nonexistent \
	MPTCP_AUTO_PM_SOCKET="$DS" "$pub/mptcp-auto" explain --json \
	10.9.0.1:7001 2>&1)
y=$(in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all env HOME=/nonexistent \
	MPTCP_AUTO_PM_SOCKET="$DS" "$pub/mptcp-auto" explain --json \
	--policy "$pub/none.ini" 10.9.0.1:7001 2>&1)
if python3 -c 'import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["path"] == "daemon" and a["rule_from"] == "mptcp-autod", "daemon"
assert a["origin"].startswith(sys.argv[3] + ":1"), "the daemon policy"
assert [s["interface"] for s in a["subflows"]] == ["c2"], "subflows"
assert b["rule_from"] == "mptcp-autod" and b["subflows"] == [], "narrowed"
assert b["why"] == "subflows = 0"' "$x" "$y" "$pub/daemon.ini" 2>/dev/null; then
	pass "explain under mptcp-autod: its rule, narrowed by the user's"
else
	fail "explain under mptcp-autod: its rule, narrowed by the user's" \
		"$x" "$y"
fi
err=$(as_nobody MPTCP_AUTO_PM_SOCKET="$DS" -- "$pub/mptcp-auto" run \
	--policy "$pub/p.ini" "$pub/mpa-shimtest" connect 10.9.0.1 7001)
if [ -z "$err" ]; then
	pass "run as a user under mptcp-autod: nothing to say"
else
	fail "run as a user under mptcp-autod: nothing to say" "$err"
fi
# The daemon's policy gives this program nothing: the user's cannot add.
printf '[default]\nsubflows = 2\n' >"$pub/daemon.ini"
kill -HUP "$dpid2"
for _ in $(seq 50); do
	grep -q 'policy reloaded' "$tmp/daemon2.log" && break
	sleep 0.1
done
err=$(as_nobody MPTCP_AUTO_PM_SOCKET="$DS" -- "$pub/mptcp-auto" run \
	--policy "$pub/p.ini" "$pub/mpa-shimtest" connect 10.9.0.1 7001)
kill -TERM "$dpid2"
wait "$dpid2"
dpid2=""
if grep -q "^mptcp-auto: warning: mpa-shimtest will get no extra subflow: mptcp-autod serves it by its own policy ($pub/daemon.ini), whose rule for it opens none" \
	<<<"$err"; then
	pass "run under mptcp-autod whose policy gives none: said"
else
	fail "run under mptcp-autod whose policy gives none: said" "$err" \
		"$(cat "$tmp/daemon2.log")"
fi

# User nobody runs a copy of the command it can reach.
nd=$(nobody_copy "$MA") || { fail "copy for user nobody"; exit 1; }
expect "monitor without CAP_NET_ADMIN says so" 1 "CAP_NET_ADMIN" \
	in_cli setpriv --reuid 65534 --regid 65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$nd/mptcp-auto" monitor
exit $failed
