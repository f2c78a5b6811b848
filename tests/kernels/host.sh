#!/bin/bash
# SPDX-License-Identifier: MIT
# This machine's column of the kernel table (tests/kernels/table.sh): the
# suites make check has just run here, under the names the guests use,
# and what probe.py finds in this kernel, into build/kernels/RELEASE/
# with a "host" mark. Usage: host.sh SUITES (tests/run.sh's record file).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${MPA_KERNEL_OUT:-$top/build/kernels}
dir=$out/$(uname -r)

mkdir -p "$dir"
touch "$dir/host"
echo "this machine" >"$dir/package"
# The host runs the IPv4 library suite under valgrind: the same checks.
awk '$1 == "core-ipv4-valgrind" { $1 = "core-ipv4" }
     $1 ~ /^(core-ipv4|policy-resolve-netns|preload-rules|shim-isolation|shim-daemon|socket-options|end-to-end|mptcp-auto-command)$/' \
	"$1" >"$dir/suites"
if [ "$(id -u)" = 0 ]; then
	unshare --net python3 "$here/probe.py" >"$dir/probes" 2>&1
else
	: >"$dir/probes"
fi
