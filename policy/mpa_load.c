// SPDX-License-Identifier: MIT
/*
 * Policy loading: inih parses the INI syntax and calls a handler per key;
 * its line reader counts the lines, so every diagnostic carries file and
 * line, and sees the section headers inih keeps to itself.
 *
 * The shim loads the policy in every program it is loaded into, so the
 * cost stays linear in the size of the files: program names are found
 * through a hash index, a file's changes are undone from a log of what
 * it overwrote (not by copying every rule per file), and diagnostics past
 * MPA_DIAG_MAX are only counted.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpa_load.h"
#include "mpa_parse.h"

/*
 * What this loader relies on in the inih build (Debian's libinih-dev, see
 * <ini.h>): the handler gets a name and a value on every call, and inih
 * reads every line whatever it found on the ones before.
 */
#if INI_CALL_HANDLER_ON_NEW_SECTION || INI_ALLOW_NO_VALUE
#error "ini_key() expects a key name and a value on every call"
#endif
#if INI_STOP_ON_FIRST_ERROR
#error "each bad line is diagnosed, so inih must read them all"
#endif

#define NO_RULE (-2)
#define DEF_RULE (-1)

/* How a key's value is parsed, and the type of its field. */
enum key_kind {
	KEY_BOOL, /* int: enum mpa_tristate */
	KEY_INT, /* int: 0 to the limit */
	KEY_DURATION, /* int: milliseconds, 0 to the limit */
	/* The lists come last (key_is_list()). */
	KEY_IFACES, /* struct mpa_iface_list: at most the limit */
	KEY_PREFIXES, /* struct mpa_prefix_list: at most the limit */
	KEY_PORTS, /* struct mpa_port_list: at most the limit */
};

struct key {
	const char *name;
	size_t off; /* of its field in struct mpa_rule */
	enum key_kind kind;
	int limit; /* largest value; a list's most items (its capacity) */
	int builtin; /* a scalar's built-in default; a list's is empty */
};

#define RULE_FIELD(field) offsetof(struct mpa_rule, field)

