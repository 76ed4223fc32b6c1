/*
 * tests/unit/srctest.h -- helpers of the built-in source unit tests:
 * the request a source built (headers, freeing it) and the fields of a
 * normalized verdict (lib/source.h).  Include after source.h.
 */
#ifndef IOCAGG_SRCTEST_H
#define IOCAGG_SRCTEST_H

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

/* Is "want" one of the request's headers, exactly? */
static int __attribute__((unused))
has_header(struct curl_slist *h, const char *want)
{
	for (; h != NULL; h = h->next)
		if (strcmp(h->data, want) == 0)
			return 1;
	return 0;
}

/* Does one of the request's headers begin with "want"? */
static int __attribute__((unused))
header_prefix(struct curl_slist *h, const char *want)
{
	for (; h != NULL; h = h->next)
		if (strncmp(h->data, want, strlen(want)) == 0)
			return 1;
	return 0;
}

static void __attribute__((unused))
rq_free(struct src_req *rq)
{
	free(rq->url);
	free(rq->body);
	curl_slist_free_all(rq->headers);
	memset(rq, 0, sizeof(*rq));
}

/* String field "k" of verdict "v", or NULL. */
static const char * __attribute__((unused))
vstr(json_object *v, const char *k)
{
	json_object	*x;

	if (v == NULL || !json_object_object_get_ex(v, k, &x) ||
	    !json_object_is_type(x, json_type_string))
		return NULL;
	return json_object_get_string(x);
}

/* Integer field "k" of verdict "v", or -1. */
static int __attribute__((unused))
vint(json_object *v, const char *k)
{
	json_object	*x;

	if (v == NULL || !json_object_object_get_ex(v, k, &x))
		return -1;
	return json_object_get_int(x);
}

/* Length of array field "k" of verdict "v", or (size_t)-1. */
static size_t __attribute__((unused))
vlen(json_object *v, const char *k)
{
	json_object	*x;

	if (v == NULL || !json_object_object_get_ex(v, k, &x) ||
	    !json_object_is_type(x, json_type_array))
		return (size_t)-1;
	return json_object_array_length(x);
}

/* Is "s" in array v[k] (of strings, or of {kind, data} objects)? */
static int __attribute__((unused))
vhas(json_object *v, const char *k, const char *kind, const char *s)
{
	json_object	*a, *e;
	size_t		 i, n;

	if (v == NULL || !json_object_object_get_ex(v, k, &a))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (kind == NULL && json_object_is_type(e, json_type_string) &&
		    strcmp(json_object_get_string(e), s) == 0)
			return 1;
		if (kind != NULL && vstr(e, "kind") != NULL &&
		    strcmp(vstr(e, "kind"), kind) == 0 &&
		    strcmp(vstr(e, "data"), s) == 0)
			return 1;
	}
	return 0;
}

#endif
