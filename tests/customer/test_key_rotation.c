/*
 * Data key versions and rotation (issue 18, docs/security.md "Key versions
 * and rotation"), on an SQLite file and on PostgreSQL:
 *
 * - a context opened with a new version through the key provider seals new
 *   customers under it at once, and reads every customer during the
 *   rotation, whichever version wraps its data key;
 * - pcrm_customer_key_rotate() moves the rest in batches, reporting what is
 *   left; a batch rolled back (the caller's transaction) or a rotating
 *   process killed with SIGKILL loses nothing, and the rotation goes on from
 *   the rows as they are;
 * - the old version cannot be retired while customers use it, can be once
 *   none does, is then never asked for and is refused as the current one;
 *   the audit log still verifies;
 * - a wrong key of any version still in use, a missing old version and an
 *   older version as the current one are refused at open.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

#define CUSTOMERS 23

static const unsigned char key2[PCRM_DATA_KEY_LEN] = "the second key, after rotation!";
static const unsigned char wrong[PCRM_DATA_KEY_LEN] = "not any key this store has seen";

/* A key store as an HSM would be: which versions it holds, and which it was asked for. */
struct keyring {
	const unsigned char *v1, *v2;
	int asked[4];
};

static int keyring_get(void *data, unsigned int version, unsigned char key[PCRM_DATA_KEY_LEN])
{
	struct keyring *k = data;
	const unsigned char *found = version == 1 ? k->v1 : version == 2 ? k->v2 : NULL;
	if (version < 4)
		k->asked[version]++;
	if (!found)
		return PCRM_ENOTFOUND;
	memcpy(key, found, PCRM_DATA_KEY_LEN);
	return PCRM_OK;
}

/* Opens with the provider only (no raw key), current version `version`; returns the status. */
static int open_ring(pcrm_test_store *t, struct keyring *ring, unsigned int version,
                     pcrm_ctx **out)
{
	pcrm_ctx_options opts;
	pcrm_test_options(t, &opts);
	opts.data_key = NULL;
	opts.data_key_len = 0;
	opts.key_version = version;
	opts.key_provider = keyring_get;
	opts.key_provider_data = ring;
	*out = NULL;
	return pcrm_ctx_open(out, t->uri, &opts);
}

static void customer_no(int i, char out[16])
{
	snprintf(out, 16, "37010%05u", (unsigned)i % 100000u);
}

static void add_customer(pcrm_ctx *ctx, int i)
{
	char doc[512], no[16];
	customer_no(i, no);
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"轮换%d\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	         " \"org_unit\": \"370102\", \"phones\": {\"mobile\": \"139%08d\"},"
	         " \"id_number\": \"11010519491231002X\"}",
	         no, i, i);
	pcrm_assert_ok(pcrm_customer_create(ctx, &city_clerk, doc, NULL));
}

/* Every customer 1..n reads back whole: name, phone (screen pop), ID number. */
static void assert_all_readable(pcrm_ctx *ctx, int n)
{
	for (int i = 1; i <= n; i++) {
		char no[16], name[32], phone[16];
		pcrm_customer_list *l;
		pcrm_customer *c;
		customer_no(i, no);
		snprintf(name, sizeof(name), "轮换%d", i);
		snprintf(phone, sizeof(phone), "139%08d", i);
		pcrm_assert_ok(pcrm_customer_get(ctx, &city_admin, no, PCRM_CUSTOMER_REVEAL_ID, &c));
		cr_assert_str_eq(pcrm_customer_name(c), name);
		cr_assert(strstr(pcrm_customer_json(c), "11010519491231002X"), "%s: ID lost", no);
		pcrm_customer_free(c);
		pcrm_assert_ok(pcrm_customer_find_by_phone(ctx, &city_agent, phone, &l));
		cr_assert_eq(pcrm_customer_list_count(l), 1, "%s does not pop", phone);
		cr_assert_str_eq(pcrm_customer_no(pcrm_customer_list_at(l, 0)), no);
		pcrm_customer_list_free(l);
	}
}

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

static int64_t under_version(pcrm_ctx *ctx, int version)
{
	char sql[128];
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM customer WHERE pii_key IS NOT NULL AND key_version = %d",
	         version);
	return count(ctx, sql);
}

/*
 * A separate process rotates two batches of one customer, then writes a
 * batch of five inside a transaction of its own and is killed (SIGKILL)
 * before it commits: the store must keep the two, lose the five, and read.
 */
static void rotate_and_get_killed(pcrm_test_store *t, struct keyring *ring)
{
	int status = 0;
	pid_t pid;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		pcrm_ctx *ctx;
		int64_t left = 0;
		if (open_ring(t, ring, 2, &ctx) != PCRM_OK)
			_exit(2);
		for (int i = 0; i < 2; i++)
			if (pcrm_customer_key_rotate(ctx, &root_admin, 1, &left) != PCRM_OK)
				_exit(3);
		if (pcrm_ctx_begin(ctx) != PCRM_OK ||
		    pcrm_customer_key_rotate(ctx, &root_admin, 5, &left) != PCRM_OK)
			_exit(4);
		raise(SIGKILL);
		_exit(5);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
}

