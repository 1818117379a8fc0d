// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* -T: the kernel's CLOCK_MONOTONIC stamps as wall-clock time, by the offset measured at start. */
#include <stdio.h>
#include <time.h>
#include "render.h"

static struct timespec wall_of(const struct ll_render_opts *o, uint64_t mono_ns)
{
	int64_t ns = (int64_t)mono_ns + o->wall_offset_ns;
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	return ts;
}

const char *render_wall_hms(const struct ll_render_opts *o, uint64_t mono_ns, char *buf,
			    size_t n)
{
	struct timespec ts = wall_of(o, mono_ns);
	struct tm tm;

	localtime_r(&ts.tv_sec, &tm);
	snprintf(buf, n, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000);
	return buf;
}

const char *render_wall_rfc3339(const struct ll_render_opts *o, uint64_t mono_ns, char *buf,
				size_t n)
{
	struct timespec ts = wall_of(o, mono_ns);
	struct tm tm;

	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	return buf;
}

int64_t render_wall_offset(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
}
