/*
 * tests/unit/t-conf.c -- lib/conf.c: file parsing, environment
 * overrides, validation, and that conf/iocagg.conf documents every key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char	 path[] = "/tmp/t-conf.XXXXXX";

static int
load_text(const char *text, char *err, size_t errsz)
{
	FILE	*f;
	int	 fd;

	(void)strcpy(path, "/tmp/t-conf.XXXXXX");
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return -2;
	fputs(text, f);
	fclose(f);
	fd = conf_load(path, err, errsz);
	unlink(path);
	return fd;
}

int
main(void)
{
	char			 err[512], *doc = NULL;
	const struct conf_key	*k;
	unsigned		 n, i;
	FILE			*f;

	unsetenv("IOCAGG_CONF");
	unsetenv("IOCAGG_WORKERS");
	unsetenv("IOCAGG_LOG_LEVEL");
	unsetenv("IOCAGG_DATABASE_URL");
	unsetenv("IOCAGG_REDIS_URL");

	ok(load_text("# comment\n\n  workers = 7\nlog_level=debug\n"
	    "database_url = \" host=/x dbname=y \"\n", err, sizeof(err)) == 0,
	    "a valid file loads");
	is_int(conf_int("workers"), 7, "integer value read");
	is_str(conf_str("log_level"), "debug", "blanks around = ignored");
	is_str(conf_str("database_url"), " host=/x dbname=y ",
	    "double quotes keep blanks");
	is_int(conf_int("body_max"), 1048576, "unset keys keep defaults");
	ok(conf_bool("user_logs"), "boolean default yes");

	ok(load_text("wrokers = 3\n", err, sizeof(err)) == -1 &&
	    strstr(err, "unknown key") != NULL && strstr(err, ":1:") != NULL,
	    "an unknown key is an error with its line");
	ok(load_text("workers = 0\n", err, sizeof(err)) == -1 &&
	    strstr(err, "too small") != NULL, "an out-of-range value is an error");
	ok(load_text("workers = 3x\n", err, sizeof(err)) == -1,
	    "a non-numeric value is an error");
	ok(load_text("user_logs = maybe\n", err, sizeof(err)) == -1,
	    "a bad boolean is an error");
	ok(load_text("log_level = verbose\n", err, sizeof(err)) == -1 &&
	    strstr(err, "debug|info|warning|err") != NULL,
	    "a log level outside the list is an error");
	ok(load_text("log_level = warning\n", err, sizeof(err)) == 0,
	    "a listed log level loads");
	ok(load_text("just words\n", err, sizeof(err)) == -1 &&
	    strstr(err, "key = value") != NULL, "a line without = is an error");

	setenv("IOCAGG_WORKERS", "9", 1);
	ok(load_text("workers = 7\n", err, sizeof(err)) == 0 &&
	    conf_int("workers") == 9, "the environment wins over the file");
	setenv("IOCAGG_WORKERS", "100000", 1);
	ok(load_text("", err, sizeof(err)) == -1 &&
	    strstr(err, "IOCAGG_WORKERS") != NULL,
	    "a bad environment value is an error naming the variable");
	unsetenv("IOCAGG_WORKERS");

	ok(conf_load("/nonexistent/iocagg.conf", err, sizeof(err)) == -1,
	    "a missing named file is an error");
	setenv("IOCAGG_CONF", "/nonexistent/x.conf", 1);
	ok(conf_load(NULL, err, sizeof(err)) == -1,
	    "IOCAGG_CONF names the file");
	unsetenv("IOCAGG_CONF");
	ok(conf_set("nosuch", "1", err, sizeof(err)) == -1,
	    "conf_set refuses unknown keys");
	ok(load_text("source_url_virustotal = http://127.0.0.1:9/vt\n", err,
	    sizeof(err)) == 0 && conf_source_url("virustotal") != NULL &&
	    strcmp(conf_source_url("virustotal"), "http://127.0.0.1:9/vt") == 0,
	    "a source base URL can be overridden");
	ok(conf_source_url("abuseipdb") == NULL,
	    "a source without an override has none");
	ok(load_text("source_url_vt = ftp://x\n", err, sizeof(err)) == -1,
	    "a source URL must be http(s)");
	ok(load_text("source_url_Bad-Name = http://x\n", err,
	    sizeof(err)) == -1, "a source URL key must be lowercase");
	setenv("IOCAGG_SOURCE_URL_URLHAUS", "http://127.0.0.1:1/uh", 1);
	ok(load_text("", err, sizeof(err)) == 0 &&
	    conf_source_url("urlhaus") != NULL,
	    "IOCAGG_SOURCE_URL_<NAME> overrides too");
	unsetenv("IOCAGG_SOURCE_URL_URLHAUS");

	/* conf/iocagg.conf documents every key with its default. */
	if ((f = fopen(SRCDIR "/conf/iocagg.conf", "r")) != NULL) {
		doc = calloc(1, 65536);
		if (doc != NULL)
			(void)fread(doc, 1, 65535, f);
		fclose(f);
	}
	ok(doc != NULL, "conf/iocagg.conf is readable");
	k = conf_keys(&n);
	for (i = 0; i < n; i++) {
		char	 want[512];

		if (*k[i].def == '\0')
			snprintf(want, sizeof(want), "#%s =\n", k[i].name);
		else
			snprintf(want, sizeof(want), "#%s = %s\n", k[i].name,
			    k[i].def);
		/* Paths depend on --prefix: only the key must be there. */
		if (k[i].def[0] == '/')
			snprintf(want, sizeof(want), "#%s = /", k[i].name);
		ok(doc != NULL && strstr(doc, want) != NULL,
		    "iocagg.conf documents %s with its default", k[i].name);
	}
	free(doc);
	return tap_done();
}
