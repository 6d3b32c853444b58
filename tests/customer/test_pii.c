/*
 * Personal data sealed at rest (issue 18, docs/security.md "Personal data"):
 *
 * - a dump of the whole store (sqlite3 .dump of an SQLite file, pg_dump of
 *   the throwaway PostgreSQL database) after customers were created,
 *   updated, found, revealed and contacted holds none of their personal
 *   values: names, phones (as written and normalised), e-mails, addresses,
 *   ID numbers, contact summaries, the bank account number of a
 *   bank-collection account (schema 28); neither in the tables nor in the
 *   audit log;
 * - the screen pop and the exact name search still find them (blind indexes);
 * - a store refuses to open with another data key;
 * - erasure destroys the customer's key: its data, contact history and bank
 *   account numbers are unreadable while the ledger and the audit chain
 *   still verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "customer/pii.h"
#include "store/store.h"
#include "../workflow/wf_fixtures.h"

static const char *const zhang =
	"{\"customer_no\": \"3701000001\", \"kind\": \"person\", \"name\": \"张三丰\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"37010201\","
	" \"transformer_area\": \"TA-0042\","
	" \"phones\": {\"mobile\": \"+86 138 1234 5678\", \"landline\": \"0531-86001234\"},"
	" \"email\": \"zhangsf@example.cn\","
	" \"addresses\": [{\"kind\": \"supply\", \"text\": \"历下区泉城路188号\", \"postcode\": \"250011\"}],"
	" \"id_number\": \"11010519491231002X\"}";

static const char *const steelworks =
	"{\"customer_no\": \"3701900001\", \"kind\": \"organisation\", \"name\": \"济南钢铁集团\","
	" \"usage_class\": \"large_industry\", \"voltage_level\": \"110kV\", \"org_unit\": \"370102\","
	" \"vip_level\": 3, \"phones\": {\"landline\": \"(0531) 8211-7777\"},"
	" \"email\": \"energy@jigang.example.cn\", \"id_number\": \"91370100163000000X\"}";

/* Every personal value of the fixtures, in the forms they were written and stored in. */
static const char *const personal[] = {
	"张三丰", "济南钢铁集团", "+86 138 1234 5678", "13812345678", "0531-86001234",
	"053186001234", "(0531) 8211-7777", "053182117777", "zhangsf@example.cn",
	"energy@jigang.example.cn", "历下区泉城路188号", "11010519491231002X", "91370100163000000X",
	/* the update and the contact history */
	"13987654321", "sanfeng.zhang@example.cn", "章丘区明水路9号", "15905310000",
	"张三丰反映泉城路188号停电", "\"250011\"",
	/* a complaint ticket's caller number (schema 24) */
	"0531-66668888", "053166668888",
	/* a bank-collection account's bank account number (schema 28) */
	"6222021234567890123", NULL
};

/* A complaint by telephone about Zhang's supply, from a number the archive does not know. */
static void file_complaint(pcrm_test_store *t)
{
	char *def = read_source("data/workflows/complaint.json");
	char *cal = read_source("data/calendars/cn-2026.json");
	pcrm_complaint *c;
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, NULL));
	free(def);
	free(cal);
	pcrm_assert_ok(pcrm_complaint_config_set(
		t->ctx, &root_admin,
		"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
		" \"subcategories\": {\"service\": [\"attitude\"], \"business\": [\"billing\"],"
		" \"outage\": [\"planned\"], \"supply_quality\": [\"voltage\"],"
		" \"grid_construction\": [\"line_route\"]}, \"rules\": []}"));
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	                                   "{\"channel\": \"phone\", \"category\": \"service\","
	                                   " \"subcategory\": \"attitude\", \"nature\": "
	                                   "\"complaint\", \"description\": \"态度差\","
	                                   " \"customer_no\": \"3701000001\","
	                                   " \"caller_number\": \"0531-66668888\"}",
	                                   &c));
	cr_assert(strstr(pcrm_complaint_json(c), "053166668888"), "%s", pcrm_complaint_json(c));
	pcrm_complaint_free(c);
}

