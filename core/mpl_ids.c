// SPDX-License-Identifier: MIT
/* Local address ids of the userspace path manager, kept per connection. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "cmn_compat.h"
#include "mpl_ids.h"

/* Enough for 64 connections with 4 extra addresses each; oldest evicted. */
#define IDS_SLOTS 256

struct ids_slot {
	uint32_t token;
	uint64_t stamp; /* 0: free */
	struct mpl_pm_addr addr;
};

static struct ids_slot ids_table[IDS_SLOTS];
static uint64_t ids_clock;
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;

/*
 * A fork() while another thread holds the lock would leave the child's
 * copy locked forever: hold it across fork() instead.
 */
static void ids_prefork(void)
{
	pthread_mutex_lock(&ids_lock);
}

static void ids_postfork(void)
{
	pthread_mutex_unlock(&ids_lock);
}

static void ids_setup(void)
{
	pthread_atfork(ids_prefork, ids_postfork, ids_postfork);
}

static void ids_acquire(void)
{
	pthread_once(&ids_once, ids_setup);
	pthread_mutex_lock(&ids_lock);
}

/*
 * The kernel keys an entry by address and port: a subflow opened from a
 * fixed source port gets an entry of its own (docs/kernel-facts.md §9).
 */
static bool ids_same_addr(const struct mpl_pm_addr *a,
			  const struct mpl_pm_addr *b)
{
	return a->port == b->port && mpl_pm_addr_same(a, b);
}

int mpl_ids_choose(const struct mpl_pm_addr *want,
		   const struct mpl_pm_addr *kernel, int nkernel,
		   const struct mpl_pm_addr *remembered, int nremembered)
{
	bool taken[MPL_IDS_MAX + 1] = { [0] = true };
	int i;

	for (i = 0; i < nkernel; i++)
		if (ids_same_addr(&kernel[i], want) && kernel[i].id > 0)
			return kernel[i].id;
	for (i = 0; i < nkernel; i++)
		if (kernel[i].id >= 0 && kernel[i].id <= MPL_IDS_MAX)
			taken[kernel[i].id] = true;
	for (i = 0; i < nremembered; i++) {
		int id = remembered[i].id;

		if (id <= 0 || id > MPL_IDS_MAX)
			continue;
		/* Ours, unless the kernel gave that id to another address. */
		if (ids_same_addr(&remembered[i], want) && !taken[id])
			return id;
	}
	for (i = 0; i < nremembered; i++)
		if (remembered[i].id > 0 && remembered[i].id <= MPL_IDS_MAX)
			taken[remembered[i].id] = true;
	for (i = 1; i <= MPL_IDS_MAX; i++)
		if (!taken[i])
			return i;
	return -ENOSPC;
}

/* Store @a for @token, replacing its old pairing or the oldest slot. */
static void ids_store(uint32_t token, const struct mpl_pm_addr *a)
{
	struct ids_slot *victim = &ids_table[0];
	int i;

	for (i = 0; i < IDS_SLOTS; i++) {
		struct ids_slot *s = &ids_table[i];

		if (s->stamp && s->token == token &&
		    (ids_same_addr(&s->addr, a) || s->addr.id == a->id)) {
			victim = s;
			break;
		}
		if (s->stamp < victim->stamp)
			victim = s;
	}
	victim->token = token;
	victim->addr = *a;
	victim->stamp = ++ids_clock;
}

void mpl_ids_remember(uint32_t token, const struct mpl_pm_addr *a)
{
	if (a->id <= 0 || a->id > MPL_IDS_MAX)
		return;
	ids_acquire();
	ids_store(token, a);
	pthread_mutex_unlock(&ids_lock);
}

int mpl_ids_pick(uint32_t token, const struct mpl_pm_addr *want,
		 const struct mpl_pm_addr *kernel, int nkernel)
{
	struct mpl_pm_addr mine[IDS_SLOTS];
	struct mpl_pm_addr chosen = *want;
	int i, n = 0, id;

	ids_acquire();
	for (i = 0; i < IDS_SLOTS; i++)
		if (ids_table[i].stamp && ids_table[i].token == token)
			mine[n++] = ids_table[i].addr;
	id = mpl_ids_choose(want, kernel, nkernel, mine, n);
	if (id > 0) {
		chosen.id = id;
		ids_store(token, &chosen);
	}
	pthread_mutex_unlock(&ids_lock);
	return id;
}
