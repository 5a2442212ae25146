/*
 * periodic.h: the loop of a worker thread that does one round of work,
 * then sleeps until a period has passed, it is kicked, or it is told to
 * stop.  The VAPI's provisioning scanner and its NFS head's poller run it.
 */
#ifndef TNFS_PERIODIC_H
#define TNFS_PERIODIC_H

#include <pthread.h>
#include <stdint.h>

/*
 * The owner's mutex guards *kicked and *stopping; it signals cv after
 * setting either.  The loop holds mu only while it reads or clears them:
 * work(arg) runs unlocked.  Returns when *stopping is set, with mu
 * unlocked.  A kick that comes during a round makes the next one start
 * at once.
 */
struct tnfs_periodic {
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int *kicked;
	const int *stopping;
	int64_t period_ms;
	void (*work)(void *arg);
	void *arg;
};

void tnfs_periodic_run(const struct tnfs_periodic *pw);

/* The same as a thread's start routine; arg, a struct tnfs_periodic,
 * must outlive the thread.  Returns NULL. */
void *tnfs_periodic_main(void *arg);

#endif
