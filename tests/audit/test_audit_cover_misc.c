/*
 * After-image coverage of customers written by a bulk import, org units and
 * workflow definitions (docs/security.md, "Coverage of business rows"), on
 * both stores: each row edited or deleted straight in the database is found
 * by pcrm_audit_verify(), and what the library itself does later (a single
 * change of an imported customer, a rename, a new workflow version) is not
 * reported as tampering.
 */
#include "../workflow/wf_fixtures.h"
#include "audit_cover_fixture.h"

/* ---- customers of a bulk import ---- */

static void import_line(char *buf, size_t size, const char *no, const char *extra)
{
	snprintf(buf, size,
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	         " \"org_unit\": \"3701\", \"phones\": {\"mobile\": \"1380000%s\"}%s}\n",
	         no, no, no + 1, extra);
}

/*
 * Imports I0001 .. I0004 in one batch (I0002 with an ID number, I0003 with a
 * transformer area and text that JSON escapes), one line already present.
 */
static void import_four(pcrm_test_store *t)
{
	char data[4096], line[1024];
	int64_t n = -1;
	size_t at = 0;
	const char *extra[] = { "", ", \"id_number\": \"11010519491231002X\"",
		                ", \"transformer_area\": \"T-7\", \"feeder\": \"历下\\\\\\\"7\\\"号\"",
		                ", \"vip_level\": 2" };
	char no[8];

	make_tree(t->ctx);
	for (int i = 0; i < 4; i++) {
		snprintf(no, sizeof(no), "I000%d", 4 - i); /* written out of number order */
		import_line(line, sizeof(line), no, extra[3 - i]);
		at += (size_t)snprintf(data + at, sizeof(data) - at, "%s", line);
	}
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, line, strlen(line), &n));
	cr_assert_eq(n, 1, "I0001 first, alone");
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, data, at, &n));
	cr_assert_eq(n, 3, "the batch writes the three others");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.import' "
	                      "AND object_id = 'I0004' AND covers <> ''"),
	             1, "the batch's entry names its first written line");
	assert_verifies(t);
}

/* Every digest an import listed is the one the audit log takes of the stored row. */
PCRM_BACKEND_TEST(audit_cover_import, listed_digests_are_the_stored_rows)
{
	pcrm_rows *rows;
	int listed = 0;
	import_four(t);
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT summary FROM audit_log "
	                                 "WHERE action = 'customer.import' ORDER BY seq",
	                                 NULL, 0, &rows));
	while (pcrm__rows_next(rows) == 1) {
		json_t *summary = json_loads(pcrm__rows_text(rows, 0), 0, NULL), *pair;
		size_t i;
		cr_assert_not_null(summary);
		json_array_foreach(json_object_get(summary, "covered"), i, pair) {
			char covers[PCRM__AUDIT_COVERS_MAX];
			const char *no = json_string_value(json_array_get(pair, 0));
			pcrm_assert_ok(pcrm__audit_cover(t->ctx, "customer", no, covers));
			cr_assert_str_eq(json_string_value(json_array_get(pair, 1)), covers,
			                 "customer %s", no);
			listed++;
		}
		json_decref(summary);
	}
	pcrm__rows_free(rows);
	cr_assert_eq(listed, 4, "each written customer listed once, the present one not again");
}

PCRM_BACKEND_TEST(audit_cover_import, edited_imported_customer_is_found)
{
	import_four(t);
	raw(t, "UPDATE customer SET vip_level = 3 WHERE customer_no = 'I0002'");
	assert_tampered(t, "customer I0002 no longer matches the after-image the import recorded");
}

PCRM_BACKEND_TEST(audit_cover_import, edited_id_number_of_imported_customer_is_found)
{
	import_four(t);
	raw(t, "UPDATE customer SET id_masked = '3701**********0000' WHERE customer_no = 'I0002'");
	assert_tampered(t, "customer I0002 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_import, deleted_imported_customer_is_found)
{
	import_four(t);
	raw(t, "DELETE FROM customer_phone WHERE customer_no = 'I0003'");
	raw(t, "DELETE FROM customer WHERE customer_no = 'I0003'");
	assert_tampered(t, "customer I0003 no longer matches the after-image the import recorded");
}

/* The batch's first customer is also its entry's object: found either way. */
PCRM_BACKEND_TEST(audit_cover_import, edited_first_customer_of_a_batch_is_found)
{
	import_four(t);
	raw(t, "UPDATE customer SET status = 'closed' WHERE customer_no = 'I0004'");
	assert_tampered(t, "customer I0004 no longer matches");
}

/* A later single change covers the customer from then on; the import's digest is stale. */
PCRM_BACKEND_TEST(audit_cover_import, a_later_change_takes_over)
{
	import_four(t);
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "I0003", 1)); /* as imported */
	assert_verifies(t);
	raw(t, "UPDATE customer SET status = 'active' WHERE customer_no = 'I0003'");
	/* found by the closing's own after-image, not the import's */
	assert_tampered(t, "customer I0003 no longer matches the after-image it recorded");
}

/* ---- org units ---- */

