/*
 * lib/sources/dnsq.h -- DNS queries for the DNS and ASN Cymru sources,
 * through c-ares: every query of a batch in flight at once, on the
 * servers of "dns_resolvers" (or /etc/resolv.conf), bounded by the
 * source's deadline.  No search domains: names are asked as given.
 */
#ifndef IOCAGG_DNSQ_H
#define IOCAGG_DNSQ_H

#include <stddef.h>

struct dnsq {
	const char	*name;		/* the name asked */
	int		 type;		/* ns_t_a, ns_t_txt, ... */
	/* Filled by dnsq_run(): */
	int		 status;	/* ARES_SUCCESS, ARES_ENOTFOUND, ... */
	unsigned char	*abuf;		/* the answer (malloc'd), or NULL */
	int		 alen;
};

/*
 * Ask every query of "q" at once; return when all are answered or the
 * monotonic deadline "deadline" (ms) passes (unanswered ones get
 * ARES_ETIMEOUT).  Returns 0, or -1 with "err" set when c-ares cannot
 * start (bad dns_resolvers value...).
 */
int		 dnsq_run(struct dnsq *q, size_t n, long long deadline,
		    char *err, size_t errsz);
void		 dnsq_free(struct dnsq *q, size_t n);
/* The name to ask for the PTR of an address (in-addr.arpa or
 * ip6.arpa form), or -1 when "ip" is not an address. */
int		 dnsq_reverse(const char *ip, const char *suffix4,
		    const char *suffix6, char *buf, size_t sz);
/* Error kind and message of a failed query: NOT_FOUND for NXDOMAIN or
 * no data, TIMEOUT, else REQUEST_ERROR. */
const char	*dnsq_error_kind(int status);
const char	*dnsq_strerror(int status);

#endif
