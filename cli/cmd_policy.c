// SPDX-License-Identifier: MIT
/* mptcp-auto check and explain: the policy, as the shim would read it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_plan.h"
#include "mpa_cli.h"
#include "mpa_policy.h"

static const char check_help[] =
	"usage: mptcp-auto check [--json] [FILE...]\n"
	"\n"
	"Validate policy files and print each problem as file:line: message.\n"
	"Without FILE: the files the shim would read (%s/policy.ini,\n"
	"%s/policy.d/*.ini, the per-user file, MPTCP_AUTO_POLICY),\n"
	"layered as the shim layers them. Exit status 1 if there is an error\n"
	"(a file with an error is ignored by the shim).\n";

static const char explain_help[] =
	"usage: mptcp-auto explain [--program NAME] [--policy FILE] [--json]\n"
	"                          DEST[:PORT]\n"
	"\n"
	"Which rule applies to program NAME (default: one that no [program]\n"
	"section names) connecting to DEST (IPv4, or IPv6 as [ADDR]:PORT),\n"
	"port PORT (default 443), and which local interfaces and addresses it\n"
	"resolves to on this machine now: the engine's own plan, with its route\n"
	"check and its cap, and the subflows it would open. First, the path\n"
	"its connections take: daemon (mptcp-autod answers on its socket),\n"
	"in-process (the shim itself: userspace path manager, root or\n"
	"CAP_NET_ADMIN), kernel endpoints (in-kernel path manager), or\n"
	"nothing.\n";

/* The policy the shim would load: its sources, or just @file. */
static struct mpa_policy *load_default(const char *file)
{
	struct mpa_sources src;

	if (file)
		return mpa_policy_load_files(&file, 1);
	mpa_sources_init(&src, mpa_system_dir, getenv("MPTCP_AUTO_POLICY"),
			 getenv("XDG_CONFIG_HOME"), getenv("HOME"), false);
	return mpa_policy_load(&src);
}

static int print_diags(const struct mpa_policy *p, bool json)
{
	int i, warnings = 0;
	char line[512];

	if (json)
		printf("{\"files_applied\":%d,\"errors\":%d,\"diagnostics\":[",
		       p->nfiles, p->nerrors);
	for (i = 0; i < p->ndiags; i++) {
		const struct mpa_diag *d = &p->diags[i];

		warnings += d->severity == MPA_WARNING;
		if (!json) {
			puts(mpa_diag_format(d, line, sizeof(line)));
			continue;
		}
		printf("%s{\"file\":", i ? "," : "");
		json_str(stdout, d->file);
		printf(",\"line\":%d,\"severity\":\"%s\",\"message\":", d->line,
		       d->severity == MPA_ERROR ? "error" : "warning");
		json_str(stdout, d->msg);
		putchar('}');
	}
	if (json)
		puts("]}");
	else
		fprintf(stderr, "%d file%s applied, %d error%s, %d warning%s\n",
			p->nfiles, p->nfiles == 1 ? "" : "s", p->nerrors,
			p->nerrors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s");
	return p->nerrors ? 1 : 0;
}

int cmd_check(int argc, char **argv)
{
	const char *files[64];
	struct mpa_policy *p;
	bool json = false;
	int i, n = 0, rc;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf(check_help, mpa_system_dir, mpa_system_dir);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_error(2, "check: unknown option %s",
					 argv[i]);
		} else if (n < 64) {
			files[n++] = argv[i];
		}
	}
	if (n) {
		p = mpa_policy_load_files(files, n);
	} else {
		p = load_default(NULL);
	}
	if (!p)
		return cli_error(2, "check: out of memory");
	rc = print_diags(p, json);
	mpa_policy_free(p);
	return rc;
}

/* "10.0.0.1:80", "10.0.0.1", "[fd00::1]:80", "fd00::1" -> sockaddr. */
static int parse_dest(const char *s, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	long p = 443;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return -EINVAL;
	} else if (strchr(s, ':') == strrchr(s, ':') && strchr(s, ':')) {
		snprintf(host, sizeof(host), "%.*s", (int)(strchr(s, ':') - s),
			 s);
		port = strchr(s, ':') + 1;
	} else {
		snprintf(host, sizeof(host), "%s", s);
	}
	if (port) {
		char *end;

		p = strtol(port, &end, 10);
		if (*end || p < 1 || p > 65535)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) ==
	    1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host,
			     &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	} else {
		return -EINVAL;
	}
	return 0;
}

static const char *route_json(enum eng_route r)
{
	return r == ENG_ROUTE_YES ? "true" :
	       r == ENG_ROUTE_NO  ? "false" :
				    "null";
}

/* One candidate interface, as a line under "extra subflows". */
static const char *route_text(const struct eng_candidate *c)
{
	switch (c->route) {
	case ENG_ROUTE_YES:
		return "route: yes";
	case ENG_ROUTE_NO:
		return "route: none through it (skipped)";
	case ENG_ROUTE_UNKNOWN:
		return "route: cannot tell (used)";
	default:
		return "not checked: the rule's subflows are taken";
	}
}