static void fill(pcrm_test_store *t)
{
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_customer_list *l;
	pcrm_customer *c;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, steelworks, NULL));
	pcrm_assert_ok(pcrm_customer_update(
		t->ctx, &city_clerk, "3701000001",
		"{\"phones\": {\"mobile\": \"13987654321\"}, \"email\": \"sanfeng.zhang@example.cn\","
		" \"addresses\": [{\"kind\": \"mailing\", \"text\": \"章丘区明水路9号\"}]}",
		1, NULL));
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, "3701000001",
	                                   "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                   " \"caller_number\": \"15905310000\","
	                                   " \"summary\": \"张三丰反映泉城路188号停电\"}",
	                                   NULL));

	/* blind indexes: the screen pop by the new number, the whole name */
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "139-8765-4321", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	cr_assert_str_eq(pcrm_customer_name(pcrm_customer_list_at(l, 0)), "张三丰");
	cr_assert(strstr(pcrm_customer_json(pcrm_customer_list_at(l, 0)), "章丘区明水路9号"));
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "13812345678", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 0, "the replaced number still pops");
	pcrm_customer_list_free(l);
	q.name = "济南钢铁集团";
	pcrm_assert_ok(pcrm_customer_search(t->ctx, &city_agent, &q, &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	cr_assert_str_eq(pcrm_customer_no(pcrm_customer_list_at(l, 0)), "3701900001");
	pcrm_customer_list_free(l);
	/* a reveal is audited: that entry must not hold the number either */
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_admin, "3701000001", PCRM_CUSTOMER_REVEAL_ID,
	                                 &c));
	cr_assert(strstr(pcrm_customer_json(c), "11010519491231002X"));
	pcrm_customer_free(c);
	/* bank collection: the number sealed, opened for the bank (audited too) */
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "3701000001",
	                                   "{\"account_no\": \"A9\", \"name\": \"代扣户\","
	                                   " \"payment_method\": \"bank_collection\", \"bank\": \"工商银行\","
	                                   " \"bank_account\": \"6222021234567890123\"}",
	                                   NULL));
	{
		char *number = NULL;
		pcrm_assert_ok(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A9", &number));
		cr_assert_str_eq(number, "6222021234567890123");
		pcrm_free(number);
	}
}

static char *read_all(FILE *f)
{
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap);
	cr_assert(buf);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

static char *run_dump(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out;
	cr_assert(p, "cannot run %s", cmd);
	out = read_all(p);
	cr_assert_eq(pclose(p), 0, "%s failed", cmd);
	return out;
}

/* The value as it is, and as JSON with \u escapes (the form a JSON column could hold). */
static void assert_absent(const char *dump, const char *value)
{
	json_t *s = json_string(value);
	char *escaped = json_dumps(s, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	cr_assert(strstr(dump, value) == NULL, "the dump holds the personal value %s", value);
	/* strip the quotes json_dumps added: the value may sit inside a longer string */
	escaped[strlen(escaped) - 1] = '\0';
	cr_assert(strstr(dump, escaped + 1) == NULL, "the dump holds %s escaped as %s", value,
	          escaped);
	free(escaped);
	json_decref(s);
}

static void check_dump(const char *dump)
{
	/* the dump is real: it has the rows, their masks and the audit log */
	cr_assert(strstr(dump, "3701000001"), "no customer in the dump");
	cr_assert(strstr(dump, "张**"), "no masked name in the dump");
	cr_assert(strstr(dump, "customer.reveal_id"), "no audit log in the dump");
	cr_assert(strstr(dump, "contact.record"), "no contact audit in the dump");
	cr_assert(strstr(dump, "complaint.file"), "no complaint in the dump");
	cr_assert(strstr(dump, "6222***********0123"), "no masked bank account in the dump");
	cr_assert(strstr(dump, "account.reveal_bank_account"), "no bank account reveal in the dump");
	for (const char *const *v = personal; *v; v++)
		assert_absent(dump, *v);
}

static void open_with(pcrm_test_store *t, const unsigned char *key, pcrm_ctx **out)
{
	pcrm_ctx_options opts;
	pcrm_test_options(t, &opts);
	opts.data_key = key;
	*out = NULL;
	pcrm_ctx_open(out, t->uri, &opts);
}

static void assert_wrong_key_refused(pcrm_test_store *t)
{
	static const unsigned char other[PCRM_DATA_KEY_LEN] = "another key, not this store's!!";
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_test_options(t, &opts);
	opts.data_key = other;
	pcrm_assert_fails(pcrm_ctx_open(&ctx, t->uri, &opts), PCRM_EPERM, "options.data_key");
	cr_assert_null(ctx);
	/* the right key still opens it, and a context without a key may open it for the rest */
	open_with(t, pcrm_test_data_key, &ctx);
	cr_assert_not_null(ctx, "%s", pcrm_error_last());
	pcrm_ctx_close(ctx);
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, t->uri, &opts));
	pcrm_ctx_close(ctx);
}

