/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The classic patterns in the event stream: how a child was made (fork, vfork, clone), how long a
 * vfork parent was suspended, what a reaper's wait() status word reads, and how full the listen
 * queue was at an accept. JSON fields and --explain clauses; render_stream.c calls them.
 */
#ifndef LL_RENDER_PATTERNS_H
#define LL_RENDER_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "json.h"

/* "fork", "vfork", "clone"; NULL when not known (enum ll_fork_how). */
const char *pat_fork_how(unsigned int how);

/* JSON: fork's how and shares_vm; exec/exit's vfork_wait_us; accept's backlog. */
void pat_json_fork(struct json_w *w, const struct ll_event *ev);
void pat_json_vfork_wait(struct json_w *w, const struct ll_event *ev);
void pat_json_accept(struct json_w *w, const struct ll_event *ev);

/* --explain: what a fork of this kind does ("...forked 4211: a new process that..."). */
void pat_explain_fork(char *b, size_t n, const struct ll_event *ev, const char *comm);
/* "; 4200 was suspended 1.2 ms until its vfork child 4211 exec'd /bin/ls" (exec or exit). */
void pat_explain_vfork_wait(char *b, size_t n, size_t *pos, const struct ll_event *ev);
/* "WIFEXITED, WEXITSTATUS 7" / "WIFSIGNALED, WTERMSIG 6 (SIGABRT), WCOREDUMP". */
const char *pat_wait_status(char *buf, size_t n, uint32_t status);
/* "; the status word its reaper's wait() will read (reaped: read): WIFEXITED, ...". */
void pat_explain_wait_status(char *b, size_t n, size_t *pos, uint32_t status, bool reaped);
/* A SIGCHLD for a stop or a continue: what a WUNTRACED/WCONTINUED wait reports instead. */
void pat_explain_stop(char *b, size_t n, size_t *pos, const struct ll_event *ev);
/* "; the listen queue held 4 connections, its limit 3: full, ..." */
void pat_explain_backlog(char *b, size_t n, size_t *pos, const struct ll_event *ev);
/* Text stream: " vfork, shares memory" after "parent N"; ", backlog 4/3" after an accept. */
void pat_text_fork(FILE *f, const struct ll_event *ev);
void pat_text_vfork_wait(FILE *f, const struct ll_event *ev);
void pat_text_backlog(FILE *f, const struct ll_event *ev);

#endif
