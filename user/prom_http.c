// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The Prometheus HTTP server (libmicrohttpd): serves the latest exposition at /metrics.
 *
 * main renders the exposition (prom_expo.c) once per interval and swaps it in under a mutex; the
 * server's thread only copies the latest text out, so a scrape never sees the state and never
 * waits for more than a memcpy. The only file that links libmicrohttpd: the pure library
 * (libll.a) and its unit tests do without it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include "prom.h"

#define PROM_LISTEN_BACKLOG	16
#define PROM_MAX_CONNS		32	/* scrapers are few; this bounds a misbehaving client */
#define PROM_CONN_TIMEOUT_S	10
#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct prom_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text;		/* the latest exposition, under lock; NULL before the first */
	size_t len;
	struct prom_opts opts;
};

static const char prom_index[] =
	"lifeline: Prometheus metrics are at /metrics\n";

/* Takes body; MHD frees it after sending (or here, on failure). */
static enum MHD_Result prom_reply(struct MHD_Connection *c, unsigned int status, const char *type,
				  char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result prom_reply_str(struct MHD_Connection *c, unsigned int status,
				      const char *msg)
{
	char *body = strdup(msg);

	if (!body)
		return MHD_NO;
	return prom_reply(c, status, "text/plain; charset=utf-8", body, strlen(body));
}

/* Runs in MHD's thread: it only copies the latest text out, under the lock. */
static enum MHD_Result prom_handle(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version,
				   const char *upload_data, size_t *upload_size, void **req_cls)
{
	static int first_call;
	struct prom_server *p = cls;
	bool have = false;
	char *body = NULL;
	size_t len = 0;

	/* The first call only announces the request; a body (there should be none) is skipped. */
	if (!*req_cls) {
		*req_cls = &first_call;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return prom_reply_str(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return prom_reply_str(c, MHD_HTTP_OK, prom_index);
	if (strcmp(url, "/metrics"))
		return prom_reply_str(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");

	pthread_mutex_lock(&p->lock);
	if (p->text) {
		have = true;
		body = malloc(p->len + 1);
		if (body) {
			memcpy(body, p->text, p->len);
			len = p->len;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (!have)
		return prom_reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshot yet\n");
	if (!body)
		return MHD_NO;	/* out of memory: MHD closes the connection */
	return prom_reply(c, MHD_HTTP_OK, PROM_CONTENT_TYPE, body, len);
}

static int prom_listen(const struct sockaddr *addr, socklen_t addrlen)
{
	int fd, one = 1, err;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restarted daemon must not wait out TIME_WAIT of its previous scrapes. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* [::]:PORT means IPv6 only, as written: IPv4 is asked for with 0.0.0.0. */
	if (addr->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, addr, addrlen) || listen(fd, PROM_LISTEN_BACKLOG))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static const char *prom_hint(int err)
{
	switch (err) {
	case EADDRINUSE:
		return "something else listens there: pick another port";
	case EADDRNOTAVAIL:
		return "no local interface has that address";
	case EACCES:
		return "ports below 1024 need root or CAP_NET_BIND_SERVICE";
	default:
		return "check the address";
	}
}

int prom_start(const struct sockaddr *addr, socklen_t addrlen, const char *text,
	       const struct prom_opts *o, bool verbose, struct prom_server **out, char *err,
	       size_t errlen)
{
	unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
	struct prom_server *p;
	sigset_t all, old;
	int fd, ret;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "cannot serve metrics: out of memory");
		return -ENOMEM;
	}
	if (o)
		p->opts = *o;
	pthread_mutex_init(&p->lock, NULL);
	fd = prom_listen(addr, addrlen);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s for --prometheus: %s (%s)", text,
			 strerror(-fd), prom_hint(-fd));
		ret = fd;
		goto fail;
	}
	if (addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (verbose)
		flags |= MHD_USE_ERROR_LOG;
	/*
	 * The server's thread inherits our signal mask: block the signals main handles so that
	 * they reach main, whose poll then returns at once.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	p->daemon = MHD_start_daemon(flags, 0, NULL, NULL, prom_handle, p,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PROM_MAX_CONNS,
				     MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)PROM_CONN_TIMEOUT_S,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!p->daemon) {
		close(fd);
		snprintf(err, errlen, "cannot start the HTTP server for --prometheus on %s", text);
		ret = -EIO;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	pthread_mutex_destroy(&p->lock);
	free(p);
	return ret;
}

unsigned int prom_port(const struct prom_server *p)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

int prom_update(struct prom_server *p, const struct ll_snapshot *s)
{
	char *text, *old;
	size_t len;

	if (!p)
		return 0;
	/* Rendered outside the lock: a scrape waits for a pointer swap, never for a render. */
	text = prom_render(s, &p->opts, &len);
	if (!text)
		return -ENOMEM;	/* the previous exposition stays up */
	pthread_mutex_lock(&p->lock);
	old = p->text;
	p->text = text;
	p->len = len;
	pthread_mutex_unlock(&p->lock);
	free(old);
	return 0;
}

void prom_stop(struct prom_server *p)
{
	if (!p)
		return;
	/* Joins the server's thread and closes the listening socket. */
	MHD_stop_daemon(p->daemon);
	pthread_mutex_destroy(&p->lock);
	free(p->text);
	free(p);
}
