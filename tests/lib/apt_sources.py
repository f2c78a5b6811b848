# SPDX-License-Identifier: MIT
# The apt sources and mmdebstrap options of the minimal Debian that
# tests/minbase.sh builds, decided from the host's apt configuration. The
# tree gets only what its own apt can use: plain http(s) mirrors of the
# Debian archive, verified by debian-archive-keyring, and the host's proxy.
# Reads files and standard input, writes standard output; what it leaves
# out, and why, goes to standard error. Tested on canned hosts by
# tests/minbase_sources_test.sh.
#
#   apt_sources.py sources --suite S [--root DIR] [--lists DIR]
#       one "deb ..." line per source for the tree, from the host's
#       DIR/etc/apt/sources.list and sources.list.d/*.list and *.sources
#       (DIR is / by default); mirror lists that apt fetches over the
#       network are read from --lists, where minbase.sh downloaded them
#   apt_sources.py mirror-lists --suite S [--root DIR]
#       "NAME URL" per mirror list to download into --lists as NAME
#   apt_sources.py mmdebstrap-options --sources FILE < apt-config-dump
#       mmdebstrap's extra arguments, one a line: the host's proxies as
#       --aptopt (mmdebstrap's apt reads only the tree's configuration,
#       where --aptopt also stays), and ca-certificates if FILE has https
#   apt_sources.py proxy-env < apt-config-dump
#       "http_proxy=URL" / "https_proxy=URL" for other downloads
import argparse
import bz2
import glob
import gzip
import lzma
import os
import re
import sys
import urllib.parse

DEBIAN = "http://deb.debian.org/debian"
DEBIAN_SECURITY = "http://deb.debian.org/debian-security"
# Debian's own suites and components, in the order Debian lists them: the
# fallback asks deb.debian.org only for these, so that a third party's
# suite or component, which it has not got, fails no download.
DEBIAN_SUITES = ("", "-updates", "-backports", "-proposed-updates",
                 "-security")
DEBIAN_COMPONENTS = ("main", "contrib", "non-free", "non-free-firmware")
# The keyrings of debian-archive-keyring, which the tree has (apt depends
# on it). The removed keys sign nothing the archive serves today.
KEYRING = re.compile(r"^/usr/share/keyrings/debian-archive-[^/]+$")
NOT_KEYRING = "/usr/share/keyrings/debian-archive-removed-keys.gpg"
# A mirror list entry with metadata other than its priority serves only
# some files (an architecture, a type): it cannot be the tree's only one.
MIRROR_KEYS = ("priority",)
PROXY = re.compile(r'^(Acquire::(https?)::Proxy(::[^ "]+)?) "([^"]*)";$',
                   re.IGNORECASE)
AUTO_DETECT = re.compile(r"^Acquire::https?::Proxy-?Auto-?Detect ",
                         re.IGNORECASE)


def note(msg):
    print("apt sources: " + msg, file=sys.stderr)


class Entry:
    """One host source: a URI and one suite, where it was written."""

    def __init__(self, where, uri, suite, comps, signed_by, options):
        self.where = where
        self.uri = uri
        self.suite = suite
        self.comps = comps
        # None: no Signed-By; else a list of paths, fingerprints or one
        # embedded key block.
        self.signed_by = signed_by
        # One-line options other than signed-by, kept as written.
        self.options = options

    def show(self):
        return "%s: %s %s %s" % (self.where, self.uri, self.suite,
                                 " ".join(self.comps))


