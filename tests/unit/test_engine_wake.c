// SPDX-License-Identifier: MIT
/*
 * The engine queue's wake-up, on this kernel: a consumer thread with a
 * descriptor table of its own sleeps in poll() with no timeout (but a
 * safety one that fails the test), and a push from another thread wakes
 * it with a SIGURG read from its signalfd; the program's SIGURG handler
 * and disposition stay as they were, and none of its threads gets one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmn_syscall.h"
#include "eng_queue.h"

/* A poll that lasts this long means a lost wake-up. */
#define SAFETY_MS 10000

struct consumer {
	struct eng_queue q;
	int want; /* entries to take before ending */
	atomic_int fd; /* its signalfd's number, once open; -2 before */
	atomic_int taken;
	atomic_int timeouts; /* polls that ended without a wake-up */
	atomic_int wakes; /* polls that ended with one */
	atomic_int given_back; /* eng_queue_wake_read() said -EBUSY */
	atomic_int done;
	bool own_table;
	pthread_t th;
};

static atomic_int handled;

static void on_sigurg(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	struct mpa_conn_req req;
	int fd;

	/* As the shim's helper thread does. */
	if (c->own_table &&
	    syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_UNSHARE) < 0)
		return NULL;
	fd = eng_queue_wake_open(&c->q);
	atomic_store(&c->fd, fd);
	if (fd < 0)
		return NULL;
	while (atomic_load(&c->taken) < c->want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		while (eng_queue_pop(&c->q, &req, NULL))
			atomic_fetch_add(&c->taken, 1);
		if (atomic_load(&c->taken) >= c->want)
			break;
		if (!eng_queue_sleep(&c->q)) {
			eng_queue_awake(&c->q);
			continue;
		}
		if (poll(&pfd, 1, SAFETY_MS) == 0) {
			/* A lost wake-up: the test fails, without waiting
			 * for the next one. */
			atomic_fetch_add(&c->timeouts, 1);
			eng_queue_awake(&c->q);
			break;
		}
		eng_queue_awake(&c->q);
		if (pfd.revents & POLLIN) {
			atomic_fetch_add(&c->wakes, 1);
			if (eng_queue_wake_read(&c->q, fd) < 0) {
				atomic_store(&c->given_back, 1);
				fd = -1;
				break;
			}
		}
	}
	if (fd >= 0)
		eng_queue_wake_close(&c->q, fd);
	atomic_store(&c->done, 1);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (at most SAFETY_MS) until @flag is nonzero. */
static bool wait_for(atomic_int *flag)
{
	int i;

	for (i = 0; i < SAFETY_MS && !atomic_load(flag); i++)
		sleep_ms(1);
	return atomic_load(flag) != 0;
}

static void consumer_start(struct consumer *c, int want, bool own_table)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(eng_queue_init(&c->q, 64), 0);
	c->want = want;
	c->own_table = own_table;
	atomic_init(&c->fd, -2);
	assert_int_equal(pthread_create(&c->th, NULL, consumer_main, c), 0);
	while (atomic_load(&c->fd) == -2)
		sleep_ms(1);
	assert_true(atomic_load(&c->fd) >= 0);
}

static void consumer_join(struct consumer *c)
{
	pthread_join(c->th, NULL);
	/* Once it ended, nothing signals it: its thread id is free. */
	assert_int_equal(atomic_load(&c->q.tid), 0);
	eng_queue_fini(&c->q);
}

static struct mpa_conn_req a_req(uint32_t token)
{
	struct mpa_conn_req r = { .token = token };

	return r;
}

/* Its signalfd lives in its own table: the number means nothing here. */
static bool fd_is_signalfd_here(int fd)
{
	char path[64], target[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strstr(target, "signalfd") != NULL;
}

/*
 * @disposition for SIGURG in the program: a handler, or ignored. Either
 * way a push wakes the sleeping consumer at once, and no program thread
 * sees the signal.
 */
static void wake_with(void (*disposition)(int))
{
	struct sigaction sa = { .sa_handler = disposition }, before, after;
	struct mpa_conn_req r = a_req(1);
	struct consumer c;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGURG, &sa, &before), 0);
	atomic_store(&handled, 0);
	consumer_start(&c, 1, true);
	assert_false(fd_is_signalfd_here(atomic_load(&c.fd)));
	/* Asleep, with no timeout but the safety one. */
	assert_true(wait_for(&c.q.sleeping));
	sleep_ms(20);
	assert_int_equal(eng_queue_push(&c.q, &r), 1);
	assert_true(wait_for(&c.done));
	assert_int_equal(atomic_load(&c.timeouts), 0);
	assert_int_equal(atomic_load(&c.wakes), 1);
	assert_int_equal(atomic_load(&c.taken), 1);
	consumer_join(&c);
	assert_int_equal(atomic_load(&handled), 0);
	assert_int_equal(sigaction(SIGURG, NULL, &after), 0);
	assert_ptr_equal(after.sa_handler, disposition);
	assert_int_equal(sigaction(SIGURG, &before, NULL), 0);
}

static void test_push_wakes_program_handler_untouched(void **state)
{
	(void)state;
	wake_with(on_sigurg);
}

