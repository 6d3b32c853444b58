/*
 * Tamper evidence beyond the chain (docs/security.md, "Tamper evidence"):
 * signed checkpoints find truncation and rehashed rewrites, after-image
 * digests find business rows changed outside the library, chains are
 * partitioned per city, and reading the log is scoped to the actor's
 * subtree.  Every attack goes straight to the tables, as someone with write
 * access to the database would, and recomputes whatever plain SHA-256 lets
 * them recompute.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../workflow/wf_fixtures.h"
#include "audit_rewind.h"
#include "audit/audit_internal.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor integrator = { "crm-bridge", PCRM_ROLE_SYSTEM, 1, "3701" };
static const pcrm_actor qd_integrator = { "crm-bridge-qd", PCRM_ROLE_SYSTEM, 1, "3702" };
static const pcrm_actor city_monitor = { "monitor-jn", PCRM_ROLE_MONITOR, 1, "3701" };
static const pcrm_actor qd_monitor = { "monitor-qd", PCRM_ROLE_MONITOR, 1, "3702" };
static const pcrm_actor county_monitor = { "monitor-lx", PCRM_ROLE_MONITOR, 1, "370102" };
static const pcrm_actor ghost_monitor = { "monitor-x", PCRM_ROLE_MONITOR, 1, "3799" };

struct keypair {
	char *private_pem, *public_pem;
};

static char *bio_text(BIO *bio)
{
	char *data, *copy;
	long n = BIO_get_mem_data(bio, &data);
	cr_assert_gt(n, 0);
	copy = malloc((size_t)n + 1);
	cr_assert_not_null(copy);
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	return copy;
}

static struct keypair make_keys(void)
{
	struct keypair k;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
	cr_assert(key && priv && pub);
	cr_assert_eq(PEM_write_bio_PrivateKey(priv, key, NULL, NULL, 0, NULL, NULL), 1);
	cr_assert_eq(PEM_write_bio_PUBKEY(pub, key), 1);
	k.private_pem = bio_text(priv);
	k.public_pem = bio_text(pub);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(key);
	return k;
}

static void free_keys(struct keypair *k)
{
	free(k->private_pem);
	free(k->public_pem);
}

static void raw(pcrm_test_store *t, const char *sql)
{
	int rc = t->ctx->store->driver->exec_script(t->ctx->store, sql);
	cr_assert_eq(rc, PCRM_OK, "%s: %s", sql, pcrm_error_last());
}

static int64_t number(pcrm_ctx *ctx, const char *sql)
{
	int64_t v = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &v));
	return v;
}

static void records(pcrm_ctx *ctx, const pcrm_actor *actor, const char *object_id, int n)
{
	for (int i = 0; i < n; i++)
		pcrm_assert_ok(pcrm_audit_record(ctx, actor, "call.answered", "call", object_id, NULL));
}

/* ---- what an attacker with write access to the database can recompute ---- */

struct stored_entry {
	pcrm_audit_entry e;
	char *fields[11];
};

static int keep_chain(const pcrm_audit_entry *e, void *ud)
{
	struct { const char *chain; struct stored_entry *out; int n; } *c = ud;
	struct stored_entry *s;
	if (strcmp(e->chain, c->chain) != 0)
		return 0;
	s = &c->out[c->n++];
	s->e = *e;
	s->fields[0] = strdup(e->operator_id);
	s->fields[1] = strdup(e->role);
	s->fields[2] = strdup(e->actor_org);
	s->fields[3] = strdup(e->action);
	s->fields[4] = strdup(e->object_type);
	s->fields[5] = strdup(e->object_id);
	s->fields[6] = strdup(e->summary);
	s->fields[7] = strdup(e->chain);
	s->fields[8] = strdup(e->covers);
	s->e.operator_id = s->fields[0];
	s->e.role = s->fields[1];
	s->e.actor_org = s->fields[2];
	s->e.action = s->fields[3];
	s->e.object_type = s->fields[4];
	s->e.object_id = s->fields[5];
	s->e.summary = s->fields[6];
	s->e.chain = s->fields[7];
	s->e.covers = s->fields[8];
	return 0;
}

/*
 * Rewrites entry `target` of `chain` with a new summary and recomputes its
 * hash and every later one, and the head: everything plain SHA-256 allows.
 */
