// SPDX-License-Identifier: MIT
/*
 * mpa-engine-plan: the subflows the engine itself would open for one
 * connection, on this machine now, printed as `mptcp-auto explain --json`
 * prints its "subflows". The engine's state machine runs with the
 * kernel's plan operations (interfaces, routes) and a subflow request
 * that only records; tests/integration/cli.sh compares the two.
 *
 *   mpa-engine-plan --policy FILE [--program NAME] ADDR:PORT|[ADDR6]:PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "cmn_clock.h"
#include "eng_engine.h"
#include "mpa_policy.h"

static struct mpa_local opened[MPA_MAX_SUBFLOWS];
static int nopened;

static int64_t now_ms(void *ctx)
{
	(void)ctx;
	return cmn_now_ms();
}

static int record(void *ctx, uint32_t token, const struct mpa_local *from,
		  const struct sockaddr *to, char *why, size_t len)
{
	(void)ctx, (void)token, (void)to, (void)why, (void)len;
	if (nopened < MPA_MAX_SUBFLOWS)
		opened[nopened++] = *from;
	return 0;
}

static int parse_dest(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char host[64];
	const char *colon;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon || colon - s - 1 >= (int)sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s - 1),
			 s + 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(colon + 2));
		return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ?
			       0 :
			       -EINVAL;
	}
	colon = strchr(s, ':');
	if (!colon || colon - s >= (int)sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &in->sin_addr) == 1 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	const char *policy = NULL, *dest = NULL;
	struct mpa_prog_id id = { 0 };
	const struct eng_ops ops = { .now = now_ms,
				     .open_subflow = record,
				     .plan = &eng_plan_kernel };
	struct eng_config cfg = { .queue_slots = 1, .ops = &ops };
	struct mpa_conn_req req = { .token = 1 };
	struct eng_input in = { .type = ENG_IN_SUBMIT,
				.req = &req,
				.maybe_established = true };
	struct mpa_policy *p;
	struct eng_engine *e;
	char a[INET6_ADDRSTRLEN];
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			policy = argv[++i];
		else if (!strcmp(argv[i], "--program") && i + 1 < argc)
			id.exe = argv[++i];
		else
			dest = argv[i];
	}
	if (!policy || !dest || parse_dest(dest, &req.remote)) {
		fprintf(stderr, "usage: mpa-engine-plan --policy FILE "
				"[--program NAME] ADDR:PORT|[ADDR6]:PORT\n");
		return 2;
	}
	p = mpa_policy_load_files(&policy, 1);
	if (!p || p->nerrors) {
		fprintf(stderr, "%s: cannot load\n", policy);
		return 1;
	}
	req.rule = mpa_policy_program(p, &id);
	e = eng_engine_new(&cfg);
	if (!e || eng_engine_step(e, &in) < 0)
		return 1;
	printf("{\"subflows\":[");
	for (i = 0; i < nopened; i++)
		printf("%s{\"interface\":\"%s\",\"address\":\"%s\","
		       "\"backup\":%s}",
		       i ? "," : "", opened[i].ifname,
		       cmn_sa_ntop((struct sockaddr *)&opened[i].addr, a,
				   sizeof(a)),
		       opened[i].backup ? "true" : "false");
	puts("]}");
	eng_engine_free(e);
	mpa_policy_free(p);
	return 0;
}
