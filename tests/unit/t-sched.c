/*
 * tests/unit/t-sched.c -- the scheduler's due-time rules (lib/schedule.c):
 * first run, success, failure back-off, abandoned and stopped runs,
 * long runs, interval changes and clocks that disagree.
 */
#include "config.h"

#include <stdlib.h>

#include "schedule.h"
#include "tap.h"

#define S	1000LL		/* one second in ms */
#define T0	1767225600000LL	/* 2026-01-01T00:00:00Z */

static long long
next_of(long long ivl, enum sched_outcome o, long long started,
    long long ended, int failures, long long now)
{
	struct sched_last	 l;

	l.outcome = o;
	l.started = started;
	l.ended = ended;
	l.failures = failures;
	return sched_next(ivl, &l, now);
}

int
main(void)
{
	long long	 ivl = 300 * S, n;
	int		 f, i;

	/* Never run: due at once, whatever the interval. */
	is_int(next_of(ivl, SCHED_NEVER, 0, 0, 0, T0), T0,
	    "a task never run is due now");
	is_int(next_of(86400 * S, SCHED_NEVER, 0, 0, 0, T0), T0,
	    "even with a daily interval");

	/* Success: one interval after the start. */
	is_int(next_of(ivl, SCHED_OK, T0, T0 + 10 * S, 0, T0 + 10 * S),
	    T0 + ivl, "after a success: start + interval");
	is_int(next_of(2 * S, SCHED_OK, T0, T0 + 100, 0, T0 + 100),
	    T0 + 2 * S, "short intervals keep their rhythm");
	/* A run longer than the interval: due when it ended, no burst. */
	is_int(next_of(ivl, SCHED_OK, T0, T0 + 1000 * S, 0, T0 + 1000 * S),
	    T0 + 1000 * S, "a run longer than the interval: due at its end");
	ok(next_of(ivl, SCHED_OK, T0, T0 + 1000 * S, 0, T0 + 1000 * S) <=
	    T0 + 1000 * S, "missed ticks are one run, not several");

	/* Failure: the back-off, capped at the interval. */
	is_int(sched_delay(3600 * S, 0), 3600 * S, "no failure: the interval");
	is_int(sched_delay(3600 * S, 1), 60 * S, "first failure: 60 s");
	is_int(sched_delay(3600 * S, 2), 120 * S, "second: 120 s");
	is_int(sched_delay(3600 * S, 3), 240 * S, "third: 240 s");
	is_int(sched_delay(3600 * S, 7), 3600 * S, "capped at the interval");
	is_int(sched_delay(3600 * S, 1000000), 3600 * S,
	    "many failures do not overflow");
	is_int(sched_delay(10 * S, 1), 10 * S,
	    "an interval shorter than the retry wins");
	is_int(next_of(3600 * S, SCHED_FAILED, T0, T0 + S, 1, T0 + S),
	    T0 + 60 * S, "after a failure: start + 60 s");
	is_int(next_of(3600 * S, SCHED_FAILED, T0, T0 + S, 2, T0 + S),
	    T0 + 120 * S, "after two failures: start + 120 s");
	is_int(next_of(2 * S, SCHED_FAILED, T0, T0 + 100, 5, T0 + 100),
	    T0 + 2 * S, "a short interval is never stretched by failures");
	/* The back-off never exceeds the interval, for any count. */
	for (f = 1, i = 1; f < 64; f++)
		if (sched_delay(ivl, f) > ivl || sched_delay(ivl, f) < 1)
			i = 0;
	ok(i, "the delay stays within [1, interval] for 1..63 failures");

	/* Abandoned or stopped: at once; again and again: backed off. */
	is_int(next_of(ivl, SCHED_ABANDONED, T0, T0 + 5 * S, 1, T0 + 9 * S),
	    T0 + 9 * S, "abandoned once: due now");
	is_int(next_of(3600 * S, SCHED_ABANDONED, T0, T0 + 5 * S, 2,
	    T0 + 9 * S), T0 + 60 * S, "abandoned twice in a row: backed off");
	ok(next_of(3600 * S, SCHED_ABANDONED, T0, T0 + 5 * S, 3, T0 + 9 * S) >
	    next_of(3600 * S, SCHED_ABANDONED, T0, T0 + 5 * S, 2, T0 + 9 * S),
	    "and further each time");

	/* The failure count. */
	is_int(sched_failures(3, SCHED_OK), 0, "a success resets failures");
	is_int(sched_failures(0, SCHED_FAILED), 1, "a failure counts");
	is_int(sched_failures(1, SCHED_ABANDONED), 2, "an abandon counts");
	is_int(sched_failures(-4, SCHED_FAILED), 1, "negative is zero");
	is_int(sched_failures(2, SCHED_NEVER), 2, "nothing happened");

	/* Interval changes, from the last start. */
	is_int(next_of(600 * S, SCHED_OK, T0, T0 + S, 0, T0 + 100 * S),
	    T0 + 600 * S, "a longer interval: due later");
	is_int(next_of(60 * S, SCHED_OK, T0, T0 + S, 0, T0 + 100 * S),
	    T0 + 60 * S, "a shorter one already past: due (in the past)");
	ok(next_of(60 * S, SCHED_OK, T0, T0 + S, 0, T0 + 100 * S) <=
	    T0 + 100 * S, "so it runs at once");

	/* Clock skew: a start "in the future" of now is pulled in. */
	n = next_of(ivl, SCHED_OK, T0 + 3600 * S, T0 + 3601 * S, 0, T0);
	is_int(n, T0 + ivl, "a start an hour ahead: due within one interval");
	is_int(sched_clamp(T0 + 10 * ivl, ivl, T0), T0 + ivl,
	    "clamp: at most now + delay");
	is_int(sched_clamp(T0 + 10 * S, ivl, T0), T0 + 10 * S,
	    "clamp: nearer times unchanged");
	is_int(sched_clamp(T0 - 10 * S, ivl, T0), T0 - 10 * S,
	    "clamp: past times unchanged");
	is_int(sched_clamp(T0 + S, -5, T0), T0, "clamp: negative delay is 0");

	/* Waiting. */
	is_int(sched_wait(T0 + 5 * S, T0, 60 * S), 5 * S, "wait: until due");
	is_int(sched_wait(T0 - 5 * S, T0, 60 * S), 0, "wait: due already");
	is_int(sched_wait(T0 + 3600 * S, T0, 60 * S), 60 * S,
	    "wait: at most max");
	is_int(sched_wait(T0 + 3600 * S, T0, -1), 3600 * S,
	    "wait: no max");

	/* Degenerate intervals. */
	is_int(sched_delay(0, 0), 1, "interval 0 counts as 1 ms");
	is_int(next_of(0, SCHED_OK, T0, T0, 0, T0), T0 + 1,
	    "and then runs again 1 ms later");

	/* A schedule driven step by step: success, fail, fail, success. */
	n = next_of(ivl, SCHED_NEVER, 0, 0, 0, T0);
	n = next_of(ivl, SCHED_OK, n, n + 2 * S, 0, n + 2 * S);
	is_int(n, T0 + ivl, "step 1: success");
	n = next_of(ivl, SCHED_FAILED, n, n + S, sched_failures(0,
	    SCHED_FAILED), n + S);
	is_int(n, T0 + ivl + 60 * S, "step 2: failed, retry in 60 s");
	n = next_of(ivl, SCHED_FAILED, n, n + S, 2, n + S);
	is_int(n, T0 + ivl + 180 * S, "step 3: failed again, 120 s");
	n = next_of(ivl, SCHED_OK, n, n + S, 0, n + S);
	is_int(n, T0 + ivl + 180 * S + ivl, "step 4: success, the interval");

	return tap_done();
}
