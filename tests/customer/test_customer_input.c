/*
 * Bad input to the customer archive and the org tree, on both backends:
 * names that are blank or hide text, a garbage paging cursor, a NULL patch,
 * and messages that must not quote personal data.  Every refusal changes
 * nothing.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/* A person whose name (or another text field) is `extra`, e.g. "\"name\": \"x\"". */
static const char *person(char *buf, size_t size, const char *name_json)
{
	snprintf(buf, size,
	         "{\"customer_no\": \"3701000009\", \"kind\": \"person\", %s,"
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	         " \"org_unit\": \"3701\"}",
	         name_json);
	return buf;
}

PCRM_BACKEND_TEST(customer_input, blank_and_invisible_names_are_refused)
{
	static const struct {
		const char *field;
		const char *needle;
	} cases[] = {
		{ "\"name\": \"   \"", "name: is empty or only white space" },
		/* ideographic space and no-break space are white space too */
		{ "\"name\": \"\\u3000\\u00a0\"", "name: is empty or only white space" },
		{ "\"name\": \"\\u202e三张\"", "name: invisible formatting character U+202E at byte 1" },
		{ "\"name\": \"张\\u200b三\"", "name: invisible formatting character U+200B at byte 4" },
		{ "\"name\": \"张三\\u2066\"", "name: invisible formatting character U+2066" },
		{ "\"name\": \"\\ufeff张三\"", "name: invisible formatting character U+FEFF" },
		{ "\"name\": \"张三\\u200f\"", "name: invisible formatting character U+200F" },
		{ "\"name\": \"张三\\u0085\"", "name: control character U+0085" },
		{ "\"name\": \"张三\\t\"", "name: control character U+0009" },
		{ "\"name\": \"x\", \"feeder\": \"F\\u202d10\"",
		  "feeder: invisible formatting character U+202D" },
		{ "\"name\": \"x\", \"addresses\": [{\"kind\": \"supply\", \"text\": \"\\u2067x\"}]",
		  "addresses[0].text: invisible formatting character U+2067" },
	};
	char doc[512];
	pcrm_customer *c;
	make_tree(t->ctx);
	int64_t audits = count(t, "SELECT COUNT(*) FROM audit_log");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
		                                       person(doc, sizeof(doc), cases[i].field), NULL),
		                  PCRM_EINVAL, cases[i].needle);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer"), 0);

	/* ordinary names with inner spaces, Latin and CJK stay fine */
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk,
	                                    person(doc, sizeof(doc), "\"name\": \"Li Na 李娜\""),
	                                    NULL));
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000009",
	                                       "{\"name\": \"\\u3000\"}", 1, NULL),
	                  PCRM_EINVAL, "name: is empty or only white space");
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000009",
	                                       "{\"name\": \"李\\u202e娜\"}", 1, NULL),
	                  PCRM_EINVAL, "name: invisible formatting character U+202E");
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000009", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "Li Na 李娜");
	cr_assert_eq(pcrm_customer_version(c), 1);
	pcrm_customer_free(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log"), audits + 1);
}

PCRM_BACKEND_TEST(customer_input, org_unit_names_are_checked_the_same_way)
{
	pcrm_org_unit *u;
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", " \t ",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "name: control character U+0009");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "   ",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "name: is empty or only white space");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37",
	                                       "烟台\xE2\x80\xAE供电", PCRM_ORG_CITY),
	                  PCRM_EINVAL, "name: invisible formatting character U+202E at byte 7");
	pcrm_assert_fails(pcrm_org_unit_create(t->ctx, &root_admin, "3703", "37", "烟台\xFF",
	                                       PCRM_ORG_CITY),
	                  PCRM_EINVAL, "name: not valid UTF-8 at byte 7");
	pcrm_assert_fails(pcrm_org_unit_rename(t->ctx, &root_admin, "3702", "\xE2\x80\x8B", 1),
	                  PCRM_EINVAL, "new_name: invisible formatting character U+200B");
	cr_assert_eq(pcrm_org_unit_get(t->ctx, &root_admin, "3703", &u), PCRM_EPERM);
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &root_admin, "3702", &u));
	cr_assert_str_eq(pcrm_org_unit_name(u), "青岛供电公司");
	pcrm_org_unit_free(u);
}

