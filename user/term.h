/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The live view's terminal: keys without echo or line editing, the cursor hidden, and all of it
 * put back on every way out (a normal end, exit(), a stop signal, or a crash signal, whose
 * handler restores and re-raises it).
 */
#ifndef LL_TERM_H
#define LL_TERM_H

/* Raw input on in_fd (no echo, no canonical mode, reads never block), cursor hidden on out_fd.
 * 0 or -1 with errno (in_fd is not a terminal). */
int term_raw_start(int in_fd, int out_fd);
/* Puts back what term_raw_start changed; async-signal-safe, idempotent. */
void term_restore(void);
/* One key byte, or -1 when none is waiting. */
int term_read_key(int fd);

#endif
