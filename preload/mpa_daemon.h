/* SPDX-License-Identifier: MIT */
/*
 * The helper thread's daemon mode: each connection the connect() hook
 * queued is registered with mptcp-autod, which opens its subflows. The
 * registration travels with a copy of the program's socket (SCM_RIGHTS),
 * taken from the helper's own descriptor table (preload/DESIGN.md, "The
 * daemon mode"). Nothing here ever waits for the daemon.
 */
#ifndef MPA_DAEMON_H
#define MPA_DAEMON_H

#include <stdbool.h>

#include "eng_engine.h"
#include "mpa_mode.h"

/* Connection attempts to a daemon that is not there: at most this often. */
#define MPA_DAEMON_RETRY_MS 1000
/*
 * Connection attempts to a daemon that turned this process away (no
 * client slot left for it, or for its user): at most this often. A slot
 * is given back when some process of the user exits.
 */
#define MPA_DAEMON_TURNED_AWAY_MS 10000
/*
 * Registrations sent and not answered yet: past it, new ones are dropped.
 * Each holds a reference to a program socket while it waits in the
 * daemon's socket buffer, so a stopped daemon keeps at most this many
 * (fewer when the buffer fills first: sends fail then, and are dropped).
 */
#define MPA_DAEMON_INFLIGHT 256

/*
 * mpa_daemon_probe() - is mptcp-autod at @path? Connects a non-blocking
 * SOCK_SEQPACKET socket, in the calling thread's descriptor table:
 *   MPA_DAEMON_UP, *@sock connected; or *@sock -1 when the daemon's queue
 *     of new connections is full (it runs, stopped or busy: try later);
 *   MPA_DAEMON_NONE: no such socket, or nothing listens on it;
 *   MPA_DAEMON_UNREACHABLE: a socket we may not use (permissions).
 * *@err is the attempt's errno (0 when connected).
 */
enum mpa_daemon mpa_daemon_probe(const char *path, int *sock, int *err);

/*
 * mpa_daemon_run() - the helper's loop in daemon mode: registers every
 * connection queued in @e (eng_engine_submit()) with the daemon at the
 * shim's socket path over @sock (-1: connect when there is something to
 * register), taking each program socket with @pidfd (a pidfd of this
 * process). Takes each submission as soon as it is queued (woken by it
 * with @wake, else within ENG_TICK_MS). Returns when @e is stopped; @e is
 * disabled then and @sock closed.
 */
void mpa_daemon_run(struct eng_engine *e, int sock, int pidfd, bool wake);

#endif /* MPA_DAEMON_H */
