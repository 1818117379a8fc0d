// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "command.h"
#include "procfs.h"

#define TREE_MAX	4096

/* The command runs only once it is traced: it waits for a byte on the gate pipe. An exec
 * failure comes back as errno on the report pipe (closed on a successful exec). */
int command_spawn(struct command *c, char **argv, int out_fd, int err_fd)
{
	int gate[2], report[2], err;
	char go;

	memset(c, 0, sizeof(*c));
	c->pidfd = c->gate_fd = c->report_fd = -1;
	/* Orphans of the tree come back to lifeline, not to init: it sees the tree end. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -errno;
	if (pipe2(gate, O_CLOEXEC) || pipe2(report, O_CLOEXEC))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		close(gate[1]);
		close(report[0]);
		if ((out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
		    (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0))
			_exit(127);
		if (read(gate[0], &go, 1) != 1)
			_exit(127);
		/* lifeline's own no-huge-pages setting is inherited: the command gets the default. */
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
		execvp(argv[0], argv);
		err = errno;
		if (write(report[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(gate[0]);
	close(report[1]);
	c->gate_fd = gate[1];
	c->report_fd = report[0];
	/* Without pidfds (< 5.3), the poll timer bounds the delay. */
	c->pidfd = syscall(SYS_pidfd_open, c->pid, 0);
	return 0;
}

int command_release(struct command *c, const char *name)
{
	int err = 0;

	if (write(c->gate_fd, "g", 1) != 1)
		return -errno;
	close(c->gate_fd);
	c->gate_fd = -1;
	if (read(c->report_fd, &err, sizeof(err)) == sizeof(err)) {
		fprintf(stderr, "lifeline: cannot run '%s': %s\n", name, strerror(err));
		close(c->report_fd);
		c->report_fd = -1;
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		return -err;
	}
	close(c->report_fd);
	c->report_fd = -1;
	return 0;
}

/* Every child of lifeline is the COMMAND or an orphan of its tree: reap them all. */
void command_reap(struct command *c)
{
	pid_t pid;
	int st;

	if (c->pid <= 0 || c->tree_done)
		return;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == c->pid) {
			c->done = true;
			c->status = st;
		}
	}
	if (pid < 0 && errno == ECHILD)
		c->tree_done = c->done = true;
}

void command_stop_tree(struct command *c, int grace_ms)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000000 };
	uint32_t pids[TREE_MAX];
	size_t n, i;
	int waited;

	command_reap(c);
	if (c->pid <= 0 || c->tree_done)
		return;
	n = procfs_descendants(getpid(), pids, TREE_MAX);
	if (!n)
		return;
	fprintf(stderr, "lifeline: stopping; sending SIGTERM to the %zu process%s of the command "
		"still running:", n, n == 1 ? "" : "es");
	for (i = 0; i < n; i++) {
		kill(pids[i], SIGTERM);
		fprintf(stderr, " %u", pids[i]);
	}
	fputc('\n', stderr);
	for (waited = 0; waited < grace_ms && !c->tree_done; waited += 10) {
		nanosleep(&tick, NULL);
		command_reap(c);
	}
	if (c->tree_done)
		return;
	n = procfs_descendants(getpid(), pids, TREE_MAX);
	fprintf(stderr, "lifeline: %zu process%s ignored SIGTERM for %d ms: sending SIGKILL\n", n,
		n == 1 ? "" : "es", grace_ms);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (waited = 0; waited < grace_ms && !c->tree_done; waited += 10) {
		nanosleep(&tick, NULL);
		command_reap(c);
	}
}

int command_exit_status(const struct command *c)
{
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return 1;
}

void command_close(struct command *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->gate_fd >= 0)
		close(c->gate_fd);	/* the child reads EOF and exits */
	if (c->report_fd >= 0)
		close(c->report_fd);
	if (c->pid > 0 && !c->done && c->gate_fd >= 0)
		waitpid(c->pid, NULL, 0);
	c->pidfd = c->gate_fd = c->report_fd = -1;
}

int command_start(struct command *c, char **argv, enum command_out out, char *log, size_t n)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd = -1, ret;

	log[0] = '\0';
	if (out == CMD_OUT_LOG) {
		snprintf(log, n, "%s/lifeline-command-%d.log", dir, (int)getpid());
		fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = -errno;
			fprintf(stderr, "lifeline: cannot create '%s': %s\n", log, strerror(-ret));
			log[0] = '\0';
			return ret;
		}
		ret = command_spawn(c, argv, fd, fd);
		close(fd);
		return ret;
	}
	return command_spawn(c, argv, out == CMD_OUT_STDERR ? STDERR_FILENO : -1, -1);
}
