#!/bin/bash
# SPDX-License-Identifier: MIT
# `make demo` in a reduced size, with its table checked: every download
# intact, and more than one subflow under mptcp-auto.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"

require_netns_mptcp
require_cmd curl
out=$(DEMO_MB=${DEMO_MB:-8} DEMO_RATE=${DEMO_RATE:-20mbit} \
	bash "$top/examples/demo.sh" 2>&1)
rc=$?
echo "$out"
failed=0
check()
{
	if grep -qE "$2" <<<"$out"; then
		echo "PASS: $1"
	else
		echo "FAIL: $1"
		failed=1
	fi
}
[ $rc -eq 0 ] && echo "PASS: demo exits 0" || { echo "FAIL: demo exits 0 ($rc)"; failed=1; }
check "plain curl: one TCP path, intact" \
	'^plain curl +.* 1 +TCP [0-9.]+ MB +yes$'
check "mptcp-auto run: two subflows carried data, intact" \
	'^mptcp-auto run curl .* 2 +10\.0\.1\.1 [0-9.]+ MB, 10\.0\.2\.1 [0-9.]+ MB +yes$'
check "path 1 cut halfway: finished over path 2, intact" \
	'^  \+ path 1 cut at .* 2 +.*10\.0\.2\.1 [0-9.]+ MB +yes$'
[ "$(ip netns list | grep -c "mpa-")" = 0 ] && echo "PASS: lab removed" ||
	{ echo "FAIL: lab removed"; failed=1; }

# Ctrl-C in the middle: the lab and its processes go away too.
timeout -s INT 6 bash "$top/examples/demo.sh" >/dev/null 2>&1
rc=$?
sleep 0.5
if [ $rc = 124 ] && [ "$(ip netns list | grep -c "mpa-")" = 0 ] &&
	! pgrep -f "$top/build/tests/mpa-httpd" >/dev/null; then
	echo "PASS: interrupted demo removes its lab"
else
	echo "FAIL: interrupted demo removes its lab (exit $rc)"
	ip netns list
	failed=1
fi
exit $failed
