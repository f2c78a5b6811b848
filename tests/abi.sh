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

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/opt/mpa >/dev/null
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
trap 'rm -rf "$dest" "$prefix"' EXIT
make -s install PREFIX="$prefix" SYSCONFDIR="$prefix/etc" >/dev/null
test -x "$prefix/bin/mptcp-auto"
test -x "$prefix/sbin/mptcp-autod"
test -f "$prefix/share/man/man1/mptcp-auto.1"
test -f "$prefix/share/man/man5/mptcp-auto-policy.5"
test -f "$prefix/share/man/man3/mptcplib.3"
test -f "$prefix/etc/mptcp-auto/policy.ini"
"$prefix/bin/mptcp-auto" run env | grep -qx "LD_PRELOAD=$prefix/\$LIB/libmptcp_auto.so"
"$prefix/bin/mptcp-auto" run build/tests/mpa-shimtest eligibility mptcp
# An administrator's policy survives a second install.
echo '; mine' >"$prefix/etc/mptcp-auto/policy.ini"
make -s install PREFIX="$prefix" SYSCONFDIR="$prefix/etc" >/dev/null
grep -qx '; mine' "$prefix/etc/mptcp-auto/policy.ini"
make -s cli >/dev/null # back to the default prefix for the other tests
echo "abi and install: OK ($(echo "$exported" | wc -l) symbols)"
