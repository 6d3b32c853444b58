/*
 * The store-backed CDR sink and the call-record list, on both backends:
 * an engine on a virtual clock makes real CDRs, the sink stores them with
 * the contact entries of answered calls; a failing store keeps them pending
 * in the engine and a later flush delivers each exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

#define ZHANG "3701000001"   /* in the township station 37010201 (Jinan) */
#define QINGDAO "3702000001" /* in the city 3702 */
#define T0 ((pcrm_acd_ms)1795395600000LL)

/* the service centre's batch account at the province */
static const pcrm_actor sink_actor = { "acd-sink", PCRM_ROLE_SYSTEM, 1, "37" };

static const char *const config =
	"{\"version\":1,\"cdr_batch_size\":2,"
	"\"queues\":[{\"id\":\"billing\",\"wrap_up_s\":0}],"
	"\"agents\":[{\"id\":\"1001\",\"skills\":{\"billing\":5}}]}";

struct fixture {
	pcrm_test_store *t;
	pcrm_acd_ms now;
	pcrm_acd *acd;
	pcrm_call_record_sink *sink;
};

static pcrm_acd_ms vclock(void *ud)
{
	return ((struct fixture *)ud)->now;
}



static void setup(struct fixture *f, pcrm_test_store *t)
{
	memset(f, 0, sizeof(*f));
	f->t = t;
	f->now = T0;
	pcrm_test_reopen_with_key(t); /* a fresh in-memory store on SQLite; the same database on PostgreSQL */
	make_tree(t->ctx);
	add_person(t->ctx, ZHANG, "37010201");
	add_person(t->ctx, QINGDAO, "3702");
	pcrm_assert_ok(pcrm_acd_new_from_json(&f->acd, config, vclock, f));
	pcrm_assert_ok(pcrm_call_record_sink_new(&f->sink, t->ctx, &sink_actor, NULL));
	pcrm_assert_ok(pcrm_call_record_sink_attach(f->sink, f->acd));
	pcrm_assert_ok(pcrm_acd_agent_login(f->acd, "1001"));
	pcrm_assert_ok(pcrm_acd_agent_ready(f->acd, "1001"));
}

static void teardown(struct fixture *f)
{
	pcrm_acd_free(f->acd);
	pcrm_call_record_sink_free(f->sink);
}

static void arrive(struct fixture *f, const char *call, const char *caller, const char *customer)
{
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	s.call_id = call;
	s.queue_id = "billing";
	s.caller_number = caller;
	s.customer_no = customer;
	pcrm_assert_ok(pcrm_acd_call_arrive(f->acd, &s, NULL));
}

/* A call answered by 1001 after `wait_s`, talked `talk_s`, hung up (no wrap-up). */
static void answered_call(struct fixture *f, const char *call, const char *caller,
                          const char *customer, int wait_s, int talk_s)
{
	arrive(f, call, caller, customer);
	f->now += wait_s * 1000;
	pcrm_assert_ok(pcrm_acd_call_answer(f->acd, call, "1001"));
	f->now += talk_s * 1000;
	pcrm_assert_ok(pcrm_acd_call_hangup(f->acd, call));
}