Test(pii_sqlite, dump_holds_no_personal_data, .timeout = 120)
{
	char dir[] = "/tmp/pcrm-pii-XXXXXX", uri[128], cmd[256];
	pcrm_test_store t;
	pcrm_ctx_options opts;
	char *dump;

	cr_assert(mkdtemp(dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
	memset(&t, 0, sizeof(t));
	t.uri = uri;
	t.now = 1795395600;
	pcrm_test_options(&t, &opts);
	pcrm_assert_ok(pcrm_ctx_open(&t.ctx, uri, &opts));
	fill(&t);
	file_complaint(&t);
	pcrm_ctx_close(t.ctx);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s/crm.db .dump", dir);
	dump = run_dump(cmd);
	check_dump(dump);
	free(dump);
	assert_wrong_key_refused(&t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void pg_dump_body(pcrm_test_store *t)
{
	const char *bindir = getenv("PCRM_TEST_PG_BINDIR");
	char cmd[1024];
	char *dump;
	fill(t);
	file_complaint(t);
	snprintf(cmd, sizeof(cmd), "%s/pg_dump --no-owner '%s'",
	         bindir ? bindir : "/usr/lib/postgresql/15/bin", t->uri);
	dump = run_dump(cmd);
	check_dump(dump);
	free(dump);
	assert_wrong_key_refused(t);
}

Test(pii_pg, dump_holds_no_personal_data, .timeout = 120)
{
	pcrm_test_run_pg(pg_dump_body);
}

/* ---- erasure ---- */

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

PCRM_BACKEND_TEST(pii, erasure_shreds_personal_data_and_keeps_the_books)
{
	pcrm_customer_list *l;
	pcrm_contact_list *contacts;
	pcrm_ledger_list *ledger;
	pcrm_customer *c;
	unsigned char dek[PCRM__DEK_LEN];
	enum pcrm__dek_state state;
	int64_t checked = 0;

	fill(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "3701000001",
	                                   "{\"account_no\": \"A1\", \"name\": \"电费账户\","
	                                   " \"payment_method\": \"cash\"}",
	                                   NULL));
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, "A1",
	                                "{\"kind\": \"bill\", \"bill_no\": \"B1\", \"period\": "
	                                "\"2026-10\", \"issue_date\": \"2026-11-01\", \"due_date\": "
	                                "\"2026-11-20\", \"amount\": \"120.50\"}",
	                                NULL));

	/* an account whose number is still in clear, as written before schema 28 */
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "3701000001",
	                                   "{\"account_no\": \"A8\", \"name\": \"旧代扣\","
	                                   " \"payment_method\": \"bank_collection\", \"bank\": \"b\","
	                                   " \"bank_account\": \"6228480000009999\"}",
	                                   NULL));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "UPDATE account SET bank_cipher = NULL, doc = '{\"account_no\":"
	                                "\"A8\",\"bank\":\"b\",\"bank_account\":\"6228480000009999\","
	                                "\"name\":\"x\",\"payment_method\":\"bank_collection\","
	                                "\"status\":\"active\"}' WHERE account_no = 'A8'",
	                                NULL, 0, NULL));

	/* only a closed customer, only with pii.read */
	pcrm_assert_fails(pcrm_customer_erase(t->ctx, &city_admin, "3701000001", 2), PCRM_ESTATE,
	                  "close it");
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "3701000001", 2));
	pcrm_assert_fails(pcrm_customer_erase(t->ctx, &city_clerk, "3701000001", 3), PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_customer_erase(t->ctx, &city_admin, "3701000001", 2), PCRM_ECONFLICT,
	                  "version");
	pcrm_assert_ok(pcrm_customer_erase(t->ctx, &city_admin, "3701000001", 3));

	/* the data is gone: no key, no cipher, no mask, no index */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer WHERE customer_no = '3701000001' AND "
	                      "pii_key IS NULL AND pii_cipher IS NULL AND id_cipher IS NULL AND "
	                      "name_hash IS NULL AND erased_at IS NOT NULL"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer_phone WHERE customer_no = "
	                      "'3701000001'"),
	             0);
	pcrm_assert_ok(pcrm__customer_dek(t->ctx, "3701000001", 0, dek, &state));
	cr_assert_eq(state, PCRM__DEK_ERASED);
	/* the contact's cipher is still there, and nothing can open it any more */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact WHERE customer_no = '3701000001' AND "
	                      "sealed IS NOT NULL AND caller_number IS NULL"),
	             1);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, "3701000001", NULL, 0, &contacts));
	cr_assert_eq(pcrm_contact_list_count(contacts), 1);
	cr_assert_str_eq(pcrm_contact_summary(pcrm_contact_list_at(contacts, 0)), "(erased)");
	cr_assert_null(pcrm_contact_caller_number(pcrm_contact_list_at(contacts, 0)));
	pcrm_contact_list_free(contacts);
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000001", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "(erased)");
	cr_assert(strstr(pcrm_customer_json(c), "phones") == NULL);
	cr_assert(strstr(pcrm_customer_json(c), "id_number") == NULL);
	pcrm_customer_free(c);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "13987654321", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 0);
	pcrm_customer_list_free(l);
	/* its bank account numbers: sealed ones stay unopenable ciphers, clear ones are masked */
	{
		char *number = NULL;
		pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A9", &number),
		                  PCRM_ESTATE, "erased");
		cr_assert_null(number);
		pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A8", &number),
		                  PCRM_ESTATE, "erased");
		cr_assert_null(number);
	}
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE doc LIKE '%6222021234567890123%' "
	                      "OR doc LIKE '%6228480000009999%'"),
	             0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE account_no = 'A8' AND doc LIKE "
	                      "'%6228********9999%'"),
	             1);
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A9",
	                                      "{\"bank_account\": \"6222020000000000\"}", 1, NULL),
	                  PCRM_ESTATE, "");
	{
		int64_t left = -1;
		pcrm_assert_ok(pcrm_account_reseal(t->ctx, &city_clerk, 0, &left));
		cr_assert_eq(left, 0, "an erased customer's account is nothing to reseal");
	}
	pcrm_assert_fails(pcrm_customer_erase(t->ctx, &city_admin, "3701000001", 4), PCRM_ESTATE,
	                  "already erased");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, "3701000001",
	                                      "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                      " \"summary\": \"again\"}",
	                                      NULL),
	                  PCRM_ESTATE, "erased");

	/* the books and the audit chain are untouched */
	pcrm_assert_ok(pcrm_ledger_load(t->ctx, &root_admin, "A1", &ledger));
	cr_assert_eq(pcrm_ledger_list_count(ledger), 1);
	pcrm_ledger_list_free(ledger);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_gt(checked, 10);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.erase'"), 1);
	/* the other customer is as it was */
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701900001", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "济南钢铁集团");
	pcrm_customer_free(c);
}