/* A blocked signal is never discarded as ignored. */
static void test_push_wakes_program_ignores_sigurg(void **state)
{
	(void)state;
	wake_with(SIG_IGN);
}

/*
 * Only a sleeping consumer is signalled, and only while it has a signalfd
 * (this thread plays the consumer).
 */
static void test_signal_only_when_asleep(void **state)
{
	struct pollfd pfd = { .events = POLLIN };
	struct mpa_conn_req r = a_req(2);
	struct eng_queue q;
	sigset_t mask;

	(void)state;
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &mask), 0);
	assert_int_equal(eng_queue_init(&q, 4), 0);
	pfd.fd = eng_queue_wake_open(&q);
	assert_true(pfd.fd >= 0);
	/* Awake: queued, no signal. */
	assert_int_equal(eng_queue_push(&q, &r), 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* Not empty: a consumer does not go to sleep. */
	assert_false(eng_queue_sleep(&q));
	assert_int_equal(atomic_load(&q.sleeping), 0);
	assert_true(eng_queue_pop(&q, &r, NULL));
	assert_int_equal(r.token, 2);
	/* Asleep: the push signals, the signalfd reads it, it is ours. */
	assert_true(eng_queue_sleep(&q));
	assert_int_equal(eng_queue_push(&q, &r), 1);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	eng_queue_awake(&q);
	assert_int_equal(eng_queue_wake_read(&q, pfd.fd), 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_true(eng_queue_pop(&q, &r, NULL));
	/* Without a signalfd (tid 0) nothing is sent, asleep or not. */
	eng_queue_wake_close(&q, pfd.fd);
	assert_true(eng_queue_sleep(&q));
	assert_int_equal(eng_queue_push(&q, &r), 0);
	eng_queue_awake(&q);
	assert_int_equal(eng_queue_push(&q, &r), 0);
	assert_int_equal(eng_queue_push(&q, &r), 0);
	assert_int_equal(eng_queue_push(&q, &r), 0);
	assert_int_equal(eng_queue_push(&q, &r), -ENOSPC);
	/* fork(): empty, and no consumer to signal. */
	atomic_store(&q.tid, 12345);
	eng_queue_reset(&q);
	assert_false(eng_queue_pop(&q, &r, NULL));
	assert_int_equal(atomic_load(&q.tid), 0);
	assert_int_equal(eng_queue_pushed(&q), 0);
	eng_queue_fini(&q);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &mask, NULL), 0);
}

/*
 * Thousands of wake-ups in a row, with pushes at every stage of the
 * consumer's cycle: each one taken without the safety timeout. (That no
 * push can slip between the consumer's last look at the ring and its
 * announced sleep is the fences' work, eng_queue.c; a window that narrow
 * is not reliably hit by a test.)
 */
static void test_no_lost_wakeup(void **state)
{
	enum { N = 2000 };
	struct consumer c;
	int i;

	(void)state;
	consumer_start(&c, N, true);
	for (i = 0; i < N; i++) {
		struct mpa_conn_req r = a_req((uint32_t)i);

		while (eng_queue_push(&c.q, &r) == -ENOSPC &&
		       !atomic_load(&c.done))
			sched_yield();
		/* Every other push waits until it was taken: then the
		 * next one finds the consumer on its way to sleep. */
		if (i % 2)
			while (atomic_load(&c.taken) <= i &&
			       !atomic_load(&c.done))
				sched_yield();
	}
	assert_true(wait_for(&c.done));
	assert_int_equal(atomic_load(&c.taken), N);
	assert_int_equal(atomic_load(&c.timeouts), 0);
	consumer_join(&c);
}

/*
 * A SIGURG for the whole process, while every program thread blocks it:
 * the consumer's signalfd takes it, gives it back to the process, and
 * stops watching for wake-ups so as not to take it again.
 */
static void test_process_sigurg_given_back(void **state)
{
	struct timespec zero = { 0, 0 };
	sigset_t urg, old, pending;
	struct consumer c;

	(void)state;
	sigemptyset(&urg);
	sigaddset(&urg, SIGURG);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &urg, &old), 0);
	consumer_start(&c, 1, true);
	assert_true(wait_for(&c.q.sleeping));
	assert_int_equal(kill(getpid(), SIGURG), 0);
	assert_true(wait_for(&c.done));
	assert_int_equal(atomic_load(&c.given_back), 1);
	assert_int_equal(atomic_load(&c.taken), 0);
	consumer_join(&c);
	/* The program's signal is pending for it again. */
	sigemptyset(&pending);
	assert_int_equal(sigpending(&pending), 0);
	assert_true(sigismember(&pending, SIGURG));
	assert_int_equal(sigtimedwait(&urg, NULL, &zero), SIGURG);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_wakes_program_handler_untouched),
		cmocka_unit_test(test_push_wakes_program_ignores_sigurg),
		cmocka_unit_test(test_signal_only_when_asleep),
		cmocka_unit_test(test_no_lost_wakeup),
		cmocka_unit_test(test_process_sigurg_given_back),
	};

	return cmocka_run_group_tests_name("engine-wake", tests, NULL, NULL);
}
