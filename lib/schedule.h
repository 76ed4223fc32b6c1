/*
 * lib/schedule.h -- when a background task is due next: the pure due-time
 * logic of iocagg-schedulerd(8), kept apart from the database so it can
 * be tested on its own (tests/unit/t-sched.c).
 *
 * Every time is in milliseconds since the epoch on the database's
 * clock: several schedulers on several hosts share one clock that way,
 * and a host whose own clock is off schedules nothing differently.
 *
 * The rules:
 *  - A task never run is due at once (the reference's first tick).
 *  - After a successful run the next one is due one interval after the
 *    run started; a run that took longer than the interval makes the
 *    next one due when it ended (missed ticks are one run, never a
 *    burst, and runs never overlap).
 *  - After a failed run the next one is due sooner: 60 s after the
 *    start, doubling with each failure in a row, never later than the
 *    interval (a daily feed that failed is retried within the hour).
 *  - A run that was abandoned (its scheduler died) or stopped (its
 *    scheduler was told to stop) did not finish: it is due at once;
 *    from the second in a row on, with the failure back-off (one less
 *    step), so a task that keeps killing its scheduler does not run
 *    in a loop.
 *  - A changed interval takes effect from the last start: shorter, the
 *    task may be due at once; longer, it waits for the new interval.
 *  - A due time more than one delay after "now" cannot come from these
 *    rules; it comes from a clock that went back or a skewed writer,
 *    and is pulled in to now + delay, so no task waits forever.
 */
#ifndef IOCAGG_SCHEDULE_H
#define IOCAGG_SCHEDULE_H

#define SCHED_RETRY_MS	60000LL		/* first retry after a failure */

enum sched_outcome {
	SCHED_NEVER,		/* no run yet */
	SCHED_OK,		/* the last run succeeded */
	SCHED_FAILED,		/* it failed (recorded as ERROR) */
	SCHED_ABANDONED,	/* its scheduler vanished or was stopped */
};

struct sched_last {
	enum sched_outcome	 outcome;
	long long		 started;	/* ms, 0 if never */
	long long		 ended;		/* ms, 0 if not ended */
	int			 failures;	/* failed or abandoned runs in a
						 * row, this one included */
};

/* The wait after a run: the interval, or the retry delay after
 * "failures" failures in a row (capped at the interval). */
long long	sched_delay(long long interval_ms, int failures);
/* When the task is due next, given its last run and the time now. */
long long	sched_next(long long interval_ms, const struct sched_last *,
		    long long now);
/* "next" pulled in to at most now + "delay" (clock skew). */
long long	sched_clamp(long long next, long long delay, long long now);
/* Milliseconds to wait from "now" until "next", at most "max"
 * (0 when already due). */
long long	sched_wait(long long next, long long now, long long max);
/* The failures in a row after a run with this outcome. */
int		sched_failures(int before, enum sched_outcome);

#endif
