/*
 * lib/indicator.c -- see indicator.h.
 *
 * Every value goes through the same gate first: trimmed of ASCII white
 * space, bounded by IND_DATA_MAX, rejected if it holds control or
 * invisible characters or is not well-formed UTF-8.  Network kinds are
 * then "refanged" ("evil[.]com" becomes "evil.com") and each kind checks
 * and canonicalizes its own syntax.  Normalizing a normalized value must
 * give it back unchanged: the database relies on that for deduplication.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "compat.h"
#include "indicator.h"
#include "log.h"
#include "xmalloc.h"

#define DOMAIN_MAX	253	/* characters of a name, no trailing dot */
#define LABEL_MAX	63	/* characters of one label */
#define LOCAL_MAX	64	/* characters of an e-mail local part */

typedef int	(*ind_norm_fn)(char *, size_t, char **, const char **);

static int	norm_domain(char *, size_t, char **, const char **);
static int	norm_ipv4(char *, size_t, char **, const char **);
static int	norm_ipv6(char *, size_t, char **, const char **);
static int	norm_url(char *, size_t, char **, const char **);
static int	norm_email(char *, size_t, char **, const char **);
static int	norm_sha1(char *, size_t, char **, const char **);
static int	norm_sha256(char *, size_t, char **, const char **);
static int	norm_sha512(char *, size_t, char **, const char **);
static int	norm_md5(char *, size_t, char **, const char **);
static int	norm_tlsh(char *, size_t, char **, const char **);
static int	norm_ssdeep(char *, size_t, char **, const char **);

static const struct ind_info {
	const char	*name;
	const char	*example;
	const char	*description;
	int		 defang;	/* refang before checking */
	ind_norm_fn	 norm;
} kinds[IND__MAX] = {
	[IND_DOMAIN] = { "DOMAIN", "example.com",
	    "A domain name such as example.com.", 1, norm_domain },
	[IND_IPV4] = { "IPV4", "192.0.2.1",
	    "An IPv4 address in dotted-quad notation.", 1, norm_ipv4 },
	[IND_IPV6] = { "IPV6", "2001:db8::1",
	    "An IPv6 address.", 1, norm_ipv6 },
	[IND_URL] = { "URL", "https://example.com/index.html",
	    "A URL with a scheme and a host.", 1, norm_url },
	[IND_EMAIL] = { "EMAIL", "user@example.com",
	    "An e-mail address.", 1, norm_email },
	[IND_SHA1] = { "SHA1", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
	    "A SHA-1 hash as 40 hexadecimal digits.", 0, norm_sha1 },
	[IND_SHA256] = { "SHA256",
	    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
	    "A SHA-256 hash as 64 hexadecimal digits.", 0, norm_sha256 },
	[IND_SHA512] = { "SHA512",
	    "b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9"
	    "80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86",
	    "A SHA-512 hash as 128 hexadecimal digits.", 0, norm_sha512 },
	[IND_MD5] = { "MD5", "098f6bcd4621d373cade4e832627b4f6",
	    "An MD5 hash as 32 hexadecimal digits.", 0, norm_md5 },
	[IND_TLSH] = { "TLSH",
	    "T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBED",
	    "A TLSH fuzzy hash: T1 and 70 hexadecimal digits.", 0,
	    norm_tlsh },
	[IND_SSDEEP] = { "SSDEEP", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsVNhB2Lsr2C",
	    "An ssdeep fuzzy hash: blocksize:hash:hash.", 0, norm_ssdeep },
};

/* Hashes first: they are the most specific shapes. */
static const enum ind_kind detect_order[] = {
	IND_MD5, IND_SHA1, IND_SHA256, IND_SHA512, IND_TLSH, IND_SSDEEP,
	IND_IPV4, IND_IPV6, IND_URL, IND_EMAIL, IND_DOMAIN
};

