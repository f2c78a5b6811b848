// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the subcommands, and the pure parts of `run` and of
 * `enable`: environment merging, program lookup, unit names, drop-ins.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* The file name of @path: what follows its last '/'. */
static const char *base_name(const char *path, size_t len)
{
	const char *p = path + len;

	while (p > path && p[-1] != '/')
		p--;
	return p;
}

const char *ld_preload_find(const char *list, const char *shim, size_t *n)
{
	const char *name = base_name(shim, strlen(shim)), *p = list;
	size_t name_len = strlen(name);

	while (p && *p) {
		size_t len = strcspn(p, ": ");
		const char *b = base_name(p, len);

		if ((size_t)(p + len - b) == name_len &&
		    !strncmp(b, name, name_len)) {
			*n = len;
			return p;
		}
		p += len;
		p += strspn(p, ": ");
	}
	return NULL;
}

int ld_preload_add(const char *current, const char *shim, char *out, size_t len)
{
	size_t found;
	int n;

	if (!current || !*current)
		n = snprintf(out, len, "%s", shim);
	else if (ld_preload_find(current, shim, &found))
		/* Another copy, even at another path, would hook twice. */
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

/* 0 if the file @path, of @st, can be run, else -errno as execve(). */
static int file_status(const char *path, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	return eaccess(path, X_OK) < 0 ? -EACCES : 0;
}

int program_find(const char *prog, const char *path, char *out, size_t len)
{
	char cand[PATH_MAX];
	const char *dir, *end;
	struct stat st;
	int first = -ENOENT, err, n;

	if (!*prog)
		return -ENOENT;
	if (strchr(prog, '/')) {
		n = snprintf(out, len, "%s", prog);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		return stat(out, &st) < 0 ? -errno : file_status(out, &st);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (dir = path; dir; dir = *end ? end + 1 : NULL) {
		end = strchrnul(dir, ':');
		if (end == dir) /* an empty entry: the current directory */
			n = snprintf(cand, sizeof(cand), "./%s", prog);
		else
			n = snprintf(cand, sizeof(cand), "%.*s/%s",
				     (int)(end - dir), dir, prog);
		if (n < 0 || (size_t)n >= sizeof(cand) || stat(cand, &st) < 0)
			continue;
		err = file_status(cand, &st);
		if (!err) {
			n = snprintf(out, len, "%s", cand);
			return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
		}
		/*
		 * Like bash: the first match that exists but cannot run is
		 * what gets reported (126) if no executable one follows,
		 * unless it is a directory: then it is "not found" (127).
		 */
		if (first == -ENOENT) {
			first = err;
			snprintf(out, len, "%s", cand);
		}
	}
	return first == -EACCES ? -EACCES : -ENOENT;
}

/* Besides letters and digits, the characters systemd takes in unit names. */
#define UNIT_NAME_PUNCT ":-_.\\@"
#define UNIT_NAME_RULE \
	"only letters, digits, ':', '-', '_', '.', '\\' and '@' are allowed"

static bool unit_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr(UNIT_NAME_PUNCT, c));
}

/* Printable ASCII, without spaces: safe to quote in a message. */
static bool is_graph(char c)
{
	return c > ' ' && c < 0x7f;
}

