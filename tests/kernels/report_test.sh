#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel matrix's pure parts, on canned input: the choice of a kernel
# package among apt's names (lib.sh), the reading of a results port
# (report.sh: cmocka and TAP suites, a skipped suite, one that failed
# without a FAIL line, one cut off by the end of the guest, one that never
# started) and the table (table.sh). Needs no kernel, no qemu and no root.
# Prints "PASS: x" / "FAIL: x".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/tap.sh"
. "$here/lib.sh"
. "$here/report.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Package names as apt lists them (Debian 12 and the 6.12 it carries).
names='linux-image-6.1.0-9-amd64
linux-image-6.1.0-57-amd64
linux-image-6.1.0-57-cloud-amd64
linux-image-6.1.0-57-rt-amd64
linux-image-6.1.0-57-amd64-dbg
linux-image-6.1.0-57-amd64-unsigned
linux-image-6.12.117+deb12-amd64
linux-image-6.12.9+deb12-amd64
linux-image-6.12.117+deb12-cloud-amd64
linux-image-6.12-amd64
linux-image-amd64
linux-image-6.10.1-amd64'
got=$(kernel_pick 6.1 <<<"$names" | tr '\n' ' ')
if [ "$got" = "linux-image-6.1.0-57-amd64 linux-image-6.1.0-9-amd64 " ]; then
	pass "6.1: the generic images, newest first, no 6.10 or 6.12"
else
	fail "6.1: the generic images, newest first, no 6.10 or 6.12" "$got"
fi
got=$(kernel_pick 6.12 <<<"$names" | tr '\n' ' ')
if [ "$got" = "linux-image-6.12.117+deb12-amd64 linux-image-6.12.9+deb12-amd64 " ]; then
	pass "6.12: the generic images, newest first, not the meta-package"
else
	fail "6.12: the generic images, newest first, not the meta-package" \
		"$got"
fi
rel=6.1.0-99-amd64
dir=$tmp/$rel
mkdir "$dir"

# The guest writes through a tty: every line ends in CR LF.
sed 's/$/\r/' >"$dir/results.raw" <<'EOF'
MPA-KERNEL 6.1.0-99-amd64 7.25
MPA-PLAN lib tap skipped crashed cut never
MPA-PROBE mptcp_info_size 48
MPA-PROBE full_info no (EOPNOTSUPP)
MPA-PROBE pm_type 0
MPA-PROBE path_manager absent
MPA-PROBE pm_groups mptcp_pm_cmds mptcp_pm_events
MPA-SUITE lib cmocka
[==========] Running 3 test(s).
[ RUN      ] test_one
[       OK ] test_one
[ RUN      ] test_two
[  ERROR   ] --- 0x26 != 0
[   LINE   ] --- tests/integration/test_core.c:82: error: Failure!
[  FAILED  ] test_two
[ RUN      ] test_three
[  SKIPPED ] test_three
[==========] 3 test(s) run.
[  PASSED  ] 1 test(s).
[  FAILED  ] 1 test(s), listed below:
[  FAILED  ] test_two

 1 FAILED TEST(S)
MPA-END lib 1 12.5
MPA-SUITE tap tap
PASS: first check
FAIL: second check
      why it failed
SKIP: third check (no valgrind)
a line of its own
MPA-END tap 1 3.0
MPA-SUITE skipped cmocka
SKIP: kernel without MPTCP
MPA-END skipped 77 0.1
MPA-SUITE crashed cmocka
[==========] Running 1 test(s).
[ RUN      ] test_boom
==123==ERROR: AddressSanitizer: heap-use-after-free
MPA-END crashed 1 0.4
MPA-SUITE cut tap
PASS: before the end
EOF

out=$(top=$tmp kernel_report "$rel" "$dir")
rc=$?

# has NAME LINE: the report has LINE, exactly, once.
has()
{
	if [ "$(grep -cxF -- "$2" <<<"$out")" = 1 ]; then
		pass "$1"
	else
		fail "$1" "want once: $2" "$out"
	fi
}
R="[$rel]"
has "cmocka: a passed test" "PASS: $R lib: test_one"
has "cmocka: a failed test, once though cmocka lists it twice" \
	"FAIL: $R lib: test_two"
has "cmocka: a skipped test" "SKIP: $R lib: test_three"
if grep -A2 -xF "FAIL: $R lib: test_two" <<<"$out" |
	grep -q 'test_core.c:82: error: Failure!'; then
	pass "cmocka: the failed test's own lines under its FAIL"
else
	fail "cmocka: the failed test's own lines under its FAIL" "$out"
fi
has "TAP: a passed check" "PASS: $R tap: first check"
has "TAP: a failed check" "FAIL: $R tap: second check"
has "TAP: a failed check's details" "      why it failed"
has "TAP: a skipped check" "SKIP: $R tap: third check (no valgrind)"
has "a suite that exits 77 is skipped, with its reason" \
	"SKIP: $R skipped (kernel without MPTCP)"
