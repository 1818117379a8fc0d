/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What the renderers show of containers: fork failures and cgroups (render_containers.c). */
#ifndef LL_RENDER_CONTAINERS_H
#define LL_RENDER_CONTAINERS_H

#include <stdio.h>
#include "event.h"
#include "json.h"
#include "views.h"

/* "fork", "vfork", "clone", "clone3" */
const char *render_fork_call(unsigned int call);
/* The fields of a fork_failed event, after its pid. */
void render_fork_failed_json(struct json_w *w, const struct ll_event *ev);
/* Its DETAILS column: "EAGAIN from clone, pids 8/8". */
void render_fork_failed_text(FILE *f, const struct ll_event *ev);
/* Its --explain sentence. */
void render_fork_failed_explain(char *b, size_t n, const struct ll_event *ev, const char *comm);
/* "fork_failures": [...] of a JSON summary. */
void render_fork_failures_json(struct json_w *w, const struct ll_snapshot *s);
/* The text summary's lines about them (nothing when there were none). */
void render_fork_failures_text(FILE *f, const struct ll_snapshot *s);

#endif
