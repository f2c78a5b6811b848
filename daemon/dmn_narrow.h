/* SPDX-License-Identifier: MIT */
/*
 * Narrowed rules, interned: the engine keeps a pointer to each
 * connection's rule for the connection's life, so a system rule narrowed
 * by a registration (engine/eng_narrow.h) is kept once per system rule
 * and narrowing, until the table is freed.
 */
#ifndef DMN_NARROW_H
#define DMN_NARROW_H

#include <stddef.h>
#include <sys/types.h>

#include "eng_narrow.h"
#include "eng_wire.h"
#include "mpa_policy.h"

/* Distinct narrowed rules kept at most, and per user. */
#define DMN_NARROW_MAX 1024
#define DMN_NARROW_PER_UID 128

struct dmn_narrow_table;

/* dmn_narrow_table_new() - an empty table; NULL if out of memory. */
struct dmn_narrow_table *dmn_narrow_table_new(void);

/*
 * dmn_narrow_intern() - the rule for a registration of @uid under @sys
 * with message @m, valid until the table is freed: @sys itself when @m
 * narrows nothing, else the interned narrowed rule (the same pointer for
 * the same @sys and result). 0, -ENOSPC when the table, or @uid's share
 * of it, is full, or -ENOMEM.
 */
int dmn_narrow_intern(struct dmn_narrow_table *t, const struct mpa_rule *sys,
		      const struct eng_wire_msg *m, uid_t uid,
		      const struct mpa_rule **out);

/* dmn_narrow_count() - rules interned so far. */
int dmn_narrow_count(const struct dmn_narrow_table *t);

/* dmn_narrow_rule_at() - the @i-th of them (0 <= @i < the count). */
const struct mpa_rule *dmn_narrow_rule_at(const struct dmn_narrow_table *t,
					  int i);

void dmn_narrow_table_free(struct dmn_narrow_table *t);

#endif /* DMN_NARROW_H */
