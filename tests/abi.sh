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
echo "abi and install: OK ($(echo "$exported" | wc -l) symbols)"
