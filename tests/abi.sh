#!/bin/bash
# SPDX-License-Identifier: MIT
# The shared library exports the public mptcplib_* API and nothing else,
# and `make install` honours PREFIX and DESTDIR with a usable pkg-config file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

lib=build/libmptcplib.so.0
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {sub(/@.*/, "", $3); print $3}' | sort)
declared=$(grep -o 'mptcplib_[a-z_]*(' core/mptcplib.h | tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
	echo "exported symbols differ from core/mptcplib.h:"
	diff <(echo "$declared") <(echo "$exported")
	exit 1
fi
[ "$(objdump -p "$lib" | awk '/SONAME/ {print $2}')" = libmptcplib.so.0 ]
# The Debian symbols file is what debian/gen-symbols makes of the version
# script and the header (`make debian/libmptcplib0.symbols` rewrites it).
version=$(sed -n 's/^VERSION := //p' Makefile)
if ! debian/gen-symbols "$version" | diff -u debian/libmptcplib0.symbols -; then
	echo "debian/libmptcplib0.symbols is out of date (above):" \
		"make debian/libmptcplib0.symbols"
	exit 1
fi
# The shim exports its hooks and nothing else: socket() and connect(),
# setsockopt() for the swap back to TCP of a socket that refuses an option
# (preload/DESIGN.md, "The setsockopt() exception"), and the marker that
# keeps a second copy of the shim passive ("One copy per process").
shim_syms=$(nm -D --defined-only build/libmptcp_auto.so | awk '{print $3}' |
	sort | tr '\n' ' ')
if [ "$shim_syms" != "connect mptcp_auto_shim setsockopt socket " ]; then
	echo "libmptcp_auto.so exports: $shim_syms"
	exit 1
fi

# The installed paths are compiled in: the tree goes back to the default
# prefix's build for the other tests, whatever happens here.
dest=$(mktemp -d)
dest2=$(mktemp -d)
trap 'rm -rf "$dest" "$dest2"; make -s shim cli daemon >/dev/null' EXIT
make -s install DESTDIR="$dest" PREFIX=/opt/mpa >/dev/null
# Everything under the prefix, the configuration too (GNU: SYSCONFDIR is
# PREFIX/etc): nothing outside it, no /etc of the host's.
if [ "$(ls -A "$dest")" != opt ] || [ "$(ls -A "$dest/opt")" != mpa ]; then
	echo "make install PREFIX=/opt/mpa wrote outside the prefix:"
	find "$dest" -maxdepth 3
	exit 1
fi
test -f "$dest/opt/mpa/etc/mptcp-auto/policy.ini"
# PREFIX=/usr: the configuration in /etc, as a distribution has it.
make -s install DESTDIR="$dest2" PREFIX=/usr >/dev/null
test -f "$dest2/etc/mptcp-auto/policy.ini"
test ! -e "$dest2/usr/etc"
test -f "$dest/opt/mpa/include/mptcplib.h"
test -f "$dest/opt/mpa/lib/libmptcplib.a"
test -L "$dest/opt/mpa/lib/libmptcplib.so"
pc=$dest/opt/mpa/lib/pkgconfig
grep -q '^prefix=/opt/mpa$' "$pc/mptcplib.pc"
# A program built only from what was installed, through pkg-config.
cflags=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags mptcplib)
libs=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --libs mptcplib)
cc -std=gnu11 -Wall -Werror $cflags -o "$dest/example" \
	examples/readme_example.c $libs
LD_LIBRARY_PATH=$dest/opt/mpa/lib ldd "$dest/example" | grep -q "$dest/opt/mpa/lib/libmptcplib.so.0"
# Both libraries load on glibc 2.17 and later (see cmn_compat.h).
for so in "$lib" build/libmptcp_auto.so; do
	newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)
	if [ "$(printf '%s\nGLIBC_2.17\n' "$newest" | sort -V | tail -1)" != \
		GLIBC_2.17 ]; then
		echo "$so needs $newest, newer than the GLIBC_2.17 floor"
		exit 1
	fi
done

