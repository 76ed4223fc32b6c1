/*
 * tests/unit/t-gsb.c -- Safe Browsing URL canonicalization and the
 * host-suffix / path-prefix expressions (lib/sources/gsb_url.c), with
 * the examples of the v4 protocol's "URLs and hashing" section.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sources/gsb_url.h"
#include "tap.h"

static const char *const canon[][2] = {
	{ "http://host/%25%32%35", "http://host/%25" },
	{ "http://host/%25%32%35%25%32%35", "http://host/%25%25" },
	{ "http://host/%2525252525252525", "http://host/%25" },
	{ "http://host/asdf%25%32%35asd", "http://host/asdf%25asd" },
	{ "http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25" },
	{ "http://www.google.com/", "http://www.google.com/" },
	{ "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72"
	  "%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
	  "http://168.188.99.26/.secure/www.ebay.com/" },
	{ "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure="
	  "updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
	  "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure="
	  "updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/" },
	{ "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%2526"
	  "11%252A22%252833%252944_55%252B",
	  "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+" },
	{ "http://3279880203/blah", "http://195.127.0.11/blah" },
	{ "http://www.google.com/blah/..", "http://www.google.com/" },
	{ "www.google.com/", "http://www.google.com/" },
	{ "www.google.com", "http://www.google.com/" },
	{ "http://www.evil.com/blah#frag", "http://www.evil.com/blah" },
	{ "http://www.GOOgle.com/", "http://www.google.com/" },
	{ "http://www.google.com.../", "http://www.google.com/" },
	{ "http://www.google.com/foo\tbar\rbaz\n2",
	  "http://www.google.com/foobarbaz2" },
	{ "http://www.google.com/q?", "http://www.google.com/q?" },
	{ "http://www.google.com/q?r?", "http://www.google.com/q?r?" },
	{ "http://www.google.com/q?r?s", "http://www.google.com/q?r?s" },
	{ "http://evil.com/foo#bar#baz", "http://evil.com/foo" },
	{ "http://evil.com/foo;", "http://evil.com/foo;" },
	{ "http://evil.com/foo?bar;", "http://evil.com/foo?bar;" },
	{ "http://\x01\x80.com/", "http://%01%80.com/" },
	{ "http://notrailingslash.com", "http://notrailingslash.com/" },
	{ "http://www.gotaport.com:1234/", "http://www.gotaport.com/" },
	{ "  http://www.google.com/  ", "http://www.google.com/" },
	{ "http:// leadingspace.com/", "http://%20leadingspace.com/" },
	{ "http://%20leadingspace.com/", "http://%20leadingspace.com/" },
	{ "%20leadingspace.com/", "http://%20leadingspace.com/" },
	{ "https://www.securesite.com/", "https://www.securesite.com/" },
	{ "http://host.com/ab%23cd", "http://host.com/ab%23cd" },
	{ "http://host.com//twoslashes?more//slashes",
	  "http://host.com/twoslashes?more//slashes" },
	/* Beyond the protocol's list. */
	{ "http://user:pw@Example.COM:8080/a/./b/../c",
	  "http://example.com/a/c" },
	{ "http://0x7f.1/", "http://127.0.0.1/" },
	{ "http://host?x=1", "http://host/?x=1" },
	{ "http://host/%00x", "http://host/%00x" },
	/* Every trailing port goes, so that the result is a fixed point. */
	{ "http://a:12:34/", "http://a/" },
	{ "http://h.::/", "http://h/" },
	{ "http://h:/x", "http://h/x" },
	{ "http://[2001:DB8::1]:443/x", "http://[2001:db8::1]/x" },
	{ "http://.[2001:db8::1]/", "http://[2001:db8::1]/" },
};

/* Hosts that cannot be canonicalized without losing part of them. */
static const char *const refused[] = {
	"http://::7/",				/* nothing but ports */
	"http://a:b/",				/* a ':' that is no port */
	"http://a.:12./",
	"http://[2001:db8::1]evil.example/",	/* text after ']' */
	"http://.[1]x/",
	"http://[2001:db8::1/",			/* no ']' */
	"http://[::1]]/",
};