has "a crash with no FAIL line fails the suite" \
	"FAIL: $R crashed: exit status 1"
if grep -A3 -xF "FAIL: $R crashed: exit status 1" <<<"$out" |
	grep -q 'AddressSanitizer'; then
	pass "the crash report is shown"
else
	fail "the crash report is shown" "$out"
fi
has "a suite cut off by the end of the guest" "FAIL: $R cut: did not finish"
has "a planned suite that never started" "FAIL: $R never: did not start"
has "no MPA-DONE: the guest did not finish" \
	"FAIL: $R the guest did not finish (timeout or crash; console: $rel/console.log)"
has "the kernel's line adds everything up" \
	"Linux $rel: 3 passed, 6 failed, 3 skipped"
if [ $rc = 1 ]; then
	pass "exit status 1 when a check failed"
else
	fail "exit status 1 when a check failed" "exit $rc"
fi
if [ "$(grep -c '^\(PASS\|FAIL\|SKIP\): ' <<<"$out")" = 12 ]; then
	pass "nothing else counts as a check"
else
	fail "nothing else counts as a check" "$out"
fi
want='lib 1 1 1 12.5 1
tap 1 1 1 3.0 1
skipped 0 0 1 0.1 77
crashed 0 1 0 0.4 1
cut 1 1 0 - -
never 0 1 0 - -'
if [ "$(cat "$dir/suites")" = "$want" ]; then
	pass "per-suite counts for the table"
else
	fail "per-suite counts for the table" "$(cat "$dir/suites")"
fi

# guest_said DIR LINE...: the guest's lines in DIR/results.raw, as its
# serial console gives them (CR LF); guest_said_more adds to them.
guest_said() { printf '%s\r\n' "${@:2}" >"$1/results.raw"; }
guest_said_more() { printf '%s\r\n' "${@:2}" >>"$1/results.raw"; }

# A clean run ends with MPA-DONE and exits 0.
dir2=$tmp/6.12.0-1-amd64
mkdir "$dir2"
guest_said "$dir2" "MPA-KERNEL 6.12.0-1-amd64 6.0" "MPA-PLAN lib" \
	"MPA-PROBE full_info yes (136 bytes, 1 subflow)" \
	"MPA-PROBE path_manager kernel" "MPA-SUITE lib cmocka" \
	"[       OK ] test_one" "MPA-END lib 0 1.0" "MPA-DONE 9.5"
out=$(top=$tmp kernel_report 6.12.0-1-amd64 "$dir2")
rc=$?
if [ $rc = 0 ] && grep -qxF "Linux 6.12.0-1-amd64: 1 passed, 0 failed, 0 skipped" \
	<<<"$out" && grep -qF "booted in 6.0 s, suites 3.5 s" <<<"$out"; then
	pass "a clean run: its line, its times, exit 0"
else
	fail "a clean run: its line, its times, exit 0" "exit $rc" "$out"
fi

# The table, from what the two reports left.
echo "linux-image-$rel 6.1.999-1" >"$dir/package"
table=$(MPA_KERNEL_OUT=$tmp bash "$here/table.sh" "$rel" 6.12.0-1-amd64)
# row LABEL CELLS: the table's row for LABEL is "| LABEL | CELLS |".
row()
{
	if grep -qxF -- "| $1 | $2 |" <<<"$table"; then
		pass "table: $1"
	else
		fail "table: $1" "want | $1 | $2 |" "$table"
	fi
}
if grep -qxF "| | Linux $rel | Linux 6.12.0-1-amd64 |" <<<"$table"; then
	pass "table: a column per kernel"
else
	fail "table: a column per kernel" "$table"
fi
row "Debian package" "linux-image-$rel 6.1.999-1 | -"
row '`lib`' "**no: 1 of 2 fail**, 1 skipped | yes (1)"
row '`skipped`' "skipped | not run"
row '`cut`' "**did not finish** | not run"
row '`MPTCP_FULL_INFO`' "no (EOPNOTSUPP) | yes"
row '`MPTCP_INFO` (bytes)' "48 | -"
row '`mptcp_pm` events group' "yes | no"
row '`net.mptcp.pm_type`' 'yes (`0`) | -'
row '`net.mptcp.path_manager`' 'no | yes (`kernel`)'

# README's form: series for headers, a host column, no counts, no package
# row; and the check that README carries exactly what was measured.
hostrel=6.18.9-test
mkdir -p "$tmp/$hostrel"
touch "$tmp/$hostrel/host"
echo "lib 3 0 0 1.0 0" >"$tmp/$hostrel/suites"
echo "full_info yes (136 bytes, 1 subflow)" >"$tmp/$hostrel/probes"
short=$(MPA_KERNEL_OUT=$tmp bash "$here/table.sh" --readme "$rel" \
	6.12.0-1-amd64 "$hostrel")
