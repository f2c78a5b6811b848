/* SPDX-License-Identifier: MIT */
/*
 * The helper thread that runs the subflow engine inside the program. It
 * works in a descriptor table of its own, so that nothing the program
 * does with any descriptor number can reach the helper's sockets, and
 * nothing the helper does can reach the program's (preload/DESIGN.md).
 */
#ifndef MPA_HELPER_H
#define MPA_HELPER_H

/*
 * mpa_helper_start() - start the helper thread, once per process (again in
 * a fork()ed child). Called from connect(): the one place where the hooks
 * allocate (pthread_create). Does nothing if it already runs or failed.
 */
void mpa_helper_start(void);

/* mpa_helper_after_fork() - in a fork()ed child: no helper runs there. */
void mpa_helper_after_fork(void);

#endif /* MPA_HELPER_H */
