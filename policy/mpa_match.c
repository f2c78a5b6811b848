// SPDX-License-Identifier: MIT
/* Matching: pure, allocation-free, safe from any thread. */
#include <stdio.h>
#include <string.h>

#include "cmn_addr.h"
#include "mpa_policy.h"

bool mpa_glob_match(const char *pat, const char *name)
{
	const char *star = NULL, *resume = NULL;

	/* Iterative with one backtrack point: linear, no recursion. */
	while (*name) {
		if (*pat == '*') {
			star = pat++;
			resume = name;
		} else if (*pat == '?' || *pat == *name) {
			pat++;
			name++;
		} else if (star) {
			pat = star + 1;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool is_interpreter(const char *exe)
{
	static const char *const pats[] = { "sh",    "bash",	"dash",
					    "zsh",   "python*", "perl*",
					    "ruby*", "node",	"nodejs" };
	size_t i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		if (mpa_glob_match(pats[i], exe))
			return true;
	return false;
}

void mpa_prog_id_init(struct mpa_prog_id *id, struct mpa_prog_names *names,
		      const char *exe_path, const char *argv0,
		      const char *argv1)
{
	memset(names, 0, sizeof(*names));
	memset(id, 0, sizeof(*id));
	if (exe_path && *exe_path) {
		snprintf(names->exe, sizeof(names->exe), "%s",
			 base_name(exe_path));
		id->exe = names->exe;
	}
	if (argv0 && *argv0) {
		snprintf(names->argv0, sizeof(names->argv0), "%s",
			 base_name(argv0));
		id->argv0 = names->argv0;
	}
	if (id->exe && is_interpreter(id->exe) && argv1 && *argv1 &&
	    *argv1 != '-') {
		snprintf(names->script, sizeof(names->script), "%s",
			 base_name(argv1));
		id->script = names->script;
	}
}

const struct mpa_rule *mpa_policy_program(const struct mpa_policy *p,
					  const struct mpa_prog_id *id)
{
	const char *names[3] = { id->exe, id->argv0, id->script };
	int i, j;

	for (i = 0; i < p->nprograms; i++)
		for (j = 0; j < 3; j++)
			if (names[j] && names[j][0] &&
			    mpa_glob_match(p->programs[i].program, names[j]))
				return &p->programs[i];
	return &p->def;
}

/* The destination in a comparable form: family, 16 bytes, host port. */
struct dest {
	int family;
	uint8_t addr[16];
	uint16_t port;
};

static bool dest_load(const struct sockaddr *sa, struct dest *d)
{
	struct sockaddr_storage ss;
	const void *a;
	size_t len;

	memset(d, 0, sizeof(*d));
	/* A dual-stack socket's v4-mapped destination is matched as IPv4. */
	if (cmn_sa_load(&ss, sa, cmn_sa_len(sa->sa_family)))
		return false;
	a = cmn_sa_addr((const struct sockaddr *)&ss, &len);
	d->family = ss.ss_family;
	memcpy(d->addr, a, len);
	d->port = cmn_sa_port((const struct sockaddr *)&ss);
	return true;
}

static bool prefix_has(const struct mpa_prefix *p, const struct dest *d)
{
	return p->family == d->family &&
	       cmn_prefix_covers(p->addr, p->len, d->addr);
}

static bool prefixes_have(const struct mpa_prefix *v, int n,
			  const struct dest *d)
{
	int i;

	for (i = 0; i < n; i++)
		if (prefix_has(&v[i], d))
			return true;
	return false;
}

static bool ports_have(const struct mpa_port_range *v, int n, uint16_t port)
{
	int i;

	for (i = 0; i < n; i++)
		if (port >= v[i].lo && port <= v[i].hi)
			return true;
	return false;
}

static bool dest_is_local(const struct dest *d)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (d->family == AF_INET)
		return d->addr[0] == 127 ||
		       (d->addr[0] == 169 && d->addr[1] == 254);
	return !memcmp(d->addr, v6_loopback, 16) ||
	       (d->addr[0] == 0xfe && (d->addr[1] & 0xc0) == 0x80);
}

bool mpa_rule_dest_allowed(const struct mpa_rule *rule,
			   const struct sockaddr *dst, const char **why)
{
	const char *no = NULL;
	struct dest d;

	if (!dest_load(dst, &d))
		no = "not an IPv4 or IPv6 destination";
	else if (rule->skip_local == MPA_YES && dest_is_local(&d))
		no = "loopback or link-local destination";
	else if (prefixes_have(rule->exclude_dests.v, rule->exclude_dests.n,
			       &d))
		no = "destination in exclude-destinations";
	else if (rule->dests.n &&
		 !prefixes_have(rule->dests.v, rule->dests.n, &d))
		no = "destination not in destinations";
	else if (ports_have(rule->exclude_ports.v, rule->exclude_ports.n,
			    d.port))
		no = "port in exclude-ports";
	else if (rule->ports.n &&
		 !ports_have(rule->ports.v, rule->ports.n, d.port))
		no = "port not in ports";
	if (why)
		*why = no;
	return !no;
}

bool mpa_rule_opens_for_all(const struct mpa_rule *rule)
{
	/* Every filter mpa_rule_dest_allowed() applies, none set. */
	return mpa_rule_wants_subflows(rule, NULL) &&
	       rule->skip_local != MPA_YES && !rule->exclude_dests.n &&
	       !rule->dests.n && !rule->exclude_ports.n && !rule->ports.n;
}

bool mpa_rule_wants_subflows(const struct mpa_rule *rule, const char **why)
{
	const char *w = NULL;

	if (rule->mptcp != MPA_YES)
		w = "MPTCP is off for this program";
	else if (!rule->ifaces.n && !rule->backup_ifaces.n)
		w = "the policy names no interfaces";
	else if (rule->subflows == 0)
		w = "subflows = 0";
	if (why)
		*why = w;
	return !w;
}

void mpa_rule_decide(const struct mpa_rule *rule, const struct sockaddr *dst,
		     struct mpa_decision *out)
{
	out->rule = rule;
	out->mptcp = rule->mptcp == MPA_YES;
	out->open_subflows = false;
	out->max_subflows = rule->subflows;
	if (mpa_rule_wants_subflows(rule, &out->why))
		out->open_subflows =
			mpa_rule_dest_allowed(rule, dst, &out->why);
	if (out->open_subflows)
		out->why = NULL;
}

void mpa_policy_match(const struct mpa_policy *p, const struct mpa_prog_id *id,
		      const struct sockaddr *dst, struct mpa_decision *out)
{
	mpa_rule_decide(mpa_policy_program(p, id), dst, out);
}
