/*
 * periodic.c: one worker thread's round-then-wait loop (periodic.h).
 */
#include <errno.h>
#include <time.h>

#include "periodic.h"
#include "timefmt.h"

void
tnfs_periodic_run(const struct tnfs_periodic *pw)
{
	struct timespec ts;

	pthread_mutex_lock(pw->mu);
	while (!*pw->stopping) {
		*pw->kicked = 0;
		pthread_mutex_unlock(pw->mu);
		pw->work(pw->arg);
		pthread_mutex_lock(pw->mu);
		tnfs_deadline_ts(&ts, pw->period_ms);
		while (!*pw->kicked && !*pw->stopping)
			if (pthread_cond_timedwait(pw->cv, pw->mu, &ts) ==
			    ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(pw->mu);
}

void *
tnfs_periodic_main(void *arg)
{
	tnfs_periodic_run(arg);
	return NULL;
}
