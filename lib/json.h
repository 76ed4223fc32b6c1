/*
 * lib/json.h -- json-c helpers: capped parsing and ownership-safe adds.
 */
#ifndef IOCAGG_JSON_H
#define IOCAGG_JSON_H

#include <stddef.h>

#include <json-c/json.h>

/*
 * Parse exactly "len" bytes of "buf" as one strict JSON document nested
 * at most "maxdepth" deep.  Trailing bytes other than blanks, embedded
 * NULs and invalid UTF-8 (strictly: overlong forms, surrogates and code
 * points past U+10FFFF too) are errors.  Returns the new object (caller
 * puts it; a JSON null comes back as NULL with *err NULL) or NULL with
 * "*err" set to a static message.
 */
json_object	*json_parse_capped(const char *buf, size_t len, int maxdepth,
		    const char **err);
/*
 * Is buf[0..len) strict UTF-8 (RFC 3629: shortest forms, no surrogates,
 * at most U+10FFFF), as PostgreSQL wants its text?  NUL bytes pass.
 */
int		 json_utf8_valid(const char *buf, size_t len);

/* Add "v" to object "o" under "k", taking ownership of "v" in all cases.
 * Returns -1 (after freeing "v") if "v" is NULL or the add fails. */
int		 jadd(json_object *o, const char *k, json_object *v);
/* Like jadd(), but a NULL "v" is stored as JSON null. */
int		 jadd_nullable(json_object *o, const char *k, json_object *v);
/* Append "v" to array "a", taking ownership of "v". */
int		 jappend(json_object *a, json_object *v);
/* A new string, or JSON null (NULL) if "s" is NULL. */
json_object	*jstr_or_null(const char *s);
/* Typed getters: return the member or NULL / fallback. */
const char	*jget_str(json_object *o, const char *k);

#endif
