// SPDX-License-Identifier: MIT
/* mptcp-autod: the namespace's path manager (being built). */
int main(void)
{
	return 0;
}
