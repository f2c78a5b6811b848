# SPDX-License-Identifier: MIT
# What the running kernel offers of the MPTCP interfaces mptcp-auto uses,
# asked of the kernel itself, not of a version number: one "key value" line
# each, for the kernel matrix's table (tests/kernels/table.sh). Run in a
# network namespace of its own (tests/kernels/guest.sh); it brings that
# namespace's loopback up and makes one MPTCP connection over it. The
# constants are those of docs/kernel-facts.md §1.
import ctypes
import errno
import os
import socket
import struct
import subprocess

IPPROTO_MPTCP = 262
SOL_MPTCP = 284
MPTCP_INFO = 1
MPTCP_FULL_INFO = 4
TCP_IS_MPTCP = 43
NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_MCAST_GRP_NAME = 1
PM_CMDS = {1: "ADD_ADDR", 2: "DEL_ADDR", 3: "GET_ADDR", 4: "FLUSH_ADDRS",
           5: "SET_LIMITS", 6: "GET_LIMITS", 7: "SET_FLAGS", 8: "ANNOUNCE",
           9: "REMOVE", 10: "SUBFLOW_CREATE", 11: "SUBFLOW_DESTROY"}


def say(key, value):
    print(key, value, flush=True)


def errname(n):
    # 95 has two names; the kernel's sources and our docs say EOPNOTSUPP.
    if n == errno.EOPNOTSUPP:
        return "EOPNOTSUPP"
    return errno.errorcode.get(n, str(n))


def err(e):
    return errname(e.errno)


def sysctl(name):
    try:
        with open("/proc/sys/net/mptcp/" + name) as f:
            return f.read().strip().replace("\t", " ") or "(empty)"
    except OSError:
        return "absent"


def attrs(buf):
    """The netlink attributes in buf, as (type, payload) pairs."""
    off = 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("HH", buf, off)
        if alen < 4:
            break
        yield atype & 0x3FFF, buf[off + 4:off + alen]
        off += (alen + 3) & ~3


def pm_family():
    """The mptcp_pm family's commands and multicast groups, or None."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    name = b"mptcp_pm\0"
    attr = struct.pack("HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
    attr += b"\0" * (-len(attr) % 4)
    body = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr
    s.send(struct.pack("IHHII", 16 + len(body), GENL_ID_CTRL, 1, 1, 0) +
           body)
    msg = s.recv(65536)
    s.close()
    mlen, mtype = struct.unpack_from("IH", msg, 0)
    if mtype != GENL_ID_CTRL:
        return None
    ops, groups = [], []
    for atype, payload in attrs(msg[20:mlen]):
        if atype == CTRL_ATTR_OPS:
            for _, op in attrs(payload):
                for t, v in attrs(op):
                    if t == CTRL_ATTR_OP_ID:
                        ops.append(struct.unpack("I", v[:4])[0])
        elif atype == CTRL_ATTR_MCAST_GROUPS:
            for _, grp in attrs(payload):
                for t, v in attrs(grp):
                    if t == CTRL_ATTR_MCAST_GRP_NAME:
                        groups.append(v.rstrip(b"\0").decode())
    return sorted(ops), groups


def full_info(fd):
    """MPTCP_FULL_INFO with no arrays asked for: the header and mptcp_info
    (a zeroed request, as the kernel wants its size fields zero)."""
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(40 + 256)
    optlen = ctypes.c_uint32(len(buf))
    if libc.getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, buf,
                       ctypes.byref(optlen)) != 0:
        e = ctypes.get_errno()
        return "no (%s)" % errname(e)
    nsub = struct.unpack_from("I", buf.raw, 16)[0]
    return "yes (%d bytes, %d subflow)" % (optlen.value, nsub)


def main():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    say("enabled", sysctl("enabled"))
    say("pm_type", sysctl("pm_type"))
    say("path_manager", sysctl("path_manager"))
    say("available_path_managers", sysctl("available_path_managers"))

    fam = pm_family()
    if fam is None:
        say("pm_family", "absent")
    else:
        ops, groups = fam
        say("pm_family", "yes")
        say("pm_cmds", " ".join(PM_CMDS.get(o, str(o)) for o in ops))
        missing = [PM_CMDS[c] for c in sorted(PM_CMDS) if c not in ops]
        say("pm_cmds_missing", " ".join(missing) or "none")
        say("pm_groups", " ".join(groups) or "none")

    try:
        lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    except OSError as e:
        say("mptcp_socket", "no (%s)" % err(e))
        return
    say("mptcp_socket", "yes")
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(1)
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    cli.connect(lsn.getsockname())
    srv, _ = lsn.accept()
    # One exchange, so that the connection is fully established.
    cli.sendall(b"x")
    srv.recv(1)
    srv.sendall(b"y")
    cli.recv(1)
    try:
        say("mptcp_info_size", len(cli.getsockopt(SOL_MPTCP, MPTCP_INFO,
                                                  256)))
    except OSError as e:
        say("mptcp_info_size", "no (%s)" % err(e))
    say("full_info", full_info(cli.fileno()))
    try:
        v = cli.getsockopt(socket.SOL_TCP, TCP_IS_MPTCP)
        say("tcp_is_mptcp", "yes (%d)" % v)
    except OSError as e:
        say("tcp_is_mptcp", "no (%s)" % err(e))
    for s in (cli, srv, lsn):
        s.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a probe that breaks is a fact too
        say("probe_error", repr(e))
    os._exit(0)
