// SPDX-License-Identifier: MIT
/*
 * The command-line reader: a helper thread, a queue to it and one back,
 * an eventfd that wakes the loop.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dmn_argv.h"
#include "dmn_verify.h"

/* One read: the loop's until queued, then the thread's until answered. */
struct job {
	struct job *next;
	uint64_t id;
	pid_t pid;
	ssize_t len;
	char buf[DMN_ARGV_MAX];
};

struct queue {
	struct job *head, *tail;
};

/*
 * What the loop and the thread share, under mu. The thread may outlive
 * the reader (stuck in a read when it is freed): the last of the two to
 * let go frees this.
 */
struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	bool closing;
	struct queue todo, done;
	bool reading; /* the thread is in a read */
	int evfd; /* written with mu held, never once closing */
	char procdir[PATH_MAX];
};

struct dmn_argv {
	struct shared *sh;
	pthread_t thread;
	int evfd;
	struct dmn_ident_book book;
};

static void push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *shift(struct queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
	}
	return j;
}

/* Take @id out of @q: the job, or NULL when it is not there. */
static struct job *take(struct queue *q, uint64_t id)
{
	struct job **p, *prev = NULL;

	for (p = &q->head; *p; prev = *p, p = &(*p)->next) {
		struct job *j = *p;

		if (j->id != id)
			continue;
		*p = j->next;
		if (q->tail == j)
			q->tail = prev;
		return j;
	}
	return NULL;
}

static void free_all(struct queue *q)
{
	struct job *j;

	while ((j = shift(q)))
		free(j);
}

/* Called with mu held; unlocks it. */
static void let_go(struct shared *sh)
{
	bool last = --sh->refs == 0;

	pthread_mutex_unlock(&sh->mu);
	if (!last)
		return;
	free_all(&sh->todo);
	free_all(&sh->done);
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

static void *reader(void *arg)
{
	struct shared *sh = arg;
	uint64_t one = 1;
	struct job *j;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		while (!sh->closing && !sh->todo.head)
			pthread_cond_wait(&sh->cv, &sh->mu);
		if (sh->closing)
			break;
		j = shift(&sh->todo);
		sh->reading = true;
		pthread_mutex_unlock(&sh->mu);
		/* What may block for as long as the process wants. */
		j->len = dmn_prog_read_cmdline(sh->procdir, j->pid, j->buf,
					       sizeof(j->buf));
		pthread_mutex_lock(&sh->mu);
		sh->reading = false;
		if (sh->closing) {
			free(j);
			break;
		}
		push(&sh->done, j);
		/* Under mu: the loop closes evfd only once closing is set. */
		if (write(sh->evfd, &one, sizeof(one)) < 0) {
			/* Full counter: the loop has a wake-up pending. */
		}
	}
	let_go(sh);
	return NULL;
}

struct dmn_argv *dmn_argv_new(const char *procdir, int deadline_ms)
{
	struct dmn_argv *r = calloc(1, sizeof(*r));
	struct shared *sh = calloc(1, sizeof(*sh));
	sigset_t all, old;
	int err = ENOMEM;

	if (!r || !sh)
		goto fail;
	r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->evfd < 0) {
		err = errno;
		goto fail;
	}
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->evfd = r->evfd;
	sh->refs = 2;
	snprintf(sh->procdir, sizeof(sh->procdir), "%s", procdir);
	r->sh = sh;
	dmn_ident_book_init(&r->book, deadline_ms);
	/* The loop takes its signals by signalfd: the thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, reader, sh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&sh->cv);
		pthread_mutex_destroy(&sh->mu);
		close(r->evfd);
		goto fail;
	}
	return r;
fail:
	free(sh);
	free(r);
	errno = err;
	return NULL;
}

void dmn_argv_free(struct dmn_argv *r)
{
	struct shared *sh;
	bool reading;

	if (!r)
		return;
	sh = r->sh;
	pthread_mutex_lock(&sh->mu);
	sh->closing = true;
	reading = sh->reading;
	pthread_cond_broadcast(&sh->cv);
	let_go(sh);
	/*
	 * An idle thread ends now; one in a read ends when the read returns,
	 * which may be never: it is left to itself.
	 */
	if (reading)
		pthread_detach(r->thread);
	else
		pthread_join(r->thread, NULL);
	close(r->evfd);
	dmn_ident_book_fini(&r->book);
	free(r);
}

int dmn_argv_fd(const struct dmn_argv *r)
{
	return r->evfd;
}

int dmn_argv_ask(struct dmn_argv *r, uint64_t id, pid_t pid, int64_t now)
{
	struct job *j;
	int err;

	if (r->book.stuck)
		return -EBUSY;
	j = malloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->id = id;
	j->pid = pid;
	j->len = -1;
	err = dmn_ident_book_ask(&r->book, id, now);
	if (err) {
		free(j);
		return err;
	}
	pthread_mutex_lock(&r->sh->mu);
	push(&r->sh->todo, j);
	pthread_cond_signal(&r->sh->cv);
	pthread_mutex_unlock(&r->sh->mu);
	return 0;
}

int dmn_argv_next(struct dmn_argv *r, int64_t now, struct dmn_argv_answer *a)
{
	struct shared *sh = r->sh;
	enum dmn_ident_answer ans;
	enum dmn_ident_due due;
	uint64_t count, id;
	struct job *j;

	/* Read first: a write after it is a wake-up for what it posts. */
	if (read(r->evfd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing new from the thread. */
	}
	pthread_mutex_lock(&sh->mu);
	/* Answers before deadlines: a read that came back is not late. */
	while ((j = shift(&sh->done))) {
		ans = dmn_ident_book_answered(&r->book, j->id, now, &a->ms);
		if (ans == DMN_IDENT_ANSWER_STALE) {
			free(j);
			continue;
		}
		pthread_mutex_unlock(&sh->mu);
		a->kind = ans == DMN_IDENT_ANSWER_READ ? DMN_ARGV_READ :
							 DMN_ARGV_BACK;
		a->id = j->id;
		a->pid = j->pid;
		a->len = j->len > 0 ? (size_t)j->len : 0;
		memcpy(a->buf, j->buf, a->len);
		free(j);
		return 1;
	}
	due = dmn_ident_book_due(&r->book, now, &id);
	if (due == DMN_IDENT_DUE_NONE) {
		pthread_mutex_unlock(&sh->mu);
		return 0;
	}
	*a = (struct dmn_argv_answer){ .id = id };
	if (due == DMN_IDENT_DUE_STUCK) {
		/* It stays with the thread, which answers it if it returns. */
		a->kind = DMN_ARGV_STUCK;
		j = NULL;
	} else {
		/* Behind the stuck one, so still queued: taken back. */
		a->kind = DMN_ARGV_BEHIND;
		j = take(&sh->todo, id);
	}
	pthread_mutex_unlock(&sh->mu);
	if (j) {
		a->pid = j->pid;
		free(j);
	}
	return 1;
}

int dmn_argv_timeout(const struct dmn_argv *r, int64_t now)
{
	return dmn_ident_book_timeout(&r->book, now);
}

int dmn_argv_pending(const struct dmn_argv *r)
{
	return dmn_ident_book_pending(&r->book);
}
