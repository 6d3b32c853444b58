/*
 * The hash-chained audit log: every mutation recorded, any tampering found.
 * make_tree() writes three entries to the province's chain "37" (root_admin)
 * and two to the city's chain "3701" (city_admin).  Signed checkpoints,
 * after-image coverage and read scope: test_audit_tamper.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "progress_probe.h"
#include "core/ctx.h"
#include "store/store.h"

/* integrator entries need audit.write: the system role (docs/security.md) */
static const pcrm_actor integrator = { "crm-bridge", PCRM_ROLE_SYSTEM, 1, "3701" };

struct collected {
	int n;
	int64_t seq[64];
	char action[64][64];
	char hash[64][65];
	char prev[64][65];
	char summary[64][256];
	char chain[64][64];
	int64_t chain_seq[64];
};

static int collect(const pcrm_audit_entry *e, void *ud)
{
	struct collected *c = ud;
	if (c->n < 64) {
		c->seq[c->n] = e->seq;
		snprintf(c->action[c->n], 64, "%s", e->action);
		snprintf(c->hash[c->n], 65, "%s", e->hash);
		snprintf(c->prev[c->n], 65, "%s", e->prev_hash);
		snprintf(c->summary[c->n], 256, "%s", e->summary);
		snprintf(c->chain[c->n], 64, "%s", e->chain);
		c->chain_seq[c->n] = e->chain_seq;
	}
	c->n++;
	return 0;
}

/* Tampering goes around the library, straight to the table, as an attacker would. */
static void raw(pcrm_test_store *t, const char *sql)
{
	int rc = t->ctx->store->driver->exec_script(t->ctx->store, sql);
	cr_assert_eq(rc, PCRM_OK, "%s: %s", sql, pcrm_error_last());
}

static void assert_tampered(pcrm_test_store *t, int64_t expect_bad, const char *needle)
{
	int64_t bad = -1;
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &monitor, NULL, &bad), PCRM_EINTEGRITY, needle);
	cr_assert_eq(bad, expect_bad, "first bad entry %lld, expected %lld (%s)", (long long)bad,
	             (long long)expect_bad, pcrm_error_last());
}

PCRM_BACKEND_TEST(audit, every_mutation_is_chained)
{
	struct collected c = { 0 };
	int64_t checked = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 0, 0, collect, &c));
	cr_assert_eq(c.n, 5);
	for (int i = 0; i < c.n; i++) {
		cr_assert_eq(c.seq[i], i + 1);
		cr_assert_str_eq(c.action[i], "org_unit.create");
		/* one chain per city: the province's three entries, then the city's two */
		cr_assert_str_eq(c.chain[i], i < 3 ? "37" : "3701");
		cr_assert_eq(c.chain_seq[i], i < 3 ? i + 1 : i - 2);
		if (i > 0 && i != 3)
			cr_assert_str_eq(c.prev[i], c.hash[i - 1]);
	}
	cr_assert_str_eq(c.prev[0], "0000000000000000000000000000000000000000000000000000000000000000");
	cr_assert_str_eq(c.prev[3], "0000000000000000000000000000000000000000000000000000000000000000");
	cr_assert(strstr(c.summary[1], "\"code\":\"3701\"") != NULL, "%s", c.summary[1]);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 5);

	/* paging */
	memset(&c, 0, sizeof(c));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 2, 2, collect, &c));
	cr_assert_eq(c.n, 2);
	cr_assert_eq(c.seq[0], 3);
}

/* Verification reports the entries checked so far after each page, chain by chain, and can be stopped. */
PCRM_BACKEND_TEST(audit, verification_reports_progress_and_stops_when_asked)
{
	struct progress_probe p = { 0 };
	int64_t checked = -1, bad = -1;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_audit_verify_ext(t->ctx, &monitor, progress_probe_report, &p, &checked,
	                                     &bad));
	cr_assert_eq(checked, 5);
	cr_assert_eq(p.calls, 2, "one page per chain with entries: %d reports", p.calls);
	cr_assert_eq(p.seen[0], 3); /* the province's chain */
	cr_assert_eq(p.seen[1], 5); /* then the city's */

	memset(&p, 0, sizeof(p));
	p.stop_at = 1;
	pcrm_assert_fails(pcrm_audit_verify_ext(t->ctx, &monitor, progress_probe_report, &p,
	                                        &checked, &bad),
	                  PCRM_ESTATE, "audit verification stopped by the progress callback; "
	                               "entries checked so far: 3");
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(bad, 0, "a stop is not an integrity failure");
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

/* The first entry of the log (the province's own creation) starts a chain that verifies. */
PCRM_BACKEND_TEST(audit, first_entry_verifies)
{
	int64_t checked = -1;
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "37", NULL, "x", PCRM_ORG_PROVINCE));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 1);
}

PCRM_BACKEND_TEST(audit, rolled_back_changes_leave_no_entry)
{
	struct collected c = { 0 };
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "x", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 0, 0, collect, &c));
	cr_assert_eq(c.n, 5);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
	/* and the chain continues cleanly after the rollback */
	pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "x", PCRM_ORG_CITY));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