static void print_json(const char *program, enum cli_path path,
		       const char *path_why, const struct eng_plan *plan)
{
	const struct mpa_decision *d = &plan->d;
	char a[INET6_ADDRSTRLEN];
	int i;

	printf("{\"path\":");
	json_str(stdout, cli_path_name(path));
	printf(",\"path_why\":");
	json_str(stdout, cli_path_text(path, path_why));
	printf(",\"program\":");
	json_str(stdout, program ? program : "");
	printf(",\"rule\":");
	json_str(stdout, d->rule->program[0] ? d->rule->program : "default");
	printf(",\"origin\":");
	json_str(stdout, d->rule->origin);
	printf(",\"mptcp\":%s,\"open_subflows\":%s,\"max_subflows\":%d"
	       ",\"why\":",
	       d->mptcp ? "true" : "false", d->open_subflows ? "true" : "false",
	       d->max_subflows);
	json_str(stdout, d->why ? d->why : "");
	printf(",\"interfaces\":[");
	for (i = 0; i < plan->ncands; i++) {
		const struct eng_candidate *c = &plan->cands[i];

		printf("%s{\"interface\":", i ? "," : "");
		json_str(stdout, c->local.ifname);
		printf(",\"ifindex\":%d,\"address\":", c->local.ifindex);
		json_str(stdout,
			 cmn_sa_ntop((const struct sockaddr *)&c->local.addr, a,
				     sizeof(a)));
		printf(",\"backup\":%s,\"route\":%s,\"use\":%s}",
		       c->local.backup ? "true" : "false", route_json(c->route),
		       c->use ? "true" : "false");
	}
	/* What the engine opens: the plan's subflows, in order. */
	printf("],\"subflows\":[");
	for (i = 0; i < plan->nsubs; i++) {
		const struct mpa_local *l = &plan->subs[i];

		printf("%s{\"interface\":", i ? "," : "");
		json_str(stdout, l->ifname);
		printf(",\"address\":");
		json_str(stdout, cmn_sa_ntop((const struct sockaddr *)&l->addr,
					     a, sizeof(a)));
		printf(",\"backup\":%s}", l->backup ? "true" : "false");
	}
	puts("]}");
}

static void print_text(const char *program, const char *dest,
		       enum cli_path path, const char *path_why,
		       const struct eng_plan *plan)
{
	const struct mpa_decision *d = &plan->d;
	char a[INET6_ADDRSTRLEN];
	int i;

	printf("path: %s: %s\n", cli_path_name(path),
	       cli_path_text(path, path_why));
	printf("program %s: rule [%s%s] from %s\n", program ? program : "(any)",
	       d->rule->program[0] ? "program " : "default", d->rule->program,
	       d->rule->origin);
	printf("sockets: %s\n", d->mptcp ? "MPTCP" : "plain TCP");
	if (!d->open_subflows) {
		printf("extra subflows to %s: none (%s)\n", dest, d->why);
		return;
	}
	printf("extra subflows to %s: up to %d\n", dest, d->max_subflows);
	for (i = 0; i < plan->ncands; i++) {
		const struct eng_candidate *c = &plan->cands[i];

		printf("  %-12s %-40s %s%s%s\n", c->local.ifname,
		       cmn_sa_ntop((const struct sockaddr *)&c->local.addr, a,
				   sizeof(a)),
		       c->local.backup ? "backup, " : "", route_text(c),
		       c->use ? ": subflow" : "");
	}
	if (plan->err)
		printf("  cannot read the interfaces: %s\n",
		       strerror(-plan->err));
	else if (!plan->ncands)
		printf("  no matching interface is up with an address of this "
		       "family\n");
	printf("the shim opens %d extra subflow%s (never a second one from the "
	       "address the connection itself leaves from)\n",
	       plan->nsubs, plan->nsubs == 1 ? "" : "s");
}

int cmd_explain(int argc, char **argv)
{
	const char *program = NULL, *policy = NULL, *dest = NULL;
	struct sockaddr_storage dst;
	struct mpa_prog_id id = { 0 };
	struct eng_plan plan;
	struct mpa_policy *p;
	struct cli_path_facts facts;
	struct cli_daemon dmn;
	const char *path_why;
	enum cli_path path;
	bool json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(explain_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--program") && i + 1 < argc) {
			program = argv[++i];
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			policy = argv[++i];
		} else if (argv[i][0] == '-' || dest) {
			return cli_error(2, "explain: unexpected argument %s",
					 argv[i]);
		} else {
			dest = argv[i];
		}
	}
	if (!dest)
		return cli_error(2, "explain: no destination (see mptcp-auto "
				    "explain --help)");
	if (parse_dest(dest, &dst))
		return cli_error(2,
				 "explain: %s is not ADDR[:PORT] or "
				 "[ADDR6]:PORT",
				 dest);
	p = load_default(policy);
	if (!p)
		return cli_error(2, "explain: out of memory");
	for (i = 0; i < p->ndiags; i++) {
		char line[512];

		fprintf(stderr, "%s\n",
			mpa_diag_format(&p->diags[i], line, sizeof(line)));
	}
	id.exe = program;
	/* The engine's own pipeline: decide, resolve, route check, cap. */
	eng_plan_make(&eng_plan_kernel, mpa_policy_program(p, &id),
		      (const struct sockaddr *)&dst, NULL, &plan);
	/* The path is the shim's choice at start, for any program. */
	cli_path_facts_read(&facts, &dmn);
	path = cli_path_decide(&facts, &path_why);
	if (json)
		print_json(program, path, path_why, &plan);
	else
		print_text(program, dest, path, path_why, &plan);
	mpa_policy_free(p);
	return 0;
}
