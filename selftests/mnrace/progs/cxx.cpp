// SPDX-License-Identifier: GPL-2.0-only
/* C++ through mnrace-c++: std::thread, std::mutex and new/delete go
 * through the interposers.  The racy variant locks another mutex; the
 * report names the heap block and the new-expression that made it. */
#include <mutex>
#include <thread>

#include "racetest.h"

static std::mutex m, other;

int main(int argc, char **argv)
{
	racetest_init(argc, argv, 2);
	int *p = new int[8]; // mark:alloc
	std::thread t([p] { // mark:spawn
		std::lock_guard<std::mutex> g(m);
		p[2] = 1; // mark:first
		step();
	});
	step();
	{
		std::lock_guard<std::mutex> g(racy ? other : m);
		p[2]++; // mark:second
	}
	t.join();
	delete[] p;
	return 0;
}
