/*
 * lib/sources/gsb_url.c -- see gsb_url.h.  The rules are those of the
 * Safe Browsing v4 "URLs and hashing" section: drop tab/CR/LF and the
 * fragment, percent-unescape until nothing changes, canonicalize the
 * host (dots, case, any IPv4 spelling) and the path ("/./", "/../",
 * "//"), then escape every byte <= 0x20, >= 0x7f, '#' and '%'.
 * Unescaping can yield NUL bytes, so the work is on counted buffers.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "gsb_url.h"
#include "xmalloc.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One pass of percent-unescaping in place; returns the new length. */
static size_t
unescape_once(char *s, size_t n, int *changed)
{
	size_t	 i, o = 0;
	int	 h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = hexval((unsigned char)s[i + 1])) != -1 &&
		    (l = hexval((unsigned char)s[i + 2])) != -1) {
			s[o++] = (char)(h * 16 + l);
			i += 2;
			*changed = 1;
		} else
			s[o++] = s[i];
	}
	return o;
}

/* Append bytes s[0..n) to "out" at *o, escaped as the protocol wants. */
static void
put_escaped(char *out, size_t *o, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	size_t			 i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '#' || c == '%') {
			out[(*o)++] = '%';
			out[(*o)++] = hex[c >> 4];
			out[(*o)++] = hex[c & 15];
		} else
			out[(*o)++] = (char)c;
	}
}

/* Host: no leading, trailing or repeated dots, lower case, IPv4 as a
 * dotted quad (which may be longer: "*hp" is then replaced).  Returns
 * the new length. */
static size_t
canon_host(char **hp, size_t n)
{
	char		*h = *hp;
	struct in_addr	 a;
	char		 ip[INET_ADDRSTRLEN], *tmp;
	size_t		 i, o = 0;

	for (i = 0; i < n; i++) {
		if (h[i] == '.' && (o == 0 || h[o - 1] == '.'))
			continue;
		h[o++] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] + 32) :
		    h[i];
	}
	while (o > 0 && h[o - 1] == '.')
		o--;
	if (o == 0 || strspn(h, "0123456789abcdefx.") < o ||
	    memchr(h, '\0', o) != NULL)
		return o;
	/* Decimal, octal, hex, and fewer than four parts: inet_aton()
	 * reads every spelling the protocol asks for. */
	tmp = xmalloc(o + 1);
	memcpy(tmp, h, o);
	tmp[o] = '\0';
	if (inet_aton(tmp, &a) != 0 &&
	    inet_ntop(AF_INET, &a, ip, sizeof(ip)) != NULL) {
		free(tmp);
		free(h);
		*hp = xstrdup(ip);
		return strlen(ip);
	}
	free(tmp);
	return o;
}

/*
 * Path: resolve "." and ".." segments and collapse runs of slashes.
 * Writes into "out" (at least n + 2 bytes); returns its length.
 */
static size_t
canon_path(const char *p, size_t n, char *out)
{
	size_t	 i = 0, j, o = 0, seglen;
	int	 trailing = 0;

	out[o++] = '/';
	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		if (i >= n)
			break;
		for (j = i; j < n && p[j] != '/'; j++)
			;
		seglen = j - i;
		trailing = j < n;
		if (seglen == 1 && p[i] == '.')
			trailing = 1;
		else if (seglen == 2 && p[i] == '.' && p[i + 1] == '.') {
			/* Drop the previous segment. */
			if (o > 1) {
				o--;	/* its slash */
				while (o > 1 && out[o - 1] != '/')
					o--;
			}
			trailing = 1;
		} else {
			memcpy(out + o, p + i, seglen);
			o += seglen;
			out[o++] = '/';
		}
		i = j;
	}
	/* Every kept segment got a slash; drop the last one unless the
	 * path ended with one. */
	if (o > 1 && !trailing)
		o--;
	return o;
}

static int
scheme_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

