# SPDX-License-Identifier: MIT
# Files for a program run as another user (setpriv --reuid 65534). The
# tree may sit under a directory only its owner can enter (a clone made in
# `mktemp -d`), where that user can neither run a build-tree binary nor
# read the shim or a policy file; it gets copies it can reach instead.

# nobody_copy FILE...: copy each FILE into a new directory made with
# mktemp -d under /tmp and opened to everyone (0755, files 0755 or 0644 as
# they were executable or not), and print the directory. The caller
# removes it.
nobody_copy()
{
	local d f mode

	d=$(mktemp -d /tmp/mpa-nobody-XXXXXX) || return 1
	for f in "$@"; do
		mode=0644
		[ -x "$f" ] && mode=0755
		if ! install -m "$mode" "$f" "$d/"; then
			rm -rf "$d"
			return 1
		fi
	done
	chmod 0755 "$d"
	echo "$d"
}