/* Every key of a section, in the order docs/policy.md documents them. */
static const struct key keys[] = {
	{ "mptcp", RULE_FIELD(mptcp), KEY_BOOL, 0, MPA_YES },
	{ "interfaces", RULE_FIELD(ifaces), KEY_IFACES, MPA_MAX_IFACES, 0 },
	{ "backup", RULE_FIELD(backup_ifaces), KEY_IFACES, MPA_MAX_IFACES, 0 },
	{ "exclude-interfaces", RULE_FIELD(exclude_ifaces), KEY_IFACES,
	  MPA_MAX_IFACES, 0 },
	{ "subflows", RULE_FIELD(subflows), KEY_INT, MPA_MAX_SUBFLOWS, 2 },
	{ "destinations", RULE_FIELD(dests), KEY_PREFIXES, MPA_MAX_PREFIXES,
	  0 },
	{ "exclude-destinations", RULE_FIELD(exclude_dests), KEY_PREFIXES,
	  MPA_MAX_PREFIXES, 0 },
	{ "ports", RULE_FIELD(ports), KEY_PORTS, MPA_MAX_PORT_RANGES, 0 },
	{ "exclude-ports", RULE_FIELD(exclude_ports), KEY_PORTS,
	  MPA_MAX_PORT_RANGES, 0 },
	{ "skip-local", RULE_FIELD(skip_local), KEY_BOOL, 0, MPA_YES },
	{ "reopen", RULE_FIELD(reopen), KEY_BOOL, 0, MPA_YES },
	{ "subflow-delay", RULE_FIELD(subflow_delay), KEY_DURATION,
	  MPA_MAX_DELAY_MS, 0 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static bool key_is_list(const struct key *k)
{
	return k->kind >= KEY_IFACES;
}

/* Whether the rule holding @field set key @k, or left it to inherit. */
static bool key_is_set(const struct key *k, const void *field)
{
	return key_is_list(k) ? *(const bool *)field :
				*(const int *)field != MPA_UNSET;
}

static size_t key_size(const struct key *k)
{
	switch (k->kind) {
	case KEY_IFACES:
		return sizeof(struct mpa_iface_list);
	case KEY_PREFIXES:
		return sizeof(struct mpa_prefix_list);
	case KEY_PORTS:
		return sizeof(struct mpa_port_list);
	default:
		return sizeof(int);
	}
}

/* Beside each [program] rule: its hash chain, and the current file. */
struct prog_slot {
	int next; /* the next older rule in the same chain, or -1 */
	int seen; /* 1 + its index in the file's seen[]; 0: not in the file */
};

/*
 * The rules as built so far: [default] and the [program] sections, these
 * indexed by name in a chained hash whose chains run newest first, so
 * that the rules a failed file added can be unlinked newest first.
 */
struct load_state {
	struct mpa_rule def;
	int def_seen; /* as prog_slot.seen, for [default] */
	struct mpa_rule *progs;
	struct prog_slot *slots; /* cap of them, beside progs */
	int nprogs, cap;
	int *heads; /* cap chains (a power of two), -1: empty */
};

/* What one file set in one section, to report repeats. */
struct seen_section {
	int rule; /* DEF_RULE or an index into progs */
	int line;
	int key_line[NKEYS]; /* 0: not set in this file */
};

/* A rule as it was before the current file changed it. */
struct undo {
	int rule; /* DEF_RULE or an index into progs */
	struct mpa_rule old;
};

struct file_ctx {
	struct mpa_policy *p;
	struct load_state *st;
	const char *name;
	const char *buf;
	size_t len, off;
	int line; /* the line inih has, counted by the reader */
	const char *text; /* that line, without the blanks around it */
	bool want_key; /* it is neither blank, a comment nor a header */
	bool got_key; /* inih called the handler for it */
	int errors;
	int cur; /* index into seen[], or NO_RULE */
	bool had_header; /* any [section] line so far, good or bad */
	struct seen_section *seen;
	int nseen, seen_cap;
	int nprogs_before; /* rules from here on are this file's own */
	struct undo *undo; /* rules of earlier files this file changed */
	int nundo, undo_cap;
};

static int add_diag(struct mpa_policy *p, enum mpa_severity sev,
		    const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int add_diag(struct mpa_policy *p, enum mpa_severity sev,
		    const char *file, int line, const char *fmt, ...)
{
	struct mpa_diag *d;
	va_list ap;

	if (sev == MPA_ERROR)
		p->nerrors++;
	/*
	 * Past the cap, only count: a file of bad lines must not cost memory
	 * and log lines in proportion to its size. The slot after the cap is
	 * the summary, worded by mpa_load_finish().
	 */
	if (p->ndiags > MPA_DIAG_MAX) {
		p->nhidden++;
		return 0;
	}
	if (p->ndiags % 16 == 0) {
		d = realloc(p->diags, (p->ndiags + 16) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		p->diags = d;
	}
	d = &p->diags[p->ndiags++];
	d->severity = sev;
	d->line = line;
	snprintf(d->file, sizeof(d->file), "%s", file);
	if (p->ndiags > MPA_DIAG_MAX) {
		d->severity = MPA_WARNING;
		d->line = 0;
		d->msg[0] = '\0';
		p->nhidden = 1;
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return 0;
}

#define file_error(ctx, ...) \
	((ctx)->errors++,    \
	 add_diag((ctx)->p, MPA_ERROR, (ctx)->name, (ctx)->line, __VA_ARGS__))
#define file_warn(ctx, ...) \
	add_diag((ctx)->p, MPA_WARNING, (ctx)->name, (ctx)->line, __VA_ARGS__)

const char *mpa_diag_format(const struct mpa_diag *d, char *buf, size_t len)
{
	const char *sev = d->severity == MPA_ERROR ? "error" : "warning";

	if (d->line)
		snprintf(buf, len, "%s:%d: %s: %s", d->file, d->line, sev,
			 d->msg);
	else
		snprintf(buf, len, "%s: %s: %s", d->file, sev, d->msg);
	return buf;
}

static void rule_init(struct mpa_rule *r, const char *program)
{
	size_t i;

	memset(r, 0, sizeof(*r)); /* every list unset */
	snprintf(r->program, sizeof(r->program), "%s", program);
	for (i = 0; i < NKEYS; i++)
		if (!key_is_list(&keys[i]))
			*(int *)((char *)r + keys[i].off) = MPA_UNSET;
}

static struct mpa_rule *state_rule(struct load_state *st, int idx)
{
	return idx == DEF_RULE ? &st->def : &st->progs[idx];
}

/* The "seen in the current file" mark of rule @idx. */
static int *seen_mark(struct load_state *st, int idx)
{
	return idx == DEF_RULE ? &st->def_seen : &st->slots[idx].seen;
}

/* FNV-1a: the chain of a program name, for a power-of-two @nchains. */
static unsigned int name_chain(const char *name, int nchains)
{
	uint32_t h = 2166136261u;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 16777619u;
	return h & (uint32_t)(nchains - 1);
}

static void chain_link(struct load_state *st, int i)
{
	unsigned int c = name_chain(st->progs[i].program, st->cap);

	st->slots[i].next = st->heads[c];
	st->heads[c] = i;
}

/* Room for twice as many rules; the index rebuilt, oldest linked first. */
static int state_grow(struct load_state *st)
{
	int cap = st->cap ? st->cap * 2 : 8, i, *heads;
	struct prog_slot *slots;
	struct mpa_rule *r;

	if (cap > (1 << 24))
		return -ENOMEM; /* far more than 1 MiB of headers can name */
	r = realloc(st->progs, (size_t)cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	st->progs = r;
	slots = realloc(st->slots, (size_t)cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	st->slots = slots;
	heads = malloc((size_t)cap * sizeof(*heads));
	if (!heads)
		return -ENOMEM;
	free(st->heads);
	st->heads = heads;
	st->cap = cap;
	for (i = 0; i < cap; i++)
		heads[i] = -1;
	for (i = 0; i < st->nprogs; i++)
		chain_link(st, i);
	return 0;
}

/* The [program] rule for @pattern, created at the end if new. */
static int state_program(struct load_state *st, const char *pattern)
{
	int i;

	if (st->cap)
		for (i = st->heads[name_chain(pattern, st->cap)]; i >= 0;
		     i = st->slots[i].next)
			if (!strcmp(st->progs[i].program, pattern))
				return i;
	if (st->nprogs == MPA_MAX_PROGRAMS)
		return -E2BIG;
	if (st->nprogs == st->cap && state_grow(st))
		return -ENOMEM;
	i = st->nprogs++;
	rule_init(&st->progs[i], pattern);
	st->slots[i].seen = 0;
	chain_link(st, i);
	return i;
}

/* Drop the rules from @n on; each is the newest of its chain in turn. */
static void state_truncate(struct load_state *st, int n)
{
	while (st->nprogs > n) {
		int i = --st->nprogs;

		st->heads[name_chain(st->progs[i].program, st->cap)] =
			st->slots[i].next;
	}
}

/*
 * @arr (*@cap items of @size bytes) with room for @need, doubling; NULL
 * when out of memory, @arr then unchanged.
 */
static void *grow(void *arr, int *cap, int need, size_t size)
{
	int n = *cap ? *cap : 16;

	if (need <= *cap)
		return arr;
	while (n < need)
		n *= 2;
	arr = realloc(arr, (size_t)n * size);
	if (arr)
		*cap = n;
	return arr;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[MPA_NAME_MAX + 2];

	if (la > MPA_NAME_MAX || lb > MPA_NAME_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *closest_key(const char *name)
{
	size_t best = 3, d;
	const char *hit = NULL;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		d = edit_distance(name, keys[i].name);
		if (d < best) {
			best = d;
			hit = keys[i].name;
		}
	}
	return hit;
}

/* Set key @k of @r from @value; 0 or -EINVAL with @err filled. */
static int rule_set(struct mpa_rule *r, const struct key *k, const char *value,
		    char *err, size_t errlen)
{
	void *field = (char *)r + k->off;
	struct mpa_iface_list *ifaces = field;
	struct mpa_prefix_list *prefixes = field;
	struct mpa_port_list *ports = field;
	int rc = -EINVAL;

	switch (k->kind) {
	case KEY_BOOL:
		return mpa_parse_bool(k->name, value, field, err, errlen);
	case KEY_INT:
		return mpa_parse_int(k->name, value, 0, k->limit, field, err,
				     errlen);
	case KEY_DURATION:
		return mpa_parse_duration(k->name, value, k->limit, field, err,
					  errlen);
	case KEY_IFACES:
		rc = mpa_parse_ifaces(k->name, value, ifaces->v, k->limit,
				      &ifaces->n, err, errlen);
		break;
	case KEY_PREFIXES:
		rc = mpa_parse_prefixes(k->name, value, prefixes->v, k->limit,
					&prefixes->n, err, errlen);
		break;
	case KEY_PORTS:
		rc = mpa_parse_ports(k->name, value, ports->v, k->limit,
				     &ports->n, err, errlen);
		break;
	}
	/* Every list starts with its "set" flag: set even when empty. */
	*(bool *)field = rc == 0;
	return rc;
}

/*
 * inih's handler, called for each "key = value" line while the reader's
 * ctx->line is still that line's number. Always 1: errors are counted
 * here, each with its line.
 */
static int ini_key(void *user, const char *section, const char *name,
		   const char *value)
{
	struct file_ctx *ctx = user;
	struct seen_section *s;
	const char *hint;
	char err[160];
	size_t k;

	(void)section; /* the reader tracks sections, rejected ones too */
	ctx->got_key = true;
	if (!*name) {
		/* The reader took the blanks off: the '=' or ':' comes first. */
		file_error(ctx, "missing key name before '%c'", ctx->text[0]);
		return 1;
	}
	if (strlen(name) > MPA_NAME_MAX) {
		file_error(ctx, "key name longer than %d characters",
			   MPA_NAME_MAX);
		return 1;
	}
	if (!ctx->had_header) {
		file_error(ctx,
			   "'%s' is outside any section; put it under "
			   "[default] or [program NAME]",
			   name);
		return 1;
	}
	if (ctx->cur == NO_RULE)
		return 1; /* in a section already diagnosed */
	s = &ctx->seen[ctx->cur];
	for (k = 0; k < NKEYS; k++)
		if (!strcmp(name, keys[k].name))
			break;
	if (k == NKEYS) {
		hint = closest_key(name);
		if (hint)
			file_warn(ctx, "unknown key '%s' (did you mean '%s'?)",
				  name, hint);
		else
			file_warn(ctx, "unknown key '%s'", name);
		return 1;
	}
	if (s->key_line[k]) {
		file_error(ctx,
			   "'%s' is set twice in this section (first at "
			   "line %d)",
			   name, s->key_line[k]);
		return 1;
	}
	s->key_line[k] = ctx->line;
	if (rule_set(state_rule(ctx->st, s->rule), &keys[k], value, err,
		     sizeof(err)))
		file_error(ctx, "%s", err);
	return 1;
}

/* What inih strips around lines, names and values: isspace() in "C". */
static bool is_blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Trim blanks at both ends of [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Start a section from its header's inside; ctx->cur set, or NO_RULE. */
static void begin_section(struct file_ctx *ctx, const char *in, size_t len)
{
	char name[MPA_NAME_MAX + 1];
	struct seen_section *s;
	struct undo *u;
	int idx, *mark;

	ctx->cur = NO_RULE;
	trim(&in, &len);
	if (len > MPA_NAME_MAX) {
		file_error(ctx, "section name longer than %d characters",
			   MPA_NAME_MAX);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)len, in);
	if (!strcmp(name, "default")) {
		idx = DEF_RULE;
	} else if (!strncmp(name, "program", 7) &&
		   (name[7] == ' ' || name[7] == '\t')) {
		const char *pat = name + 8;

		while (*pat == ' ' || *pat == '\t')
			pat++;
		idx = state_program(ctx->st, pat);
		if (idx == -E2BIG) {
			file_error(ctx,
				   "more than %d [program] sections in all "
				   "files",
				   MPA_MAX_PROGRAMS);
			return;
		}
		if (idx == -ENOMEM) {
			file_error(ctx, "out of memory");
			return;
		}
	} else {
		file_error(ctx,
			   "unknown section [%s] (expected [default] or "
			   "[program NAME])",
			   name);
		return;
	}
	mark = seen_mark(ctx->st, idx);
	if (*mark) {
		file_error(ctx,
			   "section [%s] repeated (first at line "
			   "%d)",
			   name, ctx->seen[*mark - 1].line);
		return;
	}
	s = grow(ctx->seen, &ctx->seen_cap, ctx->nseen + 1, sizeof(*s));
	if (!s) {
		file_error(ctx, "out of memory");
		return;
	}
	ctx->seen = s;
	/* A rule of an earlier file: keep what it was, to undo this file. */
	if (idx == DEF_RULE || idx < ctx->nprogs_before) {
		u = grow(ctx->undo, &ctx->undo_cap, ctx->nundo + 1, sizeof(*u));
		if (!u) {
			file_error(ctx, "out of memory");
			return;
		}
		ctx->undo = u;
		u[ctx->nundo].rule = idx;
		u[ctx->nundo++].old = *state_rule(ctx->st, idx);
	}
	s = &ctx->seen[ctx->nseen];
	memset(s, 0, sizeof(*s));
	s->rule = idx;
	s->line = ctx->line;
	snprintf(state_rule(ctx->st, idx)->origin,
		 sizeof(state_rule(ctx->st, idx)->origin), "%s:%d", ctx->name,
		 ctx->line);
	ctx->cur = ctx->nseen++;
	*mark = ctx->nseen;
}

/*
 * Where inih sees an inline comment start in @s (@len bytes): a prefix
 * character after a blank, never the first; NULL if nowhere.
 */
static const char *inline_comment(const char *s, size_t len)
{
	const char *prefix, *p, *first = NULL, *end = s + len;

	if (!INI_ALLOW_INLINE_COMMENTS)
		return NULL;
	for (prefix = INI_INLINE_COMMENT_PREFIXES; *prefix; prefix++)
		for (p = s + 1; p < end && (p = memchr(p, *prefix, end - p));
		     p++)
			if (is_blank(p[-1])) {
				if (!first || p < first)
					first = p;
				break;
			}
	return first;
}

/*
 * A "[section]" line @s (trimmed, @len long); whether its section was
 * taken. inih ends the header at the first ']', unless an inline comment
 * starts before it: to inih, "[program a ;b]" is an unclosed "[program a".
 */
static bool section_line(struct file_ctx *ctx, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len), *comment;

	ctx->had_header = true;
	ctx->cur = NO_RULE;
	if (!close) {
		file_error(ctx, "missing ']' in the section header");
		return false;
	}
	comment = inline_comment(s + 1, (size_t)(close - s - 1));
	if (comment) {
		file_error(ctx,
			   "missing ']' in the section header ('%c' after a "
			   "blank starts a comment)",
			   *comment);
		return false;
	}
	begin_section(ctx, s + 1, (size_t)(close - s - 1));
	return ctx->cur != NO_RULE;
}

/*
 * Take raw line @s (@len bytes, no '\n'): diagnose what inih cannot see,
 * and learn what inih does not tell. Returns the length of what inih
 * gets, from *@s on, at most @room; 0 (a blank line) when inih has
 * nothing to judge.
 *
 * Two checks come before inih, because a C string in inih's fixed buffer
 * cannot carry the line: a NUL byte, and a line longer than the buffer
 * (inih would parse its rest as the next line).
 *
 * A BOM on line 1 comes off, as inih would take it off, so that the
 * first character is the line's own; then the blanks around the line:
 * inih reads an indented line as the continuation of the previous value
 * (INI_ALLOW_MULTILINE), where the policy format allows indentation and
 * has no continuations. A CRLF file's '\r' goes with them.
 *
 * The one pre-check of the syntax is the first character, the one inih
 * tells lines apart by. Section headers are followed here, as this inih
 * build never reports them (INI_CALL_HANDLER_ON_NEW_SECTION is 0): their
 * lines, empty sections, repeats, and names past the 49 characters inih
 * would silently keep. Any other line but a comment must reach the
 * handler as a key; end_line() reports it when inih rejected it instead.
 * Keys and values are split by inih alone.
 */
static size_t take_line(struct file_ctx *ctx, const char **s, size_t len,
			size_t room)
{
	if (memchr(*s, '\0', len)) {
		file_error(ctx, "binary data (a NUL byte) in the line");
		return 0;
	}
	if (ctx->line == 1 && len >= 3 && !memcmp(*s, "\xEF\xBB\xBF", 3)) {
		*s += 3;
		len -= 3;
	}
	trim(s, &len);
	ctx->text = *s;
	if (len > room) {
		file_error(ctx, "line longer than %zu characters", room);
		if (**s == '[') {
			/* Its keys must not land in the section before. */
			ctx->had_header = true;
			ctx->cur = NO_RULE;
		}
		return 0;
	}
	if (!len || strchr(INI_START_COMMENT_PREFIXES, **s))
		return 0; /* inih would skip it */
	if (**s != '[') {
		ctx->want_key = true;
		return len;
	}
	/*
	 * inih gets the headers taken here only to judge them too: should
	 * it read one otherwise, its return value says so (load_text()).
	 */
	return section_line(ctx, *s, len) ? len : 0;
}

/*
 * The line inih has just parsed is done: a line that had to be a key and
 * did not reach the handler is one inih rejected, with no '=' or ':'
 * before any inline comment.
 */
static void end_line(struct file_ctx *ctx)
{
	if (ctx->want_key && !ctx->got_key)
		file_error(ctx, "expected 'key = value', a [section] or a "
				"comment");
	ctx->want_key = false;
	ctx->got_key = false;
}

/*
 * inih's reader: one line per call, always ending in '\n', so that inih
 * counts lines as ctx->line does. Each call first closes the line inih
 * finished with; the last call (NULL) closes the last line.
 */
static char *ini_line(char *str, int num, void *stream)
{
	struct file_ctx *ctx = stream;
	size_t len, room = num > 2 ? (size_t)num - 2 : 0;
	const char *s, *nl;

	end_line(ctx);
	if (ctx->off >= ctx->len)
		return NULL;
	s = ctx->buf + ctx->off;
	nl = memchr(s, '\n', ctx->len - ctx->off);
	len = nl ? (size_t)(nl - s) : ctx->len - ctx->off;
	ctx->off += len + (nl ? 1 : 0);
	ctx->line++;
	len = take_line(ctx, &s, len, room);
	memcpy(str, s, len);
	memcpy(str + len, "\n", 2);
	return str;
}

/*
 * Parse one file's text into @st; returns its error count. A file with
 * errors is undone: the rules it changed get their old values back, and
 * the rules it added are dropped.
 */
static int load_text(struct mpa_policy *p, struct load_state *st,
		     const char *name, const char *text, size_t len)
{
	struct file_ctx ctx = {
		.p = p,
		.st = st,
		.name = name,
		.buf = text,
		.len = len,
		.cur = NO_RULE,
		.nprogs_before = st->nprogs,
	};
	int i, rc;

	rc = ini_parse_stream(ini_line, &ctx, ini_key, &ctx);
	/*
	 * inih returns the line of the first error it found (it counts
	 * lines as the reader does), and every line it rejects has been
	 * diagnosed already. Should one slip through all the same, the file
	 * must still not apply.
	 */
	if (rc && !ctx.errors) {
		ctx.line = rc > 0 ? rc : 0;
		file_error(&ctx, "%s",
			   rc > 0 ? "not valid INI syntax" : "out of memory");
	}
	for (i = 0; i < ctx.nseen; i++)
		*seen_mark(st, ctx.seen[i].rule) = 0;
	if (ctx.errors) {
		for (i = ctx.nundo - 1; i >= 0; i--)
			*state_rule(st, ctx.undo[i].rule) = ctx.undo[i].old;
		state_truncate(st, ctx.nprogs_before);
	}
	free(ctx.seen);
	free(ctx.undo);
	return ctx.errors;
}

int mpa_load_layer(struct mpa_policy *p, void *state, const char *name,
		   const char *text, size_t len)
{
	int errors = load_text(p, state, name, text, len);

	if (errors) {
		add_diag(p, MPA_WARNING, name, 0,
			 "file not applied: %d error%s", errors,
			 errors == 1 ? "" : "s");
		return 0;
	}
	p->nfiles++;
	return 0;
}

/* Fill what @r left unset from @from, key by key. */
static void rule_inherit(struct mpa_rule *r, const struct mpa_rule *from)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		char *field = (char *)r + k->off;

		if (!key_is_set(k, field))
			memcpy(field, (const char *)from + k->off, key_size(k));
	}
}

void *mpa_load_begin(void)
{
	struct load_state *st = calloc(1, sizeof(*st));

	if (st)
		rule_init(&st->def, "");
	return st;
}

int mpa_load_finish(struct mpa_policy *p, void *state, bool builtin)
{
	struct load_state *st = state;
	struct mpa_rule defaults;
	size_t k;
	int i;

	/* Built-in defaults (docs/policy.md): the table's, lists empty. */
	if (builtin) {
		rule_init(&defaults, "");
		for (k = 0; k < NKEYS; k++) {
			char *field = (char *)&defaults + keys[k].off;

			if (key_is_list(&keys[k]))
				*(bool *)field = true;
			else
				*(int *)field = keys[k].builtin;
		}
		rule_inherit(&st->def, &defaults);
	}
	if (!st->def.origin[0])
		snprintf(st->def.origin, sizeof(st->def.origin), "%s",
			 builtin ? "built-in" : "no user policy");
	for (i = 0; i < st->nprogs; i++)
		rule_inherit(&st->progs[i], &st->def);
	p->def = st->def;
	p->programs = st->progs;
	p->nprograms = st->nprogs;
	if (p->nhidden)
		snprintf(p->diags[MPA_DIAG_MAX].msg,
			 sizeof(p->diags[MPA_DIAG_MAX].msg),
			 "%d more problem%s not shown (only the first %d are "
			 "kept)",
			 p->nhidden, p->nhidden == 1 ? "" : "s", MPA_DIAG_MAX);
	free(st->slots);
	free(st->heads);
	free(st);
	return 0;
}

void mpa_load_abort(void *state)
{
	struct load_state *st = state;

	if (st) {
		free(st->progs);
		free(st->slots);
		free(st->heads);
	}
	free(st);
}

void mpa_load_file_diag(struct mpa_policy *p, enum mpa_severity sev,
			const char *file, const char *msg)
{
	add_diag(p, sev, file, 0, "%s", msg);
}
