// SPDX-License-Identifier: MIT
/*
 * Benchmark (not a test): the cost of one policy match for 10, 100 and
 * 1000 [program] rules. Worst case: the program matches the last rule
 * (a wildcard), so every rule is compared; then the destination filters
 * of a rule with full prefix and port lists are applied. Then the cost of
 * loading the largest policy file the loader accepts (1 MiB), which every
 * program the shim is loaded into pays at start.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mpa_policy.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct mpa_policy *make_policy(int rules)
{
	size_t cap = (size_t)rules * 512 + 1024, len = 0;
	char *text = malloc(cap);
	const char *name = "bench.ini";
	struct mpa_policy *p;
	int i, j;

	len += (size_t)snprintf(text + len, cap - len,
				"[default]\ninterfaces = eth1, wlan*\n");
	for (i = 0; i < rules - 1; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[program prog%d]\nsubflows = 2\n", i);
	/* The matching rule, with full-line destination and port lists. */
	len += (size_t)snprintf(text + len, cap - len,
				"[program bench*]\ndestinations = ");
	for (j = 0; j < 12; j++)
		len += (size_t)snprintf(text + len, cap - len, "%s10.%d.0.0/16",
					j ? ", " : "", j);
	len += (size_t)snprintf(text + len, cap - len, "\nports = ");
	for (j = 0; j < 12; j++)
		len += (size_t)snprintf(text + len, cap - len, "%s%d-%d",
					j ? ", " : "", 1000 + j * 10,
					1005 + j * 10);
	len += (size_t)snprintf(text + len, cap - len, "\n");
	p = mpa_policy_load_buffers(&name, (const char *const *)&text, &len, 1);
	free(text);
	if (!p || p->nerrors || p->nprograms != rules) {
		fprintf(stderr, "bench policy did not load\n");
		exit(1);
	}
	return p;
}

#define LOAD_TEXT_MAX (1024 * 1024) /* the loader's file size limit */
#define LOAD_GOAL_MS 50.0

/* Line @i of a generated policy into @buf; its length. */
typedef int (*line_fn)(char *buf, size_t size, int i);

static int program_line(char *buf, size_t size, int i)
{
	return snprintf(buf, size, "[program p%d]\n", i);
}

static int bad_line(char *buf, size_t size, int i)
{
	(void)i;
	return snprintf(buf, size, "x\n");
}

/* As many lines of @line as fit in 1 MiB. */
static char *make_text(line_fn line, size_t *len, int *lines)
{
	char *text = malloc(LOAD_TEXT_MAX + 1), one[64];
	int n;

	*len = 0;
	for (*lines = 0;; (*lines)++) {
		n = line(one, sizeof(one), *lines);
		if (*len + (size_t)n > LOAD_TEXT_MAX)
			break;
		memcpy(text + *len, one, (size_t)n);
		*len += (size_t)n;
	}
	text[*len] = '\0';
	return text;
}

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One load, as a program under the shim pays it at start. */
struct load_run {
	double ms, cpu_ms, peak_mb;
	int nprograms, ndiags;
};

/*
 * Load @text in a child process, so that its peak resident memory (less
 * what it had before loading) is the load's alone. 0 or -1.
 */
static int load_once(const char *text, size_t len, struct load_run *r)
{
	const char *name = "bench.ini";
	struct mpa_policy *p;
	struct rusage ru;
	double t0, c0;
	int fds[2], status;
	long before;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		before = rss_kb();
		t0 = now_ns();
		c0 = cpu_ns();
		p = mpa_policy_load_buffers(&name, &text, &len, 1);
		r->cpu_ms = (cpu_ns() - c0) / 1e6;
		r->ms = (now_ns() - t0) / 1e6;
		getrusage(RUSAGE_SELF, &ru);
		if (!p)
			_exit(1);
		/* statm and ru_maxrss round apart: never below 0. */
		r->peak_mb = ru.ru_maxrss > before ?
				     (double)(ru.ru_maxrss - before) / 1024 :
				     0;
		r->nprograms = p->nprograms;
		r->ndiags = p->ndiags;
		_exit(write(fds[1], r, sizeof(*r)) == sizeof(*r) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], r, sizeof(*r)) != sizeof(*r)) {
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	return waitpid(pid, &status, 0) == pid && !status ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define LOAD_RUNS 5

/* The median of LOAD_RUNS loads of 1 MiB of @line, against the goal. */
static void load_figure(const char *label, line_fn line)
{
	double ms[LOAD_RUNS], cpu[LOAD_RUNS], peak[LOAD_RUNS];
	struct load_run r = { 0 };
	int lines, i;
	size_t len;
	char *text = make_text(line, &len, &lines);

	for (i = 0; i < LOAD_RUNS; i++) {
		if (load_once(text, len, &r)) {
			printf("%-18s failed\n", label);
			free(text);
			return;
		}
		ms[i] = r.ms;
		cpu[i] = r.cpu_ms;
		peak[i] = r.peak_mb;
	}
	free(text);
	qsort(ms, LOAD_RUNS, sizeof(ms[0]), cmp_double);
	qsort(cpu, LOAD_RUNS, sizeof(cpu[0]), cmp_double);
	qsort(peak, LOAD_RUNS, sizeof(peak[0]), cmp_double);
	printf("%-18s %8d %10.1f ms %9.1f ms %9.1f MB   %s (%d programs, "
	       "%d diagnostics kept)\n",
	       label, lines, ms[LOAD_RUNS / 2], cpu[LOAD_RUNS / 2],
	       peak[LOAD_RUNS / 2],
	       ms[LOAD_RUNS / 2] < LOAD_GOAL_MS ? "met" : "NOT met",
	       r.nprograms, r.ndiags);
}

int main(void)
{
	static const int sizes[] = { 10, 100, 1000 };
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(1113) };
	struct mpa_prog_id id = { "bench-client", "bench-client", NULL };
	struct mpa_decision d;
	size_t i;

	inet_pton(AF_INET, "10.11.3.4", &dst.sin_addr);
	printf("%-8s %14s %14s\n", "rules", "ns/match", "matches/s");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mpa_policy *p = make_policy(sizes[i]);
		long iters = 20000000L / sizes[i], k;
		double t0, ns;

		mpa_policy_match(p, &id, (struct sockaddr *)&dst, &d);
		if (!d.open_subflows || strcmp(d.rule->program, "bench*")) {
			fprintf(stderr, "bench: wrong rule\n");
			return 1;
		}
		t0 = now_ns();
		for (k = 0; k < iters; k++) {
			mpa_policy_match(p, &id, (struct sockaddr *)&dst, &d);
			__asm__ volatile("" : : "r"(&d) : "memory");
		}
		ns = (now_ns() - t0) / (double)iters;
		printf("%-8d %14.1f %14.0f\n", sizes[i], ns, 1e9 / ns);
		mpa_policy_free(p);
	}
	printf("\n%-18s %8s %13s %12s %12s   goal: under %.0f ms\n",
	       "load 1 MiB of", "lines", "time", "cpu time", "peak memory",
	       LOAD_GOAL_MS);
	load_figure("program-sections", program_line);
	load_figure("bad-lines", bad_line);
	return 0;
}
