/*
 * lib/schedule.c -- see schedule.h.  (Not "sched.h": lib/ is on the
 * include path and would hide the system header of that name.)
 */
#include "config.h"

#include "schedule.h"

long long
sched_delay(long long interval_ms, int failures)
{
	long long	 d = SCHED_RETRY_MS;
	int		 i;

	if (interval_ms < 1)
		interval_ms = 1;
	if (failures <= 0)
		return interval_ms;
	/* 60 s, 120 s, 240 s...: stop doubling once past the interval. */
	for (i = 1; i < failures && d < interval_ms; i++)
		d *= 2;
	return d < interval_ms ? d : interval_ms;
}

long long
sched_clamp(long long next, long long delay, long long now)
{
	if (delay < 0)
		delay = 0;
	if (next > now + delay)
		return now + delay;
	return next;
}

long long
sched_next(long long interval_ms, const struct sched_last *l, long long now)
{
	long long	 delay, next;

	switch (l->outcome) {
	case SCHED_NEVER:
		return now;
	case SCHED_ABANDONED:
		/* Once: at once.  Again and again (a task that takes its
		 * scheduler down?): the failure back-off. */
		if (l->failures <= 1)
			return now;
		delay = sched_delay(interval_ms, l->failures - 1);
		break;
	case SCHED_OK:
		delay = sched_delay(interval_ms, 0);
		break;
	case SCHED_FAILED:
	default:
		delay = sched_delay(interval_ms, l->failures > 0 ?
		    l->failures : 1);
		break;
	}
	next = l->started + delay;
	/* A run longer than the delay: the next one as soon as it ended. */
	if (l->ended > next)
		next = l->ended;
	return sched_clamp(next, delay, now);
}

long long
sched_wait(long long next, long long now, long long max)
{
	long long	 w = next - now;

	if (w < 0)
		w = 0;
	if (max >= 0 && w > max)
		w = max;
	return w;
}

int
sched_failures(int before, enum sched_outcome o)
{
	if (before < 0)
		before = 0;
	switch (o) {
	case SCHED_OK:
		return 0;
	case SCHED_FAILED:
	case SCHED_ABANDONED:
		return before < 1000000 ? before + 1 : before;
	case SCHED_NEVER:
	default:
		return before;
	}
}
