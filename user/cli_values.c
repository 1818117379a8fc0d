// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The values options take, parsed strictly and without argp: numbers, seconds, the
 * --prometheus address. cli.c turns a refusal into the usage line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_values.h"

/* Decimal digits only: no sign, no blanks, no base prefixes, nothing after. */
int cli_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Seconds with optional decimals ("2", "0.5", ".25") into milliseconds, 1 .. max_ms. */
int cli_seconds(const char *s, uint64_t max_ms, uint64_t *out_ms)
{
	uint64_t sec = 0, frac = 0, scale = 100;
	bool dot = false, digits = false;
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -EINVAL;
		digits = true;
		if (dot) {
			frac += (uint64_t)(*p - '0') * scale;	/* digits past ms are dropped */
			scale /= 10;
		} else if ((sec = sec * 10 + (uint64_t)(*p - '0')) > max_ms) {
			return -ERANGE;	/* early, before it can overflow */
		}
	}
	if (!digits)
		return -EINVAL;
	if (sec * 1000 + frac < 1 || sec * 1000 + frac > max_ms)
		return -ERANGE;
	*out_ms = sec * 1000 + frac;
	return 0;
}

static void cli_set_prom(struct ll_opts *o, int family, const void *addr, unsigned int port)
{
	char ip[INET6_ADDRSTRLEN];

	memset(&o->prom_addr, 0, sizeof(o->prom_addr));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&o->prom_addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		o->prom_addrlen = sizeof(*sin6);
		inet_ntop(AF_INET6, addr, ip, sizeof(ip));
		snprintf(o->prom_text, sizeof(o->prom_text), "[%s]:%u", ip, port);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&o->prom_addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		o->prom_addrlen = sizeof(*sin);
		inet_ntop(AF_INET, addr, ip, sizeof(ip));
		snprintf(o->prom_text, sizeof(o->prom_text), "%s:%u", ip, port);
	}
	o->prometheus = true;
}

/* "1.2.3.4:9090", "[::1]:9090", ":9090", "9090", "localhost:9090"; no name lookups. */
int cli_prom_parse(struct ll_opts *o, const char *arg)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port, *end;
	unsigned char addr[16];
	int family = AF_INET;
	uint64_t p;
	size_t n;

	if (arg[0] == '[') {
		end = strchr(arg, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		n = end - arg - 1;
		port = end + 2;
		family = AF_INET6;
		arg++;
	} else if ((end = strrchr(arg, ':'))) {
		n = end - arg;
		port = end + 1;
	} else {
		n = 0;
		port = arg;
	}
	if (n >= sizeof(host) || cli_uint(port, 1, 65535, &p))
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = '\0';
	if (family == AF_INET && (!n || !strcmp(host, "localhost")))
		strcpy(host, "127.0.0.1");
	if (inet_pton(family, host, addr) != 1)
		return -EINVAL;	/* also an IPv6 address without its brackets */
	cli_set_prom(o, family, addr, (unsigned int)p);
	return 0;
}