/* A call that waits while 1001 is away and hangs up. */
static void abandoned_call(struct fixture *f, const char *call, const char *customer)
{
	pcrm_assert_ok(pcrm_acd_agent_not_ready(f->acd, "1001", "missed"));
	arrive(f, call, "053188888888", customer);
	f->now += 40000;
	pcrm_assert_ok(pcrm_acd_call_hangup(f->acd, call));
	pcrm_assert_ok(pcrm_acd_agent_ready(f->acd, "1001"));
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static size_t pending(struct fixture *f)
{
	pcrm_acd_engine_stats s = PCRM_ACD_ENGINE_STATS_INIT;
	pcrm_assert_ok(pcrm_acd_engine_stats_get(f->acd, &s));
	return s.cdrs_pending;
}

static void three_calls(struct fixture *f)
{
	answered_call(f, "c-1", "+8613800138000", ZHANG, 12, 95);
	abandoned_call(f, "c-2", QINGDAO);
	answered_call(f, "c-3", "13900139000", NULL, 3, 20);
}

PCRM_BACKEND_TEST(call_record, flush_stores_records_contacts_and_one_audit_entry)
{
	struct fixture f;
	pcrm_contact_list *contacts;
	char line[PCRM_CONTACT_LOG_LINE_MAX];
	size_t flushed = 0;
	pcrm_call_record_sink_stats st = PCRM_CALL_RECORD_SINK_STATS_INIT;
	int64_t audit_before;

	setup(&f, t);
	audit_before = count(t, "SELECT COUNT(*) FROM audit_log");
	three_calls(&f);
	cr_assert_eq(pending(&f), 3);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f.acd, &flushed));
	cr_assert_eq(flushed, 3);
	cr_assert_eq(pending(&f), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 3);
	/* a contact for the answered call of a known customer; none for the unknown caller, the abandon */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE call_id = 'c-1' AND "
	                      "org_unit = '37010201' AND contact_id IS NOT NULL AND "
	                      "outcome = 'answered' AND wait_ms = 12000 AND talk_ms = 95000"), 1);
	/* the unknown caller's record belongs to the sink's org unit; Qingdao's to Qingdao */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE call_id = 'c-3' AND "
	                      "org_unit = '37' AND customer_no IS NULL"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE call_id = 'c-2' AND "
	                      "org_unit = '3702' AND outcome = 'abandoned' AND agent_id IS NULL "
	                      "AND contact_id IS NULL"), 1);
	/* caller numbers only sealed: no clear number anywhere in the row */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE caller_masked = '1380***8000' "
	                      "AND caller_cipher IS NOT NULL AND length(caller_hash) = 64"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE caller_cipher LIKE "
	                      "'%13800138000%'"), 0);
	/* batches of 2 (cdr_batch_size): two transactions, two audit entries naming every call */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log") - audit_before, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'call_record.store'"),
	             2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'call_record.store' "
	                      "AND object_id = 'c-1' AND summary LIKE '%\"c-2\"%' AND "
	                      "summary LIKE '%\"contact_id\"%' AND summary NOT LIKE '%13800138000%'"),
	             1);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));

	/* the contact history holds the plan's call-log line of the answered call */
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &root_admin, ZHANG, NULL, 0, &contacts));
	cr_assert_eq(pcrm_contact_list_count(contacts), 1);
	pcrm_assert_ok(pcrm_contact_format_log_line(pcrm_contact_list_at(contacts, 0), line,
	                                            sizeof(line)));
	cr_assert_str_eq(line, "2026-11-23T09:00:00+08:00;3701000001;13800138000;1001;95;;"
	                       "来电接通（呼叫 c-1，技能组 billing，排队 12 秒，通话 95 秒，保持 0 秒）");
	cr_assert_str_eq(pcrm_contact_recorded_by(pcrm_contact_list_at(contacts, 0)), "acd-sink");
	pcrm_contact_list_free(contacts);

	pcrm_assert_ok(pcrm_call_record_sink_stats_get(f.sink, &st));
	cr_assert_eq(st.batches, 2);
	cr_assert_eq(st.stored, 3);
	cr_assert_eq(st.contacts, 1);
	cr_assert_eq(st.skipped, 0);
	cr_assert_eq(st.failures, 0);
	teardown(&f);
}

/* A store that fails keeps every CDR pending; the next flush delivers them exactly once. */
static void failing_store_then_exactly_once(pcrm_test_store *t, const char *away, const char *back,
                                            const char *needle)
{
	struct fixture f;
	pcrm_call_record_sink_stats st = PCRM_CALL_RECORD_SINK_STATS_INIT;
	size_t flushed = 99;

	setup(&f, t);
	three_calls(&f);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, away, NULL, 0, NULL));
	cr_assert_eq(pcrm_acd_cdr_flush(f.acd, &flushed), PCRM_EIO);
	cr_assert_eq(flushed, 0, "the first batch failed: nothing flushed");
	cr_assert_eq(pending(&f), 3);
	pcrm_assert_ok(pcrm_call_record_sink_stats_get(f.sink, &st));
	cr_assert_eq(st.failures, 1);
	cr_assert_neq(st.last_status, PCRM_OK);
	cr_assert(strstr(st.last_error, needle), "%s", st.last_error);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, back, NULL, 0, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 0, "a failed batch writes nothing");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 0);

	answered_call(&f, "c-4", NULL, ZHANG, 1, 1); /* routing went on meanwhile */
	pcrm_assert_ok(pcrm_acd_cdr_flush(f.acd, &flushed));
	cr_assert_eq(flushed, 4);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f.acd, &flushed));
	cr_assert_eq(flushed, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 4);
	cr_assert_eq(count(t, "SELECT COUNT(DISTINCT call_id) FROM call_record"), 4);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 2);
	teardown(&f);
}

