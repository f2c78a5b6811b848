// SPDX-License-Identifier: MIT
/* mptcp-auto check and explain: the policy, as the shim would read it. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmn_addr.h"
#include "eng_plan.h"
#include "mpa_cli.h"
#include "mpa_policy.h"

static const char check_help[] =
	"usage: mptcp-auto check [--json] [--policy FILE | FILE...]\n"
	"\n"
	"Validate policy files and print each problem as file:line: message.\n"
	"Without FILE: the files the shim would read (%s/policy.ini,\n"
	"%s/policy.d/*.ini, the per-user file, then --policy FILE or\n"
	"MPTCP_AUTO_POLICY), layered as the shim layers them. FILE...: those\n"
	"files alone. Exit status 1 if there is an error (a file with an\n"
	"error is ignored by the shim).\n";

static const char explain_help[] =
	"usage: mptcp-auto explain [--program NAME] [--policy FILE] [--json]\n"
	"                          DEST[:PORT]\n"
	"\n"
	"What `mptcp-auto run NAME` started by you now would get connecting\n"
	"to DEST (IPv4, or IPv6 as [ADDR]:PORT), port PORT (default 443).\n"
	"First the path its connections take, as the shim decides it for\n"
	"your privileges: daemon (mptcp-autod answers on its socket),\n"
	"in-process (the shim itself: userspace path manager, root or\n"
	"CAP_NET_ADMIN), kernel endpoints (in-kernel path manager), or\n"
	"nothing. Then the rule, read as the shim reads it (%s/policy.ini,\n"
	"policy.d/*.ini, your own file, then --policy FILE or\n"
	"MPTCP_AUTO_POLICY, each layered over the ones before), or under\n"
	"mptcp-autod the daemon's rule narrowed by your own files; the\n"
	"interfaces and addresses it resolves to on this machine now (the\n"
	"engine's own plan, with its route check and its cap), and the\n"
	"subflows that are really opened, or why none are.\n";

/* The policy the shim would load, with MPTCP_AUTO_POLICY on top. */
static struct mpa_policy *load_default(void)
{
	struct mpa_sources src;

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
	bool json = false, layered = false;
	int i, n = 0, rc, err;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf(check_help, mpa_system_dir, mpa_system_dir);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			/* Layered as run and explain layer it. */
			err = cli_policy_env(argv[++i]);
			if (err)
				return cli_error(1, "check: policy %s: %s",
						 argv[i], strerror(-err));
			layered = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_error(2, "check: unknown option %s",
					 argv[i]);
		} else if (n < 64) {
			files[n++] = argv[i];
		}
	}
	if (n && layered)
		return cli_error(2,
				 "check: --policy FILE, or FILE..., not both");
	p = n ? mpa_policy_load_files(files, n) : load_default();
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

/* Everything explain states about one program and one destination. */
struct explanation {
	const char *program, *dest;
	enum cli_path path;
	const char *path_why;
	const char *rule_from; /* "shim", or "mptcp-autod" */
	const char *daemon_from; /* the daemon's policy, for rule_from */
	struct eng_plan plan; /* the policy's plan on this path */
	enum cmn_say reason; /* why it will not come, CMN_SAY_NONE */
	char gets[1024]; /* the sentence, when reason says one */
	int opened; /* the plan's subflows that are really opened */
	struct mptcplib_endpoint ep[MPTCPLIB_ENDPOINTS_MAX];
	int nep; /* the in-kernel path manager's endpoints, on its path */
};

/* Who opens the subflows on @x's path. */
static const char *opener(const struct explanation *x)
{
	return x->path == CLI_PATH_DAEMON ? "mptcp-autod" : "the shim";
}

/* @n locals as JSON objects, commas between: "plan" and "subflows". */
static void json_locals(const struct mpa_local *v, int n)
{
	char a[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < n; i++) {
		printf("%s{\"interface\":", i ? "," : "");
		json_str(stdout, v[i].ifname);
		printf(",\"address\":");
		json_str(stdout,
			 cmn_sa_ntop((const struct sockaddr *)&v[i].addr, a,
				     sizeof(a)));
		printf(",\"backup\":%s}", v[i].backup ? "true" : "false");
	}
}

