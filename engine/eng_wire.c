// SPDX-License-Identifier: MIT
/* The shim <-> mptcp-autod messages: text, strict, one per datagram. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_wire.h"

#define WIRE_MAGIC "MPTCP-AUTO/1 "

static const struct {
	enum eng_wire_type type;
	const char *name;
} wire_types[] = {
	{ ENG_WIRE_REGISTER, "REGISTER" }, { ENG_WIRE_OK, "OK" },
	{ ENG_WIRE_REFUSED, "REFUSED" },   { ENG_WIRE_STATUS, "STATUS" },
	{ ENG_WIRE_STATE, "STATE" },
};

#define NTYPES (sizeof(wire_types) / sizeof(wire_types[0]))

/* Keys, the types that may carry them, and a bit to see repeats. */
enum wire_key {
	KEY_SEQ,
	KEY_TOKEN,
	KEY_USER_SUBFLOWS,
	KEY_USER_INTERFACES,
	KEY_USER_BACKUP,
	KEY_USER_REOPEN,
	KEY_REASON,
	KEY_NOTE,
	KEY_MODE,
	KEY_UNREGISTERED,
	KEY_SINCE,
	KEY_SERVED,
	KEY_SERVED_OTHER,
	KEY_POLICY,
	KEY_REFUSED,
};

/* STATE's unregistered values. */
static const char *const wire_unreg[] = {
	[ENG_WIRE_UNREG_DEFAULT] = "default",
	[ENG_WIRE_UNREG_ENDPOINTS] = "endpoints",
};

#define NUNREG (sizeof(wire_unreg) / sizeof(wire_unreg[0]))

static const struct {
	const char *name;
	enum wire_key key;
	unsigned int types; /* 1 << type */
	bool many; /* may come more than once */
} wire_keys[] = {
	{ "seq", KEY_SEQ,
	  1u << ENG_WIRE_REGISTER | 1u << ENG_WIRE_OK | 1u << ENG_WIRE_REFUSED |
		  1u << ENG_WIRE_STATUS | 1u << ENG_WIRE_STATE,
	  false },
	{ "token", KEY_TOKEN, 1u << ENG_WIRE_REGISTER, false },
	{ "user-subflows", KEY_USER_SUBFLOWS, 1u << ENG_WIRE_REGISTER, false },
	{ "user-interfaces", KEY_USER_INTERFACES, 1u << ENG_WIRE_REGISTER,
	  false },
	{ "user-backup", KEY_USER_BACKUP, 1u << ENG_WIRE_REGISTER, false },
	{ "user-reopen", KEY_USER_REOPEN, 1u << ENG_WIRE_REGISTER, false },
	{ "reason", KEY_REASON, 1u << ENG_WIRE_REFUSED, false },
	{ "note", KEY_NOTE, 1u << ENG_WIRE_OK, false },
	{ "mode", KEY_MODE, 1u << ENG_WIRE_STATE, false },
	{ "unregistered", KEY_UNREGISTERED, 1u << ENG_WIRE_STATE, false },
	{ "since", KEY_SINCE, 1u << ENG_WIRE_STATE, false },
	{ "served", KEY_SERVED, 1u << ENG_WIRE_STATE, true },
	{ "served-other", KEY_SERVED_OTHER, 1u << ENG_WIRE_STATE, false },
	{ "policy", KEY_POLICY, 1u << ENG_WIRE_STATE, false },
	{ "refused", KEY_REFUSED, 1u << ENG_WIRE_STATE, true },
};

#define NKEYS (sizeof(wire_keys) / sizeof(wire_keys[0]))

void eng_wire_init(struct eng_wire_msg *m, enum eng_wire_type type,
		   uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->seq = seq;
	m->user_subflows = -1;
	m->user_reopen = -1;
	m->since = -1;
}

bool eng_wire_prog_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n >= ENG_WIRE_PROG_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return false;
	return true;
}

void eng_wire_prog_clean(const char *name, char *out)
{
	size_t i;

	if (!name || !*name)
		name = "-";
	for (i = 0; name[i] && i < ENG_WIRE_PROG_MAX - 1; i++)
		out[i] = name[i] > ' ' && name[i] <= '~' ? name[i] : '?';
	out[i] = '\0';
}