/*
 * Defanged spellings and what they stand for.  Every pattern starts with
 * an opening and ends with a closing bracket, and no pattern has a
 * closing bracket inside: refang() relies on both.
 */
static const struct {
	const char	*from;
	const char	*to;
} defangs[] = {
	{ "[://]", "://" },
	{ "[dot]", "." }, { "(dot)", "." }, { "{dot}", "." },
	{ "[.]", "." }, { "(.)", "." }, { "{.}", "." },
	{ "[at]", "@" }, { "(at)", "@" }, { "[@]", "@" }, { "(@)", "@" },
	{ "[:]", ":" },
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void
lower(char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
}

static void
upper(char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] -= 'a' - 'A';
}

/*
 * Code points that render as nothing or as a blank, or that reorder
 * text: in an indicator they only serve to evade matching or to fool
 * the analyst reading it (a right-to-left override in a URL).
 */
static int
invisible(unsigned int cp)
{
	return cp == 0xa0 || cp == 0xad || cp == 0x34f || cp == 0x61c ||
	    cp == 0x115f || cp == 0x1160 || cp == 0x1680 || cp == 0x180e ||
	    (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
	    (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0x3164 ||
	    cp == 0xfeff || cp == 0xffa0 || (cp >= 0xfff0 && cp <= 0xfffb) ||
	    (cp & 0xfffe) == 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	    (cp >= 0xe0000 && cp <= 0xe0fff);
}

/*
 * Screen s[0..len) byte by byte: ASCII and C1 control characters,
 * malformed UTF-8 (overlong forms, surrogates, past U+10FFFF, truncated)
 * and invisible code points are refused.  Returns NULL or the reason.
 */
static const char *
screen(const unsigned char *s, size_t len)
{
	size_t		 i, k, n;
	unsigned int	 cp, min;

	for (i = 0; i < len; i += n + 1) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return "contains a control character";
			n = 0;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return "is not valid UTF-8";
		if (len - i - 1 < n)
			return "is not valid UTF-8";
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return "is not valid UTF-8";
		if (cp <= 0x9f)
			return "contains a control character";
		if (invisible(cp))
			return "contains an invisible character";
	}
	return NULL;
}

/*
 * Refang "s" in place and return its new length.  The output is built
 * like a stack: each time a closing bracket lands on it, a defanged
 * pattern ending there is replaced.  Since no pattern holds a closing
 * bracket before its end, nothing behind a kept closing bracket can
 * change again, so one linear pass leaves no pattern at all:
 * "evil[[.]]com" gives "evil.com" and refanging twice is refanging once.
 */
static size_t
refang(char *s)
{
	char	*r, *w;
	size_t	 i, fl, tl;

	for (r = w = s; *r != '\0'; r++) {
		*w++ = *r;
		if (*r != ']' && *r != ')' && *r != '}')
			continue;
		for (i = 0; i < nitems(defangs); i++) {
			fl = strlen(defangs[i].from);
			if ((size_t)(w - s) >= fl &&
			    strncasecmp(w - fl, defangs[i].from, fl) == 0)
				break;
		}
		if (i == nitems(defangs))
			continue;
		tl = strlen(defangs[i].to);
		w -= fl;
		memcpy(w, defangs[i].to, tl);
		w += tl;
	}
	*w = '\0';

	/* The scheme spellings only count at the start of the value. */
	if (strncasecmp(s, "hxxps://", 8) == 0 ||
	    strncasecmp(s, "hxxp://", 7) == 0) {
		s[1] = s[0] == 'H' ? 'T' : 't';
		s[2] = s[1];
	} else if (strncasecmp(s, "fxp://", 6) == 0)
		s[1] = s[0] == 'F' ? 'T' : 't';
	return w - s;
}

/*
 * Trim "in", check what every kind requires of it and return a working
 * copy (refanged when "defang" is set) with its length in *lenp; or NULL
 * and the reason in *why.
 */
static char *
prepare(const char *in, int defang, size_t *lenp, const char **why)
{
	const char	*b, *e;
	char		*s;
	size_t		 len;

	if (in == NULL) {
		*why = "is missing";
		return NULL;
	}
	for (b = in; is_space((unsigned char)*b); b++)
		continue;
	for (e = b + strlen(b); e > b && is_space((unsigned char)e[-1]); e--)
		continue;
	len = e - b;
	if (len == 0) {
		*why = "is empty";
		return NULL;
	}
	if (len > IND_DATA_MAX) {
		*why = "is too long";
		return NULL;
	}
	if ((*why = screen((const unsigned char *)b, len)) != NULL)
		return NULL;
	s = xstrndup(b, len);
	if (defang)
		len = refang(s);
	*lenp = len;
	return s;
}

/*
 * Check the lowercase host name s[0..len), without its trailing dot, as
 * DNS labels: at least "minlabels" of them, 1-63 characters of
 * [a-z0-9_-] or non-ASCII (IDN, kept as UTF-8), no hyphen at either end
 * of a label and a last label that is not all digits, so that an
 * address written in dots never passes for a name.  Lengths count
 * characters, not bytes, so that IDN labels are not cut short.
 */
static const char *
hostname_check(const char *s, size_t len, int minlabels)
{
	size_t	 i, start, total, lchars;
	int	 labels, digits, lastdigits;

	labels = lastdigits = 0;
	digits = 1;
	start = total = lchars = 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (i == start)
				return "has an empty label";
			if (lchars > LABEL_MAX)
				return "has a label longer than 63 characters";
			if (s[start] == '-' || s[i - 1] == '-')
				return "has a label that starts or ends with "
				    "a hyphen";
			labels++;
			lastdigits = digits;
			digits = 1;
			lchars = 0;
			start = i + 1;
			total++;
			continue;
		}
		if (c >= 0x80) {
			/* Count a code point once, at its lead byte. */
			if ((c & 0xc0) != 0x80) {
				lchars++;
				total++;
			}
			digits = 0;
			continue;
		}
		if (!is_digit(c)) {
			if (!(c >= 'a' && c <= 'z') && c != '-' && c != '_')
				return "contains a character not allowed in "
				    "a domain name";
			digits = 0;
		}
		lchars++;
		total++;
	}
	/* The loop counted a dot after the last label. */
	if (total - 1 > DOMAIN_MAX)
		return "is longer than 253 characters";
	if (labels < minlabels)
		return "has a single label";
	if (lastdigits)
		return "has an all-numeric top-level label";
	return NULL;
}