static void rewrite_chain(pcrm_test_store *t, const char *chain, int64_t target,
                          const char *summary)
{
	struct stored_entry entries[64];
	struct { const char *chain; struct stored_entry *out; int n; } c = { chain, entries, 0 };
	char prev[PCRM_SHA256_HEX_LEN + 1], hash[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sha256 *h;

	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 0, 0, keep_chain, &c));
	pcrm_assert_ok(pcrm__sha256_new(&h));
	memset(prev, '0', PCRM_SHA256_HEX_LEN);
	prev[PCRM_SHA256_HEX_LEN] = '\0';
	for (int i = 0; i < c.n; i++) {
		pcrm_audit_entry *e = &entries[i].e;
		if (e->chain_seq == target)
			e->summary = summary;
		e->prev_hash = prev;
		pcrm_assert_ok(pcrm__audit_entry_hash(h, e, hash));
		if (e->chain_seq >= target) {
			pcrm_sql_value p[5] = { PCRM_SQL_S(e->summary), PCRM_SQL_S(prev),
				                PCRM_SQL_S(hash), PCRM_SQL_S(chain),
				                PCRM_SQL_I(e->chain_seq) };
			pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
			                                "UPDATE audit_log SET summary = $1, prev_hash = $2, "
			                                "hash = $3 WHERE chain = $4 AND chain_seq = $5",
			                                p, 5, NULL));
		}
		memcpy(prev, hash, sizeof(prev));
	}
	{
		pcrm_sql_value p[2] = { PCRM_SQL_S(prev), PCRM_SQL_S(chain) };
		pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
		                                "UPDATE audit_chain SET hash = $1 WHERE chain = $2", p, 2,
		                                NULL));
	}
	pcrm__sha256_free(h);
	for (int i = 0; i < c.n; i++)
		for (int f = 0; f < 9; f++)
			free(entries[i].fields[f]);
}

/* Deletes the newest entries of `chain` after `keep` and moves its head back to match. */
static void truncate_chain(pcrm_test_store *t, const char *chain, int64_t keep)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(chain), PCRM_SQL_I(keep) };
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "DELETE FROM audit_log WHERE chain = $1 AND chain_seq > $2",
	                                p, 2, NULL));
	pcrm_assert_ok(pcrm__store_exec(
	        t->ctx->store,
	        "UPDATE audit_chain SET seq = $2, hash = (SELECT hash FROM audit_log WHERE chain = $1 "
	        "AND chain_seq = $2) WHERE chain = $1",
	        p, 2, NULL));
}

static void assert_checkpoint_fails(pcrm_test_store *t, const char *cp, const char *public_pem,
                                    int64_t expect_bad, const char *needle)
{
	int64_t bad = -1;
	pcrm_assert_fails(pcrm_audit_verify_checkpoint(t->ctx, &monitor, cp, public_pem, NULL, &bad),
	                  PCRM_EINTEGRITY, needle);
	cr_assert_eq(bad, expect_bad, "first bad %lld, expected %lld: %s", (long long)bad,
	             (long long)expect_bad, pcrm_error_last());
}

/* (a) The newest entries deleted and the head moved back: invisible to the chain alone. */
PCRM_BACKEND_TEST(audit_tamper, truncation_before_a_checkpoint_is_found)
{
	struct keypair k = make_keys();
	char *cp = NULL;
	int64_t checked = 0;
	make_tree(t->ctx);
	records(t->ctx, &integrator, "c-1", 3); /* chain 3701: entries 1..5 */
	pcrm_assert_ok(pcrm_audit_checkpoint(t->ctx, &monitor, k.private_pem, &cp));
	cr_assert(strstr(cp, "chain 3701 5 ") != NULL, "%s", cp);
	pcrm_assert_ok(pcrm_audit_verify_checkpoint(t->ctx, &monitor, cp, k.public_pem, &checked,
	                                            NULL));
	cr_assert_eq(checked, 8);

	truncate_chain(t, "3701", 3);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL)); /* what (a) exploits */
	cr_assert_eq(checked, 6);
	assert_checkpoint_fails(t, cp, k.public_pem, 4,
	                        "audit chain 3701 ends at entry 3 but the checkpoint signed entry 5");
	/* a whole chain deleted, head and all */
	raw(t, "DELETE FROM audit_log WHERE chain = '3701'");
	raw(t, "DELETE FROM audit_chain WHERE chain = '3701'");
	assert_checkpoint_fails(t, cp, k.public_pem, 1, "audit chain 3701 ends at entry 0");
	pcrm_free(cp);
	free_keys(&k);
}