/* A mode word: what a path manager's name or number is made of. */
static bool wire_word_ok(const char *w)
{
	size_t n = strlen(w);

	return n > 0 && n < ENG_WIRE_WORD_MAX &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool eng_wire_pattern_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	/* What interface names hold, plus the two wildcards. */
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-:@*?",
			    p[i]))
			return false;
	return true;
}

/* "a,b,c" of @n patterns, appended to @buf at *@off. */
static int wire_put_list(char *buf, size_t len, size_t *off, const char *key,
			 const char (*list)[IFNAMSIZ], int n)
{
	int i, w;

	w = snprintf(buf + *off, len - *off, "%s ", key);
	if (w < 0 || (size_t)w >= len - *off)
		return -ENOSPC;
	*off += (size_t)w;
	for (i = 0; i < n; i++) {
		if (!eng_wire_pattern_ok(list[i]))
			return -EINVAL;
		w = snprintf(buf + *off, len - *off, "%s%s", i ? "," : "",
			     list[i]);
		if (w < 0 || (size_t)w >= len - *off)
			return -ENOSPC;
		*off += (size_t)w;
	}
	if (*off + 1 >= len)
		return -ENOSPC;
	buf[(*off)++] = '\n';
	buf[*off] = '\0';
	return 0;
}

/* printf into @buf at *@off. */
static int __attribute__((format(printf, 4, 5)))
wire_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len - *off)
		return -ENOSPC;
	*off += (size_t)w;
	return 0;
}

bool eng_wire_path_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n < 1 || n >= ENG_WIRE_PATH_MAX || p[0] != '/')
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < ' ' || p[i] > '~')
			return false;
	return true;
}

/* STATE's lines: only what is said, each within the protocol's limits. */
static int wire_put_state(const struct eng_wire_msg *m, char *buf, size_t len,
			  size_t *off)
{
	int i, err = 0;

	if (m->nserved < 0 || m->nserved > ENG_WIRE_MAX_SERVED ||
	    m->since < -1 || (size_t)m->unregistered >= NUNREG ||
	    (m->mode[0] && !wire_word_ok(m->mode)) ||
	    (m->policy[0] && !eng_wire_path_ok(m->policy)) || m->nrefused < 0 ||
	    m->nrefused > ENG_WIRE_MAX_REFUSED)
		return -EINVAL;
	if (m->mode[0])
		err = wire_put(buf, len, off, "mode %s\n", m->mode);
	if (!err && m->unregistered)
		err = wire_put(buf, len, off, "unregistered %s\n",
			       wire_unreg[m->unregistered]);
	if (!err && m->since >= 0)
		err = wire_put(buf, len, off, "since %lld\n",
			       (long long)m->since);
	for (i = 0; !err && i < m->nserved; i++) {
		if (!eng_wire_prog_ok(m->served[i].prog))
			return -EINVAL;
		err = wire_put(buf, len, off, "served %u %s %u\n",
			       m->served[i].uid, m->served[i].prog,
			       m->served[i].count);
	}
	if (!err && m->served_other)
		err = wire_put(buf, len, off, "served-other %u\n",
			       m->served_other);
	if (!err && m->policy[0])
		err = wire_put(buf, len, off, "policy %s\n", m->policy);
	for (i = 0; !err && i < m->nrefused; i++)
		err = wire_put(buf, len, off, "refused %08x %u\n",
			       m->refused[i].token, m->refused[i].count);
	return err;
}

