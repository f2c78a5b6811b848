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
echo "README.md's kernel table differs from what was measured; put this"
echo "between its kernel-table markers (bash tests/kernels/table.sh"
echo "--readme \$(cat build/kernels/releases)):"
echo "$want"
echo "--- README has:"
echo "$have"
exit 1