if grep -qxF "| | Linux 6.1 | Linux 6.12 | Linux 6.18 (host) |" <<<"$short" &&
	grep -qxF '| `lib` | **no: 1 of 2 fail** | yes | yes |' <<<"$short" &&
	! grep -q 'Debian package\|Measured' <<<"$short"; then
	pass "README table: series, host column, no counts, no package"
else
	fail "README table: series, host column, no counts, no package" \
		"$short"
fi
printf '%s\n' "$rel" 6.12.0-1-amd64 "$hostrel" >"$tmp/releases"
printf '# x\n\n<!-- kernel-table:begin -->\n%s\n<!-- kernel-table:end -->\nmore\n' \
	"$short" >"$tmp/README.md"
if MPA_KERNEL_OUT=$tmp MPA_README=$tmp/README.md \
	bash "$here/readme_check.sh" >/dev/null; then
	pass "README check: the measured table passes"
else
	fail "README check: the measured table passes"
fi
sed -i 's/| `lib` | \*\*no: 1 of 2 fail\*\*/| `lib` | yes/' "$tmp/README.md"
if ! MPA_KERNEL_OUT=$tmp MPA_README=$tmp/README.md \
	bash "$here/readme_check.sh" >"$tmp/check.out" &&
	grep -q 'mend them, README stays' "$tmp/check.out"; then
	pass "README check: a suite that failed is to be mended, not README"
else
	fail "README check: a suite that failed is to be mended, not README" \
		"$(cat "$tmp/check.out")"
fi
# Every suite passing, README edited by hand: told what to put there.
echo "lib 2 0 0 1.0 0" >"$tmp/$rel/suites"
echo "lib 2 0 0 1.0 0" >"$tmp/6.12.0-1-amd64/suites"
good=$(MPA_KERNEL_OUT=$tmp bash "$here/table.sh" --readme "$rel" \
	6.12.0-1-amd64 "$hostrel")
printf '<!-- kernel-table:begin -->\n%s\n<!-- kernel-table:end -->\n' \
	"$(sed 's/| `lib` | yes/| `lib` | no/' <<<"$good")" >"$tmp/README.md"
if ! MPA_KERNEL_OUT=$tmp MPA_README=$tmp/README.md \
	bash "$here/readme_check.sh" >"$tmp/check.out" &&
	grep -q 'differs from what was measured; put this' "$tmp/check.out" &&
	grep -qF '| `lib` | yes | yes | yes |' "$tmp/check.out"; then
	pass "README check: a table edited by hand fails, the measured one shown"
else
	fail "README check: a table edited by hand fails, the measured one shown" \
		"$(cat "$tmp/check.out")"
fi

# This machine's column: the guests' suites only, valgrind's core run
# under the guests' name.
printf '%s\n' "core-ipv4-valgrind 22 0 0 5 0" "unit-test_x 3 0 0 1 0" \
	"host-path-manager 10 1 0 3 1" >"$tmp/host-suites"
MPA_KERNEL_OUT=$tmp/hostcol bash "$here/host.sh" "$tmp/host-suites" 2>/dev/null
got=$(cat "$tmp/hostcol/$(uname -r)/suites" 2>/dev/null | tr '\n' '|')
if [ "$got" = "core-ipv4 22 0 0 5 0|host-path-manager 10 1 0 3 1|" ] &&
	[ -e "$tmp/hostcol/$(uname -r)/host" ]; then
	pass "host column: the guests' suites, core under its guest name"
else
	fail "host column: the guests' suites, core under its guest name" "$got"
fi

# A guest that never reached its suites (its tree not visible, say) and
# yet powered off cleanly passed nothing: a failure, with what it said.
dir3=$tmp/6.1.0-9-amd64
mkdir "$dir3"
guest_said "$dir3" "bash: /tmp/x/tests/kernels/guest.sh: No such file or directory" \
	"MPA-DONE 6.1"
out=$(top=$tmp kernel_report 6.1.0-9-amd64 "$dir3")
rc=$?
if [ $rc = 1 ] && grep -qF "FAIL: [6.1.0-9-amd64] the guest ran no suite" \
	<<<"$out" && grep -q "guest.sh: No such file" <<<"$out" &&
	grep -qx "Linux 6.1.0-9-amd64: 0 passed, 1 failed, 0 skipped" <<<"$out"; then
	pass "a guest that ran no suite fails, saying what it said"
else
	fail "a guest that ran no suite fails, saying what it said" "exit $rc" \
		"$out"
