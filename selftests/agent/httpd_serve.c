// SPDX-License-Identifier: GPL-2.0-only
/*
 * httpd_serve ADDRESS VALUE: serve a small fixed metrics page through
 * user/nstaint/agent/httpd for prom_scrape_test.sh (a real Prometheus scrapes
 * it).  Prints "port N" once listening; runs until SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../user/nstaint/agent/httpd.h"

static double value;

static int metrics(struct promtext *p, void *arg)
{
	struct prom_label l[] = { { "stage", "ring" }, { "note", "a \"quoted\\\" \n value" } };

	promtext_family(p, "nstaint_test_value", PROM_GAUGE, "The value on the command line.");
	promtext_sample(p, "nstaint_test_value", NULL, 0, value);
	promtext_family(p, "nstaint_test_lost_total", PROM_COUNTER, "A counter with labels.");
	promtext_sample_u64(p, "nstaint_test_lost_total", l, 2, 7);
	return 0;
}

static bool yes(void *arg)
{
	return true;
}

int main(int argc, char **argv)
{
	struct httpd_handlers h = { metrics, yes, yes, NULL };
	struct httpd *d;
	char err[256];
	sigset_t set;
	int sig;

	if (argc != 3) {
		fprintf(stderr, "usage: httpd_serve ADDRESS VALUE\n");
		return 2;
	}
	value = strtod(argv[2], NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d = httpd_start(argv[1], &h, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "httpd_serve: %s\n", err);
		return 1;
	}
	printf("port %d\n", httpd_port(d));
	fflush(stdout);
	sigwait(&set, &sig);
	httpd_stop(d);
	return 0;
}