/*
 * Return 1 if s[0..len) is a dotted quad of decimal numbers 0-255
 * without leading zeros.  inet_pton() alone would do on glibc, but other
 * libcs read "010" as octal, so the form is checked here once for all.
 */
static int
ipv4_strict(const char *s, size_t len)
{
	size_t	 i, ndig;
	int	 parts, val;

	parts = 0;
	ndig = 0;
	val = 0;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (ndig == 0 || val > 255 || ++parts > 4)
				return 0;
			ndig = 0;
			val = 0;
			continue;
		}
		if (!is_digit((unsigned char)s[i]))
			return 0;
		if (ndig > 0 && val == 0)
			return 0;		/* leading zero */
		if (++ndig > 3)
			return 0;
		val = val * 10 + (s[i] - '0');
	}
	return parts == 4;
}

static int
norm_domain(char *s, size_t len, char **res, const char **why)
{
	lower(s, len);
	if (s[len - 1] == '.')
		s[--len] = '\0';
	if (len == 0) {
		*why = "is not a valid domain name";
		return -1;
	}
	if ((*why = hostname_check(s, len, 2)) != NULL)
		return -1;
	*res = s;
	return 0;
}

static int
norm_ipv4(char *s, size_t len, char **res, const char **why)
{
	struct in_addr	 a;
	char		 buf[INET_ADDRSTRLEN];

	if (!ipv4_strict(s, len) || inet_pton(AF_INET, s, &a) != 1 ||
	    inet_ntop(AF_INET, &a, buf, sizeof(buf)) == NULL) {
		*why = "is not a valid IPv4 address";
		return -1;
	}
	*res = xstrdup(buf);
	return 0;
}

