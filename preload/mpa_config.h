/* SPDX-License-Identifier: MIT */
/*
 * The shim's settings, from the environment. Every MPTCP_AUTO_* variable
 * is named here; the constructor is the only place that reads them.
 */
#ifndef MPA_CONFIG_H
#define MPA_CONFIG_H

#include <stdbool.h>

#include "eng_engine.h"
#include "cmn_say.h"
#include "eng_wire.h"
#include "mpa_policy.h"

#define MPA_ENV_POLICY "MPTCP_AUTO_POLICY" /* one policy file, absolute */
#define MPA_ENV_LOG "MPTCP_AUTO_LOG" /* debug, info, warn or off */
#define MPA_ENV_LOG_FILE "MPTCP_AUTO_LOG_FILE" /* else standard error */
/* mptcp-autod's socket, absolute; else ENG_WIRE_SOCKET_DEFAULT. */
#define MPA_ENV_PM_SOCKET ENG_WIRE_ENV_SOCKET
/* What mptcp-auto run said already (common/cmn_say.h), or "quiet". */
#define MPA_ENV_SAID CMN_ENV_SAID
/* Go's runtime settings: multipathtcp=1 makes a Go program's sockets MPTCP. */
#define MPA_ENV_GODEBUG "GODEBUG"

/* Longest socket path: sockaddr_un's sun_path, NUL included. */
#define MPA_SOCKET_PATH_MAX 108

struct mpa_config {
	enum cmn_log_level log_level; /* CMN_LOG_OFF unless asked */
	char log_file[256]; /* "" for standard error */
	/* mptcp-autod's socket; "" when the variable's value is unusable. */
	char pm_socket[MPA_SOCKET_PATH_MAX];
	struct mpa_sources sources;
	/*
	 * The one unasked line (preload/mpa_say.h) may be written: not with
	 * MPTCP_AUTO_LOG=off, nor under secure execution.
	 */
	bool say;
	char said[32]; /* MPTCP_AUTO_SAID; "" when unset */
	bool godebug_mptcp; /* GODEBUG's last multipathtcp setting is 1 */
	bool bad_log_level; /* MPTCP_AUTO_LOG had another value */
	bool bad_pm_socket; /* MPTCP_AUTO_PM_SOCKET relative or too long */
};

typedef const char *(*mpa_env_get)(const char *name);

/*
 * mpa_config_init() - settings from @get (getenv in the shim). With
 * @secure (getauxval(AT_SECURE): setuid, setgid, file capabilities) no
 * variable counts: logging stays off, nothing is said, only system
 * policy files apply and the daemon is looked for at its usual place.
 */
void mpa_config_init(struct mpa_config *c, mpa_env_get get, bool secure,
		     const char *sysdir);

/*
 * mpa_godebug_mptcp() - pure: does GODEBUG value @v (NULL: unset) turn
 * multipathtcp on? Go takes the last setting of a key.
 */
bool mpa_godebug_mptcp(const char *v);

#endif /* MPA_CONFIG_H */