int eng_wire_format(const struct eng_wire_msg *m, char *buf, size_t len)
{
	const char *type = NULL;
	size_t off = 0, i;
	int w, err;

	for (i = 0; i < NTYPES; i++)
		if (wire_types[i].type == m->type)
			type = wire_types[i].name;
	if (!type || len == 0)
		return -EINVAL;
	w = snprintf(buf, len, WIRE_MAGIC "%s\nseq %u\n", type, m->seq);
	if (w < 0 || (size_t)w >= len)
		return -ENOSPC;
	off = (size_t)w;
	if (m->type == ENG_WIRE_REGISTER) {
		w = snprintf(buf + off, len - off, "token %08x\n", m->token);
		if (w < 0 || (size_t)w >= len - off)
			return -ENOSPC;
		off += (size_t)w;
		if (m->ninterfaces < 0 ||
		    m->ninterfaces > ENG_WIRE_MAX_PATTERNS || m->nbackup < 0 ||
		    m->nbackup > ENG_WIRE_MAX_PATTERNS ||
		    m->user_subflows < -1 || m->user_subflows > 255 ||
		    m->user_reopen < -1 || m->user_reopen > 1)
			return -EINVAL;
		if (m->narrow && m->user_subflows >= 0) {
			w = snprintf(buf + off, len - off, "user-subflows %d\n",
				     m->user_subflows);
			if (w < 0 || (size_t)w >= len - off)
				return -ENOSPC;
			off += (size_t)w;
		}
		if (m->narrow && m->ninterfaces) {
			err = wire_put_list(buf, len, &off, "user-interfaces",
					    m->interfaces, m->ninterfaces);
			if (err)
				return err;
		}
		if (m->narrow && m->nbackup) {
			err = wire_put_list(buf, len, &off, "user-backup",
					    m->backup, m->nbackup);
			if (err)
				return err;
		}
		if (m->narrow && m->user_reopen >= 0) {
			w = snprintf(buf + off, len - off, "user-reopen %s\n",
				     m->user_reopen ? "yes" : "no");
			if (w < 0 || (size_t)w >= len - off)
				return -ENOSPC;
			off += (size_t)w;
		}
	} else if (m->type == ENG_WIRE_REFUSED ||
		   (m->type == ENG_WIRE_OK && m->reason[0])) {
		if (!m->reason[0] || strchr(m->reason, '\n'))
			return -EINVAL;
		w = snprintf(buf + off, len - off, "%s %s\n",
			     m->type == ENG_WIRE_OK ? "note" : "reason",
			     m->reason);
		if (w < 0 || (size_t)w >= len - off)
			return -ENOSPC;
		off += (size_t)w;
	} else if (m->type == ENG_WIRE_STATE) {
		err = wire_put_state(m, buf, len, &off);
		if (err)
			return err;
	}
	return off > ENG_WIRE_MAX ? -EINVAL : (int)off;
}

/* A decimal number in 0..@max, the whole of @s. */
static int wire_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* "a,b" into @list; each a valid pattern, at most the protocol's count. */
static int wire_list(char *s, char (*list)[IFNAMSIZ], int *n)
{
	char *p;

	*n = 0;
	for (p = strsep(&s, ","); p; p = strsep(&s, ",")) {
		if (*n == ENG_WIRE_MAX_PATTERNS || !eng_wire_pattern_ok(p))
			return -1;
		strcpy(list[(*n)++], p);
	}
	return 0;
}

/* "UID PROGRAM COUNT": one more served line, if there is room. */
static int wire_served(struct eng_wire_msg *m, char *v)
{
	struct eng_wire_served *sv;
	char *uid, *prog, *count;
	unsigned long n;

	if (m->nserved == ENG_WIRE_MAX_SERVED)
		return -1;
	sv = &m->served[m->nserved];
	uid = strsep(&v, " ");
	prog = strsep(&v, " ");
	count = strsep(&v, " ");
	if (!prog || !count || v || !eng_wire_prog_ok(prog) ||
	    wire_number(uid, UINT32_MAX, &n))
		return -1;
	sv->uid = (uint32_t)n;
	if (wire_number(count, UINT32_MAX, &n))
		return -1;
	sv->count = (uint32_t)n;
	strcpy(sv->prog, prog);
	m->nserved++;
	return 0;
}

/* "TOKEN COUNT": one more refused line, if there is room. */
static int wire_refused(struct eng_wire_msg *m, char *v)
{
	char *token = strsep(&v, " "), *end;
	unsigned long n;

	if (m->nrefused == ENG_WIRE_MAX_REFUSED || !v || strlen(token) != 8 ||
	    strspn(token, "0123456789abcdef") != 8 ||
	    wire_number(v, UINT32_MAX, &n) || !n)
		return -1;
	m->refused[m->nrefused].token = (uint32_t)strtoul(token, &end, 16);
	m->refused[m->nrefused++].count = (uint32_t)n;
	return 0;
}