static void print_json(const struct explanation *x)
{
	const struct eng_plan *plan = &x->plan;
	const struct mpa_decision *d = &plan->d;
	char a[INET6_ADDRSTRLEN];
	int i;

	printf("{\"path\":");
	json_str(stdout, cli_path_name(x->path));
	printf(",\"path_why\":");
	json_str(stdout, cli_path_text(x->path, x->path_why));
	printf(",\"program\":");
	json_str(stdout, x->program ? x->program : "");
	printf(",\"rule\":");
	json_str(stdout, d->rule->program[0] ? d->rule->program : "default");
	printf(",\"origin\":");
	json_str(stdout, d->rule->origin);
	printf(",\"rule_from\":");
	json_str(stdout, x->rule_from);
	printf(",\"mptcp\":%s,\"open_subflows\":%s,\"max_subflows\":%d"
	       ",\"why\":",
	       d->mptcp ? "true" : "false", d->open_subflows ? "true" : "false",
	       d->max_subflows);
	json_str(stdout, d->why ? d->why : "");
	printf(",\"reason\":");
	json_str(stdout,
		 x->reason == CMN_SAY_NONE ? "" : cmn_say_word(x->reason));
	printf(",\"gets\":");
	json_str(stdout, x->reason == CMN_SAY_NONE ? "" : x->gets);
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
	/*
	 * "plan": what the policy's rule opens where it is followed;
	 * "subflows": what the program really gets from it on this path.
	 */
	printf("],\"plan\":[");
	json_locals(plan->subs, plan->nsubs);
	printf("],\"subflows\":[");
	json_locals(plan->subs, x->opened);
	printf("],\"endpoints\":[");
	for (i = 0; i < x->nep; i++) {
		char ifn[IF_NAMESIZE] = "";

		if (x->ep[i].ifindex)
			if_indextoname((unsigned int)x->ep[i].ifindex, ifn);
		printf("%s{\"address\":", i ? "," : "");
		json_str(stdout,
			 cmn_sa_ntop((const struct sockaddr *)&x->ep[i].addr, a,
				     sizeof(a)));
		printf(",\"interface\":");
		json_str(stdout, ifn);
		printf(",\"subflow\":%s,\"backup\":%s}",
		       x->ep[i].flags & MPTCPLIB_ENDPOINT_SUBFLOW ? "true" :
								    "false",
		       x->ep[i].flags & MPTCPLIB_ENDPOINT_BACKUP ? "true" :
								   "false");
	}
	puts("]}");
}

static void print_text(const struct explanation *x)
{
	const struct eng_plan *plan = &x->plan;
	const struct mpa_decision *d = &plan->d;
	char a[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];
	int i;

	printf("path: %s: %s\n", cli_path_name(x->path),
	       cli_path_text(x->path, x->path_why));
	printf("program %s: rule [%s%s] from %s",
	       x->program ? x->program : "(any)",
	       d->rule->program[0] ? "program " : "default", d->rule->program,
	       d->rule->origin);
	if (!strcmp(x->rule_from, "mptcp-autod"))
		printf(" (mptcp-autod's policy, %s)", x->daemon_from);
	putchar('\n');
	printf("sockets: %s\n", d->mptcp ? "MPTCP" : "plain TCP");
	if (!d->open_subflows) {
		printf("extra subflows to %s: none (%s)\n", x->dest, d->why);
		return;
	}
	if (x->reason != CMN_SAY_NONE)
		printf("extra subflows to %s: none from the policy: %s\n"
		       "  what the policy's rule would open, where it is "
		       "followed:\n",
		       x->dest, x->gets);
	else
		printf("extra subflows to %s: up to %d\n", x->dest,
		       d->max_subflows);
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
	for (i = 0; i < x->nep; i++)
		printf("  kernel endpoint %s%s%s%s%s\n",
		       cmn_sa_ntop((const struct sockaddr *)&x->ep[i].addr, a,
				   sizeof(a)),
		       x->ep[i].ifindex &&
				       if_indextoname(
					       (unsigned int)x->ep[i].ifindex,
					       ifn) ?
			       " dev " :
			       "",
		       x->ep[i].ifindex ? ifn : "",
		       x->ep[i].flags & MPTCPLIB_ENDPOINT_SUBFLOW ? " subflow" :
								    "",
		       x->ep[i].flags & MPTCPLIB_ENDPOINT_BACKUP ? " backup" :
								   "");
	if (x->reason != CMN_SAY_NONE)
		return;
	printf("%s opens %d extra subflow%s (never a second one from the "
	       "address the connection itself leaves from)\n",
	       opener(x), x->opened, x->opened == 1 ? "" : "s");
}

