/* SPDX-License-Identifier: MIT */
/* Loading policy fixtures (tests/fixtures/policy) in unit tests. */
#ifndef POLICY_FIXTURE_H
#define POLICY_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "mpa_policy.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

/* The file's bytes (NUL-terminated, NULL if missing); *len its size. */
static char *fixture_read_path(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *fixture_read(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/policy/%s", FIXTURES, name);
	return fixture_read_path(path, len);
}

/* Load fixtures @names in order, each diagnosed under its own name. */
static struct mpa_policy *fixture_load(const char *const *names, int n)
{
	const char *texts[8] = { 0 };
	size_t lens[8] = { 0 };
	struct mpa_policy *p;
	int i;

	if (n > 8)
		return NULL;
	for (i = 0; i < n; i++) {
		texts[i] = fixture_read(names[i], &lens[i]);
		if (!texts[i])
			return NULL;
	}
	p = mpa_policy_load_buffers(names, texts, lens, n);
	for (i = 0; i < n; i++)
		free((char *)texts[i]);
	return p;
}

static struct mpa_policy *fixture_load1(const char *name)
{
	return fixture_load(&name, 1);
}

#endif /* POLICY_FIXTURE_H */