/* (b) An entry edited and every later hash recomputed: invisible to the chain alone. */
PCRM_BACKEND_TEST(audit_tamper, rewrite_before_a_checkpoint_is_found)
{
	struct keypair k = make_keys();
	char *cp = NULL;
	make_tree(t->ctx);
	records(t->ctx, &integrator, "c-1", 2);
	pcrm_assert_ok(pcrm_audit_checkpoint(t->ctx, &monitor, k.private_pem, &cp));
	rewrite_chain(t, "37", 2, "{\"code\":\"9999\"}");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL)); /* what (b) exploits */
	assert_checkpoint_fails(t, cp, k.public_pem, 3,
	                        "audit chain 37: entry 3 is not the one the checkpoint signed");
	pcrm_free(cp);
	free_keys(&k);
}

/* A checkpoint signed by another key, or altered after signing, proves nothing. */
PCRM_BACKEND_TEST(audit_tamper, wrong_key_and_altered_checkpoints_are_refused)
{
	struct keypair k = make_keys(), other = make_keys();
	char *cp = NULL, *forged, *digit;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_audit_checkpoint(t->ctx, &monitor, k.private_pem, &cp));
	assert_checkpoint_fails(t, cp, other.public_pem, 0, "signature does not verify");
	/* the attacker truncates and signs a matching checkpoint with a key of their own */
	truncate_chain(t, "3701", 1);
	pcrm_free(cp);
	cp = NULL;
	pcrm_assert_ok(pcrm_audit_checkpoint(t->ctx, &monitor, other.private_pem, &cp));
	assert_checkpoint_fails(t, cp, k.public_pem, 0, "signature does not verify");
	/* or edits the seq of a kept checkpoint down to the truncated head */
	forged = strdup(cp);
	digit = strstr(forged, "chain 37 3 ");
	cr_assert_not_null(digit);
	digit[9] = '2';
	assert_checkpoint_fails(t, forged, other.public_pem, 0, "signature does not verify");
	free(forged);
	/* keys of the wrong kind and text that is no checkpoint are input errors */
	{
		char *none = NULL;
		pcrm_assert_fails(pcrm_audit_checkpoint(t->ctx, &monitor, k.public_pem, &none),
		                  PCRM_EINVAL, "private_key_pem: not a PEM private key");
		cr_assert_null(none);
	}
	pcrm_assert_fails(pcrm_audit_verify_checkpoint(t->ctx, &monitor, "powercrm-audit-checkpoint-v1\nat x\n",
	                                               k.public_pem, NULL, NULL),
	                  PCRM_EINVAL, "checkpoint: line 2");
	pcrm_assert_fails(pcrm_audit_verify_checkpoint(t->ctx, &monitor, "hello", k.public_pem, NULL,
	                                               NULL),
	                  PCRM_EINVAL, "checkpoint: line 1");
	pcrm_free(cp);
	free_keys(&k);
	free_keys(&other);
}

/*
 * A checkpoint older than the newest entries still verifies; the newer
 * entries are checked by their chains (an edit there is found), and
 * truncation back past the checkpoint is found.
 */
PCRM_BACKEND_TEST(audit_tamper, checkpoint_older_than_the_newest_entries)
{
	struct keypair k = make_keys();
	char *cp = NULL;
	int64_t checked = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_audit_checkpoint(t->ctx, &monitor, k.private_pem, &cp));
	records(t->ctx, &integrator, "c-1", 4); /* chain 3701: 3..6, after the checkpoint */
	records(t->ctx, &qd_integrator, "c-2", 2); /* a chain the checkpoint does not know */
	pcrm_assert_ok(pcrm_audit_verify_checkpoint(t->ctx, &monitor, cp, k.public_pem, &checked,
	                                            NULL));
	cr_assert_eq(checked, 11);
	raw(t, "UPDATE audit_log SET summary = '{\"x\":1}' WHERE chain = '3701' AND chain_seq = 5");
	assert_checkpoint_fails(t, cp, k.public_pem, 5, "audit chain 3701: entry 5: hash does not match");
	truncate_chain(t, "3701", 1);
	assert_checkpoint_fails(t, cp, k.public_pem, 2, "the checkpoint signed entry 2");
	pcrm_free(cp);
	free_keys(&k);
}

