/*
 * tools/iocagg.c -- iocagg(1): the command line of the iocagg REST API.
 *
 *	iocagg [-hV] command [argument ...]
 *
 * main() picks the command from a table; each command parses its own
 * options, opens the API (iocagg-api.c) and returns an exit status
 * (enum ex).  Lookups are in iocagg-lookup.c, output helpers in
 * iocagg-out.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "compat.h"
#include "indicator.h"
#include "json.h"
#include "xmalloc.h"

#include "iocagg-extern.h"

#define HISTORY_DEFAULT	20	/* history -n */
#define HISTORY_MAX	1000	/* the server's page size limit */
#define LIST_LIMIT	"1000"	/* the server's page size limit */
#define TOKEN_LINE_MAX	1100	/* an API token read from standard input */
#define EXPIRES_DAYS_MAX 36500	/* tokens add -e Nd */

/*
 * The usage of each command: "cmd" is the command and subcommand that
 * "-h" shows it for; "text" follows "iocagg ".  The SYNOPSIS of
 * iocagg(1) has the same lines.
 */
static const struct {
	const char	*cmd;
	const char	*text;
} usages[] = {
	{ "login", "login [-h] [-u url]" },
	{ "lookup", "lookup [-h] [--force] [--ignore-errors] [--json] "
	    "[-k kind] [-s source] data" },
	{ "lookup", "lookup [-h] [--force] [--ignore-errors] [-j jobs] "
	    "[-k kind] [-s source] -" },
	{ "history", "history [-h] [-n count]" },
	{ "history show", "history show [-h] id" },
	{ "sources ls", "sources ls [-hq]" },
	{ "sources show", "sources show [-h] source" },
	{ "sources enable", "sources enable [-h] source" },
	{ "sources disable", "sources disable [-h] source" },
	{ "ignore ls", "ignore ls [-hq] [list]" },
	{ "ignore add", "ignore add [-h] [-k kind] list entry ..." },
	{ "ignore rm", "ignore rm [-h] list entry-id" },
	{ "tokens ls", "tokens ls [-h]" },
	{ "tokens add", "tokens add [-h] [-e expires] note" },
	{ "tokens rm", "tokens rm [-h] id" },
};

/* What --help adds: one line per command. */
static const char helptext[] =
    "\n"
    "Commands:\n"
    "  login            store the server URL and an API token\n"
    "  lookup           look an indicator up in the sources\n"
    "  history          list the last lookups, or show one\n"
    "  sources          list, show, enable or disable sources\n"
    "  ignore           list ignore lists, add or remove entries\n"
    "  tokens           list, create or delete your API tokens\n"
    "\n"
    "Exit status: 0 ok, 1 a source or a call failed, 2 usage, "
    "3 authentication,\n4 server unreachable.  See iocagg(1).\n";

/*
 * Print "iocagg: " and the message, with control characters replaced,
 * on standard error.
 */
void
warnmsg(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	fflush(stdout);
	fputs("iocagg: ", stderr);
	out_text(stderr, s);
	fputc('\n', stderr);
	free(s);
}

/*
 * Print the usage lines of "cmd" (every line whose command starts with
 * it; "" for all) and exit with "status": on standard output for 0,
 * else on standard error.
 */
void
usage_cmd(const char *cmd, enum ex status)
{
	FILE	*f = status == EX_OK ? stdout : stderr;
	size_t	 i, n = strlen(cmd);
	int	 first = 1;

	if (n == 0) {
		fputs("usage: iocagg [-hV] command [argument ...]\n", f);
		first = 0;
	}
	for (i = 0; i < nitems(usages); i++) {
		if (n > 0 && (strncmp(usages[i].cmd, cmd, n) != 0 ||
		    (usages[i].cmd[n] != '\0' && usages[i].cmd[n] != ' ')))
			continue;
		fprintf(f, "%s iocagg %s\n", first ? "usage:" : "      ",
		    usages[i].text);
		first = 0;
	}
	exit(status);
}

