/*
 * lib/sources/dnsq.c -- see dnsq.h.  One c-ares channel per batch: the
 * sources run on threads of their own, and a channel is not shared
 * between threads.  The event loop is poll(2) over ares_getsock(), so
 * descriptors above FD_SETSIZE are fine.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#include "conf.h"
#include "sources/dnsq.h"

static pthread_once_t	 init_once = PTHREAD_ONCE_INIT;
static int		 init_rc = ARES_SUCCESS;

static void
dnsq_init(void)
{
	init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static long long
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct dnsq	*q = arg;

	(void)timeouts;
	q->status = status;
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0 &&
	    (q->abuf = malloc((size_t)alen)) != NULL) {
		memcpy(q->abuf, abuf, (size_t)alen);
		q->alen = alen;
	}
}

int
dnsq_run(struct dnsq *q, size_t n, long long deadline, char *err,
    size_t errsz)
{
	struct ares_options	 opts;
	struct pollfd		 pfd[ARES_GETSOCK_MAXNUM];
	ares_socket_t		 socks[ARES_GETSOCK_MAXNUM];
	ares_channel		 ch;
	const char		*servers = conf_str("dns_resolvers");
	long long		 left;
	size_t			 i;
	int			 rc, bits, np, k, r, wait;

	(void)pthread_once(&init_once, dnsq_init);
	if (init_rc != ARES_SUCCESS) {
		(void)snprintf(err, errsz, "c-ares: %s", ares_strerror(init_rc));
		return -1;
	}
	for (i = 0; i < n; i++) {
		q[i].status = ARES_ETIMEOUT;
		q[i].abuf = NULL;
		q[i].alen = 0;
	}
	left = deadline - now_ms();
	if (left < 1)
		return 0;
	memset(&opts, 0, sizeof(opts));
	/* Each try gets a share of the time left; two tries per server. */
	opts.timeout = (int)(left / 2 > 3000 ? 3000 : (left / 2 < 100 ? 100 :
	    left / 2));
	opts.tries = 2;
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
	    ARES_FLAG_EDNS;
	opts.ednspsz = 1232;
	if ((rc = ares_init_options(&ch, &opts, ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ)) !=
	    ARES_SUCCESS) {
		(void)snprintf(err, errsz, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	if (servers != NULL && *servers != '\0' &&
	    (rc = ares_set_servers_ports_csv(ch, servers)) != ARES_SUCCESS) {
		(void)snprintf(err, errsz, "dns_resolvers: %s",
		    ares_strerror(rc));
		ares_destroy(ch);
		return -1;
	}
	for (i = 0; i < n; i++)
		ares_query(ch, q[i].name, ns_c_in, q[i].type, on_answer, &q[i]);

	for (;;) {
		bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		for (np = 0, k = 0; k < ARES_GETSOCK_MAXNUM; k++) {
			if (!ARES_GETSOCK_READABLE(bits, k) &&
			    !ARES_GETSOCK_WRITABLE(bits, k))
				continue;
			pfd[np].fd = socks[k];
			pfd[np].events = (ARES_GETSOCK_READABLE(bits, k) ?
			    POLLIN : 0) | (ARES_GETSOCK_WRITABLE(bits, k) ?
			    POLLOUT : 0);
			pfd[np].revents = 0;
			np++;
		}
		if (np == 0)
			break;		/* nothing in flight: all answered */
		left = deadline - now_ms();
		if (left <= 0)
			break;
		wait = left > 100 ? 100 : (int)left;
		r = poll(pfd, (nfds_t)np, wait);
		if (r < 0)
			continue;
		if (r == 0) {
			/* Let c-ares run its retry timers. */
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (k = 0; k < np; k++)
			ares_process_fd(ch,
			    pfd[k].revents & (POLLIN | POLLERR | POLLHUP) ?
			    pfd[k].fd : ARES_SOCKET_BAD,
			    pfd[k].revents & POLLOUT ? pfd[k].fd :
			    ARES_SOCKET_BAD);
	}
	/* Queries still pending are cancelled: their callbacks run now
	 * with ARES_ECANCELLED or ARES_EDESTRUCTION. */
	ares_destroy(ch);
	for (i = 0; i < n; i++)
		if (q[i].status == ARES_ECANCELLED ||
		    q[i].status == ARES_EDESTRUCTION)
			q[i].status = ARES_ETIMEOUT;
	return 0;
}

void
dnsq_free(struct dnsq *q, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(q[i].abuf);
		q[i].abuf = NULL;
	}
}

int
dnsq_reverse(const char *ip, const char *suffix4, const char *suffix6,
    char *buf, size_t sz)
{
	unsigned char	 a[16];
	size_t		 off = 0;
	int		 i, w;

	if (inet_pton(AF_INET, ip, a) == 1) {
		w = snprintf(buf, sz, "%u.%u.%u.%u.%s", a[3], a[2], a[1], a[0],
		    suffix4);
		return w < 0 || (size_t)w >= sz ? -1 : 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	for (i = 15; i >= 0; i--) {
		w = snprintf(buf + off, sz - off, "%x.%x.", a[i] & 0xf,
		    a[i] >> 4);
		if (w < 0 || (size_t)w >= sz - off)
			return -1;
		off += (size_t)w;
	}
	w = snprintf(buf + off, sz - off, "%s", suffix6);
	return w < 0 || (size_t)w >= sz - off ? -1 : 0;
}

const char *
dnsq_error_kind(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return "NOT_FOUND";
	case ARES_ETIMEOUT:
		return "TIMEOUT";
	default:
		return "REQUEST_ERROR";
	}
}

const char *
dnsq_strerror(int status)
{
	return ares_strerror(status);
}
