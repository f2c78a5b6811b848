// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the policy loader on arbitrary bytes, then matching
 * and diagnostic formatting on whatever it produced. Seed corpus:
 * tests/fixtures/policy. `make check` replays the corpus and fuzzes for a
 * few seconds; `make fuzz FUZZ_SECONDS=600` fuzzes longer.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mpa_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name = "fuzz.ini", *text = (const char *)data;
	struct sockaddr_in6 dst6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(443) };
	struct sockaddr_in dst4 = { .sin_family = AF_INET,
				    .sin_port = htons(80) };
	struct mpa_prog_id id = { "curl", "python3", "backup.sh" };
	struct mpa_decision d;
	struct mpa_policy *p;
	char buf[512];
	int i;

	p = mpa_policy_load_buffers(&name, &text, &size, 1);
	if (!p)
		return 0;
	for (i = 0; i < p->ndiags; i++)
		mpa_diag_format(&p->diags[i], buf, sizeof(buf));
	inet_pton(AF_INET, "10.1.2.3", &dst4.sin_addr);
	inet_pton(AF_INET6, "2001:db8::1", &dst6.sin6_addr);
	mpa_policy_match(p, &id, (struct sockaddr *)&dst4, &d);
	mpa_policy_match(p, &id, (struct sockaddr *)&dst6, &d);
	for (i = 0; i < p->nprograms; i++)
		mpa_rule_decide(&p->programs[i], (struct sockaddr *)&dst4, &d);
	mpa_policy_free(p);
	return 0;
}
