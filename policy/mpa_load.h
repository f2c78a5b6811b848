/* SPDX-License-Identifier: MIT */
/* The layered loader behind mpa_policy_load*(); internal to policy/. */
#ifndef MPA_LOAD_H
#define MPA_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "mpa_policy.h"

/* mpa_load_begin() - empty state for layering files; NULL if no memory. */
void *mpa_load_begin(void);

/*
 * mpa_load_layer() - parse @text (file @name) over @state. Diagnostics go
 * to @p; a file with errors changes nothing. 0 or -ENOMEM.
 */
int mpa_load_layer(struct mpa_policy *p, void *state, const char *name,
		   const char *text, size_t len);

/*
 * mpa_load_finish() - resolve inheritance into @p; frees @state. With
 * @builtin, what no layer set takes the built-in default; without it
 * (the user's layers alone), it stays unset.
 */
int mpa_load_finish(struct mpa_policy *p, void *state, bool builtin);

void mpa_load_abort(void *state);

/* mpa_load_file_diag() - a diagnostic about a whole file. */
void mpa_load_file_diag(struct mpa_policy *p, enum mpa_severity sev,
			const char *file, const char *msg);

#endif /* MPA_LOAD_H */