/* Options of the commands but lookup. */
struct opts {
	int	 q;		/* -q */
	char	*e;		/* -e expires */
	char	*k;		/* -k kind */
	char	*n;		/* -n count */
	char	*u;		/* -u url */
};

/*
 * Parse the options "optstr" of "cmd" (the usage key) into "o"; -h
 * shows the usage.  The operands that remain must number from "min" to
 * "max" (-1: any).  Returns the operands; *argc is their count.
 */
static char **
opts_parse(int *argc, char **argv, const char *cmd, const char *optstr,
    struct opts *o, int min, int max)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	optind = 0;		/* glibc: start over, main() used getopt */
	while ((ch = getopt_long(*argc, argv, optstr, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'q':
			o->q = 1;
			break;
		case 'e':
			o->e = optarg;
			break;
		case 'k':
			o->k = optarg;
			break;
		case 'n':
			o->n = optarg;
			break;
		case 'u':
			o->u = optarg;
			break;
		case 'h':
			usage_cmd(cmd, EX_OK);
		default:
			usage_cmd(cmd, EX_USAGE);
		}
	}
	*argc -= optind;
	if (*argc < min || (max >= 0 && *argc > max))
		usage_cmd(cmd, EX_USAGE);
	return argv + optind;
}

/*
 * The path "pre", then the segment "seg" percent-encoded, then "post";
 * caller frees.
 */
static char *
mkpath(const char *pre, const char *seg, const char *post)
{
	char	*e, *p;

	e = path_escape(seg);
	xasprintf(&p, "%s%s%s", pre, e, post);
	free(e);
	return p;
}

/* The array answer "o" of a list route, or NULL after a message. */
static int
want_array(json_object *o)
{
	if (json_object_is_type(o, json_type_array))
		return 0;
	warnmsg("the server's answer is not an array");
	return -1;
}

static const char *
yesno(json_object *o, const char *k)
{
	return json_object_get_boolean(jpath(o, k)) ? "yes" : "no";
}

/* ----------------------------------------------------------------- */
/* login                                                             */

static struct termios	 saved_tio;	/* the terminal before -echo */
static volatile sig_atomic_t echo_off;

