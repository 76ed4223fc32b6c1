/*
 * lib/log.h -- logging to stderr with journald "<N>" priority prefixes.
 * Every line carries the current request id (or "-" outside a request).
 * User-supplied strings are escaped before they are written.
 */
#ifndef IOCAGG_LOG_H
#define IOCAGG_LOG_H

#include <stdarg.h>

void	 log_init(const char *progname, int debug);
void	 log_set_level(const char *);	/* "debug", "info", "warning", "err" */
void	 log_set_reqid(const char *);	/* NULL clears it */
const char *log_reqid(void);

void	 log_crit(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Escape control characters and quotes of untrusted text for a log line.
 * Returns a per-thread buffer valid until the thread's next call
 * (truncated to 256). */
const char *log_quote(const char *);

#endif
