/*
 * Required agents, shrinkage, staffing curves and weekday profiles: the
 * worked examples, hand-checked cases, a comparison of every search with a
 * plain scan over agent counts, and input validation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <powercrm.h>

static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), needle) != NULL, "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
}

static pcrm_decimal D(const char *text)
{
	pcrm_decimal d = { 0, 0 };
	cr_assert_eq(pcrm_decimal_parse(text, &d), PCRM_OK);
	return d;
}

static pcrm_staffing_target sl_target(double sl, double t, const char *shrinkage)
{
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	target.service_level = sl;
	target.target_s = t;
	target.shrinkage = D(shrinkage);
	return target;
}

/* ---- the worked example ---- */

Test(required, eighty_twenty_needs_fourteen_and_twenty_scheduled)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "0.30");
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;

	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(r.agents, 14);
	cr_assert_eq(r.scheduled, 20);
	cr_assert(fabs(r.metrics.service_level - 0.8884) < 5e-5);
	t.shrinkage = D("0");
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.scheduled, 14);
	/* 13 agents give 0.7956: a 79.5% goal is met by 13. */
	t.service_level = 0.795;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 13);
}

Test(required, shrinkage_is_exact)
{
	int n;

	/* In binary floating point 21 / (1 - 0.30) = 30.000000000000004 -> 31. */
	cr_assert_eq(pcrm_staffing_shrink(21, D("0.30"), &n), PCRM_OK);
	cr_assert_eq(n, 30);
	cr_assert_eq(pcrm_staffing_shrink(21, D("0.3"), &n), PCRM_OK);
	cr_assert_eq(n, 30);
	cr_assert_eq(pcrm_staffing_shrink(14, D("0.30"), &n), PCRM_OK);
	cr_assert_eq(n, 20); /* 14 / 0.7 = 20 exactly */
	cr_assert_eq(pcrm_staffing_shrink(15, D("0.30"), &n), PCRM_OK);
	cr_assert_eq(n, 22); /* 21.43 -> 22 */
	cr_assert_eq(pcrm_staffing_shrink(0, D("0.50"), &n), PCRM_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(pcrm_staffing_shrink(7, D("0"), &n), PCRM_OK);
	cr_assert_eq(n, 7);
	cr_assert_eq(pcrm_staffing_shrink(1, D("0.999999"), &n), PCRM_OK);
	cr_assert_eq(n, 1000000);
	expect_error(pcrm_staffing_shrink(2, D("0.999999"), &n), PCRM_EOVERFLOW, "shrinkage");
	expect_error(pcrm_staffing_shrink(21, D("1"), &n), PCRM_EINVAL, "shrinkage: 1 is not in [0, 1)");
	expect_error(pcrm_staffing_shrink(21, D("1.00"), &n), PCRM_EINVAL, "shrinkage: 1.00");
	expect_error(pcrm_staffing_shrink(21, D("-0.10"), &n), PCRM_EINVAL, "shrinkage: -0.10");
	expect_error(pcrm_staffing_shrink(21, pcrm_decimal_make(1, 40), &n), PCRM_EINVAL, "shrinkage");
	expect_error(pcrm_staffing_shrink(-1, D("0.1"), &n), PCRM_EINVAL, "agents");
}

Test(required, full_shrinkage_is_rejected_by_the_target)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "1.00");
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;

	memset(&r, 0x5a, sizeof(r));
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "target.shrinkage: 1.00");
	cr_assert_eq(r.agents, 0x5a5a5a5a); /* untouched */
}

Test(required, zero_calls_need_nobody)
{
	const pcrm_queue q = { 0.0, 1800.0, 180.0, 30.0 };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "0.30");
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;

	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 0);
	cr_assert_eq(r.scheduled, 0);
	cr_assert_eq(r.metrics.service_level, 1.0);
	t.model = PCRM_QUEUE_ERLANG_A;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 0);
}

Test(required, other_goals)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 60.0 };
	pcrm_staffing_target t = PCRM_STAFFING_TARGET_INIT;
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;

	/* ASA: 13 agents give 17.1 s, 14 give 7.8 s. */
	t.max_asa_s = 10.0;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 14);
	/* Occupancy exactly at the cap: 10 erlangs / 12.5 -> 13 agents; 8 erlangs at 80% -> 10. */
	t.max_asa_s = 0.0;
	t.max_occupancy = 0.80;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 13);
	const pcrm_queue q8 = { 80.0, 1800.0, 180.0, 60.0 };
	cr_assert_eq(pcrm_staffing_required(&q8, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 10);
	/* Cap and goal together: the stricter wins. */
	t.service_level = 0.80;
	t.target_s = 20.0;
	t.max_occupancy = 0.65;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 16); /* 10 / 0.65 = 15.4 */
	/* Erlang A abandonment: at most 5% hang up (11 agents: 11.2%, 13: 4.9%). */
	pcrm_staffing_target a = PCRM_STAFFING_TARGET_INIT;
	a.model = PCRM_QUEUE_ERLANG_A;
	a.max_abandon = 0.05;
	cr_assert_eq(pcrm_staffing_required(&q, &a, &r), PCRM_OK);
	cr_assert_eq(r.agents, 13);
	cr_assert(r.metrics.p_abandon <= 0.05);
}