static void rotation_body(pcrm_test_store *t)
{
	struct keyring ring = { pcrm_test_data_key, key2, { 0 } };
	struct keyring only_new = { NULL, key2, { 0 } };
	struct keyring wrong_old = { wrong, key2, { 0 } };
	struct keyring wrong_new = { pcrm_test_data_key, wrong, { 0 } };
	pcrm_ctx *ctx, *other;
	pcrm_customer *c;
	pcrm_ctx_options opts;
	int64_t left = -1, checked = 0, bad = -1;
	int n = CUSTOMERS, rounds = 0;
	char no[16];

	/* version 1: the test key, given raw */
	make_tree(t->ctx);
	for (int i = 1; i <= n; i++)
		add_customer(t->ctx, i);
	cr_assert_eq(pcrm_ctx_key_version(t->ctx), 1);
	cr_assert_eq(under_version(t->ctx, 1), n);

	/* version 2 arrives through the provider; version 1 is needed while customers use it */
	pcrm_assert_fails(open_ring(t, &only_new, 2, &ctx), PCRM_EPERM, "version 1");
	cr_assert_null(ctx);
	pcrm_assert_fails(open_ring(t, &wrong_old, 2, &ctx), PCRM_EPERM, "version 1");
	cr_assert_null(ctx);
	pcrm_assert_ok(open_ring(t, &ring, 2, &ctx));
	cr_assert_eq(pcrm_ctx_key_version(ctx), 2);
	cr_assert_eq(ring.asked[1], 1, "version 1 was not checked at open");
	cr_assert_eq(ring.asked[2], 1);
	/* a wrong version 2 is refused now that the store knows it */
	pcrm_assert_fails(open_ring(t, &wrong_new, 2, &other), PCRM_EPERM, "version 2");
	/* and version 1 can no longer be the current one */
	pcrm_test_options(t, &opts);
	pcrm_assert_fails(pcrm_ctx_open(&other, t->uri, &opts), PCRM_EPERM, "older");

	/* new customers are sealed under version 2 at once; everything reads */
	add_customer(ctx, ++n);
	cr_assert_eq(under_version(ctx, 2), 1);
	assert_all_readable(ctx, n);

	/* a batch rolled back with the caller's transaction moves nothing */
	pcrm_assert_ok(pcrm_ctx_begin(ctx));
	pcrm_assert_ok(pcrm_customer_key_rotate(ctx, &root_admin, 5, &left));
	cr_assert_eq(left, CUSTOMERS - 5);
	pcrm_assert_ok(pcrm_ctx_rollback(ctx));
	cr_assert_eq(under_version(ctx, 1), CUSTOMERS);

	/* one committed batch: five moved, the rest still readable under version 1 */
	pcrm_assert_ok(pcrm_customer_key_rotate(ctx, &root_admin, 5, &left));
	cr_assert_eq(left, CUSTOMERS - 5);
	cr_assert_eq(under_version(ctx, 1), CUSTOMERS - 5);
	cr_assert_eq(under_version(ctx, 2), 6);
	assert_all_readable(ctx, n);

	/* the context still open with version 1 reads its own, and says why not the moved ones */
	customer_no(1, no);
	pcrm_assert_fails(pcrm_customer_get(t->ctx, &city_admin, no, 0, &c), PCRM_EPERM,
	                  "version 2");
	customer_no(CUSTOMERS, no);
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_admin, no, 0, &c));
	pcrm_customer_free(c);

	/* retirement: not while customers use the version, not the current one, not by a city */
	pcrm_assert_fails(pcrm_customer_key_retire(ctx, &root_admin, 1), PCRM_ESTATE, "still");
	pcrm_assert_fails(pcrm_customer_key_retire(ctx, &root_admin, 2), PCRM_ESTATE, "current");
	pcrm_assert_fails(pcrm_customer_key_retire(ctx, &city_admin, 1), PCRM_EPERM, "top");
	pcrm_assert_fails(pcrm_customer_key_retire(ctx, &root_admin, 3), PCRM_ENOTFOUND, "never");
	pcrm_ctx_close(ctx);

	/* a rotating process killed in the middle: nothing lost, the rotation goes on */
	rotate_and_get_killed(t, &ring);
	pcrm_assert_ok(open_ring(t, &ring, 2, &ctx));
	cr_assert_eq(under_version(ctx, 1), CUSTOMERS - 5 - 2);
	assert_all_readable(ctx, n);
	do {
		pcrm_assert_ok(pcrm_customer_key_rotate(ctx, &root_admin, 4, &left));
		cr_assert_eq(left, under_version(ctx, 1));
		cr_assert_lt(++rounds, 10, "the rotation does not end");
	} while (left > 0);
	cr_assert_eq(under_version(ctx, 2), n);
	assert_all_readable(ctx, n);
	/* only the wrapped keys changed: the after-images still match */
	pcrm_assert_ok(pcrm_audit_verify(ctx, &root_admin, &checked, &bad));
	cr_assert_gt(checked, 0);
	cr_assert_eq(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                        "'customer.key_rotate'") > 0, 1);

	/* retired: never asked for again, refused as the current one */
	pcrm_assert_ok(pcrm_customer_key_retire(ctx, &root_admin, 1));
	pcrm_assert_fails(pcrm_customer_key_retire(ctx, &root_admin, 1), PCRM_ESTATE, "already");
	pcrm_ctx_close(ctx);
	pcrm_ctx_close(t->ctx);
	t->ctx = NULL;
	only_new.asked[1] = 0; /* it was asked, and refused the open, before the rotation */
	pcrm_assert_ok(open_ring(t, &only_new, 2, &ctx));
	cr_assert_eq(only_new.asked[1], 0, "a retired version was asked for");
	assert_all_readable(ctx, n);
	pcrm_assert_ok(pcrm_audit_verify(ctx, &root_admin, &checked, &bad));
	pcrm_ctx_close(ctx);
	pcrm_assert_fails(open_ring(t, &ring, 1, &other), PCRM_EPERM, "retired");
	pcrm_test_options(t, &opts);
	pcrm_assert_fails(pcrm_ctx_open(&other, t->uri, &opts), PCRM_EPERM, "retired");
	pcrm_assert_fails(open_ring(t, &wrong_new, 2, &other), PCRM_EPERM, "version 2");
	/* a raw key of the current version works as before */
	pcrm_test_options(t, &opts);
	opts.data_key = key2;
	opts.key_version = 2;
	pcrm_assert_ok(pcrm_ctx_open(&t->ctx, t->uri, &opts));
	assert_all_readable(t->ctx, n);
}

