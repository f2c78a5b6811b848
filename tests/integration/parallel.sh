#!/bin/bash
# SPDX-License-Identifier: MIT
# Two runs of the namespace suites at the same time, each from its own copy
# of this tree, as two developers or two CI jobs on one machine would run
# them: neither may see or break the other. Each copy runs, one suite after
# the other, core.sh 4, policy_ns.sh, preload.sh, shim_isolation.sh,
# sockopts.sh, e2e.sh, cli.sh and demo.sh: every suite that builds namespaces or listens on the host's
# loopback, the demo and its interruptions included. They run at reduced
# sizes (a 20 MB download, 1000 stress cycles, a 4 MB demo), and core.sh 6,
# its valgrind run and example.sh are left out (the same lab code), to stay
# within a few minutes on two cores. Every suite must pass in both copies,
# and afterwards none of their namespaces, processes or files may be left.
# Prints "PASS: x" / "FAIL: x" per check.
#
# The copies are taken from the working tree (files git tracks or does not
# ignore) with the build/ that `make check` has just made, so that they run
# exactly what was built.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
SUITES=("core.sh 4" "policy_ns.sh" "preload.sh" "shim_isolation.sh"
	"sockopts.sh" "e2e.sh" "cli.sh" "demo.sh")

# --copy DIR TAG: one copy's run, the suites one after the other (started
# below in a session of its own). Writes DIR.status, "SUITE... EXIT" a line.
if [ "${1:-}" = --copy ]; then
	dir=$2
	ns_tag=$3
	for s in "${SUITES[@]}"; do
		set -- $s
		MPA_NS_TAG=$ns_tag TMPDIR=$dir.tmp MPA_E2E_MB=20 \
			MPA_STRESS_CYCLES=1000 DEMO_MB=4 \
			bash "$dir/tests/integration/$1" "${@:2}" \
			>"$dir.$1.log" 2>&1
		echo "$s $?" >>"$dir.status"
	done
	exit 0
fi

. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"

require_netns_mptcp
require_cmd setsid
tag="${MPA_NS_TAG:+$MPA_NS_TAG-}par$$-$RANDOM"
tmp=$(mktemp -d)
runners=""

# Our own, found by name: a namespace with our tag, a process running
# something from one of the copies.
own_netns() { ip netns list | awk '{ print $1 }' | grep -- "-$tag-"; }
own_procs() { pgrep -af -- "$tmp/"; }

cleanup()
{
	local p
	trap '' INT TERM HUP
	for p in $runners; do
		kill -TERM -- "-$p" 2>/dev/null
	done
	for _ in $(seq 150); do
		[ -z "$(own_procs)" ] && break
		sleep 0.1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

for c in a b; do
	mkdir -p "$tmp/$c" "$tmp/$c.tmp"
	if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$top" ls-files -z -co --exclude-standard |
			tar -C "$top" --null -T - --ignore-failed-read -cf - \
			2>/dev/null | tar -C "$tmp/$c" -xf -
	else
		tar -C "$top" --exclude=./build -cf - . | tar -C "$tmp/$c" -xf -
	fi
	tar -C "$top" --exclude=build/test-logs -cf - build |
		tar -C "$tmp/$c" -xf -
	[ -f "$tmp/$c/tests/run.sh" ] && [ -x "$tmp/$c/build/tests/mpa-testsrv" ] ||
		{ fail "copy $c of the tree"; exit 1; }
done

# A session (and process group) of its own per copy: stopped as a whole.
for c in a b; do
	setsid bash "$here/parallel.sh" --copy "$tmp/$c" "$tag-$c" </dev/null &
	runners="$runners $!"
done
for p in $runners; do
	wait "$p"
done
runners=""

for c in a b; do
	for s in "${SUITES[@]}"; do
		set -- $s
		rc=$(grep -x -- "$s [0-9]*" "$tmp/$c.status" 2>/dev/null)
		rc=${rc##* }
		if [ "$rc" = 0 ]; then
			pass "copy $c: $s"
		else
			fail "copy $c: $s (exit ${rc:-none})" \
				"$(grep -h -A8 '^FAIL' "$tmp/$c.$1.log" | head -20)" \
				"$(tail -5 "$tmp/$c.$1.log")"
		fi
	done
done

left=$(own_netns)
if [ -z "$left" ]; then
	pass "no namespace of either copy left"
else
	fail "no namespace of either copy left" "$left"
fi
left=$(own_procs)
if [ -z "$left" ]; then
	pass "no process of either copy left"
else
	fail "no process of either copy left" "$left"
fi
left=$(find "$tmp/a.tmp" "$tmp/b.tmp" -mindepth 1 -maxdepth 1)
if [ -z "$left" ]; then
	pass "no temporary file of either copy left"
else
	fail "no temporary file of either copy left" "$left"
fi
exit $failed