static int
same_set(const char *url, const char *const *want, size_t nwant)
{
	char	*got[GSB_MAX_EXPR];
	size_t	 n, i;
	int	 good;

	n = gsb_expressions(url, got);
	good = n == nwant;
	for (i = 0; i < n; i++) {
		if (good && strcmp(got[i], want[i]) != 0)
			good = 0;
		if (!good)
			printf("#   %zu: %s\n", i, got[i]);
		free(got[i]);
	}
	return ok(good, "expressions of %s (%zu)", url, n);
}

int
main(void)
{
	static const char *const e1[] = {
		"a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/",
		"a.b.c/1/", "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/",
		"b.c/1/" };
	static const char *const e2[] = {
		"a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/", "c.d.e.f.g/1.html",
		"c.d.e.f.g/", "d.e.f.g/1.html", "d.e.f.g/", "e.f.g/1.html",
		"e.f.g/", "f.g/1.html", "f.g/" };
	static const char *const e3[] = { "1.2.3.4/1/", "1.2.3.4/" };
	static const char *const e4[] = { "a.b.c/", "b.c/" };
	static const char *const e5[] = {
		"x.com/1/2/3/4/5/6.html", "x.com/", "x.com/1/", "x.com/1/2/",
		"x.com/1/2/3/" };
	static const char *const e6[] = {
		"a.b.c.d.e/", "b.c.d.e/", "c.d.e/", "d.e/" };
	const char	*e7[] = {
		NULL, "a.a.sub.evil.com/",
		"a.sub.evil.com/", "sub.evil.com/", "evil.com/" };
	char		*c, *got[GSB_MAX_EXPR], deep[2 * 140 + 32];
	size_t		 i;

	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		c = gsb_canonicalize(canon[i][0]);
		if (!ok(c != NULL && strcmp(c, canon[i][1]) == 0, "%s",
		    canon[i][1]))
			printf("#   got: '%s'\n", c != NULL ? c : "(null)");
		free(c);
		/* Canonical forms are fixed points. */
		c = gsb_canonicalize(canon[i][1]);
		if (!ok(c != NULL && strcmp(c, canon[i][1]) == 0,
		    "%s again", canon[i][1]))
			printf("#   got: '%s'\n", c != NULL ? c : "(null)");
		free(c);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c = gsb_canonicalize(refused[i]);
		if (!ok(c == NULL && gsb_expressions(refused[i], got) == 0,
		    "no canonical form: %s", refused[i]))
			printf("#   got: '%s'\n", c);
		free(c);
	}
	ok(gsb_canonicalize("http:///path") == NULL,
	    "a URL without a host has no canonical form");
	ok(gsb_expressions("http://.../", got) == 0,
	    "nor any expression");

	same_set("http://a.b.c/1/2.html?param=1", e1,
	    sizeof(e1) / sizeof(e1[0]));
	same_set("http://a.b.c.d.e.f.g/1.html", e2,
	    sizeof(e2) / sizeof(e2[0]));
	same_set("http://1.2.3.4/1/", e3, sizeof(e3) / sizeof(e3[0]));
	same_set("http://a.b.c/", e4, sizeof(e4) / sizeof(e4[0]));
	same_set("http://x.com/1/2/3/4/5/6.html", e5,
	    sizeof(e5) / sizeof(e5[0]));
	same_set("http://a.b.c.d.e/", e6, sizeof(e6) / sizeof(e6[0]));

	/* A host deeper than any fixed table: the suffixes are its own
	 * last five components, so the listed domain is looked up. */
	strcpy(deep, "http://");
	for (i = 0; i < 140; i++)
		strcat(deep, "a.");
	strcat(deep, "sub.evil.com/");
	e7[0] = deep + strlen("http://");
	same_set(deep, e7, sizeof(e7) / sizeof(e7[0]));
	return tap_done();
}
