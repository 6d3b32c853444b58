/*
 * Caller-allocated output structs carry a version (docs/abi.md): the caller
 * sets it with the type's _INIT macro to the layout it was compiled with, and
 * the library refuses one it does not know (0: never initialised; above the
 * header's: a newer header than the library) before writing anything.  For
 * arrays the first element's version names the layout of all of them.  The
 * store-backed functions have the same test beside their module
 * (tests/ledger/test_ledger.c: summary_refuses_...).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <powercrm.h>

static void expect_refused(int rc, const char *field, const char *init)
{
	cr_assert_eq(rc, PCRM_EINVAL, "rc %d (%s)", rc, pcrm_error_last());
	cr_assert(strstr(pcrm_error_last(), field) != NULL, "\"%s\" lacks %s", pcrm_error_last(),
	          field);
	cr_assert(strstr(pcrm_error_last(), init) != NULL, "\"%s\" lacks %s", pcrm_error_last(),
	          init);
}

static const pcrm_queue queue = { 100.0, 1800.0, 180.0, 0.0 };

Test(out_version, erlang_metrics_refuse_an_unknown_version_and_write_nothing)
{
	const unsigned int bad[] = { 0, PCRM_QUEUE_METRICS_VERSION + 1 };
	for (size_t i = 0; i < 2; i++) {
		pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
		m.version = bad[i];
		m.erlangs = -1.0;
		expect_refused(pcrm_erlang_c_metrics(&queue, 12, 20.0, &m), "out.version",
		               "PCRM_QUEUE_METRICS_INIT");
		cr_assert_eq(m.erlangs, -1.0);
		expect_refused(pcrm_erlang_a_metrics(&(pcrm_queue){ 100.0, 1800.0, 180.0, 120.0 }, 12,
		                                     20.0, &m),
		               "out.version", "PCRM_QUEUE_METRICS_INIT");
		cr_assert_eq(m.erlangs, -1.0);
	}
	pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
	cr_assert_eq(pcrm_erlang_c_metrics(&queue, 12, 20.0, &m), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(m.version, PCRM_QUEUE_METRICS_VERSION);
	cr_assert_eq(m.erlangs, 10.0);
}

Test(out_version, staffing_result_and_its_nested_metrics_carry_the_version)
{
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	target.service_level = 0.8;
	target.target_s = 20.0;
	pcrm_staffing_result r = { .version = 0, .agents = -3 };
	expect_refused(pcrm_staffing_required(&queue, &target, &r), "out.version",
	               "PCRM_STAFFING_RESULT_INIT");
	cr_assert_eq(r.agents, -3);
	r = (pcrm_staffing_result)PCRM_STAFFING_RESULT_INIT;
	cr_assert_eq(pcrm_staffing_required(&queue, &target, &r), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(r.version, PCRM_STAFFING_RESULT_VERSION);
	cr_assert_eq(r.metrics.version, PCRM_QUEUE_METRICS_VERSION);
	cr_assert_gt(r.agents, 10);
}

Test(out_version, an_array_takes_its_layout_from_the_first_element)
{
	const pcrm_forecast_interval f[3] = { { 100.0, 180.0 }, { 0.0, 0.0 }, { 50.0, 200.0 } };
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	target.service_level = 0.8;
	target.target_s = 20.0;
	pcrm_staffing_result out[3];
	memset(out, 0, sizeof(out));
	out[1].agents = out[2].agents = -5;
	expect_refused(pcrm_staffing_curve(f, 3, 1800.0, 0.0, &target, out), "out[0].version",
	               "PCRM_STAFFING_RESULT_INIT");
	cr_assert_eq(out[2].agents, -5, "nothing written");
	out[0] = (pcrm_staffing_result)PCRM_STAFFING_RESULT_INIT;
	cr_assert_eq(pcrm_staffing_curve(f, 3, 1800.0, 0.0, &target, out), PCRM_OK, "%s",
	             pcrm_error_last());
	for (int i = 0; i < 3; i++)
		cr_assert_eq(out[i].version, PCRM_STAFFING_RESULT_VERSION, "out[%d]", i);
	cr_assert_eq(out[1].agents, 0);
}

Test(out_version, acd_snapshots_and_the_event_array)
{
	pcrm_acd_options o = PCRM_ACD_OPTIONS_INIT;
	pcrm_acd *acd;
	cr_assert_eq(pcrm_acd_new(&acd, &o), PCRM_OK, "%s", pcrm_error_last());

	pcrm_acd_engine_stats es;
	memset(&es, 0, sizeof(es));
	es.queues = 99;
	expect_refused(pcrm_acd_engine_stats_get(acd, &es), "out.version",
	               "PCRM_ACD_ENGINE_STATS_INIT");
	cr_assert_eq(es.queues, 99);
	es = (pcrm_acd_engine_stats)PCRM_ACD_ENGINE_STATS_INIT;
	cr_assert_eq(pcrm_acd_engine_stats_get(acd, &es), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(es.version, PCRM_ACD_ENGINE_STATS_VERSION);
	cr_assert_eq(es.queues, 0);

	pcrm_acd_event evs[4];
	size_t n = 7;
	memset(evs, 0, sizeof(evs));
	evs[0].version = PCRM_ACD_EVENT_VERSION + 1;
	expect_refused(pcrm_acd_events_poll(acd, evs, 4, &n, 0), "out[0].version",
	               "PCRM_ACD_EVENT_INIT");
	cr_assert_eq(n, 7, "count untouched");
	evs[0] = (pcrm_acd_event)PCRM_ACD_EVENT_INIT;
	cr_assert_eq(pcrm_acd_events_poll(acd, evs, 4, &n, 0), PCRM_OK, "%s", pcrm_error_last());
	/* max 0 reads no element, so needs no version */
	cr_assert_eq(pcrm_acd_events_poll(acd, NULL, 0, &n, 0), PCRM_OK, "%s", pcrm_error_last());
	pcrm_acd_free(acd);
}