/* Only what verifies is signed. */
PCRM_BACKEND_TEST(audit_tamper, a_broken_log_is_not_signed)
{
	struct keypair k = make_keys();
	char *cp = (char *)"untouched";
	make_tree(t->ctx);
	raw(t, "UPDATE audit_log SET operator_id = 'x' WHERE seq = 2");
	pcrm_assert_fails(pcrm_audit_checkpoint(t->ctx, &monitor, k.private_pem, &cp),
	                  PCRM_EINTEGRITY, "audit chain 37: entry 2");
	cr_assert_null(cp);
	free_keys(&k);
}

/* ---- (c) business rows changed outside the library ---- */

static const char *payment_doc(const char *key, const char *amount)
{
	static char buf[256];
	snprintf(buf, sizeof(buf),
	         "{\"kind\": \"payment\", \"idempotency_key\": \"%s\", \"amount\": \"%s\", "
	         "\"channel\": \"counter\"}",
	         key, amount);
	return buf;
}

static void add_home_with_payments(pcrm_test_store *t)
{
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", t->now);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment_doc("K1", "150.00"), NULL));
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment_doc("K2", "20.00"), NULL));
}

static void assert_row_tampered(pcrm_test_store *t, const char *needle)
{
	int64_t bad = 0;
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &monitor, NULL, &bad), PCRM_EINTEGRITY, needle);
	cr_assert_gt(bad, 0);
	/* the city's own auditor sees it too: the entries are in its chain */
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL), PCRM_EINTEGRITY,
	                  needle);
}

PCRM_BACKEND_TEST(audit_tamper, untouched_rows_verify)
{
	struct { const char *chain; struct stored_entry *out; int n; } unused = { 0 };
	int64_t covered;
	(void)unused;
	add_home_with_payments(t);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
	covered = number(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE covers <> '' AND "
	                         "object_type IN ('customer', 'account')");
	cr_assert_geq(covered, 3, "customer.create and two ledger.post entries cover rows");
}

PCRM_BACKEND_TEST(audit_tamper, edited_ledger_amount_is_found)
{
	add_home_with_payments(t);
	raw(t, "UPDATE ledger_entry SET amount = '1500.00' WHERE account_no = 'A1' AND seq = 1");
	assert_row_tampered(t, "account A1 no longer matches the after-image");
}

PCRM_BACKEND_TEST(audit_tamper, deleted_ledger_entry_is_found)
{
	add_home_with_payments(t);
	raw(t, "DELETE FROM ledger_entry WHERE account_no = 'A1' AND seq = 2");
	assert_row_tampered(t, "account A1 no longer matches");
}

PCRM_BACKEND_TEST(audit_tamper, edited_customer_is_found)
{
	add_home_with_payments(t);
	raw(t, "UPDATE customer SET vip_level = 3 WHERE customer_no = 'C1'");
	assert_row_tampered(t, "customer C1 no longer matches");
}

PCRM_BACKEND_TEST(audit_tamper, edited_work_order_result_is_found)
{
	pcrm_workorder *wo;
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[96];
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
	raw(t, "UPDATE work_order_history SET delta = replace(delta, 'called', 'satisfied') "
	       "WHERE seq = 2");
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	assert_row_tampered(t, needle);
}

/* ---- partitioned chains ---- */