static int
norm_ipv6(char *s, size_t len, char **res, const char **why)
{
	struct in6_addr	 a;
	char		 buf[INET6_ADDRSTRLEN];
	char		*p = s;

	*why = "is not a valid IPv6 address";
	/* Brackets, as in URLs, are accepted only as a pair. */
	if (s[0] == '[' || s[len - 1] == ']') {
		if (len < 2 || s[0] != '[' || s[len - 1] != ']')
			return -1;
		s[len - 1] = '\0';
		p = s + 1;
	}
	/*
	 * A zone index is local to one host and meaningless as an
	 * indicator; refuse it rather than silently drop it.
	 */
	if (strchr(p, '%') != NULL) {
		*why = "has a zone index";
		return -1;
	}
	if (inet_pton(AF_INET6, p, &a) != 1 ||
	    inet_ntop(AF_INET6, &a, buf, sizeof(buf)) == NULL)
		return -1;
	*why = NULL;
	*res = xstrdup(buf);
	return 0;
}

/*
 * Check the bracketed IPv6 host s[0..len) of a URL, brackets included.
 */
static int
url_ipv6_ok(const char *s, size_t len)
{
	struct in6_addr	 a;
	char		 buf[INET6_ADDRSTRLEN + 2];

	if (len < 3 || len - 2 >= sizeof(buf) || s[len - 1] != ']')
		return 0;
	memcpy(buf, s + 1, len - 2);
	buf[len - 2] = '\0';
	return strchr(buf, '%') == NULL && inet_pton(AF_INET6, buf, &a) == 1;
}

/*
 * Let libcurl parse the lowercased URL too and insist that it finds the
 * same host: a value two parsers read differently is exactly what an
 * attacker would feed a filter.  Any scheme is allowed, hence
 * CURLU_NON_SUPPORT_SCHEME; nothing is guessed or defaulted.
 */
static int
url_curl_ok(const char *s, const char *host, size_t hlen)
{
	CURLU	*u;
	char	*got = NULL;
	int	 ok;

	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	ok = curl_url_set(u, CURLUPART_URL, s, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &got, 0) == CURLUE_OK &&
	    got != NULL && got[0] != '\0';
	/* curl rewrites IPv6 hosts canonically; they were checked above. */
	if (ok && host[0] != '[')
		ok = strlen(got) == hlen && strncmp(got, host, hlen) == 0;
	curl_free(got);
	curl_url_cleanup(u);
	return ok;
}

/*
 * A URL is "scheme://authority" and an optional path, query and
 * fragment.  Only the scheme and the host are case-insensitive, so only
 * they are lowercased; the rest is kept byte for byte.
 */
