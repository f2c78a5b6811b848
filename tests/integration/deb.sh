#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian packages (debian/, `make deb`) on this machine, as root: they
# build and lintian finds nothing; dpkg -i installs all three without
# enabling or starting the daemon and without touching the host's path
# manager; the installed `mptcp-auto run curl` opens a second subflow in
# a two-path lab; an administrator's edit of the system policy (a
# conffile) survives an upgrade to a higher version; dpkg --purge leaves
# nothing of the project in /usr, /etc, /run or the unit directories.
# Prints "PASS: x" / "FAIL: x" / "SKIP: x (why)".
#
# It installs into the machine itself, so it restores it whatever happens
# (the packages purged, the lab deleted), refuses to run over packages of
# the project already installed (they would be purged), and holds a lock
# so that two runs on one machine take turns (dpkg is one per machine).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/topo.sh"

PKGS="libmptcplib0 libmptcplib-dev mptcp-auto"
CONF=/etc/mptcp-auto/policy.ini

[ "$(id -u)" = 0 ] || skip_or_fail "needs root (installs packages with dpkg)"
require_netns_mptcp
for c in dpkg dpkg-query flock curl cc pkg-config; do
	require_cmd "$c"
done
T=$top/build/tests
[ -x "$T/mpa-httpd" ] || make -s -C "$top" "build/tests/mpa-httpd" >/dev/null ||
	die "cannot build build/tests/mpa-httpd"

tmp=$(mktemp -d)
installed=0
TOPO_NO_TRAP=1
TOPO_CLI="mpa-deb-c-$TOPO_TAG-$RANDOM"
TOPO_SRV="mpa-deb-s-$TOPO_TAG-$RANDOM"

# dpkg ARGS...: dpkg, waiting (up to 5 min) while someone else's apt or
# dpkg holds its lock, rather than failing at once.
dpkg_wait()
{
	local i rc
	for i in $(seq 300); do
		dpkg "$@" </dev/null >"$tmp/dpkg.out" 2>&1
		rc=$?
		grep -q 'lock' "$tmp/dpkg.out" && [ $rc -ne 0 ] || break
		sleep 1
	done
	cat "$tmp/dpkg.out"
	return $rc
}

