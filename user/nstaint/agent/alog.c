// SPDX-License-Identifier: GPL-2.0-only
/* alog.h: the agent's log lines, text or JSON. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/alog.h"
#include "agent/envelope.h"
#include "common/strout.h"

/* Set by the main thread (start, SIGHUP), read by the export writer too. */
static _Atomic bool json;

bool alog_set_format(const char *name)
{
	if (!strcmp(name, "text"))
		json = false;
	else if (!strcmp(name, "json"))
		json = true;
	else
		return false;
	return true;
}

static const char *const level_names[] = { "info", "warn", "error" };

void alog(enum alog_level level, const char *fmt, ...)
{
	char when[ENVELOPE_TIME_LEN], *msg = NULL, *line = NULL;
	struct timespec now;
	size_t len = 0;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	f = open_memstream(&line, &len);
	if (!f) {
		free(msg);
		return;
	}
	if (json) {
		clock_gettime(CLOCK_REALTIME, &now);
		envelope_time(&now, when, sizeof(when));
		fprintf(f, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", when,
			level_names[level]);
		fput_json_str(f, msg);
		fputs("}\n", f);
	} else {
		fprintf(f, "nstaint agent: %s\n", msg);
	}
	if (!fclose(f))
		fwrite(line, 1, len, stderr);
	free(line);
	free(msg);
}
