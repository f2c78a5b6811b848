#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel matrix (`make check-kernels`): the namespace suites run again
# on Debian's generic kernels of other series than the host's, each booted
# under qemu with the host's root shared read-only (tests/kernels/init and
# guest.sh), and their checks come back as "PASS: [RELEASE] suite: check"
# lines, with one line per kernel:
#   Linux 6.1.0-57-amd64: 61 passed, 0 failed, 0 skipped
# and the table of what works where in build/kernels/table.md.
#
# Usage: run.sh [SERIES...]; the series default to $MPA_KERNELS, "6.1 6.12".
# Needs qemu-system-x86, busybox-static, kmod and xz-utils (`make
# check-kernels` installs them), apt's lists and the built tree. Inside
# the guest the suites run as its root. Knobs, passed to the guest:
# MPA_SUITES (names as in guest.sh, commas between), MPA_SUITE_TIMEOUT,
# MPA_STRESS_CYCLES, MPA_E2E_MB, MPA_E2E_SMALL_MB, MPA_E2E_CONNS,
# MPA_SLOW_TOOLS, MPA_SLOW_FACTOR; here: MPA_KERNEL_TIMEOUT (seconds per kernel, 900),
# MPA_QEMU_MEM (MiB, 2048), MPA_KERNEL_CACHE (lib.sh), MPA_KERNEL_OUT
# (build/kernels).
set -u
# depmod and modprobe live in sbin, which a user's PATH may not have.
export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/tap.sh"
. "$here/lib.sh"
. "$here/report.sh"

# kernel_fail SERIES WHY: a kernel that could not be tested is a failure.
kernel_fail()
{
	fail "Linux $1: $2"
	echo "Linux $1: 0 passed, 1 failed, 0 skipped"
}

out=${MPA_KERNEL_OUT:-$top/build/kernels}
series=${*:-${MPA_KERNELS:-6.1 6.12}}
mkdir -p "$out"
rels=()

missing=""
for c in qemu-system-x86_64 apt-get apt-cache dpkg-deb depmod modprobe xz \
	gzip; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
# The initramfs has no libraries: busybox must be the static one.
LC_ALL=C ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
	missing="$missing /bin/busybox(static)"
if [ -n "$missing" ]; then
	for s in $series; do
		kernel_fail "$s" "missing:$missing (\`make check-kernels\` installs them)"
	done
	exit 1
fi

# knobs: the guest's knobs set here, for the kernel command line (which
# hands VAR=value words to init's environment; no spaces in values).
knobs()
{
	local v
	for v in MPA_SUITES MPA_SUITE_TIMEOUT MPA_STRESS_CYCLES MPA_E2E_MB \
		MPA_E2E_SMALL_MB MPA_E2E_CONNS MPA_SLOW_TOOLS MPA_SLOW_FACTOR; do
		[ -n "${!v:-}" ] && printf ' %s=%s' "$v" "${!v// /,}"
	done
}

# boot REL DIR: boot REL with the guest side, results into DIR.
boot()
{
	local rel=$1 dir=$2 k=$kcache/$1

	qemu_args=(-accel tcg -smp 2 -m "${MPA_QEMU_MEM:-2048}" -nodefaults
		-no-reboot -display none -monitor none
		-kernel "$k/boot/vmlinuz-$rel" -initrd "$dir/initramfs.gz"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-serial "file:$dir/console.log" -serial "file:$dir/results.raw"
		-append "console=ttyS0 quiet panic=-1 MPA_TOP=$top MPA_MODDIR=$k/lib/modules/$rel MPA_CI=${CI:-}$(knobs)")
	# qemu exits 0 whatever the guest did: the results port decides.
	timeout -k 10 "${MPA_KERNEL_TIMEOUT:-900}" qemu-system-x86_64 \
		"${qemu_args[@]}" >"$dir/qemu.log" 2>&1
}

for s in $series; do
	kernel_error=""
	if ! rel=$(kernel_get "$s"); then
		kernel_fail "$s" "no kernel: $kernel_error"
		failed=1
		continue
	fi
	dir=$out/$rel
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! kernel_initramfs "$rel" "$dir/initramfs.gz"; then
		kernel_fail "$rel" "no initramfs: ${kernel_error:-see above}"
		failed=1
		continue
	fi
	: >"$dir/suites"
	: >"$dir/probes"
	cp "$kcache/$rel/.complete" "$dir/package"
	t0=$(date +%s)
	boot "$rel" "$dir"
	rc=$?
	# A guest that died before its first suite (seen once in a dozen
	# boots: a double fault under emulation) is booted once more; its
	# console is kept.
	if ! grep -q '^MPA-PLAN' "$dir/results.raw" 2>/dev/null; then
		mv "$dir/console.log" "$dir/console-first-boot.log"
		echo "      (Linux $rel: no suite started, booting again;" \
			"console: ${dir#$top/}/console-first-boot.log)"
		boot "$rel" "$dir"
		rc=$?
	fi
	# A guest that died in the middle (a CI run saw 6.12 stop during
	# path-changes once, never seen here in dozens of boots) is booted
	# once more for the suites it did not end, the one it died in
	# included: what the first boot's console said is shown here and
	# kept. A suite that kills the guest twice fails ("did not finish",
	# "the guest did not finish"). Not after qemu's time ran out.
	left=$(kernel_left "$dir")
	if [ -n "$left" ] && [ $rc != 124 ]; then
		mv "$dir/console.log" "$dir/console-died.log"
		cp "$dir/results.raw" "$dir/results-died.raw"
		echo "      (Linux $rel: the guest died during ${left%%,*}," \
			"$(($(date +%s) - t0)) s after it was started; the" \
			"last lines of its console" \
			"(${dir#$top/}/console-died.log):"
		# From the kernel's first word of trouble when it said one
		# (a panic's reason comes before its stack), else its end.
		tr -d '\r' <"$dir/console-died.log" | awk '
			/Kernel panic|BUG:|Oops|general protection|double fault|Out of memory|Attempted to kill init/ && !from { from = NR }
			{ line[NR] = $0 }
			END {
				first = from ? from : NR - 24
				if (first < 1) first = 1
				for (i = first; i <= NR && i < first + 40; i++)
					print "        " line[i]
			}'
		echo "       booted again for: ${left//,/ })"
		kernel_keep_ended "$dir"
		mv "$dir/results.raw" "$dir/results.ended"
		MPA_SUITES=$left boot "$rel" "$dir"
		rc=$?
		cat "$dir/results.ended" "$dir/results.raw" >"$dir/results.both"
		mv "$dir/results.both" "$dir/results.raw"
		rm -f "$dir/results.ended"
	fi
	t1=$(date +%s)
	[ $rc = 124 ] && echo "qemu stopped after ${MPA_KERNEL_TIMEOUT:-900} s" \
		>>"$dir/qemu.log"
	echo "$((t1 - t0))" >"$dir/seconds"
	kernel_report "$rel" "$dir" || failed=1
	echo "      (Linux $rel: $((t1 - t0)) s in qemu; logs in ${dir#$top/})"
	rels+=("$rel")
done
# This machine's column, when make check wrote it (tests/kernels/host.sh).
host=$(uname -r)
[ -e "$out/$host/host" ] && rels+=("$host")
if [ ${#rels[@]} -gt 0 ]; then
	printf '%s\n' "${rels[@]}" >"$out/releases"
	bash "$here/table.sh" "${rels[@]}" >"$out/table.md"
fi
exit $failed
