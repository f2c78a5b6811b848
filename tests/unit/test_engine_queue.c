// SPDX-License-Identifier: MIT
/*
 * The engine queue's memory: its ring is not written until pushes reach
 * it (a program owns only what its connections used), and a reset after
 * fork() puts back exactly the cells that were written, after a lap too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eng_queue.h"

/* A push that loops on a ring left in a bad state ends the test. */
#define HANG_S 10

static struct mpa_conn_req a_req(uint32_t token)
{
	struct mpa_conn_req r;

	memset(&r, 0, sizeof(r));
	r.token = token;
	r.fd = -1;
	return r;
}

/* Pages of the ring that are mapped (written, or read from zero). */
static size_t ring_pages(const struct eng_queue *q, size_t *total)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i, n = 0;
	uintptr_t lo = (uintptr_t)q->cells & ~(page - 1);
	uintptr_t hi = (uintptr_t)q->cells + malloc_usable_size(q->cells);
	unsigned char vec[1024];

	*total = (hi - lo + page - 1) / page;
	assert_true(*total <= sizeof(vec));
	assert_int_equal(mincore((void *)lo, hi - lo, vec), 0);
	for (i = 0; i < *total; i++)
		n += vec[i] & 1;
	return n;
}

/*
 * The shim's engine queue has 4096 entries (about 1.1 MiB): none of its
 * pages is the program's until a push reaches it; ten connections own
 * one page.
 */
static void test_ring_unwritten_until_used(void **state)
{
	struct mpa_conn_req r = a_req(1);
	struct eng_queue q;
	size_t total, before;
	int i;

	(void)state;
	assert_int_equal(eng_queue_init(&q, 4096), 0);
	before = ring_pages(&q, &total);
	assert_true(total > 200);
	/* The allocator's own header may share the first page. */
	assert_true(before <= 1);
	for (i = 0; i < 10; i++) {
		assert_int_equal(eng_queue_push(&q, &r), 0);
		assert_true(eng_queue_pop(&q, &r, NULL));
	}
	assert_true(ring_pages(&q, &total) <= 2);
	eng_queue_fini(&q);
}

/* @q takes exactly its @slots entries again, and gives them in order. */
static void assert_fresh(struct eng_queue *q, unsigned int slots)
{
	struct mpa_conn_req r;
	unsigned int i;

	assert_false(eng_queue_pop(q, &r, NULL));
	for (i = 0; i < slots; i++) {
		r = a_req(100 + i);
		assert_int_equal(eng_queue_push(q, &r), 0);
	}
	assert_int_equal(eng_queue_push(q, &r), -ENOSPC);
	for (i = 0; i < slots; i++) {
		assert_true(eng_queue_pop(q, &r, NULL));
		assert_int_equal(r.token, 100 + i);
	}
	assert_false(eng_queue_pop(q, &r, NULL));
}

/* Reset within the first lap: the cells pushes wrote are put back. */
static void test_reset_puts_back_written_cells(void **state)
{
	struct mpa_conn_req r = a_req(1);
	struct eng_queue q;
	int i;

	(void)state;
	alarm(HANG_S);
	assert_int_equal(eng_queue_init(&q, 8), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(eng_queue_push(&q, &r), 0);
	assert_true(eng_queue_pop(&q, &r, NULL));
	eng_queue_reset(&q);
	assert_int_equal(eng_queue_pushed(&q), 0);
	assert_fresh(&q, 8);
	/* And again, once the ring is full (every cell written). */
	for (i = 0; i < 8; i++)
		assert_int_equal(eng_queue_push(&q, &r), 0);
	eng_queue_reset(&q);
	assert_fresh(&q, 8);
	alarm(0);
	eng_queue_fini(&q);
}

/*
 * After the consumer has gone round the ring, the push counter no longer
 * says which cells were written (it wraps at 2^32): reset puts back
 * every cell. The counters are set as 2^32 pushes would leave them.
 */
static void test_reset_after_a_lap(void **state)
{
	struct mpa_conn_req r = a_req(1);
	struct eng_queue q;
	int i;

	(void)state;
	alarm(HANG_S);
	assert_int_equal(eng_queue_init(&q, 8), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(eng_queue_push(&q, &r), 0);
		assert_true(eng_queue_pop(&q, &r, NULL));
	}
	atomic_store(&q.enq, 0);
	q.deq = 0;
	eng_queue_reset(&q);
	assert_fresh(&q, 8);
	alarm(0);
	eng_queue_fini(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_unwritten_until_used),
		cmocka_unit_test(test_reset_puts_back_written_cells),
		cmocka_unit_test(test_reset_after_a_lap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