PCRM_BACKEND_TEST(pii, audit_summaries_hold_masks)
{
	fill(t);
	/* the masks are what the log keeps of the create and the update */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create' AND "
	                      "summary LIKE '%张**%' AND summary LIKE '%138****5678%'"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.update' AND "
	                      "summary LIKE '%139****4321%' AND summary LIKE '%s***@example.cn%'"),
	             1);
}

/* ---- rows stored in clear before migration 20 ---- */

static void exec(pcrm_test_store *t, const char *sql, const char *param)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(param) };
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, p, param ? 1 : 0, NULL));
}

/* Puts 3701000001 back into the form migration 20 finds: everything in clear. */
static void make_legacy(pcrm_test_store *t)
{
	pcrm_customer *c;
	json_t *doc;
	char *text;
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000001", 0, &c));
	doc = json_loads(pcrm_customer_json(c), 0, NULL);
	pcrm_customer_free(c);
	cr_assert(doc);
	json_object_del(doc, "id_number");
	json_object_del(doc, "version");
	json_object_del(doc, "created_at");
	json_object_del(doc, "updated_at");
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	exec(t, "UPDATE customer SET doc = $1, name = '张三丰', pii_cipher = NULL, pii_key = NULL, "
	        "key_version = NULL, name_hash = NULL WHERE customer_no = '3701000001'",
	     text);
	free(text);
	exec(t, "UPDATE customer_phone SET phone = '13987654321', phone_hash = NULL "
	        "WHERE customer_no = '3701000001' AND kind = 'mobile'",
	     NULL);
	exec(t, "UPDATE customer_phone SET phone = '053186001234', phone_hash = NULL "
	        "WHERE customer_no = '3701000001' AND kind = 'landline'",
	     NULL);
	exec(t, "UPDATE contact SET sealed = NULL, summary = '张三丰反映泉城路188号停电', "
	        "caller_number = '15905310000' WHERE customer_no = '3701000001'",
	     NULL);
}