/* Each search against a plain upward scan of the metric functions. */
static int scan(const pcrm_queue *q, const pcrm_staffing_target *t)
{
	for (int n = 0;; n++) {
		pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
		if (t->model == PCRM_QUEUE_ERLANG_C)
			cr_assert_eq(pcrm_erlang_c_metrics(q, n, t->target_s, &m), PCRM_OK);
		else
			cr_assert_eq(pcrm_erlang_a_metrics(q, n, t->target_s, &m), PCRM_OK);
		if (t->model == PCRM_QUEUE_ERLANG_C && n <= m.erlangs)
			continue;
		if ((t->service_level <= 0 || m.service_level >= t->service_level) &&
		    (t->max_asa_s <= 0 || m.asa_s <= t->max_asa_s) &&
		    (t->max_abandon <= 0 || m.p_abandon <= t->max_abandon))
			return n;
	}
}

Test(required, searches_agree_with_a_scan, .timeout = 60)
{
	const double calls[] = { 3.0, 47.0, 100.0, 512.0, 2000.0 };
	const double aht[] = { 95.0, 180.0, 333.0 };

	for (size_t i = 0; i < 5; i++) {
		for (size_t j = 0; j < 3; j++) {
			pcrm_queue q = { calls[i], 1800.0, aht[j], 45.0 + 30.0 * (double)j };
			for (int model = 0; model <= 1; model++) {
				pcrm_staffing_target t = sl_target(0.85, 15.0, "0.25");
				pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;
				t.model = (pcrm_queue_model)model;
				if (model == 1)
					t.max_abandon = 0.03;
				else
					t.max_asa_s = 12.0;
				cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK, "%s", pcrm_error_last());
				cr_assert_eq(r.agents, scan(&q, &t), "calls %g aht %g model %d", calls[i], aht[j], model);
			}
		}
	}
}

Test(required, thousand_erlangs)
{
	/* 10,000 calls per half hour at 180 s: 1,000 erlangs.  Erlang C needs
	 * 1011 for 80/20 (1010 gives 0.7896), hand-checked with the scan. */
	const pcrm_queue q = { 10000.0, 1800.0, 180.0, 120.0 };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "0.30");
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;

	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, 1011);
	cr_assert_eq(r.scheduled, 1445); /* 1011 / 0.7 = 1444.29 */
	cr_assert_eq(pcrm_erlang_c_metrics(&q, 1010, 20.0, &m), PCRM_OK);
	cr_assert(m.service_level < 0.80);
	cr_assert_eq(scan(&q, &t), 1011);
	t.model = PCRM_QUEUE_ERLANG_A;
	cr_assert_eq(pcrm_staffing_required(&q, &t, &r), PCRM_OK);
	cr_assert_eq(r.agents, scan(&q, &t));
}

Test(required, rejects_bad_targets)
{
	const pcrm_queue q = { 100.0, 1800.0, 180.0, 0.0 };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "0.10");
	pcrm_staffing_result r = PCRM_STAFFING_RESULT_INIT;

	expect_error(pcrm_staffing_required(&q, NULL, &r), PCRM_EINVAL, "target");
	t.version = 99;
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "target.version");
	t.version = PCRM_STAFFING_TARGET_VERSION;
	t.service_level = 1.0;
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "target.service_level");
	t.service_level = NAN;
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "target.service_level");
	t.service_level = 0.8;
	t.target_s = -1.0;
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "target.target_s");
	t.target_s = 20.0;
	t.max_abandon = 0.05;
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "Erlang A");
	t.model = PCRM_QUEUE_ERLANG_A; /* needs a patience now */
	expect_error(pcrm_staffing_required(&q, &t, &r), PCRM_EINVAL, "queue.patience_s");
	pcrm_staffing_target none = PCRM_STAFFING_TARGET_INIT;
	expect_error(pcrm_staffing_required(&q, &none, &r), PCRM_EINVAL, "no goal");
	none.max_occupancy = 1.5;
	expect_error(pcrm_staffing_required(&q, &none, &r), PCRM_EINVAL, "target.max_occupancy");
	none.max_occupancy = 0.9;
	none.shrinkage = D("-0.01");
	expect_error(pcrm_staffing_required(&q, &none, &r), PCRM_EINVAL, "target.shrinkage");
	none.shrinkage = D("0");
	none.model = (pcrm_queue_model)7;
	expect_error(pcrm_staffing_required(&q, &none, &r), PCRM_EINVAL, "target.model");
	none.model = PCRM_QUEUE_ERLANG_C;
	expect_error(pcrm_staffing_required(&q, &none, NULL), PCRM_EINVAL, "out");
	const pcrm_queue huge = { 1e9, 1800.0, 180.0, 0.0 };
	expect_error(pcrm_staffing_required(&huge, &none, &r), PCRM_EINVAL, "offered load");
	const pcrm_queue near_limit = { 9.9e6, 1800.0, 180.0, 0.0 };
	expect_error(pcrm_staffing_required(&near_limit, &none, &r), PCRM_EOVERFLOW, "more than");
}