/* Is s[0..n) empty or ':' followed by nothing but digits? */
static int
port_only(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 1;
	if (s[0] != ':')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

char *
gsb_canonicalize(const char *url)
{
	const char	*b, *e, *pp, *pe, *qm, *qs = NULL;
	char		*s, *host, *path, *out, *q, *at;
	size_t		 n = 0, i, au, hn, pn, qn = 0, sn, o = 0, cap;
	const char	*rest, *scheme = "http";
	size_t		 restn, schemen = 4;
	int		 changed, has_query = 0;

	/* Trim, drop tab/CR/LF, cut the fragment. */
	for (b = url; *b == ' '; b++)
		;
	e = b + strlen(b);
	while (e > b && e[-1] == ' ')
		e--;
	s = xmalloc((size_t)(e - b) + 1);
	for (; b < e && *b != '#'; b++)
		if (*b != '\t' && *b != '\r' && *b != '\n')
			s[n++] = *b;
	/* Unescape until nothing changes (each pass shrinks or stops). */
	do {
		changed = 0;
		n = unescape_once(s, n, &changed);
	} while (changed);

	rest = s;
	restn = n;
	for (i = 0; i + 2 < n; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
			break;
	if (i + 2 < n && scheme_ok(s, i)) {
		scheme = s;
		schemen = i;
		rest = s + i + 3;
		restn = n - i - 3;
	}
	/* Authority: up to the first '/' or '?'. */
	for (au = 0; au < restn && rest[au] != '/' && rest[au] != '?'; au++)
		;
	hn = au;
	host = xmalloc(hn + 1);
	memcpy(host, rest, hn);
	host[hn] = '\0';
	for (at = NULL, i = 0; i < hn; i++)
		if (host[i] == '@')
			at = host + i;
	if (at != NULL) {
		hn -= (size_t)(at + 1 - host);
		memmove(host, at + 1, hn);
	}
	/*
	 * Leading dots go first (canon_host() would drop them anyway), so
	 * that ".[::1]" is seen as the bracketed literal it becomes.
	 */
	for (i = 0; i < hn && host[i] == '.'; i++)
		;
	if (i > 0) {
		hn -= i;
		memmove(host, host + i, hn);
	}
	if (hn > 0 && host[0] == '[') {
		/* An IPv6 literal, then nothing or a port: anything else
		 * after ']' would be lost, so such a host has no
		 * canonical form. */
		if ((q = memchr(host, ']', hn)) == NULL ||
		    !port_only(q + 1, (size_t)(host + hn - q - 1)))
			hn = 0;
		else
			hn = (size_t)(q + 1 - host);
	} else {
		/* Strip every trailing ":digits" (or bare ':'), then
		 * refuse a host that still holds a ':': canonicalizing the
		 * result again must give it back. */
		for (;;) {
			for (i = hn; i > 0 && host[i - 1] != ':'; i--)
				;
			if (i == 0 || !port_only(host + i - 1, hn - i + 1))
				break;
			hn = i - 1;
		}
		if (memchr(host, ':', hn) != NULL)
			hn = 0;
	}
	host[hn] = '\0';
	if (hn > 0)
		hn = canon_host(&host, hn);
	if (hn == 0) {
		free(host);
		free(s);
		return NULL;
	}

	/* Path and query, after the authority. */
	pp = rest + au;
	pe = rest + restn;
	qm = memchr(pp, '?', (size_t)(pe - pp));
	pn = (size_t)((qm != NULL ? qm : pe) - pp);
	path = xmalloc(pn + 2);
	pn = canon_path(pp, pn, path);
	if (qm != NULL) {
		has_query = 1;
		qs = qm + 1;
		qn = (size_t)(pe - qs);
	}

	sn = schemen;
	cap = sn + 3 + 3 * (hn + pn + qn) + 2;
	out = xmalloc(cap);
	for (i = 0; i < sn; i++)
		out[o++] = (scheme[i] >= 'A' && scheme[i] <= 'Z') ?
		    (char)(scheme[i] + 32) : scheme[i];
	memcpy(out + o, "://", 3);
	o += 3;
	put_escaped(out, &o, host, hn);
	put_escaped(out, &o, path, pn);
	if (has_query) {
		out[o++] = '?';
		put_escaped(out, &o, qs, qn);
	}
	out[o] = '\0';
	free(host);
	free(path);
	free(s);
	return out;
}

static int
has(char **v, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

size_t
gsb_expressions(const char *url, char *out[GSB_MAX_EXPR])
{
	char		*c, *host, *path, *query, *hosts[5], *paths[6], *p;
	struct in_addr	 a;
	size_t		 nh = 0, np = 0, n = 0, ncomp, i, j;
	char		*tail[5];

	if ((c = gsb_canonicalize(url)) == NULL)
		return 0;
	host = strstr(c, "://") + 3;
	path = strchr(host, '/');	/* always there */
	*path = '\0';
	hosts[nh++] = xstrdup(host);
	*path = '/';
	path = xstrdup(path);
	host = hosts[0];
	if ((query = strchr(path, '?')) != NULL)
		*query++ = '\0';

	/* Host suffixes: the last five components down to two, not for
	 * an IP address. */
	if (host[0] != '[' && inet_pton(AF_INET, host, &a) != 1) {
		/* tail[k] starts the last k + 1 components; found from the
		 * end, so that a host of any depth gives its own last
		 * five (the canonical host has no empty component). */
		ncomp = 0;
		for (p = host + strlen(host); p > host && ncomp < 5; p--)
			if (p[-1] == '.')
				tail[ncomp++] = p;
		if (ncomp < 5)		/* the whole host is one more */
			tail[ncomp++] = host;
		/* The last 5 components (unless that is the host itself)
		 * down to the last 2. */
		i = ncomp;
		if (tail[i - 1] == host)
			i--;
		for (; i >= 2; i--)
			hosts[nh++] = xstrdup(tail[i - 1]);
	}

	/* Paths: with the query, without, then "/" and up to three more
	 * directory prefixes. */
	if (query != NULL)
		xasprintf(&paths[np++], "%s?%s", path, query);
	if (!has(paths, np, path))
		paths[np++] = xstrdup(path);
	for (i = 0, j = 0; path[i] != '\0' && j < 4; i++) {
		if (path[i] != '/')
			continue;
		p = xmalloc(i + 2);
		memcpy(p, path, i + 1);
		p[i + 1] = '\0';
		j++;
		if (has(paths, np, p))
			free(p);
		else
			paths[np++] = p;
	}

	for (i = 0; i < nh; i++)
		for (j = 0; j < np; j++)
			xasprintf(&out[n++], "%s%s", hosts[i], paths[j]);
	for (i = 0; i < nh; i++)
		free(hosts[i]);
	for (j = 0; j < np; j++)
		free(paths[j]);
	free(path);
	free(c);
	return n;
}
