// SPDX-License-Identifier: MIT
/* The shim <-> mptcp-autod messages: text, strict, one per datagram. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_wire.h"

#define WIRE_MAGIC "MPTCP-AUTO/1 "

static const struct {
	enum eng_wire_type type;
	const char *name;
} wire_types[] = {
	{ ENG_WIRE_REGISTER, "REGISTER" },
	{ ENG_WIRE_OK, "OK" },
	{ ENG_WIRE_REFUSED, "REFUSED" },
};

#define NTYPES (sizeof(wire_types) / sizeof(wire_types[0]))

/* Keys, the types that may carry them, and a bit to see repeats. */
enum wire_key {
	KEY_SEQ,
	KEY_TOKEN,
	KEY_USER_SUBFLOWS,
	KEY_USER_INTERFACES,
	KEY_USER_BACKUP,
	KEY_REASON,
};

static const struct {
	const char *name;
	enum wire_key key;
	unsigned int types; /* 1 << type */
} wire_keys[] = {
	{ "seq", KEY_SEQ,
	  1u << ENG_WIRE_REGISTER | 1u << ENG_WIRE_OK |
		  1u << ENG_WIRE_REFUSED },
	{ "token", KEY_TOKEN, 1u << ENG_WIRE_REGISTER },
	{ "user-subflows", KEY_USER_SUBFLOWS, 1u << ENG_WIRE_REGISTER },
	{ "user-interfaces", KEY_USER_INTERFACES, 1u << ENG_WIRE_REGISTER },
	{ "user-backup", KEY_USER_BACKUP, 1u << ENG_WIRE_REGISTER },
	{ "reason", KEY_REASON, 1u << ENG_WIRE_REFUSED },
};

#define NKEYS (sizeof(wire_keys) / sizeof(wire_keys[0]))

void eng_wire_init(struct eng_wire_msg *m, enum eng_wire_type type,
		   uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->seq = seq;
	m->user_subflows = -1;
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
		    m->user_subflows < -1 || m->user_subflows > 255)
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
	} else if (m->type == ENG_WIRE_REFUSED) {
		if (!m->reason[0] || strchr(m->reason, '\n'))
			return -EINVAL;
		w = snprintf(buf + off, len - off, "reason %s\n", m->reason);
		if (w < 0 || (size_t)w >= len - off)
			return -ENOSPC;
		off += (size_t)w;
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
	case KEY_REASON:
		if (!*v || strlen(v) >= sizeof(m->reason))
			return -1;
		strcpy(m->reason, v);
		return 0;
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
		if (seen & (1u << wire_keys[k].key))
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