/* ---- forecasts ---- */

Test(required, staffing_curve_for_a_day)
{
	pcrm_forecast_interval day[48];
	pcrm_staffing_result out[48] = { PCRM_STAFFING_RESULT_INIT };
	pcrm_staffing_target t = sl_target(0.80, 20.0, "0.30");

	for (int i = 0; i < 48; i++) {
		day[i].calls = i < 16 ? 0.0 : 100.0 * (1.0 + (double)(i % 5));
		day[i].aht_s = i < 16 ? 0.0 : 180.0;
	}
	cr_assert_eq(pcrm_staffing_curve(day, 48, 1800.0, 60.0, &t, out), PCRM_OK, "%s", pcrm_error_last());
	for (int i = 0; i < 48; i++) {
		pcrm_queue q = { day[i].calls, 1800.0, day[i].aht_s > 0 ? day[i].aht_s : 1.0, 60.0 };
		pcrm_staffing_result one = PCRM_STAFFING_RESULT_INIT;
		cr_assert_eq(pcrm_staffing_required(&q, &t, &one), PCRM_OK);
		cr_assert_eq(out[i].agents, one.agents);
		cr_assert_eq(out[i].scheduled, one.scheduled);
	}
	cr_assert_eq(out[0].agents, 0);
	cr_assert_eq(out[20].agents, 14); /* 100 calls: the worked example */
	day[30].aht_s = 0.0;
	expect_error(pcrm_staffing_curve(day, 48, 1800.0, 60.0, &t, out), PCRM_EINVAL, "interval 30: aht_s");
	day[30].aht_s = 180.0;
	day[31].calls = NAN;
	expect_error(pcrm_staffing_curve(day, 48, 1800.0, 60.0, &t, out), PCRM_EINVAL, "interval 31: calls");
	day[31].calls = 10.0;
	expect_error(pcrm_staffing_curve(day, 48, 0.0, 60.0, &t, out), PCRM_EINVAL, "interval_s");
	cr_assert_eq(pcrm_staffing_curve(NULL, 0, 1800.0, 60.0, &t, NULL), PCRM_OK);
}

Test(required, weekday_profile_averages_history)
{
	/* 15 days from a Wednesday, 2 intervals a day: Wednesdays are days 0, 7, 14. */
	pcrm_forecast_interval hist[30], prof[14];
	int samples[7];

	for (int d = 0; d < 15; d++) {
		for (int i = 0; i < 2; i++) {
			hist[d * 2 + i].calls = 10.0 * d + i;
			hist[d * 2 + i].aht_s = 100.0 + d;
		}
	}
	hist[14 * 2 + 1].calls = 0.0; /* a silent interval on the third Wednesday */
	cr_assert_eq(pcrm_staffing_weekday_profile(hist, 15, 2, 2, prof, samples), PCRM_OK);
	cr_assert_eq(samples[2], 3); /* Wednesday */
	cr_assert_eq(samples[3], 2); /* Thursday: days 1, 8 */
	cr_assert_eq(samples[0], 2);
	/* Wednesday interval 0: calls 0, 70, 140 -> 70; AHT weighted: (70*107 + 140*114) / 210. */
	cr_assert_float_eq(prof[2 * 2 + 0].calls, 70.0, 1e-12);
	cr_assert_float_eq(prof[2 * 2 + 0].aht_s, (70.0 * 107 + 140.0 * 114) / 210.0, 1e-9);
	/* Wednesday interval 1: calls 1, 71, 0 -> 24; AHT weighted by calls only. */
	cr_assert_float_eq(prof[2 * 2 + 1].calls, 24.0, 1e-12);
	cr_assert_float_eq(prof[2 * 2 + 1].aht_s, (1.0 * 100 + 71.0 * 107) / 72.0, 1e-9);
	/* Thursday: days 1 and 8. */
	cr_assert_float_eq(prof[3 * 2].calls, 45.0, 1e-12);
	/* Only one week of history: missing weekdays are zeros. */
	cr_assert_eq(pcrm_staffing_weekday_profile(hist, 3, 2, 6, prof, samples), PCRM_OK);
	cr_assert_eq(samples[6] + samples[0] + samples[1], 3);
	cr_assert_eq(samples[3], 0);
	cr_assert_float_eq(prof[3 * 2].calls, 0.0, 0.0);
	expect_error(pcrm_staffing_weekday_profile(hist, 15, 2, 7, prof, samples), PCRM_EINVAL, "first_weekday");
	expect_error(pcrm_staffing_weekday_profile(hist, 15, 0, 1, prof, samples), PCRM_EINVAL, "per_day");
	hist[5].aht_s = -1.0;
	expect_error(pcrm_staffing_weekday_profile(hist, 15, 2, 1, prof, samples), PCRM_EINVAL,
	             "history entry 5: aht_s");
}