static int
norm_url(char *s, size_t len, char **res, const char **why)
{
	size_t	 i, a, aend, h, hend;
	char	*host;

	*why = "is not a valid URL";
	for (i = 0; i < len && s[i] != ':'; i++)
		if (!is_alpha((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) &&
		    s[i] != '+' && s[i] != '-' && s[i] != '.')
			break;
	if (i == 0 || i == len || s[i] != ':') {
		*why = "has no scheme";
		return -1;
	}
	if (!is_alpha((unsigned char)s[0]))
		return -1;
	/* Without an authority there is no host to speak of. */
	if (strncmp(s + i, "://", 3) != 0) {
		*why = "has no host";
		return -1;
	}
	a = i + 3;
	aend = a + strcspn(s + a, "/?#");

	/* Userinfo ends at the only '@'; two of them are ambiguous. */
	h = a;
	for (i = a; i < aend; i++)
		if (s[i] == '@') {
			if (h != a)
				return -1;
			h = i + 1;
		}
	if (h < aend && s[h] == '[') {
		host = memchr(s + h, ']', aend - h);
		if (host == NULL)
			return -1;
		hend = host - s + 1;
		if (!url_ipv6_ok(s + h, hend - h))
			return -1;
	} else
		for (hend = h; hend < aend && s[hend] != ':'; hend++)
			continue;
	if (hend == h) {
		*why = "has no host";
		return -1;
	}
	/* Only a port, possibly empty, may follow the host. */
	if (hend < aend) {
		if (s[hend] != ':')
			return -1;
		for (i = hend + 1; i < aend; i++)
			if (!is_digit((unsigned char)s[i]))
				return -1;
	}

	lower(s, strcspn(s, ":"));
	lower(s + h, hend - h);
	host = s + h;
	if (host[0] != '[') {
		size_t hl = hend - h;

		/* A name or a strict dotted quad, nothing in between. */
		*why = "has an invalid host name";
		if (strspn(host, "0123456789.") >= hl) {
			if (!ipv4_strict(host, hl))
				return -1;
		} else {
			if (host[hl - 1] == '.')
				hl--;
			if (hl == 0 || hostname_check(host, hl, 1) != NULL)
				return -1;
		}
		*why = "is not a valid URL";
	}
	if (!url_curl_ok(s, host, hend - h))
		return -1;
	*why = NULL;
	*res = s;
	return 0;
}

/*
 * The HTML5 "valid e-mail address" shape, with the domain held to the
 * DOMAIN rules.  The local part may be case-sensitive, so only the
 * domain is lowercased.
 */
static int
norm_email(char *s, size_t len, char **res, const char **why)
{
	static const char	 atext[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-";
	char			*at, *dom;
	size_t			 llen, dlen;

	*why = "is not a valid e-mail address";
	if ((at = memchr(s, '@', len)) == NULL ||
	    memchr(at + 1, '@', len - (at - s) - 1) != NULL)
		return -1;
	llen = at - s;
	if (llen == 0 || llen > LOCAL_MAX || strspn(s, atext) != llen)
		return -1;
	dom = at + 1;
	dlen = len - llen - 1;
	lower(dom, dlen);
	if (dlen > 0 && dom[dlen - 1] == '.')
		dom[--dlen] = '\0';
	if (dlen == 0 || hostname_check(dom, dlen, 2) != NULL) {
		*why = "has an invalid domain part";
		return -1;
	}
	*why = NULL;
	*res = s;
	return 0;
}

/*
 * A hash of exactly "want" hexadecimal digits, lowercased.
 */
static int
norm_hex(char *s, size_t len, size_t want, char **res, const char **why,
    const char *reason)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!is_hex((unsigned char)s[i]))
			break;
	if (len != want || i != len) {
		*why = reason;
		return -1;
	}
	lower(s, len);
	*res = s;
	return 0;
}

static int
norm_sha1(char *s, size_t len, char **res, const char **why)
{
	return norm_hex(s, len, 40, res, why, "is not a valid SHA-1 hash");
}

static int
norm_sha256(char *s, size_t len, char **res, const char **why)
{
	return norm_hex(s, len, 64, res, why, "is not a valid SHA-256 hash");
}

static int
norm_sha512(char *s, size_t len, char **res, const char **why)
{
	return norm_hex(s, len, 128, res, why, "is not a valid SHA-512 hash");
}

static int
norm_md5(char *s, size_t len, char **res, const char **why)
{
	return norm_hex(s, len, 32, res, why, "is not a valid MD5 hash");
}

/*
 * A version 1 TLSH digest: "T1" and 70 hexadecimal digits, uppercased
 * as the reference implementation prints it.
 */
