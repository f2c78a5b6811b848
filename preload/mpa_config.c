// SPDX-License-Identifier: MIT
/* The shim's settings from the environment, read once by the constructor. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mpa_config.h"

void mpa_config_init(struct mpa_config *c, mpa_env_get get, bool secure,
		     const char *sysdir)
{
	const char *level, *file;

	memset(c, 0, sizeof(*c));
	c->log_level = CMN_LOG_OFF;
	if (secure) {
		mpa_sources_init(&c->sources, sysdir, NULL, NULL, NULL, true);
		return;
	}
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
		else if (strcasecmp(level, "off"))
			c->bad_log_level = true; /* said once, at warn */
		if (c->bad_log_level)
			c->log_level = CMN_LOG_WARN;
	}
	file = get(MPA_ENV_LOG_FILE);
	if (file && file[0] == '/')
		snprintf(c->log_file, sizeof(c->log_file), "%s", file);
}