static void
restore_echo(int sig)
{
	if (echo_off)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Prompt on standard error and read a line of the terminal into "buf",
 * without echo when "secret".  0, or -1 at the end of input.
 */
static int
prompt(const char *what, char *buf, size_t sz, int secret)
{
	struct termios	 tio;
	int		 rc = 0;

	/* Echo goes off before the prompt shows: what is typed after it
	 * is never echoed, and nothing typed ahead is discarded. */
	if (secret && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		tio = saved_tio;
		tio.c_lflag &= ~(tcflag_t)ECHO;
		signal(SIGINT, restore_echo);
		signal(SIGTERM, restore_echo);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			echo_off = 1;
	}
	fputs(what, stderr);
	fflush(stderr);
	if (fgets(buf, (int)sz, stdin) == NULL)
		rc = -1;
	if (echo_off) {
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		echo_off = 0;
		fputc('\n', stderr);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	buf[strcspn(buf, "\r\n")] = '\0';
	return rc;
}

/*
 * iocagg login [-h] [-u url]: check a URL and a token with GET
 * /users/me, then store them.
 */
static enum ex
cmd_login(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	json_object	*me = NULL;
	char		 url[2048], tok[TOKEN_LINE_MAX], *path = NULL;
	char		*furl = NULL, *ftoken = NULL;
	const char	*def;
	int		 tty = isatty(STDIN_FILENO);
	enum ex		 rc;

	(void)opts_parse(&argc, argv, "login", "hu:", &o, 0, 0);
	memset(&a, 0, sizeof(a));
	/* The default: IOCAGG_URL, the URL stored, DEFAULT_URL. */
	if (cfg_path(&path) == 0)
		(void)cfg_read(path, &furl, &ftoken);
	freezero_str(ftoken);
	free(path);
	path = NULL;
	def = getenv("IOCAGG_URL") ? getenv("IOCAGG_URL") : furl ? furl :
	    DEFAULT_URL;
	url[0] = tok[0] = '\0';
	if (o.u != NULL)
		(void)strlcpy(url, o.u, sizeof(url));
	else if (tty) {
		snprintf(tok, sizeof(tok), "Server URL [%s]: ", def);
		if (prompt(tok, url, sizeof(url), 0) == -1) {
			rc = EX_USAGE;
			goto out;
		}
	}
	if (url[0] == '\0')
		(void)strlcpy(url, def, sizeof(url));
	if (tty) {
		if (prompt("API token: ", tok, sizeof(tok), 1) == -1) {
			rc = EX_USAGE;
			goto out;
		}
	} else if (fgets(tok, sizeof(tok), stdin) == NULL)
		tok[0] = '\0';
	tok[strcspn(tok, "\r\n")] = '\0';
	if (tok[0] == '\0') {
		warnmsg("no API token given");
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = api_open(&a, url, tok)) != EX_OK)
		goto out;
	if ((rc = api_call(&a, "GET", "/users/me", NULL, &me)) != EX_OK)
		goto out;
	if ((rc = cfg_write(a.url, a.token)) != EX_OK)
		goto out;
	(void)cfg_path(&path);
	fprintf(stderr, "Logged in to %s as ", a.url);
	out_text(stderr, jstr(me, "email") ? jstr(me, "email") : "?");
	fprintf(stderr, "; saved in %s\n", path);
out:
	explicit_bzero(tok, sizeof(tok));
	free(furl);
	free(path);
	json_object_put(me);
	api_close(&a);
	return rc;
}

/* ----------------------------------------------------------------- */
/* history                                                           */

/* iocagg history [-h] [-n count]: the last lookups, newest first. */
static enum ex
cmd_history(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	struct table	*t;
	json_object	*res = NULL, *e;
	char		*path, when[32];
	const char	*errstr;
	long long	 n = HISTORY_DEFAULT;
	size_t		 i;
	enum ex		 rc;

	(void)opts_parse(&argc, argv, "history", "hn:", &o, 0, 0);
	if (o.n != NULL) {
		n = strtonum(o.n, 1, HISTORY_MAX, &errstr);
		if (errstr != NULL) {
			warnmsg("-n %s: %s (1 to %d)", o.n, errstr,
			    HISTORY_MAX);
			usage_cmd("history", EX_USAGE);
		}
	}
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	xasprintf(&path, "/requests?limit=%lld", n);
	rc = api_call(&a, "GET", path, NULL, &res);
	free(path);
	if (rc != EX_OK)
		goto out;
	if (want_array(res) == -1) {
		rc = EX_FAIL;
		goto out;
	}
	t = table_new(4, "ID", "CREATED", "KIND", "DATA");
	for (i = 0; i < json_object_array_length(res); i++) {
		e = json_object_array_get_idx(res, i);
		table_add(t, jstr(e, "id"), ts_short(jstr(e, "createdAt"),
		    when, sizeof(when)), jstr(e, "kind"), jstr(e, "data"));
	}
	table_print(t, stdout);
out:
	json_object_put(res);
	api_close(&a);
	return rc;
}

/*
 * iocagg history show [-h] id: a lookup and the stored result of each
 * of its sources.
 */
static enum ex
cmd_history_show(int argc, char **argv)
{
	struct opts		 o;
	struct api		 a;
	struct row		*rows = NULL;
	struct row_layout	 lay;
	struct sb		 b = { NULL, 0, 0 };
	json_object		*req = NULL, *hist = NULL, *e;
	char			*path, when[32];
	size_t			 i, n = 0;
	enum ex			 rc;
	static const char *const fields[][2] = {
		{ "id", "id" }, { "data", "data" }, { "kind", "kind" },
		{ "createdAt", "created" }, { "userId", "user" },
		{ "traceId", "trace" },
	};

	argv = opts_parse(&argc, argv, "history show", "h", &o, 1, 1);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	path = mkpath("/requests/", argv[0], "");
	rc = api_call(&a, "GET", path, NULL, &req);
	free(path);
	if (rc != EX_OK)
		goto out;
	path = mkpath("/requests/", argv[0], "/history");
	rc = api_call(&a, "GET", path, NULL, &hist);
	free(path);
	if (rc != EX_OK)
		goto out;
	if (want_array(hist) == -1) {
		rc = EX_FAIL;
		goto out;
	}
	for (i = 0; i < nitems(fields); i++) {
		printf("%s%-8s%s ", out_sgr(C_BOLD), fields[i][1],
		    out_sgr(C_RESET));
		out_text(stdout, i == 3 ? ts_short(jstr(req, fields[i][0]),
		    when, sizeof(when)) : jstr(req, fields[i][0]) ?
		    jstr(req, fields[i][0]) : "-");
		putchar('\n');
	}
	n = json_object_array_length(hist);
	rows = xcalloc(n > 0 ? n : 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(hist, i);
		rows[i].id = xstrdup(jstr(e, "sourceId") ?
		    jstr(e, "sourceId") : "-");
		rows[i].name = xstrdup(jstr(e, "sourceName") ?
		    jstr(e, "sourceName") : rows[i].id);
		rows[i].ms = -1;
		rows[i].result = json_object_get(e);	/* its verdict */
		row_result(&rows[i], jpath(e, "errors"), jpath(e, "data"),
		    jstr(e, "cacheAction"), jstr(e, "startedAt"),
		    jstr(e, "endedAt"));
	}
	putchar('\n');
	if (n == 0) {
		printf("No source results are stored (yet).\n");
		goto out;
	}
	row_layout(&lay, rows, n, 0);
	row_header(&b, &lay);
	sb_add(&b, "\n");
	for (i = 0; i < n; i++) {
		row_format(&b, &rows[i], &lay, "");
		sb_add(&b, "\n");
	}
	fputs(b.s, stdout);
out:
	for (i = 0; i < n; i++)
		row_free(&rows[i]);
	free(rows);
	sb_free(&b);
	json_object_put(req);
	json_object_put(hist);
	api_close(&a);
	return rc;
}

/* ----------------------------------------------------------------- */
/* sources                                                           */

/* iocagg sources ls [-hq]: every source, or (-q) their slugs. */
static enum ex
cmd_sources_ls(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	struct table	*t = NULL;
	struct sb	 kinds = { NULL, 0, 0 };
	json_object	*res = NULL, *e, *k;
	size_t		 i, j;
	enum ex		 rc;

	(void)opts_parse(&argc, argv, "sources ls", "hq", &o, 0, 0);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	if ((rc = api_call(&a, "GET", "/sources?limit=" LIST_LIMIT, NULL,
	    &res)) != EX_OK)
		goto out;
	if (want_array(res) == -1) {
		rc = EX_FAIL;
		goto out;
	}
	if (!o.q)
		t = table_new(5, "ID", "SLUG", "ENABLED", "KINDS", "NAME");
	for (i = 0; i < json_object_array_length(res); i++) {
		e = json_object_array_get_idx(res, i);
		if (o.q) {
			out_text(stdout, jstr(e, "slug"));
			putchar('\n');
			continue;
		}
		sb_free(&kinds);
		k = jpath(e, "supportedIndicators");
		for (j = 0; json_object_is_type(k, json_type_array) &&
		    j < json_object_array_length(k); j++) {
			sb_add(&kinds, j ? "," : "");
			sb_add(&kinds, json_object_get_string(
			    json_object_array_get_idx(k, j)));
		}
		table_add(t, jstr(e, "id"), jstr(e, "slug"),
		    yesno(e, "enabled"), kinds.s, jstr(e, "name"));
	}
	if (t != NULL)
		table_print(t, stdout);
out:
	sb_free(&kinds);
	json_object_put(res);
	api_close(&a);
	return rc;
}

/* iocagg sources show [-h] source: the source as JSON. */
static enum ex
cmd_sources_show(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	json_object	*res = NULL;
	char		*id = NULL, *path;
	enum ex		 rc;

	argv = opts_parse(&argc, argv, "sources show", "h", &o, 1, 1);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK ||
	    (rc = api_resolve(&a, "sources", argv[0], &id)) != EX_OK)
		goto out;
	path = mkpath("/sources/", id, "");
	rc = api_call(&a, "GET", path, NULL, &res);
	free(path);
	if (rc == EX_OK)
		out_json(stdout, res, 1);
out:
	free(id);
	json_object_put(res);
	api_close(&a);
	return rc;
}