def parse_list(path, text):
    """The deb entries of a one-line-style file."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        words = line.split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        opts = []
        if words and words[0].startswith("["):
            # "[ a=b c=d ]", "[a=b]": up to the word that ends in "]".
            while words:
                w = words.pop(0)
                opts.append(w)
                if w.endswith("]"):
                    break
            opts = " ".join(opts).strip("[] ").split()
        if len(words) < 2:
            continue
        signed_by = None
        rest = []
        for o in opts:
            k, _, v = o.partition("=")
            if k.lower() == "signed-by":
                signed_by = [x for x in v.split(",") if x]
            else:
                rest.append(o)
        out.append(Entry("%s:%d" % (path, n), words[0], words[1], words[2:],
                         signed_by, rest))
    return out


def parse_deb822(path, text):
    """The deb entries of a deb822-style file, one per URI and suite."""
    out = []
    stanzas = []
    fields, start, key = {}, 0, None
    for n, line in enumerate(text.splitlines() + [""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                stanzas.append((start, fields))
            fields, key = {}, None
            continue
        if line[0] in " \t":
            # A folded value (an embedded key block, a long list).
            if key:
                fields[key] += "\n" + line.strip()
            continue
        if not fields:
            start = n
        key, _, value = line.partition(":")
        key = key.strip().lower()
        fields[key] = value.strip()
    for start, f in stanzas:
        if "deb" not in f.get("types", "").split():
            continue
        if f.get("enabled", "yes").lower() == "no":
            continue
        signed_by = None
        if "signed-by" in f:
            v = f["signed-by"]
            signed_by = [v] if "BEGIN PGP" in v else v.split()
        for uri in f.get("uris", "").split():
            for suite in f.get("suites", "").split():
                out.append(Entry("%s:%d" % (path, start), uri, suite,
                                 f.get("components", "").split(),
                                 signed_by, []))
    return out


def host_entries(root):
    """Every deb entry of the host's apt sources, in apt's file order."""
    etc = os.path.join(root, "etc/apt")
    files = [os.path.join(etc, "sources.list")]
    files += sorted(glob.glob(os.path.join(etc, "sources.list.d/*.list")))
    files += sorted(glob.glob(os.path.join(etc, "sources.list.d/*.sources")))
    out = []
    for p in files:
        try:
            with open(p, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        shown = "/" + os.path.relpath(p, root)
        parse = parse_deb822 if p.endswith(".sources") else parse_list
        out += parse(shown, text)
    return out


def of_release(suite, release):
    return suite == release or suite.startswith(release + "-")


def mirror_list_url(uri):
    """The network address of a mirror list apt fetches, or None."""
    if uri.startswith("mirror://"):
        return "http://" + uri[len("mirror://"):]
    if uri.startswith(("mirror+http://", "mirror+https://")):
        return uri[len("mirror+"):]
    return None


def list_name(url):
    return urllib.parse.quote(url, safe="")


def decompress(name, data):
    """The text of a mirror list; apt picks the format by the name."""
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith((".xz", ".lzma")):
        data = lzma.decompress(data)
    elif name.endswith(".bz2"):
        data = bz2.decompress(data)
    elif re.search(r"\.(zst|lz4)$", name):
        raise ValueError("a compression this script does not read")
    return data.decode("utf-8", errors="replace")


def pick_mirror(text):
    """The mirror apt tries first among those serving every file: http(s)
    and no metadata but a priority (lowest first, then file order)."""
    best = None
    for n, line in enumerate(text.splitlines()):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        uri, meta = words[0], words[1:]
        if not uri.startswith(("http://", "https://")):
            continue
        prio = float("inf")
        ok = True
        for m in meta:
            k, _, v = m.partition(":")
            if k not in MIRROR_KEYS:
                ok = False
            elif v.isdigit():
                prio = int(v)
        if ok and (best is None or prio < best[0]):
            best = (prio, uri)
    return best[1] if best else None


def resolve_mirror(uri, root, lists):
    """(URI, None) for a plain URI or a mirror list's pick, (None, why)."""
    if uri.startswith(("mirror+file:", "mirror+copy:")):
        shown = uri.split(":", 1)[1]
        path = os.path.join(root, shown.lstrip("/"))
    elif mirror_list_url(uri):
        shown = mirror_list_url(uri)
        path = os.path.join(lists, list_name(shown)) if lists else None
        if not path or not os.path.exists(path):
            return None, "its mirror list %s was not downloaded" % shown
    elif uri.startswith("mirror"):
        return None, "a mirror list apt reads through another method"
    else:
        return uri, None
    try:
        with open(path, "rb") as fh:
            text = decompress(shown, fh.read())
    except (OSError, ValueError, EOFError, lzma.LZMAError) as e:
        return None, "its mirror list %s cannot be read (%s)" % (shown, e)
    pick = pick_mirror(text)
    if not pick:
        return None, ("its mirror list %s has no http(s) mirror that serves"
                      " every file" % shown)
    return pick, None


def foreign_key(signed_by):
    """Why the tree's apt cannot verify with SIGNED_BY, or None. Without
    Signed-By, apt verifies with its trusted keyrings, in the tree those of
    debian-archive-keyring: a third party's entry whose key the host put
    there is not told apart here (its Release file would tell)."""
    if signed_by is None:
        return None
    for k in signed_by:
        if "BEGIN PGP" in k:
            return "signed by a key written in the entry"
        if not KEYRING.match(k) or k == NOT_KEYRING:
            return "signed by %s, not a keyring of debian-archive-keyring" % k
    return None


