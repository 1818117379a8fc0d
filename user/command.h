/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * -- COMMAND: start it gated (it runs only once traced), follow its whole tree like strace -f
 * (lifeline is the tree's child subreaper, so orphans of the tree come back to it and are reaped
 * here), and end it with SIGTERM when lifeline stops first.
 */
#ifndef LL_COMMAND_H
#define LL_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

struct command {
	pid_t pid;		/* the COMMAND itself; 0: none */
	int pidfd;		/* readable when it exits; -1 without pidfds */
	int gate_fd;		/* a byte here lets it exec */
	int report_fd;		/* errno of a failed exec, EOF on success */
	int status;		/* its wait status, once done */
	bool done;		/* the COMMAND itself was reaped */
	bool tree_done;		/* ... and every process of its tree */
};

/* Where the COMMAND writes: unchanged; its stdout to lifeline's stderr (-j: stdout stays pure
 * JSON); stdout and stderr to a log file (the live view: the screen stays whole). */
enum command_out { CMD_OUT_KEEP, CMD_OUT_STDERR, CMD_OUT_LOG };

/* command_spawn with the fds that out asks for; the log's path goes to log (else ""). */
int command_start(struct command *c, char **argv, enum command_out out, char *log, size_t n);
/*
 * Forks COMMAND, waiting at the gate; out_fd/err_fd (>= 0) become its stdout/stderr. Makes
 * lifeline the subreaper of what it starts. 0 or -errno.
 */
int command_spawn(struct command *c, char **argv, int out_fd, int err_fd);
/* Opens the gate; -errno after one line on stderr when COMMAND cannot be run. */
int command_release(struct command *c, const char *name);
/* Reaps what of the tree has exited; sets done and tree_done. */
void command_reap(struct command *c);
/* Sends SIGTERM to what is left of the tree and says so on stderr; reaps it, SIGKILL after
 * grace_ms. */
void command_stop_tree(struct command *c, int grace_ms);
/* The shell's exit status for the COMMAND: its code, 128 + signal. */
int command_exit_status(const struct command *c);
/* Closes the fds; waits for the COMMAND if it never got past the gate. */
void command_close(struct command *c);

#endif