PCRM_BACKEND_TEST(audit_cover_org, edited_org_unit_is_found)
{
	make_tree(t->ctx);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'org_unit' "
	                      "AND covers <> ''"),
	             5);
	assert_verifies(t);
	raw(t, "UPDATE org_unit SET parent_code = '3702', path = '/37/3702/370102/' "
	       "WHERE code = '370102'");
	assert_tampered(t, "org_unit 370102 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_org, a_rename_is_covered)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_org_unit_rename(t->ctx, &root_admin, "3702", "青岛供电公司（新）", 1));
	assert_verifies(t);
	raw(t, "UPDATE org_unit SET name = '青岛供电公司' WHERE code = '3702'");
	/* the rename was made by the province's admin: its entry is in the province's chain */
	assert_tampered_in_province(t, "org_unit 3702 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_org, deleted_org_unit_is_found)
{
	make_tree(t->ctx);
	raw(t, "DELETE FROM org_unit WHERE code = '37010201'");
	assert_tampered(t, "org_unit 37010201 no longer matches");
}

/* ---- workflow definitions ---- */

static void define_inquiry(pcrm_test_store *t, int versions)
{
	char *def = read_source("data/workflows/inquiry.json");
	char *cal = read_source("data/calendars/cn-2026.json");
	int v = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, &v));
	cr_assert_eq(v, 1);
	if (versions > 1) { /* a second version: another description */
		char *at = strstr(def, "\"description\": \"");
		cr_assert_not_null(at);
		at += strlen("\"description\": \"");
		memcpy(at, "v2 ", 3); /* over the first character, 3 bytes of UTF-8 */
		pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, &v));
		cr_assert_eq(v, 2);
	}
	free(def);
	free(cal);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'workflow' "
	                      "AND covers <> ''"),
	             versions);
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_workflow, edited_definition_is_found)
{
	define_inquiry(t, 2);
	raw(t, "UPDATE workflow_def SET doc = replace(doc, 'accepted', 'acceptd') "
	       "WHERE name = 'inquiry' AND version = 1");
	assert_tampered_in_province(t, "workflow inquiry/1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_workflow, deleted_newest_version_is_found)
{
	define_inquiry(t, 2);
	raw(t, "DELETE FROM workflow_def WHERE name = 'inquiry' AND version = 2");
	assert_tampered_in_province(t, "workflow inquiry/2 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_workflow, changed_owner_is_found)
{
	define_inquiry(t, 1);
	raw(t, "UPDATE workflow_def SET owner_unit = '3701' WHERE name = 'inquiry'");
	assert_tampered_in_province(t, "workflow inquiry/1 no longer matches");
}

/* ---- metering points, meter installations, final readings ---- */

/*
 * Home 1's point P1 with meter M1 and one October reading; then M1 replaced
 * by M2 with its final reading (replace) or nothing more.
 */
static void add_point(pcrm_test_store *t, int replace)
{
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", SEP15);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1100"), OCT31 - 10 * 86400, 0, NULL));
	if (replace)
		pcrm_assert_ok(pcrm_meter_replace(t->ctx, &city_clerk, "P1",
		                                  "{\"reason\": \"fault\","
		                                  " \"final_readings\": {\"total\": \"1160\"}}",
		                                  "{\"meter_no\": \"M2\", \"type\": \"single_phase\","
		                                  " \"multiplier\": \"1\", \"digits\": 6,"
		                                  " \"registers\": [\"total\"],"
		                                  " \"initial_readings\": {\"total\": \"0\"}}",
		                                  OCT31));
	/* readings after the point's entry (they bump the installation's version) stay clean */
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, replace ? "M2" : "M1",
	                                   PCRM_REGISTER_TOTAL, pcrm_test_dec("1200"),
	                                   OCT31 + 86400, 0, NULL));
	cr_assert_geq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = "
	                       "'metering_point' AND covers <> ''"),
	              2, "the point's creation and the meter's installation");
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_metering, edited_metering_point_is_found)
{
	add_point(t, 0);
	raw(t, "UPDATE metering_point SET doc = replace(doc, 'settlement', 'check') "
	       "WHERE mp_no = 'P1'");
	assert_tampered(t, "metering_point P1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_metering, edited_installation_is_found)
{
	add_point(t, 0);
	raw(t, "UPDATE meter_installation SET multiplier = '40' WHERE meter_no = 'M1'");
	assert_tampered(t, "metering_point P1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_metering, edited_removal_is_found)
{
	add_point(t, 1);
	raw(t, "UPDATE meter_installation SET removal_reason = 'upgrade' WHERE meter_no = 'M1'");
	assert_tampered(t, "metering_point P1 no longer matches");
}

/* A final reading lies after the meter's own entries: the replacement's entry covers it. */
PCRM_BACKEND_TEST(audit_cover_metering, edited_final_reading_is_found)
{
	add_point(t, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE meter_no = 'M1' "
	                      "AND value = '1160'"),
	             1);
	raw(t, "UPDATE meter_reading SET value = '1110', energy = '10' WHERE meter_no = 'M1' "
	       "AND value = '1160'");
	assert_tampered(t, "metering_point P1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_metering, deleted_final_reading_is_found)
{
	add_point(t, 1);
	raw(t, "DELETE FROM meter_reading WHERE meter_no = 'M1' AND value = '1160'");
	assert_tampered(t, "metering_point P1 no longer matches");
}
