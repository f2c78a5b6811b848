#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon's host module (daemon/dmn_host.c) on the real kernel, through
# tests/tools/mpa_hostpm.c: a namespace switched to the userspace path
# manager still gives connections no shim registered what its `ip mptcp
# endpoint` entries gave them before (docs/kernel-facts.md §19):
#   - a native MPTCP client gets its subflow from a `subflow` endpoint,
#     and a backup one from a `backup` endpoint;
#   - an accepted connection announces the server's `signal` endpoint, and
#     a client on the in-kernel path manager joins it;
#   - a client joins an address its server announces (add_addr_accepted);
#   - nothing of this happens when every connection counts as registered,
#     and the path manager is put back when the module stops.
# Prints "PASS: x", "FAIL: x" or "SKIP: x (why)".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
T=$top/build/tests
HOSTPM=$T/mpa-hostpm
tmp=$(mktemp -d)
TOPO_OK=0
cleanup()
{
	trap '' INT TERM HUP
	[ "$TOPO_OK" = 1 ] && topo_cleanup
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
require_cmd python3
[ -x "$HOSTPM" ] || die "build first: make all ($HOSTPM missing)"
. "$top/tests/lib/topo.sh"
TOPO_NO_TRAP=1
TOPO_OK=1

# A native MPTCP client (no shim): connects to ADDR:7001, takes the
# server's greeting (which makes it fully established), then asks the
# server for its subflows (STATE: "peer port backup" per subflow) until
# one comes from WANT (a peer address), at most 5 s. Prints the last
# answer; exits 0 when WANT was seen.
CLIENT='
import socket, sys, time
addr, want = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.settimeout(5)
s.connect((addr, 7001))
f = s.makefile("rb")
f.readline()
deadline = time.monotonic() + 5
while True:
    s.sendall(b"STATE\n")
    lines = []
    while True:
        line = f.readline().decode().strip()
        if not line or line == "END":
            break
        lines.append(line)
    hit = [l for l in lines if l.split()[0] == want]
    if hit or time.monotonic() > deadline:
        break
    time.sleep(0.1)
print("\n".join(lines))
if len(sys.argv) > 3:
    import subprocess
    out = subprocess.run(["ss", "-tnH", "state", "established", "dst",
                          sys.argv[3]], capture_output=True, text=True)
    for l in out.stdout.splitlines():
        print("ss: " + l)
sys.exit(0 if hit else 1)
'

# lab: the two-path lab with both namespaces on the in-kernel path
# manager (the module switches the one it runs in), and the test server.
lab()
{
	topo_reset
	topo_up kernel || {
		fail "namespace lab"
		exit 1
	}
	topo_bg "$TOPO_SRV" "$T/mpa-testsrv" 7001
	topo_wait_listen "$TOPO_SRV" 7001 || fail "test server listens"
}

# hostpm_start NS [OPTION]: the module in NS, once it follows the events
# and NS is switched. Sets hostpm_pid.
hostpm_start()
{
	local ns=$1 i
	shift
	rm -f "$tmp/ready"
	ip netns exec "$ns" "$HOSTPM" --verbose "$@" "$tmp/ready" \
		>"$tmp/hostpm.out" 2>"$tmp/hostpm.err" &
	hostpm_pid=$!
	TOPO_PIDS="$TOPO_PIDS $hostpm_pid"
	for i in $(seq 50); do
		[ -e "$tmp/ready" ] && return 0
		kill -0 "$hostpm_pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "mpa-hostpm starts in $ns" "$(cat "$tmp/hostpm.err")"
	return 1
}

# hostpm_stop NS: stop it; PASS when it exits 0 and NS has its in-kernel
# path manager back.
hostpm_stop()
{
	local ns=$1 rc pm
	kill -TERM "$hostpm_pid"
	wait "$hostpm_pid"
	rc=$?
	if ip netns exec "$ns" test -e /proc/sys/net/mptcp/path_manager; then
		pm=$(ip netns exec "$ns" cat /proc/sys/net/mptcp/path_manager)
	else
		pm=$(ip netns exec "$ns" cat /proc/sys/net/mptcp/pm_type)
	fi
	if [ $rc = 0 ] && { [ "$pm" = kernel ] || [ "$pm" = 0 ]; }; then
		pass "$2: the path manager is put back ($pm) at exit"
	else
		fail "$2: the path manager is put back at exit" "exit $rc" \
			"path manager: $pm" "$(tail -5 "$tmp/hostpm.err")"
	fi
}

# client NS WANT [DST]: the native client in NS; its output in
# $tmp/client, with its subflows to DST ("ss: ..." lines) before it ends.
client()
{
	ip netns exec "$1" timeout 20 python3 -c "$CLIENT" 10.0.1.2 "$2" \
		${3:+"$3"} >"$tmp/client" 2>&1
}

details()
{
	echo "client saw:"
	cat "$tmp/client"
	echo "module:"
	tail -15 "$tmp/hostpm.err"
}

# ---- a subflow endpoint, then a backup one ------------------------------
for kind in subflow backup; do
	lab
	flags=subflow
	want_backup=0
	if [ $kind = backup ]; then
		flags="subflow backup"
		want_backup=1
	fi
	ip -n "$TOPO_CLI" mptcp endpoint add 10.0.2.1 dev c2 $flags
	hostpm_start "$TOPO_CLI" || continue
	name="$kind endpoint: the native client's subflow from 10.0.2.1"
	name="$name (backup $want_backup)"
	if client "$TOPO_CLI" 10.0.2.1 &&
		grep -q "^10\.0\.2\.1 [0-9]* $want_backup$" "$tmp/client"; then
		pass "$name"
	else
		fail "$name" "$(details)"
	fi
	hostpm_stop "$TOPO_CLI" "$kind endpoint"
	grep -q '^served 1 requested 1 ' "$tmp/hostpm.out" ||
		fail "$kind endpoint: one connection served, one subflow" \
			"$(cat "$tmp/hostpm.out")"
done

# ---- the same connection, counted as registered: the module keeps off ----
lab
ip -n "$TOPO_CLI" mptcp endpoint add 10.0.2.1 dev c2 subflow
if hostpm_start "$TOPO_CLI" --registered; then
	if client "$TOPO_CLI" 10.0.2.1; then
		fail "registered: no subflow from the endpoint" "$(details)"
	elif [ "$(wc -l <"$tmp/client")" = 1 ]; then
		pass "registered: no subflow from the endpoint (the module made the one above)"
	else
		fail "registered: the client ran" "$(details)"
	fi
	hostpm_stop "$TOPO_CLI" "registered"
fi

# ---- a server's signal endpoint, joined by a client on the kernel PM ------
lab
ip -n "$TOPO_SRV" mptcp endpoint add 10.0.2.2 dev s2 signal
ip -n "$TOPO_CLI" mptcp limits set subflows 2 add_addr_accepted 1
if hostpm_start "$TOPO_SRV"; then
	name="signal endpoint: the server announces 10.0.2.2, the client joins it"
	if client "$TOPO_CLI" 10.0.2.1 10.0.2.2 &&
		grep -q '^ss: ' "$tmp/client"; then
		pass "$name"
	else
		fail "$name" "$(details)"
	fi
	hostpm_stop "$TOPO_SRV" "signal endpoint"
	grep -q ' announced 1 ' "$tmp/hostpm.out" ||
		fail "signal endpoint: one announcement" \
			"$(cat "$tmp/hostpm.out")"
fi

# ---- a client joins what its server (kernel PM) announces -----------------
lab
ip -n "$TOPO_SRV" mptcp endpoint add 10.0.2.2 dev s2 signal
ip -n "$TOPO_CLI" mptcp limits set subflows 2 add_addr_accepted 1
if hostpm_start "$TOPO_CLI"; then
	name="add_addr_accepted: the client joins the announced 10.0.2.2"
	if client "$TOPO_CLI" 10.0.2.1 10.0.2.2 &&
		grep -q '^ss: ' "$tmp/client"; then
		pass "$name"
	else
		fail "$name" "$(details)"
	fi
	hostpm_stop "$TOPO_CLI" "add_addr_accepted"
fi
exit $failed