/*
 * iocagg sources enable|disable [-h] source: PATCH {"enabled": ...}.
 */
static enum ex
sources_switch(int argc, char **argv, const char *cmd, int on)
{
	struct opts	 o;
	struct api	 a;
	json_object	*b;
	char		*id = NULL, *path;
	enum ex		 rc;

	argv = opts_parse(&argc, argv, cmd, "h", &o, 1, 1);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK ||
	    (rc = api_resolve(&a, "sources", argv[0], &id)) != EX_OK)
		goto out;
	path = mkpath("/sources/", id, "");
	b = json_object_new_object();
	(void)jadd(b, "enabled", json_object_new_boolean(on));
	rc = api_call(&a, "PATCH", path, b, NULL);
	json_object_put(b);
	free(path);
out:
	free(id);
	api_close(&a);
	return rc;
}

static enum ex
cmd_sources_enable(int argc, char **argv)
{
	return sources_switch(argc, argv, "sources enable", 1);
}

static enum ex
cmd_sources_disable(int argc, char **argv)
{
	return sources_switch(argc, argv, "sources disable", 0);
}

/* ----------------------------------------------------------------- */
/* ignore                                                            */

/* Print entries (an array) as a table, or (-q) their ids. */
static void
print_entries(json_object *res, int quiet)
{
	struct table	*t;
	json_object	*e;
	size_t		 i;

	if (quiet) {
		for (i = 0; i < json_object_array_length(res); i++) {
			out_text(stdout, jstr(json_object_array_get_idx(res,
			    i), "id"));
			putchar('\n');
		}
		return;
	}
	t = table_new(3, "ID", "KIND", "DATA");
	for (i = 0; i < json_object_array_length(res); i++) {
		e = json_object_array_get_idx(res, i);
		table_add(t, jstr(e, "id"), jstr(e, "indicatorKind"),
		    jstr(e, "data"));
	}
	table_print(t, stdout);
}

