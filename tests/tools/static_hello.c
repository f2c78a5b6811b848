// SPDX-License-Identifier: MIT
/* A statically linked program: the launcher must warn about it. */
#include <stdio.h>

int main(void)
{
	puts("static hello");
	return 0;
}
