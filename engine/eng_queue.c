// SPDX-License-Identifier: MIT
/*
 * The engine's in-tray: a lock-free ring for connections, and the SIGURG
 * that wakes its consumer from poll() (eng_queue.h says why a signal).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmn_compat.h" /* pthread_sigmask */
#include "eng_queue.h"

#define ENG_WAKE_SIGNAL SIGURG

/*
 * A cell's sequence number is kept less the cell's index (cell_seq()):
 * the ring's first state, cell i at sequence i, is then all zeros, which
 * calloc() gives without writing. The cells' pages stay unwritten (the
 * kernel's shared zero page, no memory of the program's) until pushes
 * reach them: a program that makes ten connections owns one page of
 * the ring, not all of it (docs/benchmarks.md, section 11).
 */
struct eng_cell {
	atomic_uint seq;
	struct mpa_conn_req req;
};

/* The sequence number of the cell at @idx, with @order. */
static unsigned int cell_seq(const struct eng_queue *q, unsigned int idx,
			     memory_order order)
{
	return atomic_load_explicit(&q->cells[idx].seq, order) + idx;
}

static void cell_set_seq(struct eng_queue *q, unsigned int idx,
			 unsigned int seq, memory_order order)
{
	atomic_store_explicit(&q->cells[idx].seq, seq - idx, order);
}

static void queue_counters_init(struct eng_queue *q)
{
	atomic_init(&q->enq, 0);
	q->deq = 0;
	atomic_init(&q->lapped, false);
	atomic_init(&q->sleeping, 0);
	atomic_init(&q->tid, 0);
	atomic_init(&q->senders, 0);
}

int eng_queue_init(struct eng_queue *q, unsigned int slots)
{
	if (!slots || (slots & (slots - 1)))
		return -EINVAL;
	/* Zeros: every cell at its first state (cell_seq()), unwritten. */
	q->cells = calloc(slots, sizeof(*q->cells));
	if (!q->cells)
		return -ENOMEM;
	q->mask = slots - 1;
	queue_counters_init(q);
	q->tgid = 0;
	return 0;
}

void eng_queue_fini(struct eng_queue *q)
{
	free(q->cells);
	q->cells = NULL;
}

/*
 * SIGURG to the consumer, if it has a signalfd. `senders` covers the
 * moment between reading its thread id and tgkill(): the consumer waits
 * for it to drop to 0 before its thread may end, so the id cannot belong
 * to another thread by the time the signal is sent.
 */
static int queue_signal(struct eng_queue *q)
{
	int saved = errno, tid, sent = 0;

	atomic_fetch_add(&q->senders, 1);
	tid = atomic_load(&q->tid);
	if (tid)
		sent = syscall(SYS_tgkill, q->tgid, tid, ENG_WAKE_SIGNAL) == 0;
	atomic_fetch_sub(&q->senders, 1);
	errno = saved;
	return sent;
}

int eng_queue_push(struct eng_queue *q, const struct mpa_conn_req *req)
{
	unsigned int pos = atomic_load_explicit(&q->enq, memory_order_relaxed);
	struct eng_cell *cell;

	for (;;) {
		int diff;

		cell = &q->cells[pos & q->mask];
		diff = (int)(cell_seq(q, pos & q->mask, memory_order_acquire) -
			     pos);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &q->enq, &pos, pos + 1,
				    memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			return -ENOSPC;
		} else {
			pos = atomic_load_explicit(&q->enq,
						   memory_order_relaxed);
		}
	}
	cell->req = *req;
	cell_set_seq(q, pos & q->mask, pos + 1, memory_order_release);
	/*
	 * Pairs with the fence in eng_queue_sleep(): either the consumer's
	 * last look at the ring sees this entry, or we see it asleep.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&q->sleeping, memory_order_relaxed))
		return 0;
	return queue_signal(q);
}

static bool queue_empty(const struct eng_queue *q)
{
	unsigned int seq = cell_seq(q, q->deq & q->mask, memory_order_acquire);

	return (int)(seq - (q->deq + 1)) < 0;
}

bool eng_queue_pop(struct eng_queue *q, struct mpa_conn_req *out,
		   unsigned int *pos)
{
	struct eng_cell *cell = &q->cells[q->deq & q->mask];

	if (queue_empty(q))
		return false;
	*out = cell->req;
	if (pos)
		*pos = q->deq;
	cell_set_seq(q, q->deq & q->mask, q->deq + q->mask + 1,
		     memory_order_release);
	q->deq++;
	if (q->deq == q->mask + 1)
		atomic_store_explicit(&q->lapped, true, memory_order_relaxed);
	return true;
}

unsigned int eng_queue_pushed(struct eng_queue *q)
{
	return atomic_load(&q->enq);
}

bool eng_queue_pending(struct eng_queue *q)
{
	return atomic_load(&q->enq) != q->deq;
}

void eng_queue_wake(struct eng_queue *q)
{
	/* The caller's store (a stop flag) before our look at `sleeping`. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&q->sleeping, memory_order_relaxed))
		queue_signal(q);
}

int eng_queue_wake_open(struct eng_queue *q)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, ENG_WAKE_SIGNAL);
	/* Blocked, the signal waits for the signalfd: no handler runs. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	q->tgid = getpid();
	atomic_store(&q->tid, (int)syscall(SYS_gettid));
	return fd;
}

void eng_queue_wake_close(struct eng_queue *q, int fd)
{
	atomic_store(&q->tid, 0);
	/* A pusher that read our id before it was cleared: let it finish. */
	while (atomic_load(&q->senders))
		sched_yield();
	if (fd >= 0)
		close(fd);
}

bool eng_queue_sleep(struct eng_queue *q)
{
	atomic_store_explicit(&q->sleeping, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (queue_empty(q))
		return true;
	atomic_store(&q->sleeping, 0);
	return false;
}

void eng_queue_awake(struct eng_queue *q)
{
	atomic_store(&q->sleeping, 0);
}

int eng_queue_wake_read(struct eng_queue *q, int fd)
{
	struct signalfd_siginfo si;
	bool foreign = false;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_code != SI_TKILL || (pid_t)si.ssi_pid != q->tgid)
			foreign = true;
	if (!foreign)
		return 0;
	/*
	 * A SIGURG sent to the whole process (out-of-band data on a socket
	 * the program owns, kill -URG): a signalfd also takes those, from
	 * the process's queue, when it gets there before a program thread.
	 * It is the program's: stop watching for wake-ups, so that it cannot
	 * be taken again, and send it back to the process.
	 */
	eng_queue_wake_close(q, fd);
	kill(q->tgid, ENG_WAKE_SIGNAL);
	return -EBUSY;
}

void eng_queue_reset(struct eng_queue *q)
{
	unsigned int i, enq = atomic_load(&q->enq), n = q->mask + 1;

	/*
	 * Every cell back at its first state, 0, rewriting only those that
	 * pushes have written: writing all of them would copy the whole
	 * ring into each fork()ed child. Until the consumer has gone round
	 * once, pushes are at most one ring ahead of it, so enq has not
	 * wrapped and they have reached the cells below it alone.
	 */
	if (!atomic_load_explicit(&q->lapped, memory_order_relaxed) && enq < n)
		n = enq;
	for (i = 0; i < n; i++)
		if (atomic_load_explicit(&q->cells[i].seq,
					 memory_order_relaxed))
			atomic_store_explicit(&q->cells[i].seq, 0,
					      memory_order_relaxed);
	queue_counters_init(q);
}
