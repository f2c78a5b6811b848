# SPDX-License-Identifier: MIT
# The kernel matrix's host side: find Debian's generic kernel image of a
# series (6.1, 6.12) in apt's lists, fetch and unpack it into a cache that
# outlives `make clean`, and build the small initramfs that boots it over
# the host's root. Sourced by tests/kernels/run.sh.
#
# Cache: $MPA_KERNEL_CACHE, by default ~/.cache/mptcp-auto/kernels (under
# $XDG_CACHE_HOME when set). One directory per kernel release, holding
# boot/vmlinuz-RELEASE and lib/modules/RELEASE with its modules.dep, and
# .complete, which names the package and its version; a directory without
# it is a broken unpack and is redone.

if [ -n "${MPA_KERNEL_CACHE:-}" ]; then
	kcache=$MPA_KERNEL_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
	kcache=$XDG_CACHE_HOME/mptcp-auto/kernels
elif [ -n "${HOME:-}" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
	kcache=$HOME/.cache/mptcp-auto/kernels
else
	kcache=$top/build/kernels/cache
fi

# Why the last kernel_* call failed, for the FAIL line.
kernel_error=""

# kernel_pattern SERIES: the regular expression of the series' generic
# amd64 image packages: linux-image-6.1.0-57-amd64 in Debian 12's own
# series, linux-image-6.12.117+deb12-amd64 in the newer one it carries.
# The -cloud images have no 9p, the -rt ones another scheduler.
kernel_pattern()
{
	printf '^linux-image-%s[.-][0-9][0-9a-z.+~-]*-amd64$' "${1//./\\.}"
}

# kernel_pick SERIES: of the package names on standard input, the generic
# amd64 images of SERIES, newest first.
kernel_pick()
{
	grep -E -- "$(kernel_pattern "$1")" | grep -vE -- '-(cloud|rt)-amd64$' |
		sort -rV
}

# kernel_candidates SERIES: the image packages of SERIES that apt can
# install, newest first, one "package version" a line.
kernel_candidates()
{
	local p v

	apt-cache pkgnames linux-image- 2>/dev/null | kernel_pick "$1" |
		while read -r p; do
			v=$(apt-cache policy "$p" 2>/dev/null |
				sed -n 's/^ *Candidate: //p')
			[ -n "$v" ] && [ "$v" != "(none)" ] && echo "$p $v"
		done
}

# kernel_cached SERIES: the newest release of SERIES already in the cache.
kernel_cached()
{
	local d

	for d in "$kcache"/*/.complete; do
		[ -e "$d" ] || continue
		d=${d%/.complete}
		echo "linux-image-${d##*/}"
	done | kernel_pick "$1" | head -1 | sed 's/^linux-image-//'
}