static int wire_value(struct eng_wire_msg *m, enum wire_key key, char *v)
{
	unsigned long n;

	switch (key) {
	case KEY_SEQ:
		if (wire_number(v, UINT32_MAX, &n))
			return -1;
		m->seq = (uint32_t)n;
		return 0;
	case KEY_TOKEN: {
		char *end;

		if (strlen(v) != 8 || strspn(v, "0123456789abcdef") != 8)
			return -1;
		m->token = (uint32_t)strtoul(v, &end, 16);
		return 0;
	}
	case KEY_USER_SUBFLOWS:
		if (wire_number(v, 255, &n))
			return -1;
		m->user_subflows = (int)n;
		m->narrow = true;
		return 0;
	case KEY_USER_INTERFACES:
		m->narrow = true;
		return wire_list(v, m->interfaces, &m->ninterfaces);
	case KEY_USER_BACKUP:
		m->narrow = true;
		return wire_list(v, m->backup, &m->nbackup);
	case KEY_USER_REOPEN:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return -1;
		m->user_reopen = !strcmp(v, "yes");
		m->narrow = true;
		return 0;
	case KEY_REASON:
	case KEY_NOTE:
		if (!*v || strlen(v) >= sizeof(m->reason))
			return -1;
		strcpy(m->reason, v);
		return 0;
	case KEY_MODE:
		if (!wire_word_ok(v))
			return -1;
		strcpy(m->mode, v);
		return 0;
	case KEY_UNREGISTERED:
		for (n = 1; n < NUNREG; n++)
			if (!strcmp(v, wire_unreg[n])) {
				m->unregistered = (enum eng_wire_unreg)n;
				return 0;
			}
		return -1;
	case KEY_SINCE:
		if (wire_number(v, INT64_MAX, &n))
			return -1;
		m->since = (int64_t)n;
		return 0;
	case KEY_SERVED:
		return wire_served(m, v);
	case KEY_SERVED_OTHER:
		if (wire_number(v, UINT32_MAX, &n))
			return -1;
		m->served_other = (uint32_t)n;
		return 0;
	case KEY_POLICY:
		if (!eng_wire_path_ok(v))
			return -1;
		strcpy(m->policy, v);
		return 0;
	case KEY_REFUSED:
		return wire_refused(m, v);
	}
	return -1;
}

#define WIRE_FAIL(text)              \
	do {                         \
		if (why)             \
			*why = text; \
		return -EPROTO;      \
	} while (0)

int eng_wire_parse(const char *buf, size_t len, struct eng_wire_msg *m,
		   const char **why)
{
	char text[ENG_WIRE_MAX + 1], *line, *rest, *v;
	unsigned int seen = 0;
	size_t i, k;

	if (len == 0 || len > ENG_WIRE_MAX)
		WIRE_FAIL("empty or too long");
	if (memchr(buf, '\0', len))
		WIRE_FAIL("a NUL byte");
	memcpy(text, buf, len);
	text[len] = '\0';
	if (text[len - 1] != '\n')
		WIRE_FAIL("last line not ended");
	rest = text;
	line = strsep(&rest, "\n");
	if (strncmp(line, WIRE_MAGIC, strlen(WIRE_MAGIC)))
		WIRE_FAIL("not MPTCP-AUTO/1");
	for (i = 0; i < NTYPES; i++)
		if (!strcmp(line + strlen(WIRE_MAGIC), wire_types[i].name))
			break;
	if (i == NTYPES)
		WIRE_FAIL("unknown message type");
	eng_wire_init(m, wire_types[i].type, 0);
	/* rest ends with the empty string after the last newline. */
	while ((line = strsep(&rest, "\n")) && rest) {
		v = strchr(line, ' ');
		if (!v || v == line || !v[1])
			WIRE_FAIL("a line is not \"key value\"");
		*v++ = '\0';
		for (k = 0; k < NKEYS; k++)
			if (!strcmp(line, wire_keys[k].name))
				break;
		if (k == NKEYS || !(wire_keys[k].types & (1u << m->type)))
			WIRE_FAIL("unknown key for this message");
		if ((seen & (1u << wire_keys[k].key)) && !wire_keys[k].many)
			WIRE_FAIL("a key given twice");
		seen |= 1u << wire_keys[k].key;
		if (wire_value(m, wire_keys[k].key, v))
			WIRE_FAIL("a value out of bounds");
	}
	if (!(seen & (1u << KEY_SEQ)))
		WIRE_FAIL("no seq");
	if (m->type == ENG_WIRE_REGISTER && !(seen & (1u << KEY_TOKEN)))
		WIRE_FAIL("no token");
	if (m->type == ENG_WIRE_REFUSED && !(seen & (1u << KEY_REASON)))
		WIRE_FAIL("no reason");
	return 0;
}
