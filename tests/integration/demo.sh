#!/bin/bash
# SPDX-License-Identifier: MIT
# `make demo` in a reduced size, with its table checked: every download
# intact, and more than one subflow under mptcp-auto. Then the demo is
# interrupted at several moments, with INT, TERM and HUP, and with signals
# repeated while it cleans up: each time its lab, its processes and its
# files must be gone. Each run gets a tag of its own in its namespace names
# (MPA_NS_TAG) and a TMPDIR of its own, so that only its own namespaces and
# processes are looked at, never those of other runs on the machine.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"

require_netns_mptcp
require_cmd curl
export DEMO_MB=${DEMO_MB:-8} DEMO_RATE=${DEMO_RATE:-20mbit}
base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
failed=0
n=0

# new_run: a fresh tag and TMPDIR for one demo run ($tag, $dir).
new_run()
{
	n=$((n + 1))
	tag="${MPA_NS_TAG:+$MPA_NS_TAG-}demo$$-$n"
	dir=$base/$n
	mkdir "$dir"
}

# demo: the demo under this run's tag and TMPDIR.
demo()
{
	MPA_NS_TAG=$tag TMPDIR=$dir "$@" bash "$top/examples/demo.sh"
}

# leftovers: what the run left behind, one line each; empty when nothing.
leftovers()
{
	ip netns list | awk '{ print $1 }' | grep -- "-$tag-" |
		sed 's/^/namespace /'
	pgrep -af -- "$dir/" | sed 's/^/process /'
	find "$dir" -mindepth 1 -maxdepth 1 | sed 's/^/file /'
	# The user the demo made, when it got as far as saying its name.
	sed -n 's/^  as user: \([^ ]*\) .*/\1/p' <<<"${out:-}" |
		while read -r u; do
			getent passwd "$u" >/dev/null && echo "user $u"
		done
}

check()
{
	if grep -qE "$2" <<<"$out"; then
		echo "PASS: $1"
	else
		echo "FAIL: $1"
		show_logs
		failed=1
	fi
}

# show_logs: the logs the first run kept (DEMO_KEEP), once, under a
# failed check: what the server, the shim and mptcp-autod saw.
shown=0
show_logs()
{
	local f
	[ $shown = 0 ] || return 0
	shown=1
	for f in "$base/keep"/*.log; do
		[ -e "$f" ] || continue
		echo "      --- ${f##*/} (last 60 lines)"
		tail -n 60 "$f" | sed 's/^/      /'
	done
}

# The first run is `make demo` as typed in the tree, after a source has
# changed: the build is quiet (no compiler lines), and a few lines say
# what comes before the lab's own description.
new_run
touch "$top/cli/main.c"
out=$(cd "$top" && DEMO_KEEP=$base/keep MPA_NS_TAG=$tag TMPDIR=$dir \
	make demo 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] && echo "PASS: demo exits 0" || { echo "FAIL: demo exits 0 ($rc)"; failed=1; }
before_lab=$(sed -n '/^Lab: /q; p' <<<"$out")
if [ "$(grep -c '' <<<"$before_lab")" -le 4 ] &&
	! grep -qE '(^| )(cc|gcc|clang) |-o build/' <<<"$before_lab"; then
	echo "PASS: make demo builds quietly and says what it does in a few lines"
else
	echo "FAIL: make demo builds quietly and says what it does in a few lines"
	failed=1
fi
# The table's header: every column apart from the next.
check "the table's header: subflows and bytes apart" \
	'^download +paths +time +goodput +subflows  +bytes per path'
check "plain curl: one TCP path, intact" \
	'^plain curl +.* 1 +TCP [0-9.]+ MB +yes$'
check "mptcp-auto run: two subflows carried data, intact" \
	'^mptcp-auto run curl .* 2 +10\.0\.1\.1 [0-9.]+ MB, 10\.0\.2\.1 [0-9.]+ MB +yes$'
check "path 1 cut halfway: finished over path 2, intact" \
	'^  \+ path 1 cut at .* 2 +.*10\.0\.2\.1 [0-9.]+ MB +yes$'
# As a normal user: one path alone (no CAP_NET_ADMIN); with mptcp-autod,
# the connection the shim registers gets curl's rule, a subflow on c2.
check "as a user, no daemon: one subflow, intact" \
	'^as user: mptcp-auto run curl .* 1 +10\.0\.1\.1 [0-9.]+ MB +yes$'
check "as a user, with mptcp-autod: two subflows carried data, intact" \
	'^  \+ mptcp-autod running .* 2 +10\.0\.1\.1 [0-9.]+ MB, 10\.0\.2\.1 [0-9.]+ MB +yes$'
demo_user=$(sed -n 's/^  as user: \([^ ]*\) .*/\1/p' <<<"$out")
if [ -n "$demo_user" ] && ! getent passwd "$demo_user" >/dev/null; then
	echo "PASS: the demo's user is removed"
else
	echo "FAIL: the demo's user is removed (${demo_user:-no user named})"
	failed=1
fi
left=$(leftovers)
if [ -z "$left" ]; then
	echo "PASS: lab removed"
else
	echo "FAIL: lab removed"
	echo "$left" | sed 's/^/      /'
	failed=1
fi

# Interrupted (timeout(1) signals the demo, then its whole process group)
# while the lab is being built, and during a download: a file of 32 MB
# keeps the first one going past 6 s, whatever size was asked for above.
for when in INT:0.3 TERM:1 HUP:2.5 INT:6; do
	new_run
	out=$(DEMO_MB=32 demo timeout -s "${when%:*}" "${when#*:}" 2>&1)
	rc=$?
	left=$(leftovers)
	if [ $rc = 124 ] && [ -z "$left" ]; then
		echo "PASS: SIG${when%:*} after ${when#*:} s: demo removes its lab"
	else
		echo "FAIL: SIG${when%:*} after ${when#*:} s: demo removes its lab"
		printf 'exit %s\n%s\n%s\n' "$rc" "$left" "$out" | sed 's/^/      /'
		failed=1
	fi
done

# Signals keep coming while the demo cleans up.
new_run
DEMO_MB=32 MPA_NS_TAG=$tag TMPDIR=$dir timeout -s INT 3 \
	bash "$top/examples/demo.sh" >/dev/null 2>&1 &
t=$!
sleep 3
d=$(pgrep -P "$t")
for _ in $(seq 40); do
	[ -n "$d" ] && kill -INT "$d" 2>/dev/null && kill -TERM "$d" \
		2>/dev/null && kill -HUP "$d" 2>/dev/null || break
	sleep 0.02
done
wait "$t"
rc=$?
left=$(leftovers)
if [ $rc = 124 ] && [ -z "$left" ]; then
	echo "PASS: signals during cleanup: demo removes its lab"
else
	echo "FAIL: signals during cleanup: demo removes its lab"
	printf 'exit %s\n%s\n' "$rc" "$left" | sed 's/^/      /'
	failed=1
fi
exit $failed
