// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the shim <-> mptcp-autod message parser on arbitrary
 * bytes. What it accepts must format back to a message that parses to the
 * same thing (no field the parser takes that the sender could not say).
 * Seed corpus: tests/fixtures/wire. `make check` replays it and fuzzes
 * for a few seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eng_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eng_wire_msg m, back;
	char buf[ENG_WIRE_MAX + 1];
	const char *why;
	int n;

	if (eng_wire_parse((const char *)data, size, &m, &why))
		return 0;
	n = eng_wire_format(&m, buf, sizeof(buf));
	if (n < 0 || eng_wire_parse(buf, (size_t)n, &back, &why) ||
	    memcmp(&m, &back, sizeof(m)) != 0)
		abort();
	return 0;
}
