/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Findings: the problems a snapshot shows, worst first, each with its subject, its numbers and
 * what to change. Pure: computed from the views the renderers already get, printed by them.
 */
#ifndef LL_FINDINGS_H
#define LL_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include "views.h"

#define LL_FINDINGS_MAX		32
#define LL_FINDING_TEXT		320

enum ll_severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH };

/* What a finding is about: the final summary prints histograms only for these. */
enum ll_finding_topic { TOPIC_LOST, TOPIC_ZOMBIES, TOPIC_ORPHANS, TOPIC_LISTENER, TOPIC_LOOP,
			     TOPIC_FORKFAIL };

struct ll_finding {
	enum ll_severity severity;
	enum ll_finding_topic topic;
	size_t index;			/* into the snapshot's view of that topic */
	uint64_t weight;		/* orders findings of one severity: bigger is worse */
	uint32_t pid;			/* 0: not about one process */
	char comm[LL_COMM_LEN];
	char what[LL_FINDING_TEXT];
	char advice[LL_FINDING_TEXT];
};

struct ll_findings_ctx {
	uint64_t stall_ms;		/* the stall threshold */
	unsigned int ringbuf_kb;
};

/* Fills out[] (at most max) worst first; returns how many. */
size_t findings_compute(const struct ll_snapshot *s, const struct ll_findings_ctx *c,
			struct ll_finding *out, size_t max);
/* "high", "medium", "low". */
const char *finding_severity_name(enum ll_severity sev);
/* Whether a finding is about entry idx of topic (the summary's histograms follow findings). */
bool findings_cover(const struct ll_finding *f, size_t n, enum ll_finding_topic topic,
		    size_t idx);

#endif
