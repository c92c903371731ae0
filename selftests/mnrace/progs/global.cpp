// SPDX-License-Identifier: GPL-2.0-only
/* A C++ global in a namespace: the report's location names it as the
 * source does (ns::counter), not by its mangled symbol. */
#include "racetest.h"

namespace ns {
int counter;
}

static void *child(void *arg)
{
	ns::counter = 1; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	racetest_init(argc, argv, 2);
	pthread_t t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	ns::counter++; // mark:second
	if (racy)
		pthread_join(t, NULL);
	return 0;
}
