// SPDX-License-Identifier: MIT
/*
 * seccomp-filter: run a command under a seccomp filter on one system
 * call, as container runtimes and hardened services do.
 * Usage: seccomp-filter errno|kill|trap TARGET CMD [ARGS...]
 *   errno     the call fails with EPERM
 *   kill      the whole process is killed (SIGSYS)
 *   trap      SIGSYS is raised (kills a program without a handler)
 * TARGET:
 *   mptcp     socket(..., IPPROTO_MPTCP)
 *   netlink   socket(AF_NETLINK, ...)
 *   unix      socket(AF_UNIX, ...)
 *   signalfd  signalfd4(), any arguments
 *   tgkill    tgkill(), any arguments
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	unsigned int ret;
} actions[] = {
	{ "errno", SECCOMP_RET_ERRNO | EPERM },
	{ "kill", SECCOMP_RET_KILL_PROCESS },
	{ "trap", SECCOMP_RET_TRAP },
};

#define ANY_ARGS 6

static const struct {
	const char *name;
	unsigned int nr; /* the system call */
	unsigned int arg; /* which argument must match, or ANY_ARGS */
	unsigned int value;
} targets[] = {
	{ "mptcp", __NR_socket, 2, 262 },
	{ "netlink", __NR_socket, 0, AF_NETLINK },
	{ "unix", __NR_socket, 0, AF_UNIX },
	{ "signalfd", __NR_signalfd4, ANY_ARGS, 0 },
	{ "tgkill", __NR_tgkill, ANY_ARGS, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(int argc, char **argv)
{
	unsigned int a, t;

	for (a = 0; argc > 1 && a < N(actions); a++)
		if (!strcmp(argv[1], actions[a].name))
			break;
	for (t = 0; argc > 2 && t < N(targets); t++)
		if (!strcmp(argv[2], targets[t].name))
			break;
	if (argc < 4 || a == N(actions) || t == N(targets)) {
		fprintf(stderr, "usage: seccomp-filter errno|kill|trap "
				"mptcp|netlink|unix|signalfd|tgkill CMD "
				"[ARGS...]\n");
		return 2;
	}

	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, targets[t].nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args) +
				 (targets[t].arg % ANY_ARGS) * sizeof(__u64)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, targets[t].value, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, actions[a].ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { N(filter), filter };

	/* Any arguments: the call itself is refused, in place of loading
	 * the argument to compare. */
	if (targets[t].arg == ANY_ARGS)
		filter[5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							 actions[a].ret);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror("exec");
	return 127;
}