PCRM_BACKEND_TEST(call_record, missing_table_keeps_cdrs_pending)
{
	failing_store_then_exactly_once(t, "ALTER TABLE call_record RENAME TO call_record_away",
	                                "ALTER TABLE call_record_away RENAME TO call_record",
	                                "call_record");
}

/* The call records go in first: a failure after them must take them back too. */
PCRM_BACKEND_TEST(call_record, failure_after_the_records_rolls_the_batch_back)
{
	failing_store_then_exactly_once(t, "ALTER TABLE contact RENAME TO contact_away",
	                                "ALTER TABLE contact_away RENAME TO contact", "contact");
}

/* The sink's connection dies under it (PostgreSQL): the next flush reconnects and delivers. */
static void lost_connection_body(pcrm_test_store *t)
{
	struct fixture f;
	pcrm_ctx *killer;
	size_t flushed = 99;

	setup(&f, t);
	three_calls(&f);
	killer = pcrm_test_open_again(t);
	pcrm_assert_ok(pcrm__store_exec(killer->store,
	                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	                                "WHERE datname = current_database() AND "
	                                "pid <> pg_backend_pid()", NULL, 0, NULL));
	pcrm_ctx_close(killer);
	cr_assert_eq(pcrm_acd_cdr_flush(f.acd, &flushed), PCRM_EIO);
	cr_assert_eq(flushed, 0);
	cr_assert_eq(pending(&f), 3);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f.acd, &flushed)); /* the store reconnects first */
	cr_assert_eq(flushed, 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 1);
	teardown(&f);
}

Test(call_record_pg, lost_connection_keeps_cdrs_pending, .timeout = 120)
{
	pcrm_test_run_pg(lost_connection_body);
}

static void copy_cdrs(void *ud, const pcrm_acd_cdr *cdrs, size_t n, pcrm_acd_cdr *out)
{
	(void)ud;
	memcpy(out, cdrs, n * sizeof(*cdrs));
}

static pcrm_acd_cdr captured[4];
static size_t ncaptured;

static int capture(void *ud, const pcrm_acd_cdr *cdrs, size_t n)
{
	copy_cdrs(ud, cdrs, n, captured + ncaptured);
	ncaptured += n;
	return 0;
}

/* Two answered CDRs of a real engine in `captured`, by a sink that only copies them. */
static void capture_two_calls(struct fixture *f, pcrm_test_store *t, const char *second_customer)
{
	setup(f, t);
	ncaptured = 0;
	pcrm_assert_ok(pcrm_acd_set_cdr_sink(f->acd, capture, NULL));
	answered_call(f, "c-1", "13800138000", ZHANG, 2, 30);
	answered_call(f, "c-2", NULL, second_customer, 2, 30);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f->acd, NULL));
	cr_assert_eq(ncaptured, 2);
}