PCRM_BACKEND_TEST(audit_tamper, cities_have_chains_of_their_own)
{
	int64_t checked = 0, bad = 0;
	make_tree(t->ctx);
	records(t->ctx, &integrator, "c-1", 2);
	records(t->ctx, &qd_integrator, "c-2", 3);
	records(t->ctx, &integrator, "c-3", 1);
	cr_assert_eq(number(t->ctx, "SELECT seq FROM audit_chain WHERE chain = '3701'"), 5);
	cr_assert_eq(number(t->ctx, "SELECT seq FROM audit_chain WHERE chain = '3702'"), 3);
	cr_assert_eq(number(t->ctx, "SELECT seq FROM audit_chain WHERE chain = '37'"), 3);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 11);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &city_monitor, &checked, NULL));
	cr_assert_eq(checked, 5, "a city's auditor verifies its own chain");
	{
		/* a city that has written nothing has no chain yet, and nothing to find */
		static const pcrm_actor yt_monitor = { "monitor-yt", PCRM_ROLE_MONITOR, 1, "3706" };
		pcrm_assert_ok(pcrm_org_unit_create(t->ctx, &root_admin, "3706", "37", "烟台",
		                                    PCRM_ORG_CITY));
		pcrm_assert_ok(pcrm_audit_verify(t->ctx, &yt_monitor, &checked, NULL));
		cr_assert_eq(checked, 0);
	}

	/* tampering in Qingdao's chain: found by its auditor and the province's, not Jinan's */
	raw(t, "DELETE FROM audit_log WHERE chain = '3702' AND chain_seq = 2");
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &monitor, NULL, &bad), PCRM_EINTEGRITY,
	                  "audit chain 3702: entry 2 is missing");
	cr_assert_eq(bad, 2);
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &qd_monitor, NULL, NULL), PCRM_EINTEGRITY,
	                  "audit chain 3702");
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL));
}

struct appender {
	pcrm_test_store *t;
	const pcrm_actor *actor;
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
			rc = pcrm_audit_record(ctx, a->actor, "call.answered", "call", "c", NULL);
		} while (rc == PCRM_ERETRY);
		if (rc != PCRM_OK)
			a->failures++;
	}
	pcrm_ctx_close(ctx);
	return NULL;
}

/* Two cities appending at once: two unbroken chains, each numbered without gaps. */
PCRM_BACKEND_TEST(audit_tamper, concurrent_cities_keep_their_chains)
{
	pthread_t th[4];
	struct appender a[4] = { { t, &integrator, 30, 0 }, { t, &qd_integrator, 30, 0 },
		                 { t, &integrator, 30, 0 }, { t, &qd_integrator, 30, 0 } };
	int64_t checked = 0;
	int threads = t->ctx->store->driver->kind == PCRM_STORE_POSTGRES ? 4 : 0;
	/* an in-memory SQLite store is one connection's: appenders share it in turn */
	make_tree(t->ctx);
	for (int i = 0; i < threads; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, append_many, &a[i]), 0);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	if (!threads) {
		records(t->ctx, &integrator, "c", 60);
		records(t->ctx, &qd_integrator, "c", 60);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_eq(a[i].failures, 0);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 125);
	cr_assert_eq(number(t->ctx, "SELECT seq FROM audit_chain WHERE chain = '3701'"), 62);
	cr_assert_eq(number(t->ctx, "SELECT seq FROM audit_chain WHERE chain = '3702'"), 60);
}

/* ---- scope ---- */

static int count_entry(const pcrm_audit_entry *e, void *ud)
{
	int *n = ud;
	(void)e;
	(*n)++;
	return 0;
}

static int count_outside(const pcrm_audit_entry *e, void *ud)
{
	int *n = ud;
	if (strncmp(e->actor_org, "370102", 6) != 0)
		(*n)++;
	return 0;
}

PCRM_BACKEND_TEST(audit_tamper, readers_see_their_subtree_only)
{
	static const pcrm_actor county_agent_lx = { "agent-lx", PCRM_ROLE_AGENT, 1, "370102" };
	int all = 0, jn = 0, qd = 0, lx = 0, outside = 0;
	make_tree(t->ctx);
	records(t->ctx, &integrator, "c-1", 2);
	records(t->ctx, &qd_integrator, "c-2", 3);
	/* a county agent's refusal, recorded under its county */
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &county_agent_lx, "x", "call", "c", NULL),
	                  PCRM_EPERM, "audit.write");
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 0, 0, count_entry, &all));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &city_monitor, 0, 0, count_entry, &jn));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &qd_monitor, 0, 0, count_entry, &qd));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &county_monitor, 0, 0, count_entry, &lx));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &county_monitor, 0, 0, count_outside, &outside));
	cr_assert_eq(all, 11, "the province's auditor sees everything");
	cr_assert_eq(jn, 5, "Jinan: city_admin's two org entries, two records, the county refusal");
	cr_assert_eq(qd, 3, "Qingdao: its three records only");
	cr_assert_eq(lx, 1, "the county: its own refusal only");
	cr_assert_eq(outside, 0);
}

