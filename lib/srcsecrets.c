/*
 * lib/srcsecrets.c -- see srcsecrets.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "json.h"
#include "log.h"
#include "secret.h"
#include "srcsecrets.h"
#include "xmalloc.h"

struct src_secret *
src_secrets_decrypt(json_object *arr, const char *logid, size_t *n)
{
	struct src_secret	*sec;
	json_object		*e;
	const char		*name, *v;
	char			 err[256], *hex;
	size_t			 i, len;

	*n = 0;
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (len = json_object_array_length(arr)) == 0)
		return NULL;
	if (secret_key_load(err, sizeof(err)) == -1) {
		log_warnx("secrets unavailable: %s", err);
		return NULL;
	}
	sec = xcalloc(len, sizeof(*sec));
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(arr, i);
		if ((name = jget_str(e, "name")) == NULL ||
		    (v = jget_str(e, "value")) == NULL)
			continue;
		xasprintf(&hex, "\\x%s", v);
		sec[*n].value = secret_decrypt_hex(hex);
		free(hex);
		if (sec[*n].value == NULL) {
			if (logid != NULL)
				log_warnx("source %s: secret %s cannot be "
				    "decrypted", logid, log_quote(name));
			continue;
		}
		sec[*n].name = name;
		(*n)++;
	}
	return sec;
}

void
src_secrets_free(struct src_secret *sec, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		freezero_str((char *)(uintptr_t)sec[i].value);
	free(sec);
}

struct runner_kv *
src_secrets_kv(const struct src_secret *sec, size_t n)
{
	struct runner_kv	*kv;
	size_t			 i;

	if (n == 0)
		return NULL;
	kv = xcalloc(n, sizeof(*kv));
	for (i = 0; i < n; i++) {
		kv[i].key = sec[i].name;
		kv[i].value = sec[i].value;
	}
	return kv;
}

struct runner_kv *
src_config_kv(json_object *cfg, size_t *n)
{
	struct runner_kv	*kv = NULL;
	json_object		*e, *v;
	const char		*k;
	size_t			 i, len;

	*n = 0;
	if (cfg == NULL || !json_object_is_type(cfg, json_type_array))
		return NULL;
	len = json_object_array_length(cfg);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(cfg, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		if ((k = jget_str(e, "name")) == NULL &&
		    (k = jget_str(e, "key")) == NULL)
			continue;
		if (!json_object_object_get_ex(e, "value", &v) || v == NULL)
			continue;
		kv = xreallocarray(kv, *n + 1, sizeof(*kv));
		kv[*n].key = k;
		kv[*n].value = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) :
		    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		(*n)++;
	}
	return kv;
}
