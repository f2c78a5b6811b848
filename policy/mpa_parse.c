// SPDX-License-Identifier: MIT
/* Value parsers of the policy format: booleans, numbers, durations, lists. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mpa_parse.h"

#define ELEM_MAX 64 /* longest list element we look at */

static int parse_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int mpa_parse_bool(const char *key, const char *v, int *out, char *err,
		   size_t errlen)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return parse_fail(err, errlen, "%s: '%s' is not yes or no", key, v);
}

/* Strict decimal: digits only, no sign, no overflow past @max. */
static int parse_uint(const char *s, long max, long *out)
{
	long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int mpa_parse_int(const char *key, const char *v, int min, int max, int *out,
		  char *err, size_t errlen)
{
	long n;

	if (parse_uint(v, max, &n) || n < min)
		return parse_fail(err, errlen,
				  "%s: '%s' is not a number from "
				  "%d to %d",
				  key, v, min, max);
	*out = (int)n;
	return 0;
}

int mpa_parse_duration(const char *key, const char *v, int max_ms, int *out,
		       char *err, size_t errlen)
{
	const char *p = v;
	long whole = 0, frac = 0, scale = 1;
	int digits = 0;
	long ms;

	while (isspace((unsigned char)*p))
		p++;
	for (; isdigit((unsigned char)*p) && whole <= max_ms; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (scale < 1000) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	if (!strncmp(p, "ms", 2)) {
		if (scale > 1) /* fractions of a millisecond: too fine */
			goto bad;
		ms = whole;
		p += 2;
	} else if (*p == 's') {
		ms = whole * 1000 + frac * 1000 / scale;
		p++;
	} else if (!*p && whole == 0 && scale == 1 && digits) {
		ms = 0; /* a bare 0 needs no unit */
	} else {
		goto bad;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p || !digits || ms > max_ms)
		goto bad;
	*out = (int)ms;
	return 0;
bad:
	return parse_fail(err, errlen,
			  "%s: '%s' is not a duration from 0 to %d s "
			  "(like 200ms or 1.5s)",
			  key, v, max_ms / 1000);
}

/*
 * Split @v at commas; call @fn on each trimmed element. An empty value is
 * an empty list; an empty element ("a,,b", "a,") is an error naming the
 * whole value, since that is what the person has to look at.
 */
typedef int (*elem_fn)(const char *elem, void *ctx, char *err, size_t errlen);

static int parse_list(const char *v, const char *what, elem_fn fn, void *ctx,
		      char *err, size_t errlen)
{
	const char *p = v;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char elem[ELEM_MAX + 1];
		int rc;

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len)
			return parse_fail(err, errlen, "%s: empty %s", v, what);
		if (len > ELEM_MAX)
			len = ELEM_MAX; /* still far too long for any element */
		memcpy(elem, p, len);
		elem[len] = '\0';
		rc = fn(elem, ctx, err, errlen);
		if (rc)
			return rc;
		if (!end)
			return 0;
		p = end + 1;
	}
}

struct list_ctx {
	const char *key;
	void *out;
	int max;
	int *n;
};

static int iface_elem(const char *e, void *c, char *err, size_t errlen)
{
	struct list_ctx *ctx = c;
	struct mpa_iface_pat *out = ctx->out;
	const char *s;

	if (strlen(e) >= IFNAMSIZ)
		return parse_fail(err, errlen,
				  "%s: '%s' is longer than an "
				  "interface name (%d characters)",
				  ctx->key, e, IFNAMSIZ - 1);
	for (s = e; *s; s++)
		if (isspace((unsigned char)*s) || *s == '/' || *s == ':' ||
		    !isprint((unsigned char)*s))
			return parse_fail(err, errlen,
					  "%s: '%s' is not an "
					  "interface name",
					  ctx->key, e);
	if (*ctx->n >= ctx->max)
		return parse_fail(err, errlen, "%s: more than %d interfaces",
				  ctx->key, ctx->max);
	snprintf(out[*ctx->n].pat, sizeof(out[*ctx->n].pat), "%s", e);
	(*ctx->n)++;
	return 0;
}