static int
norm_tlsh(char *s, size_t len, char **res, const char **why)
{
	size_t	 i;

	*why = "is not a valid TLSH hash";
	if (len != 72 || (s[0] != 'T' && s[0] != 't') || s[1] != '1')
		return -1;
	for (i = 2; i < len; i++)
		if (!is_hex((unsigned char)s[i]))
			return -1;
	upper(s, len);
	*why = NULL;
	*res = s;
	return 0;
}

/*
 * "blocksize:hash1:hash2" as ssdeep prints it, without the file name.
 * The base64 hashes are case-sensitive and kept as they are.
 */
static int
norm_ssdeep(char *s, size_t len, char **res, const char **why)
{
	static const char	 b64[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
	size_t			 n, h1, h2;

	*why = "is not a valid ssdeep hash";
	if (len <= 10)
		return -1;
	n = strspn(s, "0123456789");
	if (n == 0 || n > 10 || s[0] == '0' || s[n] != ':')
		return -1;
	h1 = strspn(s + n + 1, b64);
	if (h1 == 0 || s[n + 1 + h1] != ':')
		return -1;
	h2 = strspn(s + n + h1 + 2, b64);
	if (h2 == 0 || n + h1 + h2 + 2 != len)
		return -1;
	*why = NULL;
	*res = s;
	return 0;
}

/*
 * Return the upper-case name of "kind" ("DOMAIN", "IPV4", ...), or NULL
 * if it is not a kind.
 */
const char *
ind_kind_name(enum ind_kind kind)
{
	if ((int)kind < 0 || kind >= IND__MAX)
		return NULL;
	return kinds[kind].name;
}

/*
 * Return the kind named "name", compared case-insensitively, or
 * IND_INVALID.
 */
enum ind_kind
ind_kind_parse(const char *name)
{
	int	 k;

	if (name == NULL)
		return IND_INVALID;
	for (k = 0; k < IND__MAX; k++)
		if (strcasecmp(name, kinds[k].name) == 0)
			return (enum ind_kind)k;
	return IND_INVALID;
}

/*
 * Return a valid, already normalized example value of "kind" for help
 * texts and API documentation, or NULL if it is not a kind.
 */
const char *
ind_kind_example(enum ind_kind kind)
{
	if ((int)kind < 0 || kind >= IND__MAX)
		return NULL;
	return kinds[kind].example;
}

/*
 * Return a one-sentence description of "kind", or NULL if it is not a
 * kind.
 */
const char *
ind_kind_description(enum ind_kind kind)
{
	if ((int)kind < 0 || kind >= IND__MAX)
		return NULL;
	return kinds[kind].description;
}

/*
 * Validate "in" as an indicator of "kind".  On success return 0 and
 * store the xmalloc'd normalized value in *out (if "out" is not NULL).
 * On failure return -1, leave *out alone and store a static English
 * reason, to follow the value in a message, in *why (if not NULL).
 */
int
ind_normalize(enum ind_kind kind, const char *in, char **out,
    const char **why)
{
	const char	*reason = NULL;
	char		*s, *res = NULL;
	size_t		 len;

	if ((int)kind < 0 || kind >= IND__MAX)
		reason = "is not a known indicator kind";
	else if ((s = prepare(in, kinds[kind].defang, &len, &reason)) !=
	    NULL) {
		if (kinds[kind].norm(s, len, &res, &reason) == -1)
			res = NULL;
		if (res != s)
			free(s);
	}
	if (res == NULL) {
		if (why != NULL)
			*why = reason;
		return -1;
	}
	if (out != NULL)
		*out = res;
	else
		free(res);
	return 0;
}

/*
 * Return the first kind, in the order of detect_order, that accepts
 * "in" (trimmed and refanged as ind_normalize() does), or IND_INVALID.
 */
enum ind_kind
ind_detect(const char *in)
{
	size_t	 i;

	for (i = 0; i < nitems(detect_order); i++)
		if (ind_normalize(detect_order[i], in, NULL, NULL) == 0)
			return detect_order[i];
	return IND_INVALID;
}
