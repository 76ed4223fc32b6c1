/*
 * lib/slug.c -- see slug.h.  A slug is lowercase ASCII words joined by
 * single hyphens: "Google Safe Browsing - Update" becomes
 * "google-safe-browsing-update".  Digits count as separators, like the
 * reference system, so that slugs never look like numeric ids.
 */
#include "config.h"

#include <string.h>

#include "slug.h"
#include "xmalloc.h"

/*
 * Return an xmalloc'd slug of "name": ASCII letters lowercased, every run
 * of other bytes (digits, punctuation, spaces, UTF-8) turned into one
 * hyphen, with none at either end.  The result may be the empty string,
 * which callers must reject.  A NULL name gives the empty string too.
 */
char *
slugify(const char *name)
{
	char		*out, *p;
	const char	*s;
	int		 sep = 0;

	if (name == NULL)
		return xstrdup("");
	/* The slug is never longer than the name. */
	out = p = xmalloc(strlen(name) + 1);
	for (s = name; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (c < 'a' || c > 'z') {
			sep = 1;
			continue;
		}
		/* Only put a hyphen between two words, never first. */
		if (sep && p != out)
			*p++ = '-';
		sep = 0;
		*p++ = c;
	}
	*p = '\0';
	return out;
}