PCRM_BACKEND_TEST(pii, reseal_seals_rows_stored_in_clear)
{
	pcrm_contact_list *contacts;
	pcrm_customer_list *l;
	pcrm_customer *c;
	int64_t remaining = -1;
	int calls = 0;

	fill(t);
	make_legacy(t);
	/* still readable in clear before it is sealed */
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000001", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "张三丰");
	pcrm_customer_free(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer WHERE name = '张三丰'"), 1);

	pcrm_assert_fails(pcrm_customer_reseal(t->ctx, &city_agent, 1, &remaining), PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_customer_reseal(t->ctx, &city_clerk, -1, &remaining), PCRM_EINVAL,
	                  "batch");
	do {
		pcrm_assert_ok(pcrm_customer_reseal(t->ctx, &city_clerk, 1, &remaining));
		calls++;
	} while (remaining > 0 && calls < 10);
	cr_assert_eq(remaining, 0);
	cr_assert_eq(calls, 1, "one customer was in clear");

	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer WHERE name LIKE '%张三丰%' OR "
	                      "doc LIKE '%张三丰%' OR doc LIKE '%13987654321%' OR key_version IS NULL"),
	             0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer_phone WHERE phone IN ('13987654321', "
	                      "'053186001234') OR phone_hash IS NULL"),
	             0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact WHERE summary LIKE '%张三丰%' OR "
	                      "caller_number = '15905310000' OR sealed IS NULL"),
	             0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.reseal'"), 1);
	{
		/* the resealed row is what the log now commits to: no false alarm of tampering */
		int64_t checked = 0;
		pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	}

	/* and everything reads and is found as before */
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "13987654321", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	cr_assert_str_eq(pcrm_customer_name(pcrm_customer_list_at(l, 0)), "张三丰");
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, "3701000001", NULL, 0, &contacts));
	cr_assert_str_eq(pcrm_contact_summary(pcrm_contact_list_at(contacts, 0)),
	                 "张三丰反映泉城路188号停电");
	cr_assert_str_eq(pcrm_contact_caller_number(pcrm_contact_list_at(contacts, 0)), "15905310000");
	pcrm_contact_list_free(contacts);
	pcrm_assert_ok(pcrm_customer_reseal(t->ctx, &city_clerk, 0, &remaining));
	cr_assert_eq(remaining, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.reseal'"), 1,
	             "a call with nothing to seal writes nothing");
}