# kernel_unpack PACKAGE RELEASE: download PACKAGE into the cache and unpack
# it as RELEASE, with its module index. The .deb is removed once unpacked:
# the tree is all a later run needs.
kernel_unpack()
{
	local pkg=$1 rel=$2 dir=$kcache/$2 tmp deb

	tmp=$(mktemp -d "$kcache/.fetch-XXXXXX") || return 1
	# As root, apt downloads as user _apt, who cannot enter a cache in
	# root's home: the download is done as root instead, quietly.
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$pkg" >download.log 2>&1); then
		# Lists older than the mirror name files it no longer has.
		apt-get update -qq >/dev/null 2>&1
		if ! (cd "$tmp" && apt-get download -q \
			-o APT::Sandbox::User=root "$pkg" \
			>download.log 2>&1); then
			kernel_error="apt-get download $pkg: $(tail -1 \
				"$tmp/download.log")"
			rm -rf "$tmp"
			return 1
		fi
	fi
	deb=$(ls "$tmp"/*.deb)
	mkdir "$tmp/root"
	if ! dpkg-deb -x "$deb" "$tmp/root" ||
		[ ! -e "$tmp/root/boot/vmlinuz-$rel" ] ||
		! depmod -b "$tmp/root" "$rel"; then
		kernel_error="cannot unpack $deb"
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$dir"
	mv "$tmp/root" "$dir" && echo "$pkg $(dpkg-deb -f "$deb" Version)" \
		>"$dir/.complete"
	rm -rf "$tmp"
}

# kernel_get SERIES: print the release of the newest image of SERIES,
# fetched into the cache if it is not there yet; an older release of the
# series is dropped once a newer one is in. Without apt's answer (no lists,
# no network) the newest cached release serves. Run it in a subshell: it
# holds the cache's lock until it ends.
kernel_get()
{
	local s=$1 pkg rel old

	mkdir -p "$kcache" || {
		kernel_error="cannot create the cache $kcache"
		return 1
	}
	# Another run on this machine may be fetching the same kernel; the
	# lock goes with the subshell this runs in, $(kernel_get ...).
	exec 9>"$kcache/.lock" && flock 9
	read -r pkg _ < <(kernel_candidates "$s" | head -1)
	if [ -z "${pkg:-}" ]; then
		apt-get update -qq >/dev/null 2>&1
		read -r pkg _ < <(kernel_candidates "$s" | head -1)
	fi
	if [ -z "${pkg:-}" ]; then
		rel=$(kernel_cached "$s")
		if [ -n "$rel" ]; then
			echo "$rel"
			return 0
		fi
		kernel_error="no package matches $(kernel_pattern "$s")"
		return 1
	fi
	rel=${pkg#linux-image-}
	if [ ! -e "$kcache/$rel/.complete" ]; then
		if ! kernel_unpack "$pkg" "$rel"; then
			rel=$(kernel_cached "$s")
			[ -n "$rel" ] || return 1
			echo "note: $kernel_error; testing the cached $rel" >&2
			echo "$rel"
			return 0
		fi
		for old in "$kcache"/*/; do
			old=${old%/}
			old=${old##*/}
			[ "$old" != "$rel" ] &&
				grep -qE -- "$(kernel_pattern "$s")" \
					<<<"linux-image-$old" &&
				rm -rf "${kcache:?}/$old"
		done
	fi
	echo "$rel"
}

# kernel_initramfs RELEASE OUT: write the initramfs for RELEASE to OUT:
# busybox, tests/kernels/init, and the modules that mounting the root
# needs, uncompressed (busybox's insmod reads plain .ko files), with the
# order to load them in.
kernel_initramfs()
{
	local rel=$1 out=$2 d line m n

	d=$(mktemp -d) || return 1
	mkdir -p "$d/bin" "$d/mods" "$d/proc" "$d/sys" "$d/dev"
	if ! cp /bin/busybox "$d/bin/busybox" ||
		! install -m 0755 "$top/tests/kernels/init" "$d/init"; then
		rm -rf "$d"
		return 1
	fi
	: >"$d/mods/order"
	while read -r line; do
		# "insmod /path/x.ko[.xz] [options]" or "builtin x".
		set -- $line
		[ "$1" = insmod ] || continue
		m=$2
		n=${m##*/}
		n=${n%.xz}
		n=${n%.zst}
		case $m in
		*.xz) xz -dc "$m" >"$d/mods/$n" ;;
		*.zst) zstd -qdc "$m" >"$d/mods/$n" ;;
		*) cp "$m" "$d/mods/$n" ;;
		esac || { rm -rf "$d"; return 1; }
		grep -qxF "$n" "$d/mods/order" || echo "$n" >>"$d/mods/order"
	done < <(modprobe -d "$kcache/$rel" -S "$rel" --show-depends \
		-a virtio_pci 9pnet_virtio 9p overlay 2>/dev/null)
	if ! grep -q '^9p\.ko$' "$d/mods/order" &&
		! grep -q '/9p\.ko' "$kcache/$rel/lib/modules/$rel/modules.builtin"; then
		kernel_error="no 9p module in $rel"
		rm -rf "$d"
		return 1
	fi
	(cd "$d" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
		>"$out"
	local rc=$?
	rm -rf "$d"
	return $rc
}