/*
 * iocagg ignore ls [-hq] [list]: the ignore lists (-q: their slugs), or
 * the entries of one (-q: their ids).
 */
static enum ex
cmd_ignore_ls(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	struct table	*t;
	json_object	*res = NULL, *e;
	char		*id = NULL, *path;
	size_t		 i;
	enum ex		 rc;

	argv = opts_parse(&argc, argv, "ignore ls", "hq", &o, 0, 1);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	if (argc == 1) {
		if ((rc = api_resolve(&a, "ignoreLists", argv[0], &id)) !=
		    EX_OK)
			goto out;
		path = mkpath("/ignoreLists/", id,
		    "/entries?limit=" LIST_LIMIT);
	} else
		path = xstrdup("/ignoreLists?limit=" LIST_LIMIT);
	rc = api_call(&a, "GET", path, NULL, &res);
	free(path);
	if (rc != EX_OK)
		goto out;
	if (want_array(res) == -1) {
		rc = EX_FAIL;
		goto out;
	}
	if (argc == 1) {
		print_entries(res, o.q);
		goto out;
	}
	if (o.q) {
		for (i = 0; i < json_object_array_length(res); i++) {
			out_text(stdout, jstr(json_object_array_get_idx(res,
			    i), "slug"));
			putchar('\n');
		}
		goto out;
	}
	t = table_new(5, "ID", "SLUG", "ENABLED", "GLOBAL", "NAME");
	for (i = 0; i < json_object_array_length(res); i++) {
		e = json_object_array_get_idx(res, i);
		table_add(t, jstr(e, "id"), jstr(e, "slug"),
		    yesno(e, "enabled"), yesno(e, "global"), jstr(e, "name"));
	}
	table_print(t, stdout);
out:
	free(id);
	json_object_put(res);
	api_close(&a);
	return rc;
}

