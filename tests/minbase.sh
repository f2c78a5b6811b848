#!/bin/bash
# SPDX-License-Identifier: MIT
# The README's two commands on a minimal Debian, as a new user would run
# them: mmdebstrap --variant=minbase of this machine's own Debian suite,
# from the Debian archive its apt uses (through its apt proxy, if any;
# tests/lib/apt_sources.py decides what the tree can use of the host's
# sources, deb.debian.org if nothing), plus git and make; this repository
# cloned under /root (mode 0700) with the working tree's uncommitted
# changes to tracked files; then, inside, `make demo` and `CI=true make
# check`. A package the Makefile forgets to install (make deps) fails
# here, however complete the developer's own machine is.
#
#   tests/minbase.sh          make demo, then CI=true make check (make
#                             check-minbase; 13 to 16 minutes)
#   tests/minbase.sh demo     make demo (an 8 MB download), then the unit
#                             tests (the suite minbase-demo of make check;
#                             about 4 minutes)
#
# Inside, make check runs with MPA_KERNELS_IN_CHECK=0: the kernel matrix
# boots Debian's kernels under qemu, 8 to 11 minutes more, and tests
# nothing about the minimal system that the host's make check does not;
# and with MPA_MINBASE_IN_CHECK=0, or it would build a minimal system in
# the minimal system.
#
# Everything is in one directory made with mktemp -d (under TMPDIR if
# set). The tree is built and entered in mount namespaces of their own
# (unshare -m): its /proc, /sys, /dev and /run are never seen by the host,
# and go away with the last process inside. The demo and the tests inside
# make their own network namespaces, named in the tree's own /run. On
# exit, whatever happens, processes still running in the tree are killed
# and the tree is removed. The host's apt configuration and cache are read
# (the cache's packages are copied into the tree, to download less), never
# written.
# Prints "PASS: x" / "FAIL: x" per step, with how long it took.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tests/lib/require.sh"
. "$top/tests/lib/tap.sh"
apt_sources=$top/tests/lib/apt_sources.py

mode=${1:-full}
case $mode in
full | demo) ;;
*)
	echo "usage: $0 [full|demo]" >&2
	exit 2
	;;
esac

[ "$(id -u)" = 0 ] || skip_or_fail "needs root (mmdebstrap, chroot)"
require_cmd mmdebstrap
require_cmd unshare
require_cmd git
require_cmd python3
. /etc/os-release
[ "${ID:-}" = debian ] && [ -n "${VERSION_CODENAME:-}" ] ||
	skip_or_fail "not a Debian release (/etc/os-release)"
suite=$VERSION_CODENAME

tmp=""
inner=""
t_all=$(date +%s)

# tree_procs: the processes whose root is the tree (chrooted into it).
tree_procs()
{
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in
		"$tmp/root" | "$tmp/root/"*) echo "${p#/proc/}" ;;
		esac
	done
}