fi
# A guest that died during its second suite: the suites it did not end,
# in the plan's order, its results cut after the last suite that ended,
# and with a second boot's results after them, one clean report.
dir4=$tmp/6.12.0-2-amd64
mkdir "$dir4"
guest_said "$dir4" "MPA-KERNEL 6.12.0-2-amd64 6.0" "MPA-PLAN lib paths cli" \
	"MPA-PROBE path_manager kernel" "MPA-SUITE lib cmocka" \
	"[       OK ] test_one" "MPA-END lib 0 1.0" "MPA-SUITE paths tap" \
	"PASS: half way"
left=$(kernel_left "$dir4")
if [ "$left" = "paths,cli" ]; then
	pass "a guest that died: the suites left, the one it died in first"
else
	fail "a guest that died: the suites left, the one it died in first" \
		"got '$left'"
fi
# The plan keeps MPA_SUITES's order, the guest runs its own: the suite it
# died in comes first all the same.
mkdir "$tmp/order"
guest_said "$tmp/order" "MPA-KERNEL 6.12.0-2-amd64 6.0" "MPA-PLAN cli paths lib" \
	"MPA-SUITE lib cmocka" "MPA-END lib 0 1.0" "MPA-SUITE paths tap" \
	"PASS: half way"
left=$(kernel_left "$tmp/order")
if [ "$left" = "paths,cli" ]; then
	pass "a guest that died: the one it died in first, whatever the plan's order"
else
	fail "a guest that died: the one it died in first, whatever the plan's order" \
		"got '$left'"
fi
kernel_keep_ended "$dir4"
if [ "$(tail -n 1 "$dir4/results.raw" | tr -d '\r')" = "MPA-END lib 0 1.0" ]; then
	pass "a guest that died: its results kept up to the last suite ended"
else
	fail "a guest that died: its results kept up to the last suite ended" \
		"$(cat "$dir4/results.raw")"
fi
guest_said_more "$dir4" "MPA-KERNEL 6.12.0-2-amd64 5.0" "MPA-PLAN paths cli" \
	"MPA-PROBE path_manager kernel" "MPA-SUITE paths tap" "PASS: half way" "PASS: all the way" \
	"MPA-END paths 0 2.0" "MPA-SUITE cli tap" "PASS: cli" \
	"MPA-END cli 0 1.0" "MPA-DONE 9.0"
out=$(top=$tmp kernel_report 6.12.0-2-amd64 "$dir4")
rc=$?
if [ $rc = 0 ] && [ -z "$(kernel_left "$dir4")" ] &&
	grep -qxF "Linux 6.12.0-2-amd64: 4 passed, 0 failed, 0 skipped" <<<"$out" &&
	[ "$(grep -c '^path_manager ' "$dir4/probes")" = 1 ] &&
	grep -qF "booted 2 times, the last in 5.0 s, its suites 4.0 s" <<<"$out"; then
	pass "a guest that died, booted again: each suite and probe counted once"
else
	fail "a guest that died, booted again: each suite and probe counted once" \
		"exit $rc" "$out"
fi
# Died twice in the same suite: it did not finish.
guest_said "$dir4" "MPA-KERNEL 6.12.0-2-amd64 5.0" "MPA-PLAN lib paths" \
	"MPA-SUITE lib cmocka" "[       OK ] test_one" "MPA-END lib 0 1.0" \
	"MPA-KERNEL 6.12.0-2-amd64 5.0" "MPA-PLAN paths" "MPA-SUITE paths tap" \
	"PASS: half way"
out=$(top=$tmp kernel_report 6.12.0-2-amd64 "$dir4")
rc=$?
if [ $rc = 1 ] && grep -qxF "FAIL: [6.12.0-2-amd64] paths: did not finish" <<<"$out"; then
	pass "a guest that died twice in a suite: it did not finish"
else
	fail "a guest that died twice in a suite: it did not finish" "exit $rc" "$out"
fi

# The runner's count of a TAP suite (tests/run.sh's run_tap): a suite
# that skips whole (exit 77, as outside CI without root) is skipped, not
# failed; one that exits non-zero with no FAIL line failed.
eval "$(sed -n '/^record()/,/^}/p;/^run_tap()/,/^}/p' "$here/../run.sh")"
(
	logdir=$tmp/runner
	mkdir -p "$logdir"
	passed=0 failed=0 skipped=0 failures=()
	run_tap whole-skip bash -c 'echo "SKIP: needs root"; exit 77' >/dev/null
	a="$passed $failed $skipped"
	run_tap crashed bash -c 'echo "PASS: one"; exit 3' >/dev/null
	echo "$a|$passed $failed $skipped"
) >"$tmp/runner.out"
if [ "$(cat "$tmp/runner.out")" = "0 0 1|1 1 1" ]; then
	pass "runner: a suite skipped whole is skipped; a crash with no FAIL fails"
else
	fail "runner: a suite skipped whole is skipped; a crash with no FAIL fails" \
		"passed failed skipped: $(cat "$tmp/runner.out")"
fi
exit $failed