/*
 * The kind of an ignore-list entry: a wildcard "*.example.com" is a
 * DOMAIN, a network "10.0.0.0/8" the kind of its address, anything else
 * what ind_detect() says.
 */
static enum ind_kind
entry_kind(const char *s)
{
	char		*addr;
	enum ind_kind	 k;

	if (s[0] == '*' && s[1] == '.')
		return IND_DOMAIN;
	if (strchr(s, '/') != NULL && strstr(s, "://") == NULL) {
		addr = xstrndup(s, strcspn(s, "/"));
		k = ind_detect(addr);
		free(addr);
		if (k == IND_IPV4 || k == IND_IPV6)
			return k;
	}
	return ind_detect(s);
}

/*
 * iocagg ignore add [-h] [-k kind] list entry ...: POST the entries;
 * print the new ones.
 */
static enum ex
cmd_ignore_add(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	json_object	*b = NULL, *e, *res = NULL;
	char		*id = NULL, *path;
	enum ind_kind	 kind = IND_INVALID, k;
	int		 i;
	enum ex		 rc;

	memset(&a, 0, sizeof(a));
	argv = opts_parse(&argc, argv, "ignore add", "hk:", &o, 2, -1);
	if (o.k != NULL && (kind = ind_kind_parse(o.k)) == IND_INVALID) {
		warnmsg("-k %s: not a kind of indicator", o.k);
		usage_cmd("ignore add", EX_USAGE);
	}
	b = json_object_new_array();
	for (i = 1; i < argc; i++) {
		if ((k = kind) == IND_INVALID &&
		    (k = entry_kind(argv[i])) == IND_INVALID) {
			warnmsg("'%.64s' is no kind of indicator: give one "
			    "with -k", argv[i]);
			rc = EX_FAIL;
			goto out;
		}
		e = json_object_new_object();
		(void)jadd(e, "data", json_object_new_string(argv[i]));
		(void)jadd(e, "indicatorKind",
		    json_object_new_string(ind_kind_name(k)));
		(void)jappend(b, e);
	}
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK ||
	    (rc = api_resolve(&a, "ignoreLists", argv[0], &id)) != EX_OK)
		goto out;
	path = mkpath("/ignoreLists/", id, "/entries");
	rc = api_call(&a, "POST", path, b, &res);
	free(path);
	if (rc == EX_OK && json_object_is_type(res, json_type_array))
		print_entries(res, 0);
out:
	free(id);
	json_object_put(b);
	json_object_put(res);
	api_close(&a);
	return rc;
}

/* iocagg ignore rm [-h] list entry-id: delete one entry. */
static enum ex
cmd_ignore_rm(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	char		*id = NULL, *path, *pre;
	enum ex		 rc;

	argv = opts_parse(&argc, argv, "ignore rm", "h", &o, 2, 2);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK ||
	    (rc = api_resolve(&a, "ignoreLists", argv[0], &id)) != EX_OK)
		goto out;
	pre = mkpath("/ignoreLists/", id, "/entries/");
	path = mkpath(pre, argv[1], "");
	rc = api_call(&a, "DELETE", path, NULL, NULL);
	free(pre);
	free(path);
