// SPDX-License-Identifier: MIT
/*
 * Benchmark (not a test): the cost of one policy match for 10, 100 and
 * 1000 [program] rules. Worst case: the program matches the last rule
 * (a wildcard), so every rule is compared; then the destination filters
 * of a rule with full prefix and port lists are applied.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpa_policy.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct mpa_policy *make_policy(int rules)
{
	size_t cap = (size_t)rules * 512 + 1024, len = 0;
	char *text = malloc(cap);
	const char *name = "bench.ini";
	struct mpa_policy *p;
	int i, j;

	len += (size_t)snprintf(text + len, cap - len,
				"[default]\ninterfaces = eth1, wlan*\n");
	for (i = 0; i < rules - 1; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[program prog%d]\nsubflows = 2\n", i);
	/* The matching rule, with full-line destination and port lists. */
	len += (size_t)snprintf(text + len, cap - len,
				"[program bench*]\ndestinations = ");
	for (j = 0; j < 12; j++)
		len += (size_t)snprintf(text + len, cap - len, "%s10.%d.0.0/16",
					j ? ", " : "", j);
	len += (size_t)snprintf(text + len, cap - len, "\nports = ");
	for (j = 0; j < 12; j++)
		len += (size_t)snprintf(text + len, cap - len, "%s%d-%d",
					j ? ", " : "", 1000 + j * 10,
					1005 + j * 10);
	len += (size_t)snprintf(text + len, cap - len, "\n");
	p = mpa_policy_load_buffers(&name, (const char *const *)&text, &len, 1);
	free(text);
	if (!p || p->nerrors || p->nprograms != rules) {
		fprintf(stderr, "bench policy did not load\n");
		exit(1);
	}
	return p;
}

int main(void)
{
	static const int sizes[] = { 10, 100, 1000 };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(1113) };
	struct mpa_prog_id id = { "bench-client", "bench-client", NULL };
	struct mpa_decision d;
	size_t i;

	inet_pton(AF_INET, "10.11.3.4", &dst.sin_addr);
	printf("%-8s %14s %14s\n", "rules", "ns/match", "matches/s");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mpa_policy *p = make_policy(sizes[i]);
		long iters = 20000000L / sizes[i], k;
		double t0, ns;

		mpa_policy_match(p, &id, (struct sockaddr *)&dst, &d);
		if (!d.open_subflows || strcmp(d.rule->program, "bench*")) {
			fprintf(stderr, "bench: wrong rule\n");
			return 1;
		}
		t0 = now_ns();
		for (k = 0; k < iters; k++) {
			mpa_policy_match(p, &id, (struct sockaddr *)&dst, &d);
			__asm__ volatile("" : : "r"(&d) : "memory");
		}
		ns = (now_ns() - t0) / (double)iters;
		printf("%-8d %14.1f %14.0f\n", sizes[i], ns, 1e9 / ns);
		mpa_policy_free(p);
	}
	return 0;
}
