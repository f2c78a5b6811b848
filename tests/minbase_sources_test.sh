#!/bin/bash
# SPDX-License-Identifier: MIT
# The apt sources and mmdebstrap options of tests/minbase.sh's minimal
# Debian (tests/lib/apt_sources.py), on canned hosts: one-line and deb822
# sources, a mirror list on disk and one apt fetches, third-party sources
# signed by keys the tree has not got, a host with nothing the tree can
# use, and an apt proxy; then minbase.sh's build_tree with mmdebstrap,
# unshare, apt-config and curl stubbed, to see all of it reach mmdebstrap.
# Needs python3 only: no root, no network, no mmdebstrap. Prints "PASS: x"
# / "FAIL: x".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/require.sh"
require_cmd python3
py=$top/tests/lib/apt_sources.py

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# host NAME: an empty host under $tmp/NAME, its apt directory made.
host()
{
	mkdir -p "$tmp/$1/etc/apt/sources.list.d"
}

# sources NAME [ARGS]: the tree's sources for host NAME (bookworm) in
# $tmp/out, what was left out in $tmp/err.
sources()
{
	local h=$1
	shift
	python3 "$py" sources --suite bookworm --root "$tmp/$h" "$@" \
		>"$tmp/out" 2>"$tmp/err"
}

# same NAME EXPECTED GOT: PASS when GOT is EXPECTED, else both shown.
same()
{
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected:" "$2" "got:" "$3"
	fi
}

