// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "netstat.h"

#define NETSTAT_MAX	(64 * 1024)	/* ~4 KiB on 6.x kernels */
#define PREFIX		"TcpExt:"

/* The next line of text starting with PREFIX, or NULL; *end gets its end. */
static const char *tcpext_line(const char *text, const char **end)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, PREFIX, strlen(PREFIX))) {
			*end = nl ? nl : p + strlen(p);
			return p + strlen(PREFIX);
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Length of the blank-separated word at *p (skipping blanks first), advancing *p past it. */
static size_t next_word(const char **p, const char *end, const char **word)
{
	const char *s = *p;

	while (s < end && *s == ' ')
		s++;
	*word = s;
	while (s < end && *s != ' ')
		s++;
	*p = s;
	return (size_t)(s - *word);
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	char buf[24], *end;

	if (!n || n >= sizeof(buf) || *s < '0' || *s > '9')
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* The value of counter name: names on the first TcpExt line, values on the second. */
static int tcpext_value(const char *text, const char *name, uint64_t *out)
{
	const char *names_end, *values_end, *word, *vword;
	const char *names = tcpext_line(text, &names_end);
	const char *values = names ? tcpext_line(names_end, &values_end) : NULL;
	size_t n, vn;

	if (!values)
		return -EINVAL;
	for (;;) {
		n = next_word(&names, names_end, &word);
		vn = next_word(&values, values_end, &vword);
		if (!n || !vn)
			return -EINVAL;
		if (n == strlen(name) && !memcmp(word, name, n))
			return parse_u64(vword, vn, out);
	}
}

int netstat_parse_listen(const char *text, struct ll_listen_counters *out)
{
	struct ll_listen_counters c;

	if (!text || tcpext_value(text, "ListenOverflows", &c.overflows) ||
	    tcpext_value(text, "ListenDrops", &c.drops))
		return -EINVAL;
	*out = c;
	return 0;
}

int netstat_read_listen(const char *path, struct ll_listen_counters *out)
{
	char *buf = malloc(NETSTAT_MAX);
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path ? path : "/proc/net/netstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (len < NETSTAT_MAX - 1 && (n = read(fd, buf + len, NETSTAT_MAX - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (!err)
		err = netstat_parse_listen(buf, out);
out:
	free(buf);
	return err;
}