__attribute__((format(printf, 3, 4))) static int refuse(char *why, size_t len,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int unit_name_parse(const char *arg, char *out, size_t len, char *why,
		    size_t why_len)
{
	static const char suffix[] = ".service";
	size_t n = strlen(arg), i, bad;
	const char *dot = strrchr(arg, '.');
	char c;

	if (!n)
		return refuse(why, why_len, "the unit name is empty");
	for (bad = 0; bad < n && unit_char_ok(arg[bad]); bad++)
		;
	if (bad < n) {
		c = arg[bad];
		for (i = 0; i < n && is_graph(arg[i]); i++)
			;
		/* A name with a newline or a terminal escape is not
		 * echoed: say where the offending byte is instead. */
		if (i == n)
			return refuse(why, why_len,
				      "unit name \"%s\": '%c' is not allowed "
				      "(" UNIT_NAME_RULE ")",
				      arg, c);
		if (is_graph(c))
			return refuse(why, why_len,
				      "unit name: character %zu, '%c', is not "
				      "allowed (" UNIT_NAME_RULE ")",
				      bad + 1, c);
		return refuse(why, why_len,
			      "unit name: character %zu is %s (byte 0x%02x), "
			      "not allowed (" UNIT_NAME_RULE ")",
			      bad + 1,
			      c == ' '		       ? "a space" :
			      c == '\n'		       ? "a newline" :
			      (unsigned char)c >= 0x80 ? "not ASCII" :
							 "a control character",
			      (unsigned char)c);
	}
	/* "nginx" means nginx.service, as systemctl does. */
	if (!dot)
		n += sizeof(suffix) - 1;
	if (n > MPA_UNIT_NAME_MAX || n >= len)
		return refuse(why, why_len,
			      "the unit name is too long: %zu characters%s, "
			      "systemd allows at most %d",
			      n, dot ? "" : " with .service",
			      MPA_UNIT_NAME_MAX);
	snprintf(out, len, "%s%s", arg, dot ? "" : suffix);
	dot = strrchr(out, '.');
	if (out[0] == '@' || dot == out)
		return refuse(why, why_len,
			      "unit name \"%s\": nothing before the %s", out,
			      out[0] == '@' ? "'@'" : "suffix");
	if (strcmp(dot, suffix))
		return refuse(why, why_len,
			      "%s is not a service unit name (it must end in "
			      "%s)",
			      out, suffix);
	return 0;
}

/*
 * Length of the UTF-8 sequence at @s if systemd takes it in an environment
 * value (shortest form, no surrogates, no noncharacters), else 0.
 */
static size_t utf8_len(const unsigned char *s)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
		return 0;
	return len;
}

int env_value_check(const char *value, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t n;

	while (*p) {
		if (*p < ' ' || *p == 0x7f) {
			*bad = (size_t)(p - (const unsigned char *)value);
			return -EINVAL;
		}
		n = utf8_len(p);
		if (!n) {
			*bad = (size_t)(p - (const unsigned char *)value);
			return -EILSEQ;
		}
		p += n;
	}
	return 0;
}

int env_quote(const char *name, const char *value, char *out, size_t len)
{
	int k = snprintf(out, len, "\"%s=", name);
	size_t n, bad;
	const char *p;

	if (env_value_check(value, &bad))
		return -EINVAL;
	if (k < 0 || (size_t)k >= len)
		return -ENOSPC;
	n = (size_t)k;
	for (p = value; *p; p++) {
		/*
		 * systemd unquotes first, which drops one backslash, then
		 * expands specifiers, where "%%" stands for '%'. '$' is
		 * literal in Environment=, hence $LIB reaches ld.so.
		 */
		if (*p == '\\' || *p == '"' || *p == '%') {
			if (n + 1 >= len)
				return -ENOSPC;
			out[n++] = *p == '%' ? '%' : '\\';
		}
		if (n + 1 >= len)
			return -ENOSPC;
		out[n++] = *p;
	}
	if (n + 2 > len)
		return -ENOSPC;
	out[n++] = '"';
	out[n] = '\0';
	return (int)n;
}

int dropin_render(const char *unit, const char *shim, const char *policy,
		  char *out, size_t len)
{
	const struct {
		const char *name, *value;
	} vars[] = { { "LD_PRELOAD", shim }, { "MPTCP_AUTO_POLICY", policy } };
	int n, k;
	size_t i;

	n = snprintf(out, len,
		     "# Written by `mptcp-auto enable %s`; removed by "
		     "`mptcp-auto disable %s`.\n"
		     "# The unit's own file is left untouched.\n"
		     "[Service]\n",
		     unit, unit);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (!vars[i].value)
			continue;
		k = snprintf(out + n, len - (size_t)n, "Environment=");
		if (k < 0 || (size_t)k >= len - (size_t)n)
			return -ENOSPC;
		n += k;
		k = env_quote(vars[i].name, vars[i].value, out + n,
			      len - (size_t)n);
		if (k < 0)
			return k;
		n += k;
		if ((size_t)n + 2 > len)
			return -ENOSPC;
		out[n++] = '\n';
		out[n] = '\0';
	}
	return n;
}

int socket_unit_name(const char *unit, char *out, size_t len)
{
	/* A template's or an instance's socket is named without the '@'. */
	size_t base = strcspn(unit, "@");
	int n;

	if (!unit[base] && strrchr(unit, '.'))
		base = (size_t)(strrchr(unit, '.') - unit);
	n = snprintf(out, len, "%.*s.socket", (int)base, unit);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