PCRM_BACKEND_TEST(audit, edited_entry_is_found)
{
	make_tree(t->ctx);
	raw(t, "UPDATE audit_log SET summary = '{\"code\":\"9999\"}' WHERE seq = 3");
	assert_tampered(t, 3, "entry 3");
}

PCRM_BACKEND_TEST(audit, edited_actor_is_found)
{
	make_tree(t->ctx);
	raw(t, "UPDATE audit_log SET operator_id = 'someone-else' WHERE seq = 2");
	assert_tampered(t, 2, "hash does not match");
}

PCRM_BACKEND_TEST(audit, deleted_entry_is_found)
{
	make_tree(t->ctx);
	raw(t, "DELETE FROM audit_log WHERE seq = 2");
	assert_tampered(t, 2, "entry 2 is missing");
}

PCRM_BACKEND_TEST(audit, deleted_newest_entry_is_found)
{
	make_tree(t->ctx);
	/* seq 5 is the city chain's second entry */
	raw(t, "DELETE FROM audit_log WHERE seq = 5");
	assert_tampered(t, 2, "audit chain 3701 ends at entry 1 but its head records entry 2");
}

PCRM_BACKEND_TEST(audit, reordered_entries_are_found)
{
	make_tree(t->ctx);
	/* swap entries 2 and 3 of the province's chain by renumbering them */
	raw(t, "UPDATE audit_log SET chain_seq = 100 WHERE chain = '37' AND chain_seq = 2");
	raw(t, "UPDATE audit_log SET chain_seq = 2 WHERE chain = '37' AND chain_seq = 3");
	raw(t, "UPDATE audit_log SET chain_seq = 3 WHERE chain = '37' AND chain_seq = 100");
	assert_tampered(t, 2, "audit chain 37: entry 2");
}

PCRM_BACKEND_TEST(audit, rehashed_forgery_breaks_the_link)
{
	/* An attacker who recomputes the edited entry's own hash still breaks its successor. */
	make_tree(t->ctx);
	raw(t, "UPDATE audit_log SET hash = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
	       "WHERE seq = 4");
	assert_tampered(t, 1, "audit chain 3701: entry 1");
}

PCRM_BACKEND_TEST(audit, integrator_entries_are_validated)
{
	struct collected c = { 0 };
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "call.answered", "call", "c-1",
	                                 "{\"caller\": \"13800000000\", \"b\": 1}"));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 5, 0, collect, &c));
	cr_assert_eq(c.n, 1);
	/* stored canonically: sorted keys, compact */
	cr_assert_str_eq(c.summary[0], "{\"b\":1,\"caller\":\"13800000000\"}");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c-1", "{bad"),
	                  PCRM_EINVAL, "summary");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c-1", "[1]"),
	                  PCRM_EINVAL, "JSON object");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "has space", "call", "c-1", NULL),
	                  PCRM_EINVAL, "action");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "", "c-1", NULL), PCRM_EINVAL,
	                  "object_type");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

/*
 * Text that would make a printed report read other than the log is refused,
 * in every part of an entry: a right-to-left override (U+202E) in an action
 * shows "pay.refund" as something else; zero-width and other invisible
 * characters hide what is there.  Summaries are limited to 4 KiB.
 */
PCRM_BACKEND_TEST(audit, spoofing_text_and_huge_summaries_are_refused)
{
	static const pcrm_actor rtl_operator = { "agent\xE2\x80\xAE-jn", PCRM_ROLE_AGENT, 1, "3701" };
	static const pcrm_actor blank_operator = { " \xE3\x80\x80 ", PCRM_ROLE_AGENT, 1, "3701" };
	static const pcrm_actor bad_utf8_operator = { "agent\xC0\xAF", PCRM_ROLE_AGENT, 1, "3701" };
	char *big = malloc(PCRM_AUDIT_SUMMARY_MAX + 16);
	int64_t before = -1, after = -1;
	size_t n;

	cr_assert_not_null(big);
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT count(*) FROM audit_log", NULL,
	                                     0, &before));
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "pay.\xE2\x80\xAE" "dnufer", "call",
	                                    "c-1", NULL),
	                  PCRM_EINVAL, "action: invisible formatting character U+202E at byte 5");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "ca\xE2\x80\x8Bll", "c-1", NULL),
	                  PCRM_EINVAL, "object_type: invisible formatting character U+200B");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c\xE2\x81\xA6-1", NULL),
	                  PCRM_EINVAL, "object_id: invisible formatting character U+2066");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c\x1b[2J", NULL),
	                  PCRM_EINVAL, "object_id: control character U+001B");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c-1",
	                                    "{\"note\": \"ok \\u202e\"}"),
	                  PCRM_EINVAL, "summary: invisible formatting character U+202E");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c-1",
	                                    "{\"a\": [{\"\\ufeffkey\": 1}]}"),
	                  PCRM_EINVAL, "summary: invisible formatting character U+FEFF");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &rtl_operator, "x", "call", "c-1", NULL),
	                  PCRM_EINVAL, "actor.operator_id: invisible formatting character U+202E");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &blank_operator, "x", "call", "c-1", NULL),
	                  PCRM_EINVAL, "actor.operator_id: is empty or only white space");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &bad_utf8_operator, "x", "call", "c-1", NULL),
	                  PCRM_EINVAL, "actor.operator_id: not valid UTF-8 at byte 6");

	/* exactly the limit is fine, one byte more is not */
	n = (size_t)snprintf(big, PCRM_AUDIT_SUMMARY_MAX + 16, "{\"note\":\"");
	memset(big + n, 'a', PCRM_AUDIT_SUMMARY_MAX - n - 2);
	memcpy(big + PCRM_AUDIT_SUMMARY_MAX - 2, "\"}", 3);
	cr_assert_eq(strlen(big), PCRM_AUDIT_SUMMARY_MAX);
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "note", "call", "c-1", big));
	memcpy(big + PCRM_AUDIT_SUMMARY_MAX - 2, "a\"}", 4);
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "note", "call", "c-1", big),
	                  PCRM_EINVAL, "summary: longer than 4096 bytes");
	free(big);
	/* the refusals wrote nothing; the one accepted entry is the only new one */
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT count(*) FROM audit_log", NULL,
	                                     0, &after));
	cr_assert_eq(after, before + 1);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

