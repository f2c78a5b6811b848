/* SPDX-License-Identifier: MIT */
/*
 * The plan of one connection: which extra subflows it gets. The rule's
 * decision for the destination, the rule's interfaces as they are now
 * (resolve), minus those without a route to the peer (route check), up to
 * the rule's number of subflows (cap). The engine opens what the plan
 * says, and `mptcp-auto explain` prints it: both call eng_plan_make(), so
 * what explain shows is what the shim does.
 *
 * A burst of connections to one peer would re-read the interfaces and the
 * routing tables for each; struct eng_plan_cache keeps recent plans.
 */
#ifndef ENG_PLAN_H
#define ENG_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "eng_resolve.h"
#include "mpa_policy.h"

/* How the plan learns about the machine; tests pass their own. */
struct eng_plan_ops {
	/* eng_resolve(): the count, or -errno. */
	int (*resolve)(void *ctx, const struct mpa_decision *d, int family,
		       const struct sockaddr *own, struct mpa_local *out,
		       int cap);
	/* eng_route_via(): 1, 0 or -errno. */
	int (*route_via)(void *ctx, const struct sockaddr *dst, int ifindex);
	void *ctx;
};

/* eng_resolve() and eng_route_via(): this machine, now. */
extern const struct eng_plan_ops eng_plan_kernel;

/* Interfaces looked at per plan: the subflows come from the first ones. */
#define ENG_PLAN_CANDIDATES 16

enum eng_route {
	ENG_ROUTE_YES, /* some route to the peer leaves through it */
	ENG_ROUTE_NO, /* none does: a bound subflow would ARP in vain */
	ENG_ROUTE_UNKNOWN, /* the check failed: used, the kernel decides */
	ENG_ROUTE_UNCHECKED, /* the cap was reached before it */
};

struct eng_candidate {
	struct mpa_local local;
	enum eng_route route;
	bool use; /* one of the plan's subflows */
};

struct eng_plan {
	struct mpa_decision d; /* the rule applied to the destination */
	int err; /* resolving the interfaces failed: -errno, else 0 */
	int ncands; /* the rule's interfaces, in the rule's order */
	struct eng_candidate cands[ENG_PLAN_CANDIDATES];
	int nsubs; /* the subflows to open, at most d.max_subflows */
	struct mpa_local subs[MPA_MAX_SUBFLOWS];
};

/*
 * eng_plan_make() - the plan for a connection under @rule to @remote
 * (AF_INET or AF_INET6, IPv4-mapped counts as IPv4) whose initial subflow
 * leaves from @own (may be NULL: a second subflow never uses it): the
 * candidates in the rule's order, each route-checked until d.max_subflows
 * of them have a route (or the check failed: fail open). Calls @ops, and
 * nothing else that touches the machine.
 */
void eng_plan_make(const struct eng_plan_ops *ops, const struct mpa_rule *rule,
		   const struct sockaddr *remote, const struct sockaddr *own,
		   struct eng_plan *out);

#define ENG_PLAN_SLOTS 16
/* How long a plan is reused: interfaces and routes change rarely. */
#define ENG_PLAN_MS 1000

/* Recent plans, keyed by rule, source and peer address (not port). */
struct eng_plan_cache {
	struct eng_plan_entry {
		const struct mpa_rule *rule; /* NULL: free slot */
		struct sockaddr_storage own, remote;
		int64_t at; /* ms, when it was made */
		int nsubs;
		struct mpa_local subs[MPA_MAX_SUBFLOWS];
	} slots[ENG_PLAN_SLOTS];
	unsigned int next; /* the slot the next plan replaces */
};

/*
 * eng_plan_cache_get() - the subflows of a plan for (@rule, @own,
 * @remote) made less than ENG_PLAN_MS before @now, or NULL.
 */
const struct eng_plan_entry *eng_plan_cache_get(const struct eng_plan_cache *c,
						const struct mpa_rule *rule,
						const struct sockaddr *own,
						const struct sockaddr *remote,
						int64_t now);

/* eng_plan_cache_put() - remember @p, made at @now, replacing the oldest. */
void eng_plan_cache_put(struct eng_plan_cache *c, const struct mpa_rule *rule,
			const struct sockaddr *own,
			const struct sockaddr *remote, const struct eng_plan *p,
			int64_t now);

/* eng_plan_cache_clear() - forget every plan. */
void eng_plan_cache_clear(struct eng_plan_cache *c);

#endif /* ENG_PLAN_H */