/* A batch written again (its commit's answer lost, say) stores nothing twice. */
PCRM_BACKEND_TEST(call_record, writing_a_batch_twice_stores_it_once)
{
	struct fixture f;
	pcrm_call_record_sink_stats st = PCRM_CALL_RECORD_SINK_STATS_INIT;
	int64_t audits;

	capture_two_calls(&f, t, QINGDAO);

	pcrm_assert_ok(pcrm_call_record_sink_write(f.sink, captured, 1));
	audits = count(t, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_ok(pcrm_call_record_sink_write(f.sink, captured, 2)); /* c-1 again and c-2 */
	pcrm_assert_ok(pcrm_call_record_sink_write(f.sink, captured, 2)); /* both again */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log") - audits, 1,
	             "a batch that stores nothing new appends no audit entry");
	/* a repeat inside one batch is stored once as well */
	captured[2] = captured[1];
	captured[3] = captured[1];
	snprintf(captured[2].call_id, sizeof(captured[2].call_id), "c-9");
	snprintf(captured[3].call_id, sizeof(captured[3].call_id), "c-9");
	pcrm_assert_ok(pcrm_call_record_sink_write(f.sink, captured + 2, 2));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record WHERE call_id = 'c-9'"), 1);
	pcrm_assert_ok(pcrm_call_record_sink_stats_get(f.sink, &st));
	cr_assert_eq(st.stored, 3);
	cr_assert_eq(st.skipped, 4);
	cr_assert_eq(st.contacts, 3);
	teardown(&f);
}

PCRM_BACKEND_TEST(call_record, malformed_cdrs_are_refused_whole)
{
	struct fixture f;
	pcrm_acd_cdr bad[2];

	capture_two_calls(&f, t, NULL);
	memcpy(bad, captured, sizeof(bad));
	bad[1].outcome = (pcrm_acd_outcome)7;
	pcrm_assert_fails(pcrm_call_record_sink_write(f.sink, bad, 2), PCRM_EINVAL,
	                  "cdrs[1].outcome");
	memcpy(bad, captured, sizeof(bad));
	memset(bad[1].call_id, 'x', sizeof(bad[1].call_id));
	pcrm_assert_fails(pcrm_call_record_sink_write(f.sink, bad, 2), PCRM_EINVAL,
	                  "cdrs[1].call_id: not NUL-terminated");
	memcpy(bad, captured, sizeof(bad));
	bad[0].agent_id[0] = '\0';
	pcrm_assert_fails(pcrm_call_record_sink_write(f.sink, bad, 2), PCRM_EINVAL,
	                  "cdrs[0].agent_id: empty");
	memcpy(bad, captured, sizeof(bad));
	bad[0].talk_ms = -1;
	pcrm_assert_fails(pcrm_call_record_sink_write(f.sink, bad, 2), PCRM_EINVAL, "cdrs[0]");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM call_record"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 0);
	pcrm_assert_fails(pcrm_call_record_sink_write(NULL, captured, 1), PCRM_EINVAL, "sink");
	teardown(&f);
}

PCRM_BACKEND_TEST(call_record, sink_checks_actor_key_and_options)
{
	static const pcrm_actor qingdao_admin = { "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" };
	pcrm_call_record_sink_options o = PCRM_CALL_RECORD_SINK_OPTIONS_INIT;
	pcrm_call_record_sink *s = (pcrm_call_record_sink *)&o;
	pcrm_ctx *keyless;

	pcrm_test_reopen_with_key(t);
	make_tree(t->ctx);
	o.org_unit = "3701";
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, &qingdao_admin, &o), PCRM_EPERM,
	                  "outside");
	cr_assert_null(s);
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, &monitor, NULL), PCRM_EPERM,
	                  "contact.write");
	o.org_unit = "99";
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, &sink_actor, &o), PCRM_EPERM,
	                  "99 is outside");
	o.org_unit = NULL;
	o.business_code = "有空格 x";
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, &sink_actor, &o), PCRM_EINVAL,
	                  "options.business_code");
	o.business_code = NULL;
	o.version = 9;
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, &sink_actor, &o), PCRM_EINVAL,
	                  "options.version");
	pcrm_assert_fails(pcrm_call_record_sink_new(&s, t->ctx, NULL, NULL), PCRM_EINVAL, "actor");
	if (strcmp(t->uri, "sqlite::memory:") != 0) {
		keyless = pcrm_test_open_keyless(t);
		pcrm_assert_fails(pcrm_call_record_sink_new(&s, keyless, &sink_actor, NULL),
		                  PCRM_EPERM, "data_key");
		pcrm_ctx_close(keyless);
	}
	pcrm_assert_ok(pcrm_call_record_sink_new(&s, t->ctx, &city_admin, NULL));
	pcrm_call_record_sink_free(s);
	pcrm_call_record_sink_free(NULL);
}

