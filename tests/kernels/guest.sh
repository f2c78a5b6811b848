#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel matrix's guest side, started by tests/kernels/init as process
# 1 of a kernel booted under qemu, on the host's root (read-only, under a
# tmpfs overlay). It mounts what the suites need, probes the kernel's MPTCP
# features, runs the namespace suites against this kernel and writes
# everything to the second serial port, which the host reads
# (tests/kernels/run.sh); the first one is the kernel's console. Then it
# powers the machine off, which ends qemu.
#
# On the results port, besides each suite's own output:
#   MPA-KERNEL release uptime        uptime: seconds since boot
#   MPA-PLAN name...                 the suites that will run
#   MPA-PROBE key value              (tests/kernels/probe.py)
#   MPA-SUITE name cmocka|tap        a suite's output follows
#   MPA-END name exit-status seconds
#   MPA-DONE uptime
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
top=${MPA_TOP:?}

# The suites: name, kind of output, command (from the top of the tree).
# The same names as in tests/run.sh. The library runs over IPv4 only here
# (IPv6 and valgrind stay on the host): the stage has 15 minutes.
suites()
{
	cat <<'EOF'
core-ipv4 cmocka bash tests/integration/core.sh 4
policy-resolve-netns cmocka bash tests/integration/policy_ns.sh
preload-rules tap bash tests/integration/preload.sh
shim-isolation tap bash tests/integration/shim_isolation.sh
shim-daemon tap bash tests/integration/shim_daemon.sh
path-changes tap bash tests/integration/paths.sh
socket-options tap bash tests/integration/sockopts.sh
host-path-manager tap bash tests/integration/host_pm.sh
end-to-end tap bash tests/integration/e2e.sh
mptcp-auto-command tap bash tests/integration/cli.sh
mptcp-autod tap bash tests/integration/daemon.sh
EOF
}

# run_suites: probe, then every suite named in MPA_SUITES (commas between
# names: the kernel command line splits at spaces), all when it is unset.
run_suites()
{
	local name kind cmd t0 t1 rc

	[ -n "${MPA_SUITES:-}" ] ||
		MPA_SUITES=$(suites | awk '{ printf "%s,", $1 }')

	echo "MPA-KERNEL $(uname -r) $(cut -d' ' -f1 /proc/uptime)"
	echo "MPA-PLAN ${MPA_SUITES//,/ }"
	unshare --net python3 "$top/tests/kernels/probe.py" 2>&1 |
		sed 's/^/MPA-PROBE /'
	cd "$top" || return 1
	while read -r name kind cmd; do
		case " ${MPA_SUITES//,/ } " in
		*" $name "*) ;;
		*) continue ;;
		esac
		echo "MPA-SUITE $name $kind"
		t0=$(date +%s.%N)
		# The longest suite takes about 100 s here.
		timeout -k 5 "${MPA_SUITE_TIMEOUT:-240}" $cmd </dev/null 2>&1
		rc=$?
		t1=$(date +%s.%N)
		echo "MPA-END $name $rc $(awk -v a="$t0" -v b="$t1" \
			'BEGIN { printf "%.1f", b - a }')"
	done < <(suites)
}

# `guest.sh list`: the suites' names, for the host's column of the table
# (tests/kernels/host.sh). Nothing else happens.
if [ "${1:-}" = list ]; then
	suites | awk '{ print $1 }'
	exit 0
fi

if [ "${1:-}" = run ]; then
	run_suites
	exit 0
fi

# Process 1: the mounts a booted system has, then the suites in a session
# of their own (so that no test signals process 1), then power off.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
# What udev would have made: bash's <(...) needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# /run and /tmp of the host's root would show its namespaces and files.
# The tree itself stays: a clone under /tmp (mktemp -d, as CI makes it)
# or /run is bound back at its own path over the fresh tmpfs.
mkdir -p /mnt/mpa-top
mount --bind "$top" /mnt/mpa-top
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
case $top in
/tmp/* | /run/*)
	mkdir -p "$top"
	mount --bind /mnt/mpa-top "$top"
	;;
esac
ip link set lo up
hostname mpa-guest
stty -F /dev/ttyS1 raw -echo 2>/dev/null
# Tests that look for "CI" behave as they do on the host.
export CI=${MPA_CI:-} HOME=/root TMPDIR=/tmp LANG=C.UTF-8
# Smaller than on the host: under emulation the machine is 5 to 10 times
# slower (tests/kernels/run.sh passes other values through).
export MPA_STRESS_CYCLES=${MPA_STRESS_CYCLES:-200}
export MPA_E2E_MB=${MPA_E2E_MB:-8} MPA_E2E_SMALL_MB=${MPA_E2E_SMALL_MB:-4}
export MPA_E2E_CONNS=${MPA_E2E_CONNS:-50}
# Time bounds that are a goal on the host are stretched by this much.
export MPA_SLOW_FACTOR=${MPA_SLOW_FACTOR:-5}
export MPA_SLOW_TOOLS=${MPA_SLOW_TOOLS:-no}
setsid bash "$0" run >/dev/ttyS1 2>&1 </dev/null
echo "MPA-DONE $(cut -d' ' -f1 /proc/uptime)" >/dev/ttyS1
sync
/bin/busybox poweroff -f