PCRM_BACKEND_TEST(audit, only_auditors_read_the_log)
{
	struct collected c = { 0 };
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_audit_list(t->ctx, &city_agent, 0, 0, collect, &c), PCRM_EPERM,
	                  "audit");
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &city_clerk, NULL, NULL), PCRM_EPERM, "audit");
	cr_assert_eq(c.n, 0);
	/* the refusals themselves were recorded */
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 5, 0, collect, &c));
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.action[0], "permission.denied");
}

struct appender {
	pcrm_test_store *t;
	int count;
	int failures;
};

static void *append_many(void *arg)
{
	struct appender *a = arg;
	pcrm_ctx *ctx = pcrm_test_open_again(a->t);
	for (int i = 0; i < a->count; i++) {
		int rc;
		do {
			rc = pcrm_audit_record(ctx, &integrator, "call.answered", "call", "c", NULL);
		} while (rc == PCRM_ERETRY);
		if (rc != PCRM_OK)
			a->failures++;
	}
	pcrm_ctx_close(ctx);
	return NULL;
}

/* Two connections appending at once still build one unbroken chain. */
static void concurrent_appends(pcrm_test_store *t)
{
	pthread_t th[2];
	struct appender a[2] = { { t, 40, 0 }, { t, 40, 0 } };
	int64_t checked = 0;
	make_tree(t->ctx);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, append_many, &a[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(a[0].failures + a[1].failures, 0);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 85);
}

Test(audit_pg, concurrent_appends_keep_one_chain, .timeout = 120)
{
	pcrm_test_run_pg(concurrent_appends);
}

Test(audit_sqlite_file, concurrent_appends_keep_one_chain, .timeout = 120)
{
	char dir[] = "/tmp/pcrm-audit-XXXXXX", uri[128], path[96];
	pcrm_test_store t;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/crm.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	memset(&t, 0, sizeof(t));
	t.uri = uri;
	t.now = 1795395600;
	t.ctx = pcrm_test_open_again(&t);
	concurrent_appends(&t);
	pcrm_ctx_close(t.ctx);
	{
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		cr_assert_eq(system(cmd), 0);
	}
}

/*
 * Entries whose fields hold non-ASCII text and a summary longer than the
 * hashing code's 2,048-byte stack buffer still verify: the hash covers the
 * UTF-8 bytes as stored and read back by either store.
 */
PCRM_BACKEND_TEST(audit, non_ascii_and_long_entries_verify)
{
	char summary[6000];
	size_t len = 0;
	int64_t checked = 0;
	make_tree(t->ctx);
	len += (size_t)snprintf(summary, sizeof(summary), "{\"note\":\"");
	/* just below PCRM_AUDIT_SUMMARY_MAX (4096): 21 bytes a round */
	while (len < 4000)
		len += (size_t)snprintf(summary + len, sizeof(summary) - len, "催办电费违约金");
	snprintf(summary + len, sizeof(summary) - len, "\"}");
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "投诉.受理", "工单", "编号-1",
	                                 "{\"客户\":\"张三\",\"kwh\":\"600\"}"));
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "note", "call", "c-2", summary));
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "note", "call", "", NULL));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 8);
}

/* A deleted head row stops every audited change (nothing is written without its entry). */
PCRM_BACKEND_TEST(audit, missing_head_refuses_changes)
{
	int64_t before = -1, after = -1;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT count(*) FROM audit_log", NULL,
	                                     0, &before));
	raw(t, "DELETE FROM audit_chain WHERE chain = '3701'");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &integrator, "call.answered", "call", "c-1",
	                                    NULL),
	                  PCRM_EINTEGRITY, "audit log head row of chain 3701 is missing");
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT count(*) FROM audit_log", NULL,
	                                     0, &after));
	cr_assert_eq(after, before);
}