/*
 * The rule a connection of @program to @dst really gets, and the plan:
 * under mptcp-autod, the daemon's rule narrowed by the user's own files,
 * as the shim registers it and the daemon applies it; otherwise the
 * shim's layered rule. What comes of it on this path, and why not.
 */
static void explain_make(struct explanation *x, const struct cli_view *v,
			 const struct cli_path_facts *host,
			 const struct cli_prog *prog,
			 const struct sockaddr *dst, struct mpa_rule *narrowed)
{
	struct cli_outlook_in in = { .host = *host,
				     .path = x->path,
				     .prog = prog,
				     .daemon_gives = -1,
				     .endpoints = -1,
				     .daemon_policy = x->daemon_from };
	const struct mpa_rule *rule = v->rule;
	int i, n;

	x->rule_from = "shim";
	/* The shim's rule decides the socket; the daemon's, the subflows. */
	if (x->path == CLI_PATH_DAEMON && v->rule->mptcp == MPA_YES &&
	    cli_daemon_rule(v, dst, narrowed)) {
		rule = narrowed;
		x->rule_from = "mptcp-autod";
	}
	eng_plan_make(&eng_plan_kernel, rule, dst, NULL, &x->plan);
	in.converts = v->rule->mptcp == MPA_YES;
	in.wants = x->plan.d.open_subflows;
	if (x->rule_from[0] == 'm') {
		/* The shim's own rule: does it want any, for this place? */
		struct mpa_decision d;

		mpa_rule_decide(v->rule, dst, &d);
		in.wants = d.open_subflows;
		in.daemon_gives = x->plan.d.open_subflows;
	}
	if (x->path == CLI_PATH_ENDPOINTS &&
	    !mptcplib_get_endpoints(x->ep, MPTCPLIB_ENDPOINTS_MAX, &n)) {
		x->nep = n < MPTCPLIB_ENDPOINTS_MAX ? n :
						      MPTCPLIB_ENDPOINTS_MAX;
		for (i = 0, in.endpoints = 0; i < x->nep; i++)
			in.endpoints +=
				!!(x->ep[i].flags & MPTCPLIB_ENDPOINT_SUBFLOW);
	}
	x->reason = cli_outlook_reason(&in);
	if (x->reason != CMN_SAY_NONE)
		cli_outlook_line(&in, x->reason, x->gets, sizeof(x->gets));
	x->opened = x->reason == CMN_SAY_NONE &&
				    (x->path == CLI_PATH_DAEMON ||
				     x->path == CLI_PATH_IN_PROCESS) ?
			    x->plan.nsubs :
			    0;
}

int cmd_explain(int argc, char **argv)
{
	const char *program = NULL, *dest = NULL;
	char found[PATH_MAX], line[512];
	struct sockaddr_storage dst;
	static struct mpa_prog_names names;
	struct mpa_prog_id id = { 0 };
	struct cli_path_facts facts;
	struct explanation *x;
	struct mpa_rule narrowed;
	struct cli_daemon dmn;
	struct cli_view view;
	struct cli_prog prog;
	bool json = false;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf(explain_help, mpa_system_dir);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--program") && i + 1 < argc) {
			program = argv[++i];
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			err = cli_policy_env(argv[++i]);
			if (err)
				return cli_error(2, "explain: policy %s: %s",
						 argv[i], strerror(-err));
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
	/* The program as run would find it: Go, static, apt... */
	cli_prog_read(program && !program_find(program, getenv("PATH"), found,
					       sizeof(found)) ?
			      found :
			      NULL,
		      program ? program : "", &prog);
	if (program)
		mpa_prog_id_init(&id, &names, program, program, NULL);
	cli_path_facts_read(&facts, &dmn);
	x = calloc(1, sizeof(*x));
	if (!x || cli_view_load(&view, &id, &dmn)) {
		free(x);
		cli_view_free(&view);
		return cli_error(2, "explain: out of memory");
	}
	for (i = 0; i < view.shim->ndiags; i++)
		fprintf(stderr, "%s\n",
			mpa_diag_format(&view.shim->diags[i], line,
					sizeof(line)));
	x->program = program;
	x->dest = dest;
	x->path = cli_path_decide(&facts, &x->path_why);
	x->daemon_from = view.daemon_from;
	explain_make(x, &view, &facts, &prog, (const struct sockaddr *)&dst,
		     &narrowed);
	if (json)
		print_json(x);
	else
		print_text(x);
	cli_view_free(&view);
	free(x);
	return 0;
}
