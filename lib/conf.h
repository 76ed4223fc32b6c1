/*
 * lib/conf.h -- the suite's configuration file, iocagg.conf(5).
 *
 * The file holds "key = value" lines; "#" starts a comment line.  Every
 * key has a default and may be overridden by the environment variable
 * IOCAGG_<KEY> (upper case), which wins over the file.  Unknown keys and
 * out-of-range numbers are errors, so a typo never silently falls back to
 * a default.
 */
#ifndef IOCAGG_CONF_H
#define IOCAGG_CONF_H

enum conf_type {
	CONF_STR,		/* any string, possibly empty */
	CONF_INT,		/* decimal integer within [min, max] */
	CONF_BOOL,		/* "yes"/"no"/"true"/"false"/"1"/"0" */
	CONF_ENUM,		/* one of "choices" */
};

struct conf_key {
	const char	*name;	/* e.g. "database_url" */
	enum conf_type	 type;
	const char	*def;	/* default value as text */
	long long	 min;	/* CONF_INT bounds */
	long long	 max;
	int		 secret; /* never printed by conf_dump() */
	const char	*help;	/* one line for the documentation */
	const char	*choices; /* CONF_ENUM: "a|b|c" */
};

/*
 * Load "path" (NULL: $IOCAGG_CONF, else the installed default path; a
 * missing default file is not an error, a missing named file is).  On
 * error returns -1 and writes a message into "err" (size "errsz").
 */
int		 conf_load(const char *path, char *err, size_t errsz);
/* Parse a configuration held in memory (no environment): tests, fuzzing. */
int		 conf_load_buffer(const char *, size_t, char *, size_t);
const char	*conf_path(void);
const char	*conf_str(const char *key);
long long	 conf_int(const char *key);
int		 conf_bool(const char *key);
/* Set a value from code (tests, command-line flags); validated. */
int		 conf_set(const char *key, const char *value, char *err,
		    size_t errsz);
const struct conf_key *conf_keys(unsigned *n);
/* The "source_url_<name>" override for a built-in source, or NULL. */
const char	*conf_source_url(const char *name);
/* The "feed_url_<name>" override of a feed download, or NULL. */
const char	*conf_feed_url(const char *name);
/* Print every effective key (secrets masked) to stdout. */
void		 conf_dump(void);

#endif
