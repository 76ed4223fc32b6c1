/*
 * lib/json.c -- see json.h.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "json.h"

/*
 * json-c 0.16 accepts single-quoted strings even in strict mode.  JSON
 * has none: refuse a quote outside a double-quoted string.
 */
static int
has_single_quote(const char *buf, size_t len)
{
	size_t	 i;
	int	 instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				instr = 0;
		} else if (buf[i] == '"')
			instr = 1;
		else if (buf[i] == '\'')
			return 1;
	}
	return 0;
}

int
json_utf8_valid(const char *buf, size_t len)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, k, j;
	unsigned long		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 1, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			k = 2, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			k = 3, cp = s[i] & 0x07;
		else		/* a continuation byte, C0, C1 or F5..FF */
			return 0;
		for (j = 1; j <= k; j++) {
			if (i + j >= len || (s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		/* The shortest form only, no UTF-16 surrogate, nothing
		 * past U+10FFFF. */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

json_object *
json_parse_capped(const char *buf, size_t len, int maxdepth,
    const char **err)
{
	json_tokener		*tok;
	json_object		*o = NULL;
	enum json_tokener_error	 jerr;
	size_t			 off;

	*err = NULL;
	if (len > (size_t)INT32_MAX) {
		*err = "document too large";
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*err = "document contains a NUL byte";
		return NULL;
	}
	/*
	 * json-c checks the shape of UTF-8 sequences only: overlong
	 * forms, surrogates and code points past U+10FFFF pass it and fail
	 * later in PostgreSQL.  Outside strings JSON is ASCII, so the
	 * whole text is checked.
	 */
	if (!json_utf8_valid(buf, len)) {
		*err = "invalid UTF-8";
		return NULL;
	}
	if (has_single_quote(buf, len)) {
		*err = "single-quoted strings are not JSON";
		return NULL;
	}
	if ((tok = json_tokener_new_ex(maxdepth)) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue && o == NULL) {
		/* A top-level scalar ("null", "12") ends only at a
		 * delimiter: give it one. */
		o = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		len = 0;	/* all of "buf" was consumed */
	}
	if (jerr == json_tokener_continue) {
		/* Input ended inside a value. */
		*err = "unexpected end of document";
		goto fail;
	}
	if (jerr != json_tokener_success) {
		*err = json_tokener_error_desc(jerr);
		goto fail;
	}
	off = json_tokener_get_parse_end(tok);
	for (; off < len; off++)
		if (strchr(" \t\r\n", buf[off]) == NULL) {
			*err = "trailing data after the document";
			goto fail;
		}
	json_tokener_free(tok);
	return o;
fail:
	json_object_put(o);
	json_tokener_free(tok);
	return NULL;
}

int
jadd(json_object *o, const char *k, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
jadd_nullable(json_object *o, const char *k, json_object *v)
{
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
jappend(json_object *a, json_object *v)
{
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

json_object *
jstr_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

const char *
jget_str(json_object *o, const char *k)
{
	json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
