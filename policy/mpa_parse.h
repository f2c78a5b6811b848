/* SPDX-License-Identifier: MIT */
/*
 * Value parsers of the policy format. Each returns 0, or -EINVAL with a
 * message for a person in @err ("ports: 70000 is not a port").
 */
#ifndef MPA_PARSE_H
#define MPA_PARSE_H

#include <stddef.h>

#include "mpa_policy.h"

int mpa_parse_bool(const char *key, const char *v, int *out, char *err,
		   size_t errlen);

int mpa_parse_int(const char *key, const char *v, int min, int max, int *out,
		  char *err, size_t errlen);

/*
 * A duration in milliseconds, from 0 to @max_ms: "250ms", "2s", "1.5s",
 * or a bare 0.
 */
int mpa_parse_duration(const char *key, const char *v, int max_ms, int *out,
		       char *err, size_t errlen);

/* Comma-separated interface names, * and ? allowed. */
int mpa_parse_ifaces(const char *key, const char *v, struct mpa_iface_pat *out,
		     int max, int *n, char *err, size_t errlen);

/* Comma-separated IPv4/IPv6 prefixes; a bare address is a host prefix. */
int mpa_parse_prefixes(const char *key, const char *v, struct mpa_prefix *out,
		       int max, int *n, char *err, size_t errlen);

/* Comma-separated ports and ranges LO-HI. */
int mpa_parse_ports(const char *key, const char *v, struct mpa_port_range *out,
		    int max, int *n, char *err, size_t errlen);

#endif /* MPA_PARSE_H */
