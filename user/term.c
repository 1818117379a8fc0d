// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "term.h"

#define CURSOR_HIDE	"\033[?25l"
#define CURSOR_SHOW	"\033[?25h"

static struct termios saved;
static int saved_in = -1, saved_out = -1;
static volatile sig_atomic_t active;

void term_restore(void)
{
	if (!active)
		return;
	active = 0;
	tcsetattr(saved_in, TCSAFLUSH, &saved);
	if (write(saved_out, CURSOR_SHOW, sizeof(CURSOR_SHOW) - 1) < 0)
		return;
}

/* A crash must not leave the user's shell without echo: restore, then die of the same. */
static void on_crash(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_exit_restore(void)
{
	term_restore();
}

int term_raw_start(int in_fd, int out_fd)
{
	static const int crash[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_crash, .sa_flags = SA_RESETHAND };
	static bool registered;
	struct termios raw;
	size_t i;

	if (tcgetattr(in_fd, &saved))
		return -1;
	raw = saved;
	raw.c_lflag &= ~(ECHO | ICANON);
	raw.c_cc[VMIN] = 0;	/* reads return at once, with or without a key */
	raw.c_cc[VTIME] = 0;
	saved_in = in_fd;
	saved_out = out_fd;
	if (tcsetattr(in_fd, TCSAFLUSH, &raw))
		return -1;
	active = 1;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
	if (!registered && !atexit(on_exit_restore))
		registered = true;
	if (write(out_fd, CURSOR_HIDE, sizeof(CURSOR_HIDE) - 1) < 0)
		return -1;
	return 0;
}

int term_read_key(int fd)
{
	unsigned char c;

	if (!active)
		return -1;
	return read(fd, &c, 1) == 1 ? c : -1;
}