out:
	free(id);
	api_close(&a);
	return rc;
}

/* ----------------------------------------------------------------- */
/* tokens                                                            */

/* iocagg tokens ls [-h]: the caller's API tokens, newest first. */
static enum ex
cmd_tokens_ls(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	struct table	*t;
	json_object	*res = NULL, *e;
	char		 c[32], x[32], u[32];
	size_t		 i;
	enum ex		 rc;

	(void)opts_parse(&argc, argv, "tokens ls", "h", &o, 0, 0);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	if ((rc = api_call(&a, "GET", "/apiTokens?limit=" LIST_LIMIT, NULL,
	    &res)) != EX_OK)
		goto out;
	if (want_array(res) == -1) {
		rc = EX_FAIL;
		goto out;
	}
	t = table_new(5, "ID", "CREATED", "EXPIRES", "LAST USED", "NOTE");
	for (i = 0; i < json_object_array_length(res); i++) {
		e = json_object_array_get_idx(res, i);
		table_add(t, jstr(e, "id"),
		    ts_short(jstr(e, "createdAt"), c, sizeof(c)),
		    ts_short(jstr(e, "expiresAt"), x, sizeof(x)),
		    ts_short(jstr(e, "lastUsedAt"), u, sizeof(u)),
		    jstr(e, "note"));
	}
	table_print(t, stdout);
out:
	json_object_put(res);
	api_close(&a);
	return rc;
}

/*
 * The expiry "s" of tokens add -e as the API's UTC timestamp in "buf":
 * YYYY-MM-DDTHH:MM:SS, YYYY-MM-DD (midnight UTC), or Nd / Nh from now.
 * 0, or -1.
 */
static int
parse_expires(const char *s, char *buf, size_t sz)
{
	struct tm	 tm;
	const char	*e, *errstr;
	char		*num;
	time_t		 t;
	long long	 n;
	size_t		 len = strlen(s);

	memset(&tm, 0, sizeof(tm));
	if (len > 1 && (s[len - 1] == 'd' || s[len - 1] == 'h')) {
		num = xstrndup(s, len - 1);
		n = strtonum(num, 1, EXPIRES_DAYS_MAX * (s[len - 1] == 'h' ?
		    24 : 1), &errstr);
		free(num);
		if (errstr != NULL)
			return -1;
		t = time(NULL) + (time_t)n * (s[len - 1] == 'd' ? 86400 :
		    3600);
		if (gmtime_r(&t, &tm) == NULL)
			return -1;
	} else if ((e = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    (*e != '\0' && ((e = strptime(e, "T%H:%M:%S", &tm)) == NULL ||
	    *e != '\0')))
		return -1;
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
	return 0;
}

/*
 * iocagg tokens add [-h] [-e expires] note: a new token of the caller,
 * printed once as "<id>_<secret>".
 */
static enum ex
cmd_tokens_add(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	json_object	*b = NULL, *res = NULL;
	char		 exp[32];
	enum ex		 rc;

	memset(&a, 0, sizeof(a));
	argv = opts_parse(&argc, argv, "tokens add", "he:", &o, 1, 1);
	if (o.e != NULL && parse_expires(o.e, exp, sizeof(exp)) == -1) {
		warnmsg("-e %s: not YYYY-MM-DD[THH:MM:SS] (UTC), Nd or Nh",
		    o.e);
		usage_cmd("tokens add", EX_USAGE);
	}
	b = json_object_new_object();
	(void)jadd(b, "note", json_object_new_string(argv[0]));
	if (o.e != NULL)
		(void)jadd(b, "expiresAt", json_object_new_string(exp));
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK ||
	    (rc = api_call(&a, "POST", "/apiTokens", b, &res)) != EX_OK)
		goto out;
	if (jstr(res, "id") == NULL || jstr(res, "token") == NULL) {
		warnmsg("the server's answer has no token");
		rc = EX_FAIL;
		goto out;
	}
	printf("%s_%s\n", jstr(res, "id"), jstr(res, "token"));
	if (isatty(STDOUT_FILENO))
		fprintf(stderr, "The token is shown only once.\n");
out:
	json_object_put(b);
	json_object_put(res);
	api_close(&a);
	return rc;
}