# A real install under a fresh prefix: the command finds the shim through
# ld.so's $LIB, and the shim converts sockets.
prefix=$(mktemp -d /tmp/mpa-prefix-XXXXXX)
trap 'rm -rf "$dest" "$dest2" "$prefix"; make -s shim cli daemon >/dev/null' EXIT
make -s install PREFIX="$prefix" >/dev/null
test -x "$prefix/bin/mptcp-auto"
test -x "$prefix/sbin/mptcp-autod"
test -f "$prefix/share/man/man1/mptcp-auto.1"
test -f "$prefix/share/man/man5/mptcp-auto-policy.5"
test -f "$prefix/share/man/man3/mptcplib.3"
test -f "$prefix/share/man/man8/mptcp-autod.8"
test -f "$prefix/share/doc/mptcp-auto/examples/policy.ini"
sys=$prefix/etc/mptcp-auto/policy.ini
test -f "$sys"
"$prefix/bin/mptcp-auto" run env | grep -qx "LD_PRELOAD=$prefix/\$LIB/libmptcp_auto.so"
"$prefix/bin/mptcp-auto" run build/tests/mpa-shimtest eligibility mptcp
# The installed system policy is neutral: no section, no key in effect.
# Uncommented, it is the full example, which loads without an error.
if grep -Ev '^[[:space:]]*([;#]|$)' "$sys"; then
	echo "the installed system policy sets something (above)"
	exit 1
fi
"$prefix/bin/mptcp-auto" check "$sys" 2>&1 | grep -qx '1 file applied, 0 errors, 0 warnings'
sed 's/^#//' "$sys" >"$prefix/uncommented.ini"
"$prefix/bin/mptcp-auto" check "$prefix/uncommented.ini" 2>&1 |
	grep -qx '1 file applied, 0 errors, 0 warnings'
grep -q '^interfaces = ' "$prefix/uncommented.ini"
# The command and the shim read the system policy from the prefix they
# were built for.
printf '[program true]\nmptcp = off\n' >"$prefix/etc/mptcp-auto/policy.d/t.ini"
"$prefix/bin/mptcp-auto" explain --program true 192.0.2.1 |
	grep -q "from $prefix/etc/mptcp-auto/policy.d/t.ini:1"
MPTCP_AUTO_LOG=info "$prefix/bin/mptcp-auto" run true 2>&1 |
	grep -q "policy $prefix/etc/mptcp-auto/policy.d/t.ini:1: MPTCP off"
"$prefix/sbin/mptcp-autod" --help | grep -q "($prefix/etc/mptcp-auto)"
# --policy FILE is layered over the system files, in explain as in run: a
# system drop-in that excludes the destination wins over FILE's
# interfaces (it used to be evaluated alone, and promised a subflow).
printf '[default]\nexclude-destinations = 192.0.2.0/24\n' \
	>"$prefix/etc/mptcp-auto/policy.d/lan.ini"
printf '[default]\ninterfaces = eth9\n' >"$prefix/mine.ini"
"$prefix/bin/mptcp-auto" explain --policy "$prefix/mine.ini" 192.0.2.1 |
	grep -qx 'extra subflows to 192.0.2.1: none (destination in exclude-destinations)'
env -u XDG_CONFIG_HOME HOME=/nonexistent "$prefix/bin/mptcp-auto" check \
	--policy "$prefix/mine.ini" 2>&1 | grep -qx '4 files applied, 0 errors, 0 warnings'

# The man pages name the installed library and policy, and say that
# MPTCP_AUTO_POLICY is layered over the system files.
man1=$prefix/share/man/man1/mptcp-auto.1
grep -qF "$prefix/\$LIB/libmptcp_auto.so" "$man1"
for m in "$man1" "$prefix/share/man/man5/mptcp-auto-policy.5" \
	"$prefix/share/man/man8/mptcp-autod.8"; do
	all=$(grep -o '/etc/mptcp-auto' "$m" | wc -l)
	ours=$(grep -oF "$prefix/etc/mptcp-auto" "$m" | wc -l)
	if [ "$all" = 0 ] || [ "$all" != "$ours" ]; then
		echo "$m: $((all - ours)) of $all paths of the policy are not the prefix's"
		exit 1
	fi
done
if grep '/usr/local\|/usr/\$LIB' "$man1"; then
	echo "$man1 names a library path of another prefix (above)"
	exit 1
fi
grep -A3 '^\.B MPTCP_AUTO_POLICY' "$man1" | grep -q 'layered over the system'
# An administrator's policy survives a second install.
echo '; mine' >"$sys"
make -s install PREFIX="$prefix" >/dev/null
grep -qx '; mine' "$sys"
echo "abi and install: OK ($(echo "$exported" | wc -l) symbols)"