cleanup()
{
	local m
	trap '' INT TERM HUP
	[ -n "$tmp" ] || return
	# A step cut short: its process group (mmdebstrap and what it runs,
	# make and the tests) and what runs in the tree get TERM (the demo
	# and the tests remove their labs on it), then, 20 s on, KILL. The
	# tree is removed once none of them is left to write into it.
	if [ -n "$inner" ]; then
		kill -TERM -- "-$inner" $(tree_procs) 2>/dev/null
		for _ in $(seq 40); do
			kill -0 -- "-$inner" 2>/dev/null ||
				[ -n "$(tree_procs)" ] || break
			sleep 0.5
		done
		kill -KILL -- "-$inner" 2>/dev/null
		wait "$inner" 2>/dev/null
	fi
	kill -KILL $(tree_procs) 2>/dev/null
	# Nothing was mounted in the host's namespace; should anything be
	# there all the same, it is unmounted before the tree is removed.
	awk -v t="$tmp/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do
		umount -l "$m"
	done
	sleep 0.5
	kill -KILL $(tree_procs) 2>/dev/null
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# 0755, not mktemp's 0700: apt downloads as user _apt, into the tree.
tmp=$(mktemp -d) && chmod 0755 "$tmp" || exit 1
root=$tmp/root
log=$tmp/log

# step NAME CMD...: CMD with its output shown as it comes, indented
# (never read as a check line), then "PASS: NAME (N s)" or "FAIL: NAME
# (N s)". CMD runs in the background and is waited for, so that a signal
# runs the trap at once.
step()
{
	local name=$1 t0 rc shower
	shift
	t0=$(date +%s)
	: >"$log"
	# A process group of its own (job control on), for the trap to stop.
	set -m
	"$@" >"$log" 2>&1 </dev/null &
	inner=$!
	set +m
	tail -n +1 -s 0.5 -f --pid="$inner" "$log" | sed -u 's/^/   | /' &
	shower=$!
	wait "$inner"
	rc=$?
	inner=""
	wait "$shower"
	if [ $rc -eq 0 ]; then
		pass "$name ($(($(date +%s) - t0)) s)"
	else
		fail "$name ($(($(date +%s) - t0)) s)" "exit $rc"
	fi
	return $rc
}

# inside CMD: CMD by bash as root in the tree, in /root/mptcp-auto, with
# the tree's /proc, /sys, /dev (the host's devices) and an empty /run, in
# a mount namespace of its own: gone when the last process in it exits.
# (A private one: the network namespaces ip netns binds under its /run
# are the tree's alone.)
inside()
{
	unshare -m --propagation private -- sh -ec '
		r=$1
		# A mount point, as / is: ip netns exec makes / a slave.
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs -o mode=0755 tmpfs "$r/run"
		exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/mptcp-auto && $2"' sh "$root" "$1"
}

# build_tree: the minimal system. Its apt sources and options come from
# the host's by tests/lib/apt_sources.py (which says on stderr what it
# leaves out and why): the Debian entries of this release, a mirror list
# replaced by its first mirror, nothing signed by a key the tree has not
# got, deb.debian.org if nothing is left; the host's apt proxy, which
# mmdebstrap's apt (reading the tree's configuration only) and the tree's
# would not use otherwise. The packages of the host's apt cache are copied
# in first (hard links when on the same file system), so that apt
# downloads only what it lacks; the cache is kept in the tree for make
# deps inside, which installs the rest.
build_tree()
{
	local src=$tmp/sources.list lists=$tmp/mirror-lists name url
	local -a opts penv
	apt-config dump >"$tmp/apt-config" || return 1
	# Mirror lists apt would fetch itself (mirror://, mirror+http(s)://),
	# downloaded through the host's proxy, for apt_sources.py to read.
	mkdir -p "$lists" || return 1
	mapfile -t penv < <(python3 "$apt_sources" proxy-env \
		<"$tmp/apt-config")
	python3 "$apt_sources" mirror-lists --suite "$suite" |
		while read -r name url; do
			if env "${penv[@]}" curl -fsSL --max-time 60 \
				-o "$lists/$name.part" "$url"; then
				mv "$lists/$name.part" "$lists/$name"
			else
				echo "cannot download the mirror list $url"
			fi
		done
	python3 "$apt_sources" sources --suite "$suite" --lists "$lists" \
		>"$src" || return 1
	[ -s "$src" ] || {
		echo "no Debian $suite source for the tree"
		return 1
	}
	cat "$src"
	python3 "$apt_sources" mmdebstrap-options --sources "$src" \
		<"$tmp/apt-config" >"$tmp/options" || return 1
	mapfile -t opts <"$tmp/options"
	# Shown without a proxy's user and password.
	[ ${#opts[@]} -eq 0 ] ||
		sed 's#//[^/@]*@#//...@#; s/^/mmdebstrap /' "$tmp/options"
	unshare -m --propagation private -- mmdebstrap --variant=minbase \
		--include=git,make --skip=cleanup/apt/cache \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
		--setup-hook='cp -l /var/cache/apt/archives/*.deb \
			"$1/var/cache/apt/archives/" 2>/dev/null ||
			cp /var/cache/apt/archives/*.deb \
			"$1/var/cache/apt/archives/" 2>/dev/null || true' \
		"${opts[@]}" "$suite" "$root" "$src"
}

# clone: the repository under /root, which must be 0700 as Debian makes
# it; uncommitted changes to tracked files come along.
clone()
{
	[ "$(stat -c %a "$root/root")" = 700 ] || {
		echo "/root in the tree is not 0700"
		return 1
	}
	git clone -q "$top" "$root/root/mptcp-auto" &&
		git -C "$top" diff HEAD --binary >"$tmp/wip.patch" &&
		if [ -s "$tmp/wip.patch" ]; then
			git -C "$root/root/mptcp-auto" apply --whitespace=nowarn \
				"$tmp/wip.patch"
		fi
}

# check_inside: make check's summary inside says 0 failed and 0 skipped.
check_inside()
{
	local rc
	inside 'CI=true MPA_KERNELS_IN_CHECK=0 MPA_MINBASE_IN_CHECK=0 make check'
	rc=$?
	[ $rc -eq 0 ] || return $rc
	# A skip in CI is a tool the Makefile does not install.
	if ! tail -1 "$log" | grep -q '^[0-9]* passed, 0 failed, 0 skipped$'; then
		echo "not all passed and none skipped"
		return 1
	fi
}

echo "minimal Debian $suite in $root"
step "mmdebstrap --variant=minbase $suite, with git and make" build_tree ||
	exit 1
step "the repository cloned under /root (0700)" clone || exit 1
if [ "$mode" = demo ]; then
	# A smaller download (8 MB, not 60): the same steps, a minute less.
	step "make demo in the minimal system (DEMO_MB=8)" \
		inside 'DEMO_MB=8 make demo'
	step "the unit tests in the minimal system" inside 'make -s test-unit || exit 1
		rc=0
		for t in build/asan/tests/test_*; do "$t" || rc=1; done
		exit $rc'
else
	step "make demo in the minimal system" inside 'make demo'
	step "CI=true make check in the minimal system (no kernel matrix)" \
		check_inside
fi
echo "minbase $mode: $(($(date +%s) - t_all)) s in all"
exit $failed