/* iocagg tokens rm [-h] id: delete one of the caller's tokens. */
static enum ex
cmd_tokens_rm(int argc, char **argv)
{
	struct opts	 o;
	struct api	 a;
	char		*path;
	enum ex		 rc;

	argv = opts_parse(&argc, argv, "tokens rm", "h", &o, 1, 1);
	if ((rc = api_open(&a, NULL, NULL)) != EX_OK)
		goto out;
	path = mkpath("/apiTokens/", argv[0], "");
	rc = api_call(&a, "DELETE", path, NULL, NULL);
	free(path);
out:
	api_close(&a);
	return rc;
}

/* ----------------------------------------------------------------- */

/*
 * Every command: "group" and "sub" name it ("sub" NULL for a command
 * without subcommands, "" for the group's default).
 */
static const struct {
	const char	*group;
	const char	*sub;
	enum ex		(*fn)(int, char **);
} cmds[] = {
	{ "login", NULL, cmd_login },
	{ "lookup", NULL, cmd_lookup },
	{ "history", "", cmd_history },
	{ "history", "show", cmd_history_show },
	{ "sources", "ls", cmd_sources_ls },
	{ "sources", "show", cmd_sources_show },
	{ "sources", "enable", cmd_sources_enable },
	{ "sources", "disable", cmd_sources_disable },
	{ "ignore", "ls", cmd_ignore_ls },
	{ "ignore", "add", cmd_ignore_add },
	{ "ignore", "rm", cmd_ignore_rm },
	{ "tokens", "ls", cmd_tokens_ls },
	{ "tokens", "add", cmd_tokens_add },
	{ "tokens", "rm", cmd_tokens_rm },
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*group, *sub;
	size_t		 i;
	int		 ch, known = 0;

	while ((ch = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: iocagg [-hV] command [argument ...]\n");
			for (i = 0; i < nitems(usages); i++)
				printf("       iocagg %s\n", usages[i].text);
			fputs(helptext, stdout);
			return EX_OK;
		case 'V':
			printf("iocagg %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			usage_cmd("", EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage_cmd("", EX_USAGE);
	out_init();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		warnmsg("cannot initialize libcurl");
		return EX_FAIL;
	}
	group = argv[0];
	sub = argc > 1 ? argv[1] : "";
	for (i = 0; i < nitems(cmds); i++) {
		if (strcmp(cmds[i].group, group) != 0)
			continue;
		known = 1;
		if (cmds[i].sub == NULL)
			return cmds[i].fn(argc, argv);
		if (strcmp(cmds[i].sub, sub) == 0 && sub[0] != '\0')
			return cmds[i].fn(argc - 1, argv + 1);
	}
	/* A group's default ("history"), or its help. */
	for (i = 0; known && i < nitems(cmds); i++)
		if (strcmp(cmds[i].group, group) == 0 &&
		    cmds[i].sub != NULL && cmds[i].sub[0] == '\0' &&
		    (sub[0] == '\0' || sub[0] == '-'))
			return cmds[i].fn(argc, argv);
	if (known && (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0))
		usage_cmd(group, EX_OK);
	if (known)
		warnmsg("%s: %s%s", group, sub[0] ? "no such subcommand: " :
		    "a subcommand is needed", sub);
	else
		warnmsg("no such command: %s", group);
	usage_cmd(known ? group : "", EX_USAGE);
}