PCRM_BACKEND_TEST(customer_input, a_garbage_cursor_is_refused)
{
	static const char *const garbage[] = { "", "x y", "'; DROP TABLE customer; --",
		                               "C001\xE2\x80\xAE", "123456789012345678901234567890123" };
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_customer_list *l = (pcrm_customer_list *)&q;
	char doc[512];
	make_tree(t->ctx);
	for (int i = 0; i < 3; i++) {
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"C%03d\", \"kind\": \"person\", \"name\": \"n%d\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"3701\"}", i, i);
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
	}
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		q.cursor = garbage[i];
		pcrm_assert_fails(pcrm_customer_search(t->ctx, &root_admin, &q, &l), PCRM_EINVAL,
		                  "query.cursor: not a cursor from pcrm_customer_list_next_cursor()");
		cr_assert_null(l);
	}
	/* a real cursor still pages */
	q.limit = 2;
	q.cursor = NULL;
	pcrm_assert_ok(pcrm_customer_search(t->ctx, &root_admin, &q, &l));
	cr_assert_str_eq(pcrm_customer_list_next_cursor(l), "C001");
	pcrm_customer_list_free(l);
	q.cursor = "C001";
	pcrm_assert_ok(pcrm_customer_search(t->ctx, &root_admin, &q, &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	pcrm_customer_list_free(l);
}

/* valgrind found this: a NULL patch freed a pointer that was never set */
PCRM_BACKEND_TEST(customer_input, a_null_patch_is_refused)
{
	char doc[512];
	pcrm_customer *c = (pcrm_customer *)doc;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk,
	                                    person(doc, sizeof(doc), "\"name\": \"x\""), NULL));
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000009", NULL, 1, &c),
	                  PCRM_EINVAL, "patch: missing");
	cr_assert_null(c);
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk, NULL, NULL), PCRM_EINVAL,
	                  "missing");
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000009", 0, &c));
	cr_assert_eq(pcrm_customer_version(c), 1);
	pcrm_customer_free(c);
}

/* Names, phones, e-mail addresses and ID numbers are personal data: never in a message. */
PCRM_BACKEND_TEST(customer_input, messages_do_not_quote_personal_data)
{
	static const struct {
		const char *field;
		const char *needle;
		const char *secret;
	} cases[] = {
		{ "\"name\": \"x\", \"phones\": {\"mobile\": \"0531-88889999\"}",
		  "phones.mobile: is a landline number", "88889999" },
		{ "\"name\": \"x\", \"phones\": {\"mobile\": \"1380013#8000\"}",
		  "phones.mobile: phone: the character at byte 8", "1380013" },
		{ "\"name\": \"x\", \"phones\": {\"landline\": \"+44 20 7946 0958\"}",
		  "phones.landline: phone: not a Chinese (+86) number", "7946" },
		{ "\"name\": \"x\", \"email\": \"zhang.san.example.cn\"",
		  "email: is not an e-mail address", "zhang" },
		{ "\"name\": \"x\", \"id_number\": \"110105194912310021\"", "id_number",
		  "19491231" },
		/* a syntax error: jansson would quote the token ("near 'Zhang'") */
		{ "\"name\": Zhang San", "invalid JSON at line 1 column", "Zhang" },
	};
	char doc[512];
	make_tree(t->ctx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
		                                       person(doc, sizeof(doc), cases[i].field), NULL),
		                  PCRM_EINVAL, cases[i].needle);
		cr_assert_null(strstr(pcrm_error_last(), cases[i].secret), "case %zu quotes it: %s", i,
		               pcrm_error_last());
	}
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer"), 0);
}
