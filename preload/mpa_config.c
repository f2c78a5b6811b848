// SPDX-License-Identifier: MIT
/* The shim's settings from the environment, read once by the constructor. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mpa_config.h"

void mpa_config_init(struct mpa_config *c, mpa_env_get get, bool secure,
		     const char *sysdir)
{
	const char *level, *file, *sock, *said;

	memset(c, 0, sizeof(*c));
	c->log_level = CMN_LOG_OFF;
	snprintf(c->pm_socket, sizeof(c->pm_socket), "%s",
		 ENG_WIRE_SOCKET_DEFAULT);
	if (secure) {
		mpa_sources_init(&c->sources, sysdir, NULL, NULL, NULL, true);
		return;
	}
	c->say = true;
	mpa_sources_init(&c->sources, sysdir, get(MPA_ENV_POLICY),
			 get("XDG_CONFIG_HOME"), get("HOME"), false);
	level = get(MPA_ENV_LOG);
	if (level && *level) {
		if (!strcasecmp(level, "debug"))
			c->log_level = CMN_LOG_DEBUG;
		else if (!strcasecmp(level, "info"))
			c->log_level = CMN_LOG_INFO;
		else if (!strcasecmp(level, "warn"))
			c->log_level = CMN_LOG_WARN;
		else if (!strcasecmp(level, "off"))
			c->say = false; /* not even the one unasked line */
		else
			c->bad_log_level = true; /* said once, at warn */
		if (c->bad_log_level)
			c->log_level = CMN_LOG_WARN;
	}
	/*
	 * A value that cannot name a socket looks for no daemon at all
	 * (said once), rather than for the system's in its place.
	 */
	sock = get(MPA_ENV_PM_SOCKET);
	if (sock && *sock) {
		c->pm_socket[0] = '\0';
		if (sock[0] == '/' && strlen(sock) < sizeof(c->pm_socket))
			snprintf(c->pm_socket, sizeof(c->pm_socket), "%s",
				 sock);
		else
			c->bad_pm_socket = true;
	}
	said = get(MPA_ENV_SAID);
	if (said)
		snprintf(c->said, sizeof(c->said), "%s", said);
	c->godebug_mptcp = mpa_godebug_mptcp(get(MPA_ENV_GODEBUG));
	file = get(MPA_ENV_LOG_FILE);
	if (file && file[0] == '/')
		snprintf(c->log_file, sizeof(c->log_file), "%s", file);
}

bool mpa_godebug_mptcp(const char *v)
{
	const char *p = v, *end;
	bool on = false;
	size_t n;

	while (p && *p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n > 13 && !strncmp(p, "multipathtcp=", 13))
			on = n == 14 && p[13] == '1';
		p = end ? end + 1 : NULL;
	}
	return on;
}
