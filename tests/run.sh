#!/bin/bash
# SPDX-License-Identifier: MIT
# The test runner behind `make check`: unit tests (cmocka, ASan + UBSan),
# ABI and install checks, and the integration suites on the real kernel.
# Counts every cmocka test and every script check, and ends with the line
# "N passed, N failed, N skipped". Exits non-zero if anything failed.
#
# Integration suites need root, network namespaces and MPTCP: outside CI
# they skip with a reason; in CI (CI=true) a missing precondition fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logdir=$top/build/test-logs
mkdir -p "$logdir"

passed=0
failed=0
skipped=0
failures=()
# One line per suite, "name passed failed skipped seconds status", the
# format the kernel matrix's table reads (tests/kernels/table.sh).
: >"$logdir/suites"

# record NAME P F S T0 RC: a suite's line in $logdir/suites.
record()
{
	echo "$1 $2 $3 $4 $(($(date +%s) - $5)) $6" >>"$logdir/suites"
}

# run_cmocka NAME CMD...: a program printing cmocka's summary lines.
run_cmocka()
{
	local name=$1 log=$logdir/$1.log rc p f t0
	shift
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 77 ]; then
		grep -h '^SKIP' "$log"
		skipped=$((skipped + 1))
		record "$name" 0 0 1 "$t0" $rc
		return
	fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}
	f=${f:-0}
	# A crash, sanitizer or valgrind report fails the suite even when
	# every test that ran had passed.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	record "$name" "$p" "$f" 0 "$t0" $rc
	echo "   $p passed, $f failed (log: ${log#$top/})"
	if [ "$f" -ne 0 ]; then
		failures+=("$name")
		sed -n '/FAILED\|ERROR\|LINE\|ERROR SUMMARY\|Sanitizer\|runtime error\|^==[0-9]*==\|^FAIL/p' \
			"$log" | head -40
	fi
}

# run_check NAME CMD...: one check, passed when CMD exits 0.
run_check()
{
	local name=$1 log=$logdir/$1.log rc
	shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	case $rc in
	0)
		passed=$((passed + 1))
		echo "   passed"
		;;
	77)
		grep -h '^SKIP' "$log"
		skipped=$((skipped + 1))
		;;
	*)
		failed=$((failed + 1))
		failures+=("$name")
		echo "   FAILED (exit $rc, log: ${log#$top/})"
		tail -20 "$log"
		;;
	esac
}

# run_tap NAME CMD...: a script printing "PASS: x", "FAIL: x", "SKIP: x".
run_tap()
{
	local name=$1 log=$logdir/$1.log rc p f s t0
	shift
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	# 77: the whole suite skipped (tests/lib/require.sh), not a failure.
	if [ $rc -eq 77 ] && [ "$f" -eq 0 ]; then
		[ "$s" -gt 0 ] || s=1
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	record "$name" "$p" "$f" "$s" "$t0" $rc
	echo "   $p passed, $f failed, $s skipped (log: ${log#$top/})"
	grep -h '^SKIP: ' "$log"
	if [ "$f" -ne 0 ]; then
		failures+=("$name")
		grep -A12 '^FAIL: ' "$log" | head -60
	fi
}

for t in build/asan/tests/test_*; do
	run_cmocka "unit-$(basename "$t")" "$t"
done
run_check abi-install bash tests/abi.sh
run_check systemd-unit bash tests/systemd.sh
run_check layering bash tests/layering.sh
run_check docs bash tests/docs.sh
run_tap kernel-matrix-parts bash tests/kernels/report_test.sh
# What the minimal Debian below takes of this machine's apt sources and
# proxy (tests/lib/apt_sources.py), on canned hosts: quick, no root.
run_tap minbase-sources bash tests/minbase_sources_test.sh
run_check fuzz-policy make -s fuzz-check
run_cmocka core-ipv4-valgrind bash tests/integration/core.sh 4 valgrind
run_cmocka core-ipv6 bash tests/integration/core.sh 6
run_check readme-example bash tests/integration/example.sh
run_cmocka policy-resolve-netns bash tests/integration/policy_ns.sh
run_tap preload-rules bash tests/integration/preload.sh
run_tap shim-isolation bash tests/integration/shim_isolation.sh
run_tap shim-daemon bash tests/integration/shim_daemon.sh
run_tap path-changes bash tests/integration/paths.sh
run_tap socket-options bash tests/integration/sockopts.sh
run_tap host-path-manager bash tests/integration/host_pm.sh
run_tap end-to-end bash tests/integration/e2e.sh
run_tap mptcp-auto-command bash tests/integration/cli.sh
run_tap mptcp-autod bash tests/integration/daemon.sh
run_tap demo bash tests/integration/demo.sh
# The Debian packages, installed into this machine and purged (one run at
# a time: it takes a lock; never in parallel-runs).
run_tap debian-packages bash tests/integration/deb.sh
# make demo on a minimal Debian (mmdebstrap minbase, git, make), in a
# clone under /root, then the unit tests there: a package the Makefile
# does not install fails here. `make check-minbase` runs the whole make
# check there too; MPA_MINBASE_IN_CHECK=0 leaves this out (that run sets
# it, or the minimal system would build one of its own).
if [ "${MPA_MINBASE_IN_CHECK:-1}" = 1 ]; then
	run_tap minbase-demo bash tests/minbase.sh demo
fi
# Last: two copies of the namespace suites at once, neither disturbing the
# other (slow; it needs what the runs above built).
run_tap parallel-runs bash tests/integration/parallel.sh
# The same suites on Debian's 6.1 and 6.12 kernels under qemu (`make
# check-kernels`, 8 to 11 minutes here), one line per kernel, with this
# machine's own column (its suites above) in the table they make, which
# README.md must carry. MPA_KERNELS_IN_CHECK=0 leaves them out (a quick
# run; CI never does).
if [ "${MPA_KERNELS_IN_CHECK:-1}" = 1 ]; then
	bash tests/kernels/host.sh "$logdir/suites"
	run_tap kernel-matrix bash tests/kernels/run.sh
	grep -h '^Linux .*: [0-9]* passed' "$logdir/kernel-matrix.log" |
		sed 's/^/   /'
	run_check readme-kernel-table bash tests/kernels/readme_check.sh
fi

if [ ${#failures[@]} -ne 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
