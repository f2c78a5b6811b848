#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd unit of mptcp-autod: `make install` puts it in UNITDIR
# ($(PREFIX)/lib/systemd/system) with ExecStart naming the installed
# daemon, never enables it, and systemd-analyze verify finds nothing wrong
# in it (no systemd needs to run: the unit file is given by its path).
# Also the settings the daemon's security rests on (conf/mptcp-autod.service.in).
# Exits 77 with a SKIP line when systemd-analyze is missing, outside CI.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bad=0
fail()
{
	echo "FAIL: $*"
	bad=1
}

prefix=$(mktemp -d /tmp/mpa-unit-XXXXXX)
dest=$(mktemp -d /tmp/mpa-unit-dest-XXXXXX)
trap 'rm -rf "$prefix" "$dest"; make -s shim cli daemon >/dev/null' EXIT
make -s install PREFIX="$prefix" >/dev/null ||
	{ echo "FAIL: make install"; exit 1; }
unit=$prefix/lib/systemd/system/mptcp-autod.service
[ -f "$unit" ] || { echo "FAIL: no $unit"; exit 1; }

grep -qx "ExecStart=$prefix/sbin/mptcp-autod" "$unit" ||
	fail "ExecStart: $(grep '^ExecStart=' "$unit")"
[ -x "$prefix/sbin/mptcp-autod" ] || fail "no $prefix/sbin/mptcp-autod"
grep -q '@[A-Z]*@' "$unit" && fail "left unsubstituted: $(grep '@[A-Z]*@' "$unit")"
# Installed, never enabled: no .wants link anywhere under the prefix.
wants=$(find "$prefix" -name '*.wants' -o -name '*.requires')
[ -z "$wants" ] || fail "enabled at install: $wants"

# UNITDIR and DESTDIR, as a package build sets them.
make -s install DESTDIR="$dest" PREFIX=/usr UNITDIR=/lib/systemd/system \
	>/dev/null || fail "make install DESTDIR=... UNITDIR=..."
grep -qx 'ExecStart=/usr/sbin/mptcp-autod' \
	"$dest/lib/systemd/system/mptcp-autod.service" ||
	fail "UNITDIR=/lib/systemd/system, PREFIX=/usr: no unit, or a wrong ExecStart"

# What the daemon's safety rests on: one capability, the runtime
# directory kept across a restart, a read-only system, and what must not
# be there (the daemon writes /proc/sys/net/mptcp and reads other users'
# /proc/PID).
for line in CapabilityBoundingSet=CAP_NET_ADMIN \
	AmbientCapabilities=CAP_NET_ADMIN RuntimeDirectory=mptcp-auto \
	RuntimeDirectoryPreserve=restart ProtectSystem=strict \
	NoNewPrivileges=yes Restart=on-failure Type=notify \
	'RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6'; do
	[ "$(grep -c "^${line%%=*}=" "$unit")" = 1 ] &&
		grep -qx "$line" "$unit" || fail "want exactly: $line"
done
for key in ProtectKernelTunables ProcSubset ProtectProc PrivateNetwork \
	User DynamicUser; do
	grep -q "^$key=" "$unit" && fail "must not be set: $(grep "^$key=" "$unit")"
done

if ! command -v systemd-analyze >/dev/null; then
	if [ "${CI:-}" = true ]; then
		fail "systemd-analyze is missing (make deps installs systemd)"
		exit 1
	fi
	[ $bad = 0 ] || exit 1
	echo "SKIP: systemd-analyze verify (no systemd-analyze: install systemd)"
	exit 77
fi
# verify exits 0 on a misspelled key or a bad value (it only warns): any
# line about the unit is a failure.
out=$(systemd-analyze verify --man=no "$unit" 2>&1)
rc=$?
if [ $rc != 0 ] || grep -q 'mptcp-autod' <<<"$out"; then
	fail "systemd-analyze verify (exit $rc):"
	echo "$out" | sed 's/^/      /'
fi
[ $bad = 0 ] && echo "systemd unit: installed to $unit, verified"
exit $bad