cleanup()
{
	trap '' INT TERM HUP
	topo_cleanup
	# Purged even half installed; their conffile (edited or not) goes
	# with them.
	if [ "$installed" = 1 ]; then
		dpkg_wait --purge $PKGS >/dev/null 2>&1 ||
			echo "cleanup: dpkg --purge $PKGS failed" >&2
		rm -f "$CONF" "$CONF".dpkg-*
		rmdir /etc/mptcp-auto/policy.d /etc/mptcp-auto 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# One run at a time on this machine (the lock file stays, empty, in /run,
# where only root can create it).
exec 9>/run/mpa-deb-test.lock
flock -w 900 9 || die "another run of deb.sh holds /run/mpa-deb-test.lock"

# The project's packages, if any are here already, are someone's: this
# test would replace and then purge them.
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	if [ -n "$st" ] && [ "$st" != not-installed ]; then
		fail "no package of the project installed beforehand" \
			"$p is on this machine (status $st); this test would" \
			"purge it: remove it first (dpkg --purge $PKGS)"
		exit 1
	fi
done

# Every path of the project's names where packages put files.
project_files()
{
	find /usr /etc /run /lib/systemd /var/lib/dpkg/info /var/lib/systemd \
		-xdev \( -path '*mptcp-auto*' -o -path '*mptcp_auto*' \
		-o -path '*mptcplib*' \) 2>/dev/null | sort
}

# The host's path manager, by whichever sysctl this kernel has.
host_pm()
{
	cat /proc/sys/net/mptcp/path_manager /proc/sys/net/mptcp/pm_type \
		2>/dev/null | tr '\n' ' '
}

project_files >"$tmp/before"
pm_before=$(host_pm)

# ---- build -----------------------------------------------------------------
# build DIR [VERSION]: make deb into DIR; lists the packages in DIR/debs.
build()
{
	local log=$tmp/make-deb-$(basename "$1").log rc
	make -s -C "$top" deb DEB_DIR="$1" ${2:+DEB_VERSION="$2"} \
		>"$log" 2>&1
	rc=$?
	ls "$1"/*.deb 2>/dev/null >"$1.debs"
	return $rc
}

# all_debs LIST: LIST names one .deb of each package, and no other.
all_debs()
{
	local p
	[ "$(wc -l <"$1")" = 3 ] || return 1
	for p in $PKGS; do
		grep -q "/${p}_[^/]*\.deb$" "$1" || return 1
	done
}

# What dpkg-buildpackage would write beside the tree it builds.
beside() { ls -A "$top/.." | grep -E '^(mptcp-auto|libmptcplib)[^/]*_' ; }
beside >"$tmp/beside.before"
build "$tmp/v1"
rc=$?
if beside | cmp -s - "$tmp/beside.before"; then
	pass "make deb writes nothing beside the tree"
else
	fail "make deb writes nothing beside the tree" \
		"$(beside | diff "$tmp/beside.before" -)"
fi
n=$(wc -l <"$tmp/v1.debs")
if all_debs "$tmp/v1.debs"; then
	pass "make deb: $(basename -a $(cat "$tmp/v1.debs") | tr '\n' ' ')"
else
	fail "make deb: the three packages" "exit $rc; $n .deb" \
		"$(tail -20 "$tmp/make-deb-v1.log")"
	exit 1
fi
lint=$(grep -E '^[EW]: ' "$tmp/make-deb-v1.log")
if [ $rc -eq 0 ] && [ -z "$lint" ]; then
	pass "lintian: no error, no warning the overrides do not justify"
else
	fail "lintian: no error, no warning the overrides do not justify" \
		"make deb exit $rc" "$lint"
fi

# ---- install ---------------------------------------------------------------
installed=1
if out=$(dpkg_wait -i $(cat "$tmp/v1.debs")); then
	pass "dpkg -i: the three packages installed"
else
	fail "dpkg -i: the three packages installed" "$out"
	exit 1
fi

after=$(project_files)
missing=""
for f in /usr/bin/mptcp-auto /usr/sbin/mptcp-autod \
	/usr/lib/"$(dpkg-architecture -qDEB_HOST_MULTIARCH)"/libmptcp_auto.so \
	/lib/systemd/system/mptcp-autod.service "$CONF"; do
	grep -qxF "$f" <<<"$after" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	pass "installed where Debian puts them (and seen by the file list)"
else
	fail "installed where Debian puts them" "missing:$missing"
fi

if dpkg-query -W -f='${Conffiles}\n' mptcp-auto | grep -q "^ $CONF "; then
	pass "$CONF is a conffile"
else
	fail "$CONF is a conffile" \
		"$(dpkg-query -W -f='${Conffiles}\n' mptcp-auto)"
fi

# The -dev package is enough to build against the library: a program
# built through pkg-config runs on the installed libmptcplib.so.0, whose
# package carries the symbols file.
if out=$(cc -std=gnu11 -Wall -Werror $(pkg-config --cflags mptcplib) \
	-o "$tmp/example" "$top/examples/readme_example.c" \
	$(pkg-config --libs mptcplib) 2>&1) &&
	ldd "$tmp/example" | grep -Eq ' /(usr/)?lib/[^ ]*/libmptcplib\.so\.0 ' &&
	sym=$(dpkg-query --control-path libmptcplib0 symbols) &&
	grep -q '^ mptcplib_open_sub@MPTCPLIB_0 ' "$sym"; then
	pass "libmptcplib-dev: a program built with pkg-config uses libmptcplib0"
else
	fail "libmptcplib-dev: a program built with pkg-config uses libmptcplib0" \
		"$out" "$(ldd "$tmp/example" 2>&1)"
fi

# Installed, not enabled, not started.
enabled=$(find /etc/systemd -name 'mptcp-autod*' 2>/dev/null)
daemons=$(for p in $(pgrep -x mptcp-autod); do
	readlink "/proc/$p/exe"
done | grep -x /usr/sbin/mptcp-autod)
active=""
if [ -d /run/systemd/system ]; then
	systemctl -q is-active mptcp-autod && active=active
	systemctl -q is-enabled mptcp-autod && enabled="$enabled enabled"
fi
if [ -z "$enabled$daemons$active" ] && [ ! -e /run/mptcp-auto ]; then
	pass "the unit is neither enabled nor started by installing"
else
	fail "the unit is neither enabled nor started by installing" \
		"enabled: $enabled" "running: $daemons $active" \
		"$(ls -d /run/mptcp-auto 2>/dev/null)"
fi
if [ "$(host_pm)" = "$pm_before" ]; then
	pass "the host's path manager untouched ($pm_before)"
else
	fail "the host's path manager untouched" \
		"before: $pm_before" "after: $(host_pm)"
fi

# ---- the installed command in a two-path lab ------------------------------
MA=/usr/bin/mptcp-auto
check "installed mptcp-auto preloads the installed shim" \
	bash -c "'$MA' run cat /proc/self/maps |
		grep -q ' /usr/lib/[^ ]*/libmptcp_auto\.so$'"

topo_up userspace && topo_multihome metrics &&
	topo_shape c1 40mbit && topo_shape c2 40mbit || {
	fail "lab"
	exit 1
}
head -c $((8 * 1024 * 1024)) /dev/urandom >"$tmp/file"
topo_bg "$TOPO_SRV" "$T/mpa-httpd" 8080 "$tmp/file" >"$tmp/httpd.log"
topo_wait_listen "$TOPO_SRV" 8080 || {
	fail "lab: server"
	exit 1
}
printf '[default]\ninterfaces = c2\n' >"$tmp/policy.ini"
ip netns exec "$TOPO_CLI" "$MA" run --policy "$tmp/policy.ini" \
	curl -s -o "$tmp/out" http://10.9.0.1:8080/f
rc=$?
for i in $(seq 50); do
	grep -q '^conn ' "$tmp/httpd.log" && break
	sleep 0.1
done
conn=$(grep '^conn ' "$tmp/httpd.log" | tail -1)
if [ $rc -eq 0 ] && cmp -s "$tmp/file" "$tmp/out" &&
	grep -q ' subflows=2 mptcp=1' <<<"$conn"; then
	pass "installed mptcp-auto run curl: intact, a second subflow"
else
	fail "installed mptcp-auto run curl: intact, a second subflow" \
		"curl exit $rc" "server: $conn"
fi
topo_reset

# ---- upgrade: the administrator's edit stays --------------------------------
v1=$(dpkg-query -W -f='${Version}' mptcp-auto)
v2="$v1+1"
mark="; edited by the administrator ($$)"
echo "$mark" >>"$CONF"
# (Installed even if lintian finds fault with it: that was checked on
# the first build; here it is what dpkg does with the conffile.)
build "$tmp/v2" "$v2"
rc=$?
if all_debs "$tmp/v2.debs" &&
	dpkg --compare-versions "$v2" gt "$v1" &&
	out=$(dpkg_wait -i $(cat "$tmp/v2.debs")); then
	pass "upgrade from $v1 to $v2 installed"
else
	fail "upgrade from $v1 to $v2 installed" "make deb exit $rc" \
		"$(tail -20 "$tmp/make-deb-v2.log")" "${out:-}"
fi
now=$(dpkg-query -W -f='${Version}' mptcp-auto)
if [ "$now" = "$v2" ] && grep -qxF "$mark" "$CONF"; then
	pass "after the upgrade: version $now, the edited conffile kept"
else
	fail "after the upgrade: version $v2, the edited conffile kept" \
		"version $now" "$(tail -3 "$CONF")"
fi

# ---- purge -----------------------------------------------------------------
if out=$(dpkg_wait --purge $PKGS); then
	installed=0
	pass "dpkg --purge: the three packages"
else
	fail "dpkg --purge: the three packages" "$out"
fi
project_files >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
	pass "after the purge nothing of the project is left"
else
	fail "after the purge nothing of the project is left" \
		"$(diff "$tmp/before" "$tmp/after")"
fi
if [ "$(host_pm)" = "$pm_before" ]; then
	pass "the host's path manager still untouched"
else
	fail "the host's path manager still untouched" \
		"before: $pm_before" "after: $(host_pm)"
fi
exit $failed