int mpa_parse_ifaces(const char *key, const char *v, struct mpa_iface_pat *out,
		     int max, int *n, char *err, size_t errlen)
{
	struct list_ctx ctx = { key, out, max, n };

	*n = 0;
	return parse_list(v, "interface name", iface_elem, &ctx, err, errlen);
}

/* Are the bits of @p past its length all zero? */
static int prefix_host_bits_clear(const struct mpa_prefix *p)
{
	int bytes = p->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		int keep = p->len - i * 8;
		uint8_t mask = keep >= 8 ? 0xff :
			       keep <= 0 ? 0 :
					   (uint8_t)(0xff << (8 - keep));

		if (p->addr[i] & ~mask)
			return 0;
	}
	return 1;
}

static int prefix_elem(const char *e, void *c, char *err, size_t errlen)
{
	struct list_ctx *ctx = c;
	struct mpa_prefix *out = ctx->out, p = { 0 };
	char addr[ELEM_MAX + 1];
	const char *slash = strchr(e, '/');
	long len;
	int maxlen;

	snprintf(addr, sizeof(addr), "%.*s",
		 (int)(slash ? (size_t)(slash - e) : strlen(e)), e);
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = AF_INET6;
	else
		return parse_fail(err, errlen,
				  "%s: '%s' is not an address or "
				  "prefix",
				  ctx->key, e);
	maxlen = p.family == AF_INET ? 32 : 128;
	len = maxlen;
	if (slash && parse_uint(slash + 1, maxlen, &len))
		return parse_fail(err, errlen,
				  "%s: '%s': prefix length must "
				  "be 0 to %d",
				  ctx->key, e, maxlen);
	p.len = (uint8_t)len;
	if (!prefix_host_bits_clear(&p))
		return parse_fail(err, errlen,
				  "%s: '%s' has bits set past "
				  "its prefix length",
				  ctx->key, e);
	if (*ctx->n >= ctx->max)
		return parse_fail(err, errlen, "%s: more than %d prefixes",
				  ctx->key, ctx->max);
	out[(*ctx->n)++] = p;
	return 0;
}

int mpa_parse_prefixes(const char *key, const char *v, struct mpa_prefix *out,
		       int max, int *n, char *err, size_t errlen)
{
	struct list_ctx ctx = { key, out, max, n };

	*n = 0;
	return parse_list(v, "prefix", prefix_elem, &ctx, err, errlen);
}

static int port_elem(const char *e, void *c, char *err, size_t errlen)
{
	struct list_ctx *ctx = c;
	struct mpa_port_range *out = ctx->out;
	char lo_s[ELEM_MAX + 1];
	const char *dash = strchr(e, '-');
	long lo, hi;

	snprintf(lo_s, sizeof(lo_s), "%.*s",
		 (int)(dash ? (size_t)(dash - e) : strlen(e)), e);
	if (parse_uint(lo_s, 65535, &lo) || lo == 0)
		return parse_fail(err, errlen, "%s: %s is not a port", ctx->key,
				  lo_s);
	hi = lo;
	if (dash && (parse_uint(dash + 1, 65535, &hi) || hi == 0))
		return parse_fail(err, errlen, "%s: %s is not a port", ctx->key,
				  dash + 1);
	if (hi < lo)
		return parse_fail(err, errlen, "%s: %s is an empty range",
				  ctx->key, e);
	if (*ctx->n >= ctx->max)
		return parse_fail(err, errlen,
				  "%s: more than %d ports or "
				  "ranges",
				  ctx->key, ctx->max);
	out[*ctx->n].lo = (uint16_t)lo;
	out[*ctx->n].hi = (uint16_t)hi;
	(*ctx->n)++;
	return 0;
}

int mpa_parse_ports(const char *key, const char *v, struct mpa_port_range *out,
		    int max, int *n, char *err, size_t errlen)
{
	struct list_ctx ctx = { key, out, max, n };

	*n = 0;
	return parse_list(v, "port", port_elem, &ctx, err, errlen);
}
