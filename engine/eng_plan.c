// SPDX-License-Identifier: MIT
/*
 * A connection's extra subflows: decide, resolve, route check, cap. The
 * one pipeline behind the engine and `mptcp-auto explain`.
 */
#include <string.h>

#include "cmn_addr.h"
#include "eng_plan.h"
#include "eng_route.h"

static int kernel_resolve(void *ctx, const struct mpa_decision *d, int family,
			  const struct sockaddr *own, struct mpa_local *out,
			  int cap)
{
	(void)ctx;
	return eng_resolve(d, family, own, out, cap);
}

static int kernel_route_via(void *ctx, const struct sockaddr *dst, int ifindex)
{
	(void)ctx;
	return eng_route_via(dst, ifindex);
}

const struct eng_plan_ops eng_plan_kernel = {
	.resolve = kernel_resolve,
	.route_via = kernel_route_via,
};

/* @sa unmapped into @ss; false if it is not an IPv4 or IPv6 address. */
static bool plan_addr(const struct sockaddr *sa, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	return sa && cmn_sa_load(ss, sa, cmn_sa_len(sa->sa_family)) == 0;
}

/*
 * The same source for a cached plan: the same address, or neither has one
 * (a connection whose source could not be read).
 */
static bool own_equal(const struct sockaddr *cached, const struct sockaddr *own)
{
	struct sockaddr_storage o;

	if (!plan_addr(own, &o))
		return cached->sa_family == AF_UNSPEC;
	return cmn_sa_addr_equal(cached, (const struct sockaddr *)&o);
}

void eng_plan_make(const struct eng_plan_ops *ops, const struct mpa_rule *rule,
		   const struct sockaddr *remote, const struct sockaddr *own,
		   struct eng_plan *out)
{
	struct mpa_local found[ENG_PLAN_CANDIDATES];
	struct sockaddr_storage dst, src;
	struct mpa_decision all;
	bool has_src;
	int n, i;

	memset(out, 0, sizeof(*out));
	if (!plan_addr(remote, &dst))
		dst.ss_family = remote ? remote->sa_family : AF_UNSPEC;
	mpa_rule_decide(rule, (const struct sockaddr *)&dst, &out->d);
	if (!out->d.open_subflows)
		return;
	has_src = plan_addr(own, &src);
	/*
	 * Every interface the rule names, not only the first max_subflows:
	 * one without a route leaves its place to the next.
	 */
	all = out->d;
	all.max_subflows = ENG_PLAN_CANDIDATES;
	n = ops->resolve(ops->ctx, &all, dst.ss_family,
			 has_src ? (const struct sockaddr *)&src : NULL, found,
			 ENG_PLAN_CANDIDATES);
	if (n < 0) {
		out->err = n;
		return;
	}
	for (i = 0; i < n && i < ENG_PLAN_CANDIDATES; i++) {
		struct eng_candidate *c = &out->cands[out->ncands++];
		int via;

		c->local = found[i];
		if (out->nsubs >= out->d.max_subflows ||
		    out->nsubs >= MPA_MAX_SUBFLOWS) {
			c->route = ENG_ROUTE_UNCHECKED;
			continue;
		}
		via = ops->route_via(ops->ctx, (const struct sockaddr *)&dst,
				     c->local.ifindex);
		c->route = via > 0  ? ENG_ROUTE_YES :
			   via == 0 ? ENG_ROUTE_NO :
				      ENG_ROUTE_UNKNOWN;
		/*
		 * A failed check (no rtnetlink here) does not cost the
		 * subflow: the kernel still routes it, or reports failure.
		 */
		if (c->route == ENG_ROUTE_NO)
			continue;
		c->use = true;
		out->subs[out->nsubs++] = c->local;
	}
}

const struct eng_plan_entry *eng_plan_cache_get(const struct eng_plan_cache *c,
						const struct mpa_rule *rule,
						const struct sockaddr *own,
						const struct sockaddr *remote,
						int64_t now)
{
	struct sockaddr_storage r;
	int i;

	if (!rule || !plan_addr(remote, &r))
		return NULL;
	for (i = 0; i < ENG_PLAN_SLOTS; i++) {
		const struct eng_plan_entry *p = &c->slots[i];

		if (p->rule == rule && now >= p->at &&
		    now - p->at < ENG_PLAN_MS &&
		    cmn_sa_addr_equal((const struct sockaddr *)&p->remote,
				      (const struct sockaddr *)&r) &&
		    own_equal((const struct sockaddr *)&p->own, own))
			return p;
	}
	return NULL;
}

void eng_plan_cache_put(struct eng_plan_cache *c, const struct mpa_rule *rule,
			const struct sockaddr *own,
			const struct sockaddr *remote, const struct eng_plan *p,
			int64_t now)
{
	struct eng_plan_entry *e = &c->slots[c->next++ % ENG_PLAN_SLOTS];

	e->rule = rule;
	if (!plan_addr(own, &e->own))
		memset(&e->own, 0, sizeof(e->own));
	if (!plan_addr(remote, &e->remote))
		memset(&e->remote, 0, sizeof(e->remote));
	e->at = now;
	e->nsubs = p->nsubs;
	memcpy(e->subs, p->subs, sizeof(e->subs));
}

void eng_plan_cache_clear(struct eng_plan_cache *c)
{
	memset(c, 0, sizeof(*c));
}
