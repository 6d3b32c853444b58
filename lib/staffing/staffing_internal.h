/* Internal: helpers shared by the staffing files (erlang, required, forecast, shifts). */
#ifndef PCRM_STAFFING_INTERNAL_H
#define PCRM_STAFFING_INTERNAL_H

#include <powercrm/staffing.h>

/* Relative slack when a computed metric is compared with a goal. */
#define PCRM__STAFF_SLACK 1e-12

/* Checks that `value` is finite and >= 0 (or > 0 when `positive`). */
int pcrm__staff_check(const char *name, double value, int positive);

/* Validates calls, interval and handle time (and patience when `need_patience`). */
int pcrm__queue_check(const pcrm_queue *queue, int need_patience);

/* One Erlang B step: B(n) from B(n-1) for load a. */
static inline double pcrm__erlang_b_step(double a, double b_prev, int n)
{
	double ab = a * b_prev;
	return ab / ((double)n + ab);
}

/* Erlang B of n lines by the recursion (a >= 0, n >= 0). */
double pcrm__erlang_b(double a, int n);

/*
 * Fills the Erlang C metrics of n agents for load a, given b = B(n, a);
 * aht and target in seconds.
 */
void pcrm__erlang_c_fill(double a, int n, double b, double aht, double target,
                         pcrm_queue_metrics *out);

/* Fills the Erlang A metrics likewise (patience > 0). */
void pcrm__erlang_a_fill(double a, int n, double b, double aht, double patience,
                         double target, pcrm_queue_metrics *out);

#endif
