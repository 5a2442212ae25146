/* test_periodic: the worker loop of lib/periodic.c. */
#include <pthread.h>

#include "check_tap.h"
#include "periodic.h"

struct counter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int kicked, stopping;
	int rounds, stop_after;
};

/* Kicks itself (so the next round comes at once) until the last round. */
static void
round_kicks(void *arg)
{
	struct counter *c = arg;

	pthread_mutex_lock(&c->mu);
	c->rounds++;
	if (c->rounds >= c->stop_after)
		c->stopping = 1;
	else
		c->kicked = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void
run(struct counter *c)
{
	struct tnfs_periodic pw = {
	    &c->mu, &c->cv, &c->kicked, &c->stopping, 60000, round_kicks, c};

	tnfs_periodic_run(&pw);
}

START_TEST(test_kicked_rounds_run_until_stopped)
{
	struct counter c = {
	    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 3};

	run(&c);
	ck_assert_int_eq(c.rounds, 3);
	ck_assert_int_eq(c.stopping, 1);
	/* The loop returned with the mutex free. */
	ck_assert_int_eq(pthread_mutex_trylock(&c.mu), 0);
	pthread_mutex_unlock(&c.mu);
}
END_TEST

START_TEST(test_stopped_before_start_runs_no_round)
{
	struct counter c = {
	    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1, 0, 3};

	run(&c);
	ck_assert_int_eq(c.rounds, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("periodic");
	TCase *tc = tcase_create("periodic");

	tcase_add_test(tc, test_kicked_rounds_run_until_stopped);
	tcase_add_test(tc, test_stopped_before_start_runs_no_round);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