# has NAME ERE FILE: PASS when a line of FILE matches ERE.
has()
{
	if grep -Eq -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "no line matching $2 in:" "$(cat "$3")"
	fi
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# 1. One-line sources: deb lines of this release, options kept, the rest
# (deb-src, comments, another release) left out, the latter said.
host plain
cat >"$tmp/plain/etc/apt/sources.list" <<EOF
# the installer's
deb http://deb.debian.org/debian bookworm main contrib
deb-src http://deb.debian.org/debian bookworm main
deb [ arch=amd64 signed-by=$keyring ] http://deb.debian.org/debian-security bookworm-security main # security
	deb   http://deb.debian.org/debian   bookworm-updates   main
deb http://deb.debian.org/debian bullseye main
EOF
sources plain
same "one-line sources: this release's deb lines, options kept" \
	"deb http://deb.debian.org/debian bookworm main contrib
deb [signed-by=$keyring arch=amd64] http://deb.debian.org/debian-security bookworm-security main
deb http://deb.debian.org/debian bookworm-updates main" "$(cat "$tmp/out")"
has "one-line sources: another release left out, and said" \
	'sources.list:6: .* bullseye main: not a suite of bookworm' "$tmp/err"

# 2. deb822 sources: a stanza per URI and suite, comments inside a
# stanza, Enabled: no and deb-src stanzas left out; a source written in
# both formats given once.
host deb822
echo "deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main non-free-firmware" \
	>"$tmp/deb822/etc/apt/sources.list"
cat >"$tmp/deb822/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb deb-src
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main non-free-firmware
Signed-By: $keyring

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main

types: deb
uris: http://deb.debian.org/debian
suites: bookworm-backports
components: main
enabled: no

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-bookworm-security-automatic.gpg
EOF
sources deb822
same "deb822 sources: a line per suite, disabled, deb-src and twice left out" \
	"deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main non-free-firmware
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main non-free-firmware
deb [signed-by=/usr/share/keyrings/debian-archive-bookworm-security-automatic.gpg] http://deb.debian.org/debian-security bookworm-security main" \
	"$(cat "$tmp/out")"

# 3. mirror+file: the mirror apt tries first among those serving every
# file (http(s), no metadata but a priority), read through the host's
# root; a compressed list too.
host mirror
printf '%s\n' '# our mirrors' \
	'file:/srv/mirror/debian/	priority:1 type:index' \
	'http://partial.example/debian/	priority:2 arch:amd64 arch:all' \
	'http://deb-only.example/debian/	priority:2 type:deb' \
	'http://late.example/debian/' \
	'https://near.example/debian/	priority:5' \
	'http://far.example/debian/	priority:9' \
	>"$tmp/mirror/etc/apt/mirrors.txt"
printf 'ftp://old.example/\nhttp://gz.example/debian/\n' |
	gzip >"$tmp/mirror/etc/apt/more.txt.gz"
cat >"$tmp/mirror/etc/apt/sources.list" <<EOF
deb mirror+file:/etc/apt/mirrors.txt bookworm main
deb mirror+file:///etc/apt/more.txt.gz bookworm-updates main
EOF
sources mirror
same "mirror+file: the first mirror that serves every file" \
	"deb https://near.example/debian/ bookworm main
deb http://gz.example/debian/ bookworm-updates main" "$(cat "$tmp/out")"
has "mirror+file: the mirror chosen is said" \
	'https://near.example/debian/, the first mirror of mirror\+file:/etc/apt/mirrors.txt' \
	"$tmp/err"

# A list with no such mirror: the entry left out, with why.
printf 'http://partial.example/debian/\tarch:amd64\nfile:/srv/x/\n' \
	>"$tmp/mirror/etc/apt/mirrors.txt"
sources mirror
has "mirror+file: a list without a usable mirror is left out, and said" \
	'sources.list:1: mirror\+file:/etc/apt/mirrors.txt bookworm main: its mirror list /etc/apt/mirrors.txt has no http\(s\) mirror' \
	"$tmp/err"

# mirror:// lists: named for download, then read from --lists.
host netmirror
echo "deb mirror://mirrors.example/debian.txt bookworm main" \
	>"$tmp/netmirror/etc/apt/sources.list"
got=$(python3 "$py" mirror-lists --suite bookworm --root "$tmp/netmirror")
same "mirror://: its list named for download" \
	"http%3A%2F%2Fmirrors.example%2Fdebian.txt http://mirrors.example/debian.txt" \
	"$got"
mkdir "$tmp/lists"
echo "http://fetched.example/debian/" \
	>"$tmp/lists/http%3A%2F%2Fmirrors.example%2Fdebian.txt"
sources netmirror --lists "$tmp/lists"
same "mirror://: the downloaded list's mirror" \
	"deb http://fetched.example/debian/ bookworm main" "$(cat "$tmp/out")"

# 4. Third-party sources signed by keys outside debian-archive-keyring,
# one-line and deb822 (a keyring, an embedded key, the removed keys): left
# out, each said with its key; the Debian ones kept.
host third
cat >"$tmp/third/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-removed-keys.gpg] http://old.example/debian bookworm main
EOF
cat >"$tmp/third/etc/apt/sources.list.d/docker.sources" <<EOF
# Docker's, as its instructions write it
Types: deb
URIs: https://download.docker.com/linux/debian
Suites: bookworm
Components: stable
Signed-By: /etc/apt/keyrings/docker.asc

Types: deb
URIs: https://embedded.example/debian
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY
 -----END PGP PUBLIC KEY BLOCK-----
EOF
sources third
same "third-party keys: only the Debian source kept" \
	"deb http://deb.debian.org/debian bookworm main" "$(cat "$tmp/out")"
has "third-party keys: a one-line source's key named" \
	'sources.list:2: https://deb.nodesource.com/node_20.x bookworm main: signed by /usr/share/keyrings/nodesource.gpg, not a keyring of debian-archive-keyring' \
	"$tmp/err"
has "third-party keys: a deb822 source's key named" \
	'docker.sources:2: https://download.docker.com/linux/debian bookworm stable: signed by /etc/apt/keyrings/docker.asc' \
	"$tmp/err"
has "third-party keys: an embedded key left out" \
	'docker.sources:8: .*: signed by a key written in the entry' "$tmp/err"
has "third-party keys: the archive's removed keys left out" \
	'sources.list:3: .*: signed by /usr/share/keyrings/debian-archive-removed-keys.gpg' \
	"$tmp/err"

# 5. Nothing usable: deb.debian.org, with the Debian suites and components
# of this release the host names (not a third party's), said.
host nothing
cat >"$tmp/nothing/etc/apt/sources.list" <<EOF
deb [signed-by=/etc/apt/keyrings/corp.gpg] http://mirror.corp.example/debian bookworm main contrib non-free-firmware
deb [signed-by=/etc/apt/keyrings/corp.gpg] http://mirror.corp.example/debian bookworm-updates main
deb [signed-by=/etc/apt/keyrings/corp.gpg] http://mirror.corp.example/debian-security bookworm-security main
deb [signed-by=/etc/apt/keyrings/corp.gpg] http://mirror.corp.example/tools bookworm-tools stable
deb file:/srv/local bookworm main
EOF
sources nothing
same "nothing usable: deb.debian.org, the host's suites and components" \
	"deb http://deb.debian.org/debian bookworm main contrib non-free-firmware
deb http://deb.debian.org/debian bookworm-updates main contrib non-free-firmware
deb http://deb.debian.org/debian-security bookworm-security main contrib non-free-firmware" \
	"$(cat "$tmp/out")"
has "nothing usable: the fallback said" \
	'no usable Debian bookworm source on this host: the tree uses deb http://deb.debian.org/debian bookworm ' \
	"$tmp/err"
has "nothing usable: a file: source left out, and said" \
	'sources.list:5: file:/srv/local bookworm main: the tree.s apt fetches over http\(s\) only' \
	"$tmp/err"
host empty
sources empty
same "no sources at all: deb.debian.org bookworm main" \
	"deb http://deb.debian.org/debian bookworm main" "$(cat "$tmp/out")"

# 6. The host's apt proxy, as apt-config dump prints it: passed to
# mmdebstrap as --aptopt (per-host ones too), as apt reads them; the auto
# detection command (not in the tree) left out, and said; ca-certificates
# only for https sources.
cat >"$tmp/dump" <<'EOF'
Acquire::http "";
Acquire::http::Proxy "http://user:pw@proxy.example:3128/";
Acquire::http::Proxy::deb.debian.org "DIRECT";
Acquire::https::Proxy "http://proxy.example:3129/";
Acquire::http::Proxy-Auto-Detect "/usr/bin/auto-apt-proxy";
Acquire::ftp::Proxy "http://ftp-proxy.example/";
Acquire::https::Proxy::empty.example "";
Acquire::https::Proxy::inside.example "http://inside-proxy.example/";
EOF
echo "deb http://deb.debian.org/debian bookworm main" >"$tmp/plain.list"
python3 "$py" mmdebstrap-options --sources "$tmp/plain.list" \
	<"$tmp/dump" >"$tmp/opts" 2>"$tmp/err"
same "proxy: passed to mmdebstrap as --aptopt" \
	'--aptopt=Acquire::http::Proxy "http://user:pw@proxy.example:3128/"
--aptopt=Acquire::http::Proxy::deb.debian.org "DIRECT"
--aptopt=Acquire::https::Proxy "http://proxy.example:3129/"
--aptopt=Acquire::https::Proxy::inside.example "http://inside-proxy.example/"' \
	"$(cat "$tmp/opts")"
has "proxy: the auto-detection command left out, and said" \
	'Acquire::http::Proxy-Auto-Detect is not passed on' "$tmp/err"
# What mmdebstrap writes of them (each ended with ";") is what apt reads.
if command -v apt-config >/dev/null; then
	# Only this file: apt reads the host's apt.conf.d after APT_CONFIG,
	# and a host proxy there would replace these values.
	mkdir -p "$tmp/no-parts"
	{
		echo "Dir::Etc::Parts \"$tmp/no-parts\";"
		echo 'Dir::Etc::Main "/dev/null";'
		sed 's/^--aptopt=//; s/$/;/' "$tmp/opts"
	} >"$tmp/99mmdebstrap"
	got=$(APT_CONFIG=$tmp/99mmdebstrap apt-config dump 2>&1 |
		grep -i 'proxy')
	same "proxy: apt reads the options as the host's" \
		"$(grep '::Proxy\(::[^ ]*\)\? "[^"]' "$tmp/dump" |
			grep -v ftp)" "$got"
else
	no_tool "proxy: apt reads the options as the host's" apt-config
fi
got=$(python3 "$py" proxy-env <"$tmp/dump" 2>&1)
same "proxy: the general proxies as http_proxy and https_proxy" \
	"http_proxy=http://user:pw@proxy.example:3128/
https_proxy=http://proxy.example:3129/" "$got"
got=$(printf '%s\n' 'Acquire::http::Proxy "http://proxy.example/";' \
	'Acquire::https::Proxy "DIRECT";' | python3 "$py" proxy-env 2>&1)
same "proxy: DIRECT is no https_proxy" \
	"http_proxy=http://proxy.example/" "$got"
echo "deb https://deb.debian.org/debian bookworm main" >"$tmp/https.list"
got=$(python3 "$py" mmdebstrap-options --sources "$tmp/https.list" \
	</dev/null)
same "https source: ca-certificates in the tree" \
	"--include=ca-certificates" "$got"
got=$(python3 "$py" mmdebstrap-options --sources "$tmp/plain.list" \
	</dev/null 2>&1)
same "plain sources and no proxy: no option" "" "$got"

# 7. minbase.sh's build_tree on the canned host with a mirror:// list and
# the proxy above: the list downloaded through the proxy, and mmdebstrap
# given the resolved sources and the proxy options.
mkdir "$tmp/wire"
# curl URL (run by env, so a program): the canned list, and the proxy
# it was given; never the network.
mkdir "$tmp/wire/bin"
cat >"$tmp/wire/bin/curl" <<EOF
#!/bin/bash
echo "\${http_proxy:-none}" >"$tmp/wire/curl-proxy"
while [ \$# -gt 1 ]; do
	[ "\$1" = -o ] && o=\$2
	shift
done
[ "\$1" = http://mirrors.example/debian.txt ] &&
	echo "http://fetched.example/debian/" >"\$o"
EOF
chmod +x "$tmp/wire/bin/curl"
# apt_sources.py, reading the canned host.
cat >"$tmp/wire/apt_sources" <<EOF
import runpy, sys
if sys.argv[1] in ("sources", "mirror-lists"):
    sys.argv[2:2] = ["--root", "$tmp/netmirror"]
runpy.run_path("$py", run_name="__main__")
EOF
if fn=$(sed -n '/^build_tree()$/,/^}$/p' "$top/tests/minbase.sh") &&
	[ -n "$fn" ]; then
	got=$(
		eval "$fn"
		tmp=$tmp/wire
		root=$tmp/root suite=bookworm
		PATH=$tmp/bin:$PATH
		apt_sources=$tmp/apt_sources
		apt-config() { cat "$tmp/../dump"; }
		unshare() {
			while [ "$1" != -- ]; do shift; done
			shift
			"$@"
		}
		mmdebstrap() { printf '%s\n' "$@" >"$tmp/args"; }
		build_tree >"$tmp/log" 2>&1 || echo "build_tree failed"
	)
	same "build_tree: the mirror list fetched through the apt proxy" \
		"http://user:pw@proxy.example:3128/" \
		"$(cat "$tmp/wire/curl-proxy" 2>&1)"
	same "build_tree: ran through" "" "$got"
	same "build_tree: mmdebstrap given the proxy and the tree's sources" \
		"--aptopt=Acquire::http::Proxy \"http://user:pw@proxy.example:3128/\"
--aptopt=Acquire::http::Proxy::deb.debian.org \"DIRECT\"
--aptopt=Acquire::https::Proxy \"http://proxy.example:3129/\"
--aptopt=Acquire::https::Proxy::inside.example \"http://inside-proxy.example/\"
bookworm
$tmp/wire/root
$tmp/wire/sources.list" "$(tail -7 "$tmp/wire/args" 2>&1)"
	same "build_tree: the sources file mmdebstrap reads" \
		"deb http://fetched.example/debian/ bookworm main" \
		"$(cat "$tmp/wire/sources.list" 2>&1)"
	has "build_tree: the proxy shown without its password" \
		'^mmdebstrap --aptopt=Acquire::http::Proxy "http://\.\.\.@proxy' \
		"$tmp/wire/log"
else
	fail "build_tree: found in tests/minbase.sh" "no build_tree() there"
fi
exit $failed
