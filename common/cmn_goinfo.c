// SPDX-License-Identifier: MIT
/* A Go executable's release, read from its .go.buildinfo section. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmn_goinfo.h"

#define GO_MAGIC "\xff Go buildinf:"
#define GO_MAGIC_LEN 14
#define GO_HEADER_LEN 32
#define GO_FLAG_INLINE 0x2 /* Go 1.18+: the strings follow the header */
#define GO_SECTION ".go.buildinfo"

int cmn_go_buildinfo_parse(const uint8_t *buf, size_t len, char *ver,
			   size_t vlen)
{
	uint64_t n = 0;
	size_t off = GO_HEADER_LEN;
	unsigned int shift = 0;

	if (!vlen)
		return -EINVAL;
	ver[0] = '\0';
	if (len < GO_HEADER_LEN || memcmp(buf, GO_MAGIC, GO_MAGIC_LEN))
		return -ENOENT;
	if (!(buf[GO_MAGIC_LEN + 1] & GO_FLAG_INLINE)) {
		snprintf(ver, vlen, "go1.17 or older");
		return -EOPNOTSUPP;
	}
	/* The length, an unsigned LEB128 varint, then the text. */
	do {
		if (off >= len || shift > 28)
			return -EINVAL;
		n |= (uint64_t)(buf[off] & 0x7f) << shift;
		shift += 7;
	} while (buf[off++] & 0x80);
	if (!n || n >= vlen || n > len - off)
		return -EINVAL;
	memcpy(ver, buf + off, (size_t)n);
	ver[n] = '\0';
	return strlen(ver) == n ? 0 : -EINVAL;
}

/* Exactly @len bytes at @off, or -errno (-EINVAL when the file is short). */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EINVAL;
}

/* A section header, of either class, reduced to what is used here. */
struct section {
	uint32_t name;
	uint64_t offset, size;
};

static void section_from(const uint8_t *p, bool is64, struct section *s)
{
	if (is64) {
		Elf64_Shdr sh;

		memcpy(&sh, p, sizeof(sh));
		*s = (struct section){ sh.sh_name, sh.sh_offset, sh.sh_size };
	} else {
		Elf32_Shdr sh;

		memcpy(&sh, p, sizeof(sh));
		*s = (struct section){ sh.sh_name, sh.sh_offset, sh.sh_size };
	}
}

/*
 * The section names are looked up in the first 4 KiB of the names
 * table (Go's is a few hundred bytes), and the section headers read in
 * batches: a handful of reads for a whole executable.
 */
#define NAMES_MAX 4096
#define BATCH 2048
#define SECTIONS_MAX 4096

/* The ELF header's fields used here; -ENOENT when it is not an ELF file. */
static int elf_header(int fd, bool *is64, uint64_t *shoff, uint16_t *entsize,
		      uint16_t *shnum, uint16_t *strndx)
{
	unsigned char ident[EI_NIDENT];
	int err = read_at(fd, ident, sizeof(ident), 0);

	if (err)
		return err == -EINVAL ? -ENOENT : err;
	if (memcmp(ident, ELFMAG, SELFMAG) ||
	    (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32))
		return -ENOENT;
	/* Only this machine's byte order: another's would not run here. */
	if (ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ?
				       ELFDATA2LSB :
				       ELFDATA2MSB))
		return -ENOENT;
	*is64 = ident[EI_CLASS] == ELFCLASS64;
	if (*is64) {
		Elf64_Ehdr eh;

		err = read_at(fd, &eh, sizeof(eh), 0);
		*shoff = eh.e_shoff;
		*entsize = eh.e_shentsize;
		*shnum = eh.e_shnum;
		*strndx = eh.e_shstrndx;
	} else {
		Elf32_Ehdr eh;

		err = read_at(fd, &eh, sizeof(eh), 0);
		*shoff = eh.e_shoff;
		*entsize = eh.e_shentsize;
		*shnum = eh.e_shnum;
		*strndx = eh.e_shstrndx;
	}
	if (err)
		return err == -EINVAL ? -ENOENT : err;
	/* No section table (or an extended one, which Go never writes). */
	if (!*shoff || !*shnum || *shnum > SECTIONS_MAX || *strndx >= *shnum ||
	    *entsize < (*is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    *entsize > BATCH)
		return -ENOENT;
	return 0;
}

int cmn_go_version_read(int fd, char *ver, size_t vlen)
{
	uint8_t info[GO_HEADER_LEN + CMN_GO_VERSION_MAX + 8], tab[BATCH];
	char names[NAMES_MAX];
	struct section strtab, s;
	uint16_t entsize, shnum, strndx;
	unsigned int base, i, per, n;
	uint64_t shoff;
	size_t nlen, want;
	bool is64;
	int err;

	if (!vlen)
		return -EINVAL;
	ver[0] = '\0';
	err = elf_header(fd, &is64, &shoff, &entsize, &shnum, &strndx);
	if (err)
		return err;
	err = read_at(fd, tab, entsize, shoff + (uint64_t)strndx * entsize);
	if (err)
		return err;
	section_from(tab, is64, &strtab);
	nlen = strtab.size < sizeof(names) - 1 ? (size_t)strtab.size :
						 sizeof(names) - 1;
	err = read_at(fd, names, nlen, strtab.offset);
	if (err)
		return err;
	names[nlen] = '\0';
	per = BATCH / entsize;
	for (base = 0; base < shnum; base += per) {
		n = shnum - base < per ? shnum - base : per;
		err = read_at(fd, tab, (size_t)n * entsize,
			      shoff + (uint64_t)base * entsize);
		if (err)
			return err;
		for (i = 0; i < n; i++) {
			section_from(tab + (size_t)i * entsize, is64, &s);
			if (s.name >= nlen ||
			    strcmp(names + s.name, GO_SECTION))
				continue;
			want = s.size < sizeof(info) ? (size_t)s.size :
						       sizeof(info);
			err = read_at(fd, info, want, s.offset);
			if (err)
				return err;
			return cmn_go_buildinfo_parse(info, want, ver, vlen);
		}
	}
	return -ENOENT;
}

int cmn_go_version_at_least(const char *ver, int major, int minor)
{
	const char *go = strstr(ver, "go");
	char *end;
	long maj, min;

	/* "go1.21.3", "go1.21rc2", "devel go1.23-abcdef ...": the numbers. */
	if (!go)
		return -EINVAL;
	maj = strtol(go + 2, &end, 10);
	if (end == go + 2 || *end != '.')
		return -EINVAL;
	go = end + 1;
	min = strtol(go, &end, 10);
	if (end == go)
		return -EINVAL;
	return maj > major || (maj == major && min >= minor);
}
