/*
 * lib/log.c -- see log.h.  Lines look like
 *	<4>iocagg-health[123]: [req=abcd12345678] message
 * The "<N>" prefix is the syslog priority, read by journald; on a
 * terminal it is still harmless.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"

static const char	*log_prog = "iocagg";
static int		 log_level = LOG_INFO;
static __thread char	 log_req[64] = "-";

void
log_init(const char *progname, int debug)
{
	if (progname != NULL)
		log_prog = progname;
	if (debug)
		log_level = LOG_DEBUG;
}

void
log_set_level(const char *lvl)
{
	if (lvl == NULL)
		return;
	if (strcmp(lvl, "debug") == 0)
		log_level = LOG_DEBUG;
	else if (strcmp(lvl, "info") == 0)
		log_level = LOG_INFO;
	else if (strcmp(lvl, "warning") == 0)
		log_level = LOG_WARNING;
	else if (strcmp(lvl, "err") == 0 || strcmp(lvl, "error") == 0)
		log_level = LOG_ERR;
}

void
log_set_reqid(const char *id)
{
	(void)strlcpy(log_req, id == NULL ? "-" : id, sizeof(log_req));
}

const char *
log_reqid(void)
{
	return log_req;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *errstr)
{
	char	 msg[2048];
	size_t	 i;

	if (pri > log_level)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Never let a message break the line-per-entry format. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	if (errstr != NULL)
		(void)fprintf(stderr, "<%d>%s[%d]: [req=%s] %s: %s\n", pri,
		    log_prog, (int)getpid(), log_req, msg, errstr);
	else
		(void)fprintf(stderr, "<%d>%s[%d]: [req=%s] %s\n", pri,
		    log_prog, (int)getpid(), log_req, msg);
	(void)fflush(stderr);
}

void
log_crit(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

const char *
log_quote(const char *s)
{
	static __thread char buf[260];	/* per thread: 128 in a worker */
	size_t		 o = 0;
	unsigned char	 c;

	if (s == NULL)
		return "(null)";
	buf[o++] = '\'';
	for (; *s != '\0' && o < sizeof(buf) - 6; s++) {
		c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (*s != '\0' && o < sizeof(buf) - 4) {
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}