static pcrm_call_record_list *page(pcrm_test_store *t, const pcrm_actor *a,
                                   const pcrm_call_record_filter *filter, const char *cursor,
                                   int limit)
{
	pcrm_call_record_list *l = NULL;
	pcrm_assert_ok(pcrm_call_record_list_load(t->ctx, a, filter, cursor, limit, &l));
	return l;
}

PCRM_BACKEND_TEST(call_record, list_pages_newest_first_inside_the_subtree)
{
	struct fixture f;
	pcrm_call_record_filter q = PCRM_CALL_RECORD_FILTER_INIT;
	pcrm_call_record_list *l, *l2;
	const pcrm_call_record *r;
	char cursor[128];

	setup(&f, t);
	three_calls(&f);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f.acd, NULL));

	/* the province's monitor sees all three, newest first, two per page */
	l = page(t, &monitor, NULL, NULL, 2);
	cr_assert_eq(pcrm_call_record_list_count(l), 2);
	cr_assert_str_eq(pcrm_call_record_list_at(l, 0)->cdr.call_id, "c-3");
	cr_assert_str_eq(pcrm_call_record_list_at(l, 1)->cdr.call_id, "c-2");
	cr_assert_not_null(pcrm_call_record_list_next_cursor(l));
	snprintf(cursor, sizeof(cursor), "%s", pcrm_call_record_list_next_cursor(l));
	pcrm_call_record_list_free(l);
	l2 = page(t, &monitor, NULL, cursor, 2);
	cr_assert_eq(pcrm_call_record_list_count(l2), 1);
	cr_assert_null(pcrm_call_record_list_next_cursor(l2));
	r = pcrm_call_record_list_at(l2, 0);
	cr_assert_str_eq(r->cdr.call_id, "c-1");
	cr_assert_str_eq(r->org_unit, "37010201");
	cr_assert_str_eq(r->cdr.customer_no, ZHANG);
	cr_assert_str_eq(r->cdr.agent_id, "1001");
	cr_assert_str_eq(r->cdr.caller_number, "1380***8000", "masked, never clear");
	cr_assert_eq(r->cdr.outcome, PCRM_ACD_OUTCOME_ANSWERED);
	cr_assert_eq(r->cdr.arrived_at, T0);
	cr_assert_eq(r->cdr.answered_at, T0 + 12000);
	cr_assert_eq(r->cdr.wait_ms, 12000);
	cr_assert_eq(r->cdr.talk_ms, 95000);
	cr_assert_eq(strlen(r->contact_id), PCRM_CONTACT_ID_LEN);
	cr_assert_str_eq(r->stored_by, "acd-sink");
	cr_assert_eq(r->stored_at, t->now);
	cr_assert_null(pcrm_call_record_list_at(l2, 1));
	pcrm_call_record_list_free(l2);

	/* Jinan's senior admin sees only Jinan's customers' calls */
	l = page(t, &city_admin, NULL, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 1);
	cr_assert_str_eq(pcrm_call_record_list_at(l, 0)->cdr.call_id, "c-1");
	pcrm_call_record_list_free(l);

	/* filters: customer, agent, caller number in another spelling, time window, org unit */
	q.customer_no = QINGDAO;
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 1);
	cr_assert_eq(pcrm_call_record_list_at(l, 0)->cdr.outcome, PCRM_ACD_OUTCOME_ABANDONED);
	cr_assert_str_eq(pcrm_call_record_list_at(l, 0)->cdr.agent_id, "");
	pcrm_call_record_list_free(l);
	q.customer_no = NULL;
	q.agent_id = "1001";
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 2);
	pcrm_call_record_list_free(l);
	q.agent_id = NULL;
	q.caller_number = "+86 138-0013-8000";
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 1);
	cr_assert_str_eq(pcrm_call_record_list_at(l, 0)->cdr.call_id, "c-1");
	pcrm_call_record_list_free(l);
	q.caller_number = NULL;
	q.from_ms = T0 + 1;
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 2);
	pcrm_call_record_list_free(l);
	q.to_ms = T0 + 2;
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 0);
	pcrm_call_record_list_free(l);
	q.from_ms = q.to_ms = 0;
	q.org_unit = "3702";
	l = page(t, &monitor, &q, NULL, 0);
	cr_assert_eq(pcrm_call_record_list_count(l), 1);
	pcrm_call_record_list_free(l);

	/* refusals */
	pcrm_assert_fails(pcrm_call_record_list_load(t->ctx, &city_agent, NULL, NULL, 0, &l),
	                  PCRM_EPERM, "call.monitor");
	cr_assert_null(l);
	q.org_unit = "3702";
	pcrm_assert_fails(pcrm_call_record_list_load(t->ctx, &city_admin, &q, NULL, 0, &l),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_call_record_list_load(t->ctx, &monitor, NULL, "nonsense", 0, &l),
	                  PCRM_EINVAL, "cursor");
	pcrm_assert_fails(pcrm_call_record_list_load(t->ctx, &monitor, NULL, NULL, 1001, &l),
	                  PCRM_EINVAL, "limit");
	q.org_unit = NULL;
	q.from_ms = 5;
	q.to_ms = 5;
	pcrm_assert_fails(pcrm_call_record_list_load(t->ctx, &monitor, &q, NULL, 0, &l), PCRM_EINVAL,
	                  "filter.to_ms");
	teardown(&f);
}