def fallback(entries, release):
    """deb.debian.org for RELEASE: the Debian suites and components of it
    that the host names (dropped entries included), main at least."""
    suites = {e.suite for e in entries}
    comps = {c for e in entries for c in e.comps}
    comps.add("main")
    comps = " ".join(c for c in DEBIAN_COMPONENTS if c in comps)
    out = []
    for tail in DEBIAN_SUITES:
        s = release + tail
        if tail and s not in suites:
            continue
        uri = DEBIAN_SECURITY if tail == "-security" else DEBIAN
        out.append("deb %s %s %s" % (uri, s, comps))
    return out


def tree_sources(entries, release, root="/", lists=None):
    """The tree's sources.list lines; notes on standard error."""
    out = []
    mine = []
    for e in entries:
        if not of_release(e.suite, release):
            note("left out %s: not a suite of %s" % (e.show(), release))
            continue
        mine.append(e)
        why = foreign_key(e.signed_by)
        if why:
            note("left out %s: %s, which the tree cannot verify"
                 % (e.show(), why))
            continue
        uri, why = resolve_mirror(e.uri, root, lists)
        if why:
            note("left out %s: %s" % (e.show(), why))
            continue
        if uri != e.uri:
            note("%s: %s, the first mirror of %s" % (e.where, uri, e.uri))
        if not uri.startswith(("http://", "https://")):
            note("left out %s: the tree's apt fetches over http(s) only"
                 % e.show())
            continue
        opts = list(e.options)
        if e.signed_by:
            opts.insert(0, "signed-by=" + ",".join(e.signed_by))
        line = " ".join(["deb"] + (["[%s]" % " ".join(opts)] if opts else [])
                        + [uri, e.suite] + e.comps)
        if line not in out:
            out.append(line)
    if not out:
        out = fallback(mine, release)
        note("no usable Debian %s source on this host: the tree uses %s"
             % (release, "; ".join(out)))
    return out


def proxies(dump):
    """The proxy settings of an apt-config dump: (key, scheme, host,
    value), host "" for the general ones."""
    out = []
    for line in dump.splitlines():
        m = PROXY.match(line.strip())
        if m and m.group(4):
            out.append((m.group(1), m.group(2).lower(),
                        (m.group(3) or "")[2:], m.group(4)))
    return out


def mmdebstrap_options(sources, dump):
    """mmdebstrap's extra arguments for SOURCES lines and a config dump."""
    out = ['--aptopt=%s "%s"' % (k, v) for k, _, _, v in proxies(dump)]
    for line in dump.splitlines():
        if AUTO_DETECT.match(line.strip()):
            note("%s is not passed on: the tree has not got its command"
                 % line.split()[0])
    # mmdebstrap's own apt needs none, but the tree's (make deps inside)
    # verifies https servers with the certificates of ca-certificates.
    if any(" https://" in s for s in sources):
        out.append("--include=ca-certificates")
    return out


def proxy_env(dump):
    """The general proxies as environment variables; a host's own proxy
    (Proxy::HOST) has no variable, and DIRECT is no proxy."""
    return ["%s_proxy=%s" % (scheme, v)
            for _, scheme, host, v in proxies(dump)
            if not host and v.upper() != "DIRECT"]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("sources", "mirror-lists"):
        p = sub.add_parser(name)
        p.add_argument("--suite", required=True)
        p.add_argument("--root", default="/")
        p.add_argument("--lists")
    p = sub.add_parser("mmdebstrap-options")
    p.add_argument("--sources", required=True)
    sub.add_parser("proxy-env")
    a = ap.parse_args()
    if a.cmd == "sources":
        lines = tree_sources(host_entries(a.root), a.suite, a.root, a.lists)
    elif a.cmd == "mirror-lists":
        urls = []
        for e in host_entries(a.root):
            u = mirror_list_url(e.uri)
            if u and of_release(e.suite, a.suite) and u not in urls:
                urls.append(u)
        lines = ["%s %s" % (list_name(u), u) for u in urls]
    elif a.cmd == "mmdebstrap-options":
        with open(a.sources, encoding="utf-8") as fh:
            src = fh.read().splitlines()
        lines = mmdebstrap_options(src, sys.stdin.read())
    else:
        lines = proxy_env(sys.stdin.read())
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
