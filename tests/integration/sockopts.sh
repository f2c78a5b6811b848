#!/bin/bash
# SPDX-License-Identifier: MIT
# Socket options MPTCP refuses (docs/sockopts.md): the kernel's own answers
# on fresh TCP and MPTCP sockets, then the shim's setsockopt() swap back to
# TCP before connect or listen, with everything the program had set, and no
# swap afterwards. Loopback only: in a namespace of our own as root, on the
# host's loopback otherwise (and then without the privileged options).
# Prints "PASS: x", "FAIL: x" or "SKIP: x (why)".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"

SHIM=$top/build/libmptcp_auto.so
SHIM_DEBUG=$top/build/debug/libmptcp_auto.so
T=$top/build/tests
SO=$T/mpa-sockopts
tmp=$(mktemp -d)
ns=""
cleanup()
{
	trap '' INT TERM HUP
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[ -e /proc/sys/net/mptcp/enabled ] ||
	skip_or_fail "kernel without MPTCP (/proc/sys/net/mptcp missing)"
in_ns=()
if [ "$(id -u)" = 0 ]; then
	# Tagged as tests/lib/topo.sh names its own (MPA_NS_TAG).
	ns=mpa-sockopt-${MPA_NS_TAG:+$MPA_NS_TAG-}$$-$RANDOM
	ip netns add "$ns" || die "cannot create namespace $ns"
	ip netns exec "$ns" ip link set lo up
	in_ns=(ip netns exec "$ns")
fi
[ "$("${in_ns[@]}" cat /proc/sys/net/mptcp/enabled)" = 1 ] ||
	skip_or_fail "MPTCP disabled (net.mptcp.enabled=0)"

printf '[default]\nmptcp = yes\n' >"$tmp/policy.ini"
shim=("${in_ns[@]}" env LD_PRELOAD="$SHIM" MPTCP_AUTO_POLICY="$tmp/policy.ini")

# tool NAME CMD...: the tool's own PASS/FAIL lines, and a FAIL if it
# stopped without saying why.
tool()
{
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL): '
	grep -q '^FAIL: ' <<<"$out" && failed=1
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' <<<"$out"; then
		fail "$name" "exit $rc" "$out"
	fi
}

# ---- the kernel's answers, without the shim ----------------------------------
for f in 4 6; do
	"${in_ns[@]}" "$SO" table $f >"$tmp/table$f" 2>&1
	echo "== kernel $(uname -r), IPv$f: option, TCP, MPTCP"
	cat "$tmp/table$f"
	refused=$(awk '$2 == "ok" && $3 != "ok" {print $1}' "$tmp/table$f" |
		tr '\n' ' ')
	# A measurement, whatever this kernel refuses: every option answered.
	if grep -Eq '^TCP_NODELAY +ok +ok$' "$tmp/table$f" &&
		! grep -q ' ?' "$tmp/table$f"; then
		pass "IPv$f table: TCP takes, MPTCP refuses: $refused"
	else
		fail "IPv$f table measured" "$(cat "$tmp/table$f")"
	fi
done

# ---- under the shim ----------------------------------------------------------
for f in 4 6; do
	tool "IPv$f swap" "${shim[@]}" timeout 300 "$SO" swap $f
	tool "IPv$f listen" "${shim[@]}" timeout 60 "$SO" listen $f
	tool "IPv$f after" "${shim[@]}" timeout 60 "$SO" after $f
	if [ -n "$ns" ]; then
		tool "IPv$f carry" "${shim[@]}" timeout 60 "$SO" carry $f
	else
		skip "IPv$f carry" "needs root: SO_MARK, IP_TRANSPARENT..."
	fi
done

# Neither allocation nor hook re-entry on the swap path.
tool "mallocs" "${in_ns[@]}" env LD_PRELOAD="$SHIM $T/libmalloc_count.so" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" "$SO" mallocs 200
out=$("${in_ns[@]}" env LD_PRELOAD="$SHIM_DEBUG" \
	MPTCP_AUTO_POLICY="$tmp/policy.ini" MPTCP_AUTO_LOG=debug \
	MPTCP_AUTO_LOG_FILE="$tmp/debug.log" timeout 300 "$SO" swap 4 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'now a TCP socket' "$tmp/debug.log"; then
	pass "no hook re-entry on the swap path (debug build)"
else
	fail "no hook re-entry on the swap path (debug build)" "exit $rc" \
		"$(grep -v '^PASS' <<<"$out")"
fi

# valgrind: the swap path and its failure paths, with the shim loaded.
if slow_tool valgrind "swap under valgrind"; then
	out=$("${in_ns[@]}" env LD_PRELOAD="$SHIM" \
		MPTCP_AUTO_POLICY="$tmp/policy.ini" valgrind -q \
		--error-exitcode=99 "$SO" swap 4 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "swap under valgrind: no error"
	else
		fail "swap under valgrind: no error" "exit $rc" \
			"$(grep -v '^PASS' <<<"$out")"
	fi
fi
exit $failed
