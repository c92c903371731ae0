// SPDX-License-Identifier: GPL-2.0-only
/* fork() while other threads keep the runtime busy (malloc, free,
 * mutexes, reports' locks): each child still allocates, creates a thread
 * and, in the racy variant's last child, reports a race between that
 * thread and itself, at the marked lines.  The parent exits with the
 * racy child's status (66), 3 when a child went wrong. */
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "racetest.h"

#define FORKS 20

int x;
atomic_int stop;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *busy(void *arg)
{
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		pthread_mutex_lock(&m);
		free(malloc(64));
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *child_thread(void *arg)
{
	x = 1; // mark:first
	step();
	return NULL;
}

/* In the child: a thread, and a race with it when @race. */
static int child(int race)
{
	pthread_t t;
	int *p = malloc(16);

	free(p);
	t = spawn(child_thread, NULL);
	step();
	if (!race)
		pthread_join(t, NULL);
	printf("%d\n", x); // mark:second
	if (race)
		pthread_join(t, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t b[2];
	int status, last = 0;

	racetest_init(argc, argv, 2);
	for (int i = 0; i < 2; i++)
		b[i] = spawn(busy, NULL);
	for (int i = 0; i < FORKS; i++) {
		int race = racy && i == FORKS - 1;
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (!pid)
			exit(child(race));
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != (race ? 66 : 0))
			return 3;
		last = WEXITSTATUS(status);
	}
	atomic_store_explicit(&stop, 1, memory_order_relaxed);
	for (int i = 0; i < 2; i++)
		pthread_join(b[i], NULL);
	return last;
}