/* ---- tamper evidence (docs/security.md, "Coverage of business rows") ---- */

static void raw(pcrm_test_store *t, const char *sql)
{
	int64_t changed = 0;
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, &changed));
	cr_assert_gt(changed, 0, "the attack changed no row: %s", sql);
}

/* Three calls stored in two batches, each batch's entry listing its records' digests. */
static void stored_calls(struct fixture *f, pcrm_test_store *t)
{
	size_t flushed = 0;
	setup(f, t);
	three_calls(f);
	pcrm_assert_ok(pcrm_acd_cdr_flush(f->acd, &flushed));
	cr_assert_eq(flushed, 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'call_record.store' "
	                      "AND summary LIKE '%\"contact_covers\"%'"),
	             1, "the batch with the answered call lists its contact's digest");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));
}

static void assert_found(pcrm_test_store *t, const char *needle)
{
	int64_t bad = 0;
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &root_admin, NULL, &bad), PCRM_EINTEGRITY,
	                  needle);
	cr_assert_gt(bad, 0);
}

PCRM_BACKEND_TEST(call_record, edited_record_is_found)
{
	struct fixture f;
	stored_calls(&f, t);
	raw(t, "UPDATE call_record SET talk_ms = 1000 WHERE call_id = 'c-3'");
	assert_found(t, "call_record_row c-3/");
	teardown(&f);
}

/* The entry naming the batch covers its first call too, through the same list. */
PCRM_BACKEND_TEST(call_record, deleted_record_is_found)
{
	struct fixture f;
	stored_calls(&f, t);
	raw(t, "DELETE FROM call_record WHERE call_id = 'c-1'");
	assert_found(t, "call_record_row c-1/");
	teardown(&f);
}

PCRM_BACKEND_TEST(call_record, edited_contact_of_a_call_is_found)
{
	struct fixture f;
	stored_calls(&f, t);
	raw(t, "UPDATE contact SET business_code = 'complaint'");
	assert_found(t, "the after-image the call-record sink recorded");
	teardown(&f);
}

/* Erasing the caller rewrites the contact's sealed parts only, which no digest holds. */
PCRM_BACKEND_TEST(call_record, erasing_the_customer_leaves_the_batch_verifiable)
{
	struct fixture f;
	stored_calls(&f, t);
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, ZHANG, 1));
	pcrm_assert_ok(pcrm_customer_erase(t->ctx, &city_admin, ZHANG, 2));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact WHERE caller_number IS NULL"), 1,
	             "the erasure changed the contact");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, NULL, NULL));
	teardown(&f);
}
