// SPDX-License-Identifier: GPL-2.0-only
/* Finding glibc's functions behind the interposed ones (real.h). */
#include <dlfcn.h>

#include "real.h"
#include "rt.h"

#define REAL_DEF(ret, name, params) ret (*real_##name) params;
REAL_FNS(REAL_DEF)
#undef REAL_DEF

void real_init(void)
{
#define REAL_FIND(ret, name, params)						\
	real_##name = (ret (*) params)dlsym(RTLD_NEXT, #name);			\
	if (!real_##name)							\
		rt_fatal("cannot find glibc's %s: %s", #name, dlerror());
	REAL_FNS(REAL_FIND)
#undef REAL_FIND
}
