#!/bin/bash
# SPDX-License-Identifier: MIT
# The "what works on which kernel" table, in markdown, from the results
# tests/kernels/run.sh left in build/kernels/RELEASE/: one column per
# kernel; a row per suite (its counts, from `suites`) and per MPTCP
# interface the guest probed (tests/kernels/probe.py, from `probes`). The
# host's own column comes from the same files, written by tests/run.sh.
# Usage: table.sh [--readme] RELEASE...
# --readme: the form README.md carries (tests/kernels/readme_check.sh):
# kernel series for headers, "yes" without counts, no package row and no
# date, so that it only changes when what works changes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${MPA_KERNEL_OUT:-$top/build/kernels}

# What each suite covers, for the first column.
what()
{
	case $1 in
	core-ipv4) echo "mptcplib on the kernel (\`core.sh 4\`)" ;;
	policy-resolve-netns) echo "policy: interfaces resolved (\`policy_ns.sh\`)" ;;
	preload-rules) echo "shim: reliability rules (\`preload.sh\`)" ;;
	shim-isolation) echo "shim: helper isolation (\`shim_isolation.sh\`)" ;;
	shim-daemon) echo "shim: registering with mptcp-autod (\`shim_daemon.sh\`)" ;;
	path-changes) echo "engine: links down and back, paths cut, flaps (\`paths.sh\`)" ;;
	socket-options) echo "shim: socket options (\`sockopts.sh\`)" ;;
	host-path-manager) echo "daemon: the host's endpoints kept (\`host_pm.sh\`)" ;;
	end-to-end) echo "engine: curl, wget, python3 over two paths (\`e2e.sh\`)" ;;
	mptcp-auto-command) echo "the \`mptcp-auto\` command (\`cli.sh\`)" ;;
	mptcp-autod) echo "the daemon, \`mptcp-autod\` (\`daemon.sh\`)" ;;
	*) echo "\`$1\`" ;;
	esac
}

# suite NAME REL: "yes (N)" when all N checks that ran passed, else how
# many failed; "skipped" when none ran. Without counts for --readme.
suite()
{
	awk -v n="$1" -v short="$readme" '$1 == n {
		found = 1
		if ($5 == "-") { print "**did not finish**"; exit }
		if ($2 + $3 == 0) { print "skipped"; exit }
		if ($3 == 0 && short) printf "yes"
		else if ($3 == 0) printf "yes (%d)", $2
		else printf "**no: %d of %d fail**", $3, $2 + $3
		if ($4 > 0 && !short) printf ", %d skipped", $4
		print ""
		exit
	} END { if (!found) print "not run" }' "$out/$2/suites" 2>/dev/null ||
		echo "not run"
}

# probe KEY REL: what the probe said, "-" when it said nothing.
probe()
{
	local v
	v=$(awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' \
		"$out/$2/probes" 2>/dev/null)
	echo "${v:--}"
}

# feature KEY REL: a probe read as yes or no.
feature()
{
	local v
	v=$(probe "$1" "$2")
	case $v in
	absent) echo "no" ;;
	yes*) echo "yes" ;;
	*) echo "$v" ;;
	esac
}

# sysctl KEY REL: "no" when the file is absent, else "yes (value)".
sysctl()
{
	local v
	v=$(probe "$1" "$2")
	case $v in
	absent) echo "no" ;;
	-) echo "-" ;;
	*) echo "yes (\`$v\`)" ;;
	esac
}

pm_events()
{
	case " $(probe pm_groups "$1") " in
	*" mptcp_pm_events "*) echo "yes" ;;
	*) echo "no" ;;
	esac
}

package() { cat "$out/$1/package" 2>/dev/null || echo "-"; }

# row LABEL FUNCTION ARGS...: LABEL, then FUNCTION ARGS... REL per kernel.
row()
{
	local label=$1 r
	shift
	printf '| %s |' "$label"
	for r in "${rels[@]}"; do
		printf ' %s |' "$("$@" "$r")"
	done
	printf '\n'
}

readme=0
if [ "${1:-}" = --readme ]; then
	readme=1
	shift
fi
rels=("$@")
[ ${#rels[@]} -gt 0 ] || exit 0

# header REL: the column's title: the series (6.1) for --readme.
header()
{
	local series
	series=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$1")
	if [ $readme = 1 ]; then
		printf ' Linux %s%s |' "$series" "$(host_mark "$1")"
	else
		printf ' Linux %s%s |' "$1" "$(host_mark "$1")"
	fi
}

# host_mark REL: " (host)" for the machine's own kernel, not booted.
host_mark()
{
	[ -e "$out/$1/host" ] && printf ' (host)'
}
names=$(for r in "${rels[@]}"; do cat "$out/$r/suites"; done 2>/dev/null |
	awk '!seen[$1]++ { print $1 }')

printf '| |'
for r in "${rels[@]}"; do
	header "$r"
done
printf '\n|---|'
printf '%.0s---|' "${rels[@]}"
printf '\n'
[ $readme = 1 ] || row "Debian package" package
for n in $names; do
	row "$(what "$n")" suite "$n"
done
row '`MPTCP_INFO` (bytes)' probe mptcp_info_size
row '`MPTCP_FULL_INFO`' feature full_info
row '`TCP_IS_MPTCP`' feature tcp_is_mptcp
row '`mptcp_pm` commands missing' probe pm_cmds_missing
row '`mptcp_pm` events group' pm_events
row '`net.mptcp.pm_type`' sysctl pm_type
row '`net.mptcp.path_manager`' sysctl path_manager
[ $readme = 1 ] && exit 0
printf '\nMeasured by `make check-kernels` (tests/kernels/) on %s: each kernel\n' \
	"$(date -u +%Y-%m-%d)"
printf 'booted under qemu, the suites run inside it (the host'"'"'s column: the\n'
printf 'same suites in `make check`); "yes (N)": all N checks passed. The\n'
printf 'valgrind and ThreadSanitizer checks run on the host only.\n'
