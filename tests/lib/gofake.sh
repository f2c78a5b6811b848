# SPDX-License-Identifier: MIT
# A program that passes for a Go program: a copy of a C program with the
# .go.buildinfo section the Go linker writes (its "\xff Go buildinf:"
# header, then the version inline, as Go 1.18 and newer lay it out).
# Needs objcopy.

# go_fake VERSION PROGRAM OUT: OUT is PROGRAM built with Go VERSION.
go_fake()
{
	local v=$1 in=$2 out=$3 bi

	bi=$(mktemp) || return 1
	{
		printf '\xff Go buildinf:\x08\x02'
		head -c 16 /dev/zero
		printf "\\x$(printf %02x ${#v})%s\\x00" "$v"
	} >"$bi"
	objcopy --add-section .go.buildinfo="$bi" "$in" "$out"
	local rc=$?
	rm -f "$bi"
	return $rc
}
