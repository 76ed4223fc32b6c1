/*
 * lib/srcsecrets.h -- what a source's run takes from its saved row: the
 * secrets linked to its slots, decrypted, and its config values, in the
 * shapes the built-in sources (struct src_secret) and the runners
 * (struct runner_kv) take them.  Lookups, the scheduler's background
 * tasks and the source test route share these.
 */
#ifndef IOCAGG_SRCSECRETS_H
#define IOCAGG_SRCSECRETS_H

#include <stddef.h>

#include <json-c/json.h>

#include "runner.h"
#include "source.h"

/*
 * Decrypt a source's linked secrets: "arr" is the JSON array the source
 * queries build, objects with the slot's "name" and the hex of the
 * stored bytea as "value".  Returns those that decrypt (names borrowed
 * from "arr", values to free with src_secrets_free) and their count in
 * "*n"; NULL and 0 when there are none or no key can be loaded.  With
 * "logid" (the source's id) one that cannot be decrypted is logged.
 */
struct src_secret	*src_secrets_decrypt(json_object *arr,
			    const char *logid, size_t *n);
/* Free what src_secrets_decrypt returned (the values zeroed first). */
void			 src_secrets_free(struct src_secret *, size_t);
/*
 * The secrets as a runner's key/value pairs (xmalloc'd array, strings
 * borrowed from "sec"); NULL when "n" is 0.
 */
struct runner_kv	*src_secrets_kv(const struct src_secret *sec,
			    size_t n);
/*
 * Config values as a runner's key/value pairs: each object of the
 * configValues array "cfg" with a "name" (or "key") and a "value"; a
 * value that is not a string goes as its JSON text.  Strings borrowed
 * from "cfg"; NULL and 0 when there are none.
 */
struct runner_kv	*src_config_kv(json_object *cfg, size_t *n);

#endif