PCRM_BACKEND_TEST(audit_tamper, unknown_units_and_small_units_are_refused)
{
	int n = 0;
	int64_t before, after;
	make_tree(t->ctx);
	before = number(t->ctx, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_fails(pcrm_audit_list(t->ctx, &ghost_monitor, 0, 0, count_entry, &n), PCRM_EPERM,
	                  "actor.org_unit: \"3799\" does not exist");
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &ghost_monitor, NULL, NULL), PCRM_EPERM,
	                  "does not exist");
	pcrm_assert_fails(pcrm_audit_checkpoint(t->ctx, &ghost_monitor, "x", (char *[]){ NULL }),
	                  PCRM_EPERM, "does not exist");
	/* verification reads whole chains: a county's auditor would read the whole city's */
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &county_monitor, NULL, NULL), PCRM_EPERM,
	                  "city- and province-level auditors");
	/* checkpoints cover every chain: the province's auditor only */
	pcrm_assert_fails(pcrm_audit_checkpoint(t->ctx, &city_monitor, "x", (char *[]){ NULL }),
	                  PCRM_EPERM, "province-level auditor");
	cr_assert_eq(n, 0);
	/* every refusal was recorded, the unknown unit's in a chain of its own */
	after = number(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'");
	cr_assert_eq(after, 5);
	cr_assert_eq(number(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE chain = '(none)'"), 3);
	cr_assert_eq(number(t->ctx, "SELECT COUNT(*) FROM audit_log"), before + 5);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

PCRM_BACKEND_TEST(audit_tamper, integrator_entries_need_audit_write)
{
	static const pcrm_actor ghost_system = { "bridge-x", PCRM_ROLE_SYSTEM, 1, "3799" };
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &city_agent, "x", "call", "c", NULL), PCRM_EPERM,
	                  "may not audit.write");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &monitor, "x", "call", "c", NULL), PCRM_EPERM,
	                  "may not audit.write");
	pcrm_assert_fails(pcrm_audit_record(t->ctx, &ghost_system, "x", "call", "c", NULL),
	                  PCRM_EPERM, "does not exist");
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &integrator, "x", "call", "c", NULL));
	pcrm_assert_ok(pcrm_audit_record(t->ctx, &city_admin, "x", "call", "c", NULL));
	cr_assert_eq(number(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'x'"), 2);
}

/* ---- schema 21: a log from before keeps verifying ---- */

PCRM_BACKEND_TEST(audit_tamper, a_log_from_before_schema_22_keeps_verifying)
{
	struct keypair k = make_keys();
	char *cp = NULL;
	int64_t checked = 0, bad = 0;
	pcrm_ctx *again = t->ctx;
	int v = 0;

	make_tree(t->ctx);
	pcrm_test_audit_before_22(t->ctx); /* make_tree's five entries, as v1 */
	/* what opening the store does; an in-memory SQLite store cannot be opened again */
	pcrm_assert_ok(pcrm__store_migrate(t->ctx->store, t->now));
	pcrm_assert_ok(pcrm_ctx_schema_version(again, &v));
	cr_assert_eq(v, pcrm_schema_version_latest());
	pcrm_assert_ok(pcrm_audit_verify(again, &monitor, &checked, NULL));
	cr_assert_eq(checked, 5);
	/* work goes on in the city chains; the legacy chain is signed with them */
	records(again, &integrator, "c-1", 2);
	pcrm_assert_ok(pcrm_audit_checkpoint(again, &monitor, k.private_pem, &cp));
	cr_assert(strstr(cp, "chain (legacy) 5 ") != NULL, "%s", cp);
	pcrm_assert_ok(pcrm_audit_verify_checkpoint(again, &monitor, cp, k.public_pem, &checked,
	                                            NULL));
	cr_assert_eq(checked, 7);
	/* and tampering with an old entry is still found */
	pcrm_assert_ok(again->store->driver->exec_script(
	        again->store, "UPDATE audit_log SET operator_id = 'x' WHERE chain = '(legacy)' AND "
	                      "chain_seq = 2"));
	pcrm_assert_fails(pcrm_audit_verify(again, &monitor, NULL, &bad), PCRM_EINTEGRITY,
	                  "audit chain (legacy): entry 2: hash does not match");
	cr_assert_eq(bad, 2);
	pcrm_free(cp);
	free_keys(&k);
}
