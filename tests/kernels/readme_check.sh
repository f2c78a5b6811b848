#!/bin/bash
# SPDX-License-Identifier: MIT
# README.md's "what works on which kernel" table must be the one the
# kernel matrix has just measured (tests/kernels/table.sh --readme over
# the kernels of build/kernels/releases), not one written by hand. On a
# difference, prints both and how to update README.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${MPA_KERNEL_OUT:-$top/build/kernels}
readme=${MPA_README:-$top/README.md}

[ -s "$out/releases" ] || {
	echo "no kernel matrix results in $out (run make check-kernels)"
	exit 1
}
mapfile -t rels <"$out/releases"
want=$(bash "$here/table.sh" --readme "${rels[@]}")
have=$(sed -n '/^<!-- kernel-table:begin -->$/,/^<!-- kernel-table:end -->$/p' \
	"$readme" | sed '1d;$d')
if [ "$have" = "$want" ]; then
	echo "README's kernel table is the measured one"
	exit 0
fi
# A suite that failed here changes the table too: README keeps what
# works, so the suite is what to mend, not README.
if grep -qE '\*\*no: |did not finish|not run|skipped' <<<"$want"; then
	echo "README.md's kernel table differs from what was measured because"
	echo "suites failed, did not finish or did not run (their own lines"
	echo "say why): mend them, README stays. Measured:"
	echo "$want"
	exit 1
fi
echo "README.md's kernel table differs from what was measured; put this"
echo "between its kernel-table markers (bash tests/kernels/table.sh"
echo "--readme \$(cat build/kernels/releases)):"
echo "$want"
echo "--- README has:"
echo "$have"
exit 1