/* Like the backend runner, on a file so that the store outlives its contexts. */
static void run_sqlite_file(pcrm_test_body body)
{
	char dir[] = "/tmp/pcrm-keys-XXXXXX", uri[128], cmd[160];
	pcrm_test_store t;
	pcrm_ctx_options opts;
	cr_assert(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	memset(&t, 0, sizeof(t));
	t.uri = uri;
	t.now = 1795395600;
	pcrm_test_options(&t, &opts);
	pcrm_assert_ok(pcrm_ctx_open(&t.ctx, uri, &opts));
	body(&t);
	pcrm_ctx_close(t.ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(keys_sqlite, rotate_read_kill_resume_retire, .timeout = 240)
{
	run_sqlite_file(rotation_body);
}

Test(keys_pg, rotate_read_kill_resume_retire, .timeout = 240)
{
	pcrm_test_run_pg(rotation_body);
}

/*
 * A store from before schema 24 had no secret of its own: its identifier and
 * lookup keys were derived from version 1.  Deleting the secret's row gives
 * that state back; the next keyed open must find the same keys (the ID
 * number opens, the phone pops) and write the row again.
 */
static void legacy_body(pcrm_test_store *t)
{
	make_tree(t->ctx);
	for (int i = 1; i <= 3; i++)
		add_customer(t->ctx, i);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DELETE FROM pii_store_key", NULL, 0, NULL));
	pcrm_ctx_close(t->ctx);
	t->ctx = pcrm_test_open_again(t);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM pii_store_key WHERE version = 1"), 1);
	assert_all_readable(t->ctx, 3);
}

Test(keys_sqlite, a_store_from_before_schema_24_keeps_its_keys, .timeout = 120)
{
	run_sqlite_file(legacy_body);
}

Test(keys_pg, a_store_from_before_schema_24_keeps_its_keys, .timeout = 120)
{
	pcrm_test_run_pg(legacy_body);
}

Test(keys, options_version_1_and_key_version_range)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;

	/* a version-1 structure ends before key_version: whatever follows is not read */
	pcrm_assert_ok(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	opts.version = 1;
	opts.key_version = 0;
	opts.data_key = pcrm_test_data_key;
	opts.data_key_len = PCRM_DATA_KEY_LEN;
	pcrm_assert_ok(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts));
	cr_assert_eq(pcrm_ctx_key_version(ctx), 1);
	pcrm_ctx_close(ctx);

	pcrm_assert_ok(pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION));
	cr_assert_eq(opts.key_version, 1);
	opts.key_version = 0;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts), PCRM_EINVAL,
	                  "options.key_version");
	opts.key_version = PCRM_KEY_VERSION_MAX + 1;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts), PCRM_EINVAL,
	                  "options.key_version");
	/* without a key the context has no version */
	opts.key_version = 3;
	pcrm_assert_ok(pcrm_ctx_open(&ctx, "sqlite::memory:", &opts));
	cr_assert_eq(pcrm_ctx_key_version(ctx), 0);
	pcrm_ctx_close(ctx);
}
