// SPDX-License-Identifier: MIT
/* Helpers shared by the subcommands, and the pure parts of `run`. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpa_cli.h"

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mptcp-auto: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

bool cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Is @item one of the entries of @list (':' or ' ' separated)? */
static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ": ");

		if (len == n && !strncmp(p, item, n))
			return true;
		p += len;
		p += strspn(p, ": ");
	}
	return false;
}

int ld_preload_add(const char *current, const char *shim, char *out, size_t len)
{
	int n;

	if (!current || !*current)
		n = snprintf(out, len, "%s", shim);
	else if (list_has(current, shim))
		n = snprintf(out, len, "%s", current);
	else
		n = snprintf(out, len, "%s:%s", current, shim);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int godebug_add(const char *current, char *out, size_t len)
{
	const char *p = current;
	int n;

	/* A setting of the user's own (even =0) is theirs to keep. */
	while (p && *p) {
		if (!strncmp(p, "multipathtcp=", 13)) {
			n = snprintf(out, len, "%s", current);
			return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!current || !*current)
		n = snprintf(out, len, "multipathtcp=1");
	else
		n = snprintf(out, len, "%s,multipathtcp=1", current);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, err = 0;

	if (fd < 0)
		return -errno;
	if (read(fd, &eh, sizeof(eh)) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out; /* a script, or not ours to judge */
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize)) !=
		    sizeof(ph))
			goto out;
		if (ph.p_type == PT_INTERP)
			goto out;
	}
	err = 1;
out:
	close(fd);
	return err;
}

int dropin_render(const char *unit, const char *shim, const char *policy,
		  char *out, size_t len)
{
	int n = snprintf(out, len,
			 "# Written by `mptcp-auto enable %s`; removed by "
			 "`mptcp-auto disable %s`.\n"
			 "# The unit's own file is left untouched.\n"
			 "[Service]\n"
			 "Environment=\"LD_PRELOAD=%s\"\n",
			 unit, unit, shim);

	if (policy && n > 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n,
			      "Environment=\"MPTCP_AUTO_POLICY=%s\"\n", policy);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
