// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* udp_echo: datagram echo server, each datagram sent back to its sender (recvfrom/sendto). */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PORT	9002
#define MAX_DATAGRAM	65536

struct options {
	const char *host;
	int port;
};

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "UDP echo server: every datagram goes back to its sender.\n\n"
	       "  --host ADDR          listen address (default %s; ::1 for IPv6)\n"
	       "  -p, --port PORT      listen port (default %d; 0 picks a free one)\n"
	       "  -v, --verbose        log errors to stderr\n"
	       "  -h, --help           this help\n\n"
	       "Prints \"listening on HOST:PORT pid PID\" on stdout once bound.\n",
	       ll_prog, LL_DEFAULT_HOST, DEFAULT_PORT);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_HOST = 256 };
	static const struct option longopts[] = {
		LL_HOST_PORT_LONGOPTS(OPT_HOST),
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":p:vh", longopts, usage)) != -1)
		ll_host_port_option(c, OPT_HOST, &o->host, &o->port);	/* its only options */
}

/* Echoes every datagram that is queued; returns when the socket is drained. */
static void echo_pending(int fd, char *buf)
{
	struct sockaddr_storage peer;
	socklen_t len;
	ssize_t n;

	for (;;) {
		len = sizeof(peer);
		n = recvfrom(fd, buf, MAX_DATAGRAM, 0, (struct sockaddr *)&peer, &len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				ll_log("recvfrom: %s", strerror(errno));
			return;
		}
		/* UDP is lossy anyway: a reply the kernel will not take is dropped, not retried. */
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&peer, len) < 0)
			ll_log("sendto: %s", strerror(errno));
	}
}

int main(int argc, char **argv)
{
	struct options o = { .host = LL_DEFAULT_HOST, .port = DEFAULT_PORT };
	static char buf[MAX_DATAGRAM];
	int fd, n, ret = 0;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	if (ll_setup_stop_signals()) {
		ll_warn(errno, "sigaction");
		return 1;
	}
	fd = ll_listen_socket(o.host, o.port, SOCK_DGRAM, true);
	if (fd < 0)
		return 1;
	ll_announce(fd);
	while (!ll_stop) {
		n = ll_wait_readable(fd, -1);
		if (n > 0)
			echo_pending(fd, buf);
		else if (n < 0 && errno != EINTR) {
			ll_warn(errno, "ppoll");
			ret = 1;
			break;
		}
	}
	close(fd);
	return ret;
}
