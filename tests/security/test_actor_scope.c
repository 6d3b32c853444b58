/*
 * Every public function that takes an actor, over one table, on both stores.
 *
 * For each function: an actor whose org unit does not exist is refused in
 * every role (PCRM_EPERM), and an actor of another unit is refused on data
 * of a unit outside its subtree.  Where the call names an object by key
 * (customer, account, meter, work order, ...), the refusal for an existing
 * object of another unit and for a key nobody has is the same code and the
 * same message: no call is an oracle for which keys exist.  Nothing changes:
 * no row appears and no audit entry but "permission.denied" is written.
 *
 * The table cannot rot: table_covers_every_public_function_taking_an_actor
 * reads every header in include/powercrm/ and fails for any public function whose
 * parameters include `const pcrm_actor *` that the table does not list.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "../workflow/wf_fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

/* ---- the world every call is tried against ---- */

/* Customer Q1 of Qingdao (3702): account QA1, metering point QP1, meter QM1, a work order. */
struct world {
	pcrm_test_store *t;
	char wo_id[PCRM_WORKORDER_ID_LEN + 1];
	char kb_id[40]; /* a draft knowledge-base article of Qingdao */
	char outage_id[40]; /* an outage of Qingdao's area QT1 */
	pcrm_acd *acd;
};

/* An object key nobody has, spelled like the real ones. */
#define MISSING_CUSTOMER "Q9"
#define MISSING_ACCOUNT "QA9"
#define MISSING_MP "QP9"
#define MISSING_METER "QM9"
#define MISSING_WORKORDER "00000000-0000-4000-8000-000000000009"
#define MISSING_KB "00000000-0000-4000-8000-00000000000b"
#define MISSING_OUTAGE "00000000-0000-4000-8000-00000000000c"
/* An article document of the unit `k`. */
#define KB_DOC(k) "{\"title\": \"t\", \"category\": \"c\", \"body\": \"b\", \"valid_from\": \"2026-01-01\", \"org_unit\": \"" k "\"}"

typedef int (*scope_call)(struct world *w, const pcrm_actor *a, const char *key);

enum outsider_rule {
	OUT_REFUSED, /* an actor of 3701 is refused on 3702's object (or 3702 as target) */
	OUT_SCOPED,  /* no target: the call works on the actor's own subtree (lists, ticks) */
	OUT_SHARED   /* the data is not owned by a unit yet (see docs/security.md "Org scope") */
};

struct scope_entry {
	const char *name;
	scope_call call;
	const char *existing; /* key of the 3702 object, or NULL when the call takes none */
	const char *missing;  /* a key nobody has (same kind) */
	enum outsider_rule outsider;
	/* Not yet refused for an actor of a missing unit, and why (docs/security.md). */
	const char *pending;
};

static pcrm_time now_of(struct world *w) { return w->t->now; }
static pcrm_date today(void) { return (pcrm_date){ 2026, 11, 23 }; }

#define CALL(fn) static int call_##fn(struct world *w, const pcrm_actor *a, const char *k)
#define UNUSED_KEY (void)k

/* ---- org ---- */
CALL(pcrm_org_unit_create) { UNUSED_KEY; return pcrm_org_unit_create(w->t->ctx, a, "370299", k, "x", PCRM_ORG_COUNTY); }
CALL(pcrm_org_unit_rename) { return pcrm_org_unit_rename(w->t->ctx, a, k, "x", 1); }
CALL(pcrm_org_unit_get) { pcrm_org_unit *u = NULL; int rc = pcrm_org_unit_get(w->t->ctx, a, k, &u); pcrm_org_unit_free(u); return rc; }
CALL(pcrm_org_unit_children) { pcrm_org_unit_list *l = NULL; int rc = pcrm_org_unit_children(w->t->ctx, a, k, &l); pcrm_org_unit_list_free(l); return rc; }
CALL(pcrm_authorize) { return pcrm_authorize(w->t->ctx, a, PCRM_PERM_ARCHIVE_READ, k); }

/* ---- audit ---- */
static int no_visit(const pcrm_audit_entry *e, void *u) { (void)u; (void)e; return 0; }
CALL(pcrm_audit_record) { UNUSED_KEY; return pcrm_audit_record(w->t->ctx, a, "test.scope", "customer", "Q1", "{}"); }
CALL(pcrm_audit_list) { UNUSED_KEY; return pcrm_audit_list(w->t->ctx, a, 0, 10, no_visit, NULL); }
CALL(pcrm_audit_verify) { int64_t c, b; UNUSED_KEY; return pcrm_audit_verify(w->t->ctx, a, &c, &b); }
CALL(pcrm_audit_verify_ext) { int64_t c, b; UNUSED_KEY; return pcrm_audit_verify_ext(w->t->ctx, a, NULL, NULL, &c, &b); }
/* Not a key: the actor is refused before the key is read. */
CALL(pcrm_audit_checkpoint) { char *cp = NULL; int rc; UNUSED_KEY; rc = pcrm_audit_checkpoint(w->t->ctx, a, "x", &cp); pcrm_free(cp); return rc; }
CALL(pcrm_audit_verify_checkpoint) { int64_t c, b; UNUSED_KEY; return pcrm_audit_verify_checkpoint(w->t->ctx, a, "powercrm-audit-checkpoint-v1\n", "x", &c, &b); }
CALL(pcrm_audit_verify_checkpoint_ext) { int64_t c, b; UNUSED_KEY; return pcrm_audit_verify_checkpoint_ext(w->t->ctx, a, "powercrm-audit-checkpoint-v1\n", "x", NULL, NULL, &c, &b); }

/* ---- customers ---- */
CALL(pcrm_customer_create)
{
	UNUSED_KEY;
	return pcrm_customer_create(w->t->ctx, a,
	                            "{\"customer_no\": \"Q5\", \"kind\": \"person\", \"name\": \"甲\","
	                            " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	                            " \"org_unit\": \"3702\"}", NULL);
}
CALL(pcrm_customer_get) { pcrm_customer *c = NULL; int rc = pcrm_customer_get(w->t->ctx, a, k, 0, &c); pcrm_customer_free(c); return rc; }
CALL(pcrm_customer_update) { return pcrm_customer_update(w->t->ctx, a, k, "{\"name\": \"乙\"}", 1, NULL); }
CALL(pcrm_customer_close) { return pcrm_customer_close(w->t->ctx, a, k, 1); }
CALL(pcrm_customer_erase) { return pcrm_customer_erase(w->t->ctx, a, k, 1); }
CALL(pcrm_customer_reseal) { int64_t left = 0; UNUSED_KEY; return pcrm_customer_reseal(w->t->ctx, a, 0, &left); }
CALL(pcrm_customer_key_rotate) { int64_t left = 0; UNUSED_KEY; return pcrm_customer_key_rotate(w->t->ctx, a, 0, &left); }
CALL(pcrm_complaint_reseal) { int64_t left = 0; UNUSED_KEY; return pcrm_complaint_reseal(w->t->ctx, a, 0, &left); }
CALL(pcrm_customer_key_retire) { UNUSED_KEY; return pcrm_customer_key_retire(w->t->ctx, a, 1); }
CALL(pcrm_customer_search)
{
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_customer_list *l = NULL;
	int rc;
	UNUSED_KEY;
	q.org_unit = "3702";
	rc = pcrm_customer_search(w->t->ctx, a, &q, &l);
	pcrm_customer_list_free(l);
	return rc;
}
CALL(pcrm_customer_find_by_phone) { pcrm_customer_list *l = NULL; int rc; UNUSED_KEY; rc = pcrm_customer_find_by_phone(w->t->ctx, a, "13800000000", &l); pcrm_customer_list_free(l); return rc; }
static const char import_line[] =
	"{\"customer_no\": \"Q6\", \"kind\": \"person\", \"name\": \"丙\", \"usage_class\": "
	"\"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3702\"}\n";
CALL(pcrm_customer_import) { int64_t n = 0; UNUSED_KEY; return pcrm_customer_import(w->t->ctx, a, import_line, strlen(import_line), &n); }
CALL(pcrm_customer_import_ext) { pcrm_import_result r; UNUSED_KEY; memset(&r, 0, sizeof(r)); r.version = PCRM_IMPORT_RESULT_VERSION; return pcrm_customer_import_ext(w->t->ctx, a, import_line, strlen(import_line), &r); }
static const char *import_file(void)
{
	static char path[64];
	FILE *f;
	snprintf(path, sizeof(path), "/tmp/pcrm-scope-import-%d.jsonl", (int)getpid());
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(import_line, f);
	fclose(f);
	return path;
}
CALL(pcrm_customer_import_file) { int64_t n = 0; const char *p = import_file(); int rc; UNUSED_KEY; rc = pcrm_customer_import_file(w->t->ctx, a, p, 100, NULL, NULL, &n); remove(p); return rc; }
CALL(pcrm_customer_import_file_ext) { pcrm_import_result r; const char *p = import_file(); int rc; UNUSED_KEY; memset(&r, 0, sizeof(r)); r.version = PCRM_IMPORT_RESULT_VERSION; rc = pcrm_customer_import_file_ext(w->t->ctx, a, p, 100, NULL, NULL, &r); remove(p); return rc; }
static int sink_write(const char *data, size_t len, void *u) { (void)u; (void)data; (void)len; return 0; }
CALL(pcrm_customer_export) { int64_t n = 0; return pcrm_customer_export(w->t->ctx, a, k, 0, sink_write, NULL, &n); }

/* ---- contacts ---- */
CALL(pcrm_contact_record) { return pcrm_contact_record(w->t->ctx, a, k, "{\"channel\": \"sms\", \"direction\": \"outbound\", \"summary\": \"停电通知\"}", NULL); }
CALL(pcrm_contact_list_load) { pcrm_contact_list *l = NULL; int rc = pcrm_contact_list_load(w->t->ctx, a, k, NULL, 0, &l); pcrm_contact_list_free(l); return rc; }

/* ---- metering ---- */
CALL(pcrm_account_create) { return pcrm_account_create(w->t->ctx, a, k, "{\"account_no\": \"QA5\", \"name\": \"电费\", \"payment_method\": \"cash\"}", NULL); }
CALL(pcrm_account_get) { pcrm_account *x = NULL; int rc = pcrm_account_get(w->t->ctx, a, k, &x); pcrm_account_free(x); return rc; }
CALL(pcrm_account_update) { return pcrm_account_update(w->t->ctx, a, k, "{\"name\": \"x\"}", 1, NULL); }
CALL(pcrm_account_bank_account_reveal) { char *n = NULL; int rc = pcrm_account_bank_account_reveal(w->t->ctx, a, k, &n); pcrm_free(n); return rc; }
CALL(pcrm_account_reseal) { int64_t left = 0; UNUSED_KEY; return pcrm_account_reseal(w->t->ctx, a, 0, &left); }
CALL(pcrm_account_list_load) { pcrm_account_list *l = NULL; int rc = pcrm_account_list_load(w->t->ctx, a, k, &l); pcrm_account_list_free(l); return rc; }
CALL(pcrm_account_set_contract) { pcrm_contract_terms terms = PCRM_CONTRACT_TERMS_INIT; return pcrm_account_set_contract(w->t->ctx, a, k, &terms, 1, NULL); }
CALL(pcrm_metering_point_create) { return pcrm_metering_point_create(w->t->ctx, a, k, "{\"mp_no\": \"QP5\", \"account_no\": \"QA1\", \"purpose\": \"settlement\", \"voltage_level\": \"220V\"}", NULL); }
CALL(pcrm_metering_point_get) { pcrm_metering_point *x = NULL; int rc = pcrm_metering_point_get(w->t->ctx, a, k, &x); pcrm_metering_point_free(x); return rc; }
CALL(pcrm_metering_point_update) { return pcrm_metering_point_update(w->t->ctx, a, k, "{\"status\": \"inactive\"}", 1, NULL); }
CALL(pcrm_metering_point_list_load) { pcrm_metering_point_list *l = NULL; int rc = pcrm_metering_point_list_load(w->t->ctx, a, k, &l); pcrm_metering_point_list_free(l); return rc; }
static const char meter_doc[] = "{\"meter_no\": \"QM5\", \"type\": \"single_phase\", \"multiplier\": \"1\", \"digits\": 6, \"registers\": [\"total\"], \"initial_readings\": {\"total\": \"0\"}}";
static const char removal_doc[] = "{\"reason\": \"fault\", \"final_readings\": {\"total\": \"1000\"}}";
CALL(pcrm_meter_install) { return pcrm_meter_install(w->t->ctx, a, k, meter_doc, now_of(w) - 60); }
CALL(pcrm_meter_remove) { return pcrm_meter_remove(w->t->ctx, a, k, removal_doc, now_of(w) - 60); }
CALL(pcrm_meter_replace) { return pcrm_meter_replace(w->t->ctx, a, k, removal_doc, meter_doc, now_of(w) - 60); }
CALL(pcrm_meter_history_load) { pcrm_meter_history *h = NULL; int rc = pcrm_meter_history_load(w->t->ctx, a, k, &h); pcrm_meter_history_free(h); return rc; }
CALL(pcrm_reading_record) { pcrm_decimal v; pcrm_decimal_parse("1010", &v); return pcrm_reading_record(w->t->ctx, a, k, PCRM_REGISTER_TOTAL, v, now_of(w) - 60, 0, NULL); }
CALL(pcrm_reading_list_load) { pcrm_reading_list *l = NULL; int rc = pcrm_reading_list_load(w->t->ctx, a, k, PCRM_REGISTER_TOTAL, 0, now_of(w), &l); pcrm_reading_list_free(l); return rc; }
CALL(pcrm_metering_point_energy) { pcrm_decimal e; return pcrm_metering_point_energy(w->t->ctx, a, k, PCRM_REGISTER_TOTAL, 0, now_of(w), &e); }

/* ---- tariffs and billing ---- */
CALL(pcrm_tariff_publish) { char *doc = pcrm_test_read_tariff("cn-residential-tiered-tou.json"); int rc; UNUSED_KEY; rc = pcrm_tariff_publish(w->t->ctx, a, doc); free(doc); return rc; }
CALL(pcrm_tariff_fetch) { pcrm_tariff *x = NULL; int rc; UNUSED_KEY; rc = pcrm_tariff_fetch(w->t->ctx, a, "nope", 0, today(), &x); pcrm_tariff_free(x); return rc; }
CALL(pcrm_billing_run) { pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT; char spec[256]; snprintf(spec, sizeof(spec), "{\"org_unit\": \"%s\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"nope\"}}", k); return pcrm_billing_run(w->t->ctx, a, spec, NULL, NULL, &s); }
CALL(pcrm_billing_post) { pcrm_billing_post_summary s = PCRM_BILLING_POST_SUMMARY_INIT; char spec[128]; snprintf(spec, sizeof(spec), "{\"org_unit\": \"%s\", \"period\": \"2026-10\"}", k); return pcrm_billing_post(w->t->ctx, a, spec, NULL, NULL, &s); }
CALL(pcrm_bill_list_load) { pcrm_bill_list *l = NULL; int rc = pcrm_bill_list_load(w->t->ctx, a, k, NULL, NULL, &l); pcrm_bill_list_free(l); return rc; }
CALL(pcrm_bill_correct) { return pcrm_bill_correct(w->t->ctx, a, k, "x", NULL); }
CALL(pcrm_late_fee_quote) { pcrm_decimal f; return pcrm_late_fee_quote(w->t->ctx, a, k, today(), &f); }
CALL(pcrm_tier_position_get) { pcrm_tier_position p = PCRM_TIER_POSITION_INIT; return pcrm_tier_position_get(w->t->ctx, a, k, NULL, today(), &p); }
CALL(pcrm_late_fee_post) { return pcrm_late_fee_post(w->t->ctx, a, k, today(), "LF1", NULL); }

/* ---- ledger ---- */
CALL(pcrm_ledger_post) { return pcrm_ledger_post(w->t->ctx, a, k, "{\"kind\": \"payment\", \"idempotency_key\": \"P1\", \"amount\": \"10\", \"channel\": \"counter\"}", NULL); }
CALL(pcrm_ledger_load) { pcrm_ledger_list *l = NULL; int rc = pcrm_ledger_load(w->t->ctx, a, k, &l); pcrm_ledger_list_free(l); return rc; }
CALL(pcrm_ledger_summary_load) { pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT; return pcrm_ledger_summary_load(w->t->ctx, a, k, &s); }
CALL(pcrm_arrears_load) { pcrm_arrears *x = NULL; int rc = pcrm_arrears_load(w->t->ctx, a, k, NULL, today(), &x); pcrm_arrears_free(x); return rc; }
CALL(pcrm_dunning_list_load) { pcrm_dunning_list *l = NULL; int rc = pcrm_dunning_list_load(w->t->ctx, a, k, today(), 0, &l); pcrm_dunning_list_free(l); return rc; }
CALL(pcrm_dunning_remind) { return pcrm_dunning_remind(w->t->ctx, a, k, "{\"channel\": \"sms\"}"); }
CALL(pcrm_bank_payment_post) { UNUSED_KEY; return pcrm_bank_payment_post(w->t->ctx, a, "{\"bank_code\": \"ICBC\", \"transaction_id\": \"T1\", \"account_no\": \"QA1\", \"amount\": \"5.00\", \"paid_at\": \"2026-11-23T08:00:00+08:00\"}", NULL); }
CALL(pcrm_bank_reconcile) { static const char s[] = "bank_statement,1,ICBC,2026-11-22,1,5.00\nT1,QA1,5.00,08:00:00\n"; pcrm_bank_reconciliation *r = NULL; int rc; UNUSED_KEY; rc = pcrm_bank_reconcile(w->t->ctx, a, s, strlen(s), PCRM_BANK_RECONCILE_POST_MISSING, &r); pcrm_bank_reconciliation_free(r); return rc; }
CALL(pcrm_bank_reconcile_ext) { static const char s[] = "bank_statement,1,ICBC,2026-11-22,1,5.00\nT1,QA1,5.00,08:00:00\n"; pcrm_bank_reconciliation *r = NULL; int rc; UNUSED_KEY; rc = pcrm_bank_reconcile_ext(w->t->ctx, a, s, strlen(s), PCRM_BANK_RECONCILE_POST_MISSING, NULL, NULL, &r); pcrm_bank_reconciliation_free(r); return rc; }

/* ---- workflow ---- */
CALL(pcrm_workflow_define) { int v = 0; char *cal = cn2026(); int rc; UNUSED_KEY; rc = pcrm_workflow_define(w->t->ctx, a, test_def, cal, &v); free(cal); return rc; }
CALL(pcrm_workflow_get) { pcrm_workflow *x = NULL; int rc; UNUSED_KEY; rc = pcrm_workflow_get(w->t->ctx, a, "test", 0, &x); pcrm_workflow_free(x); return rc; }
CALL(pcrm_workorder_open) { pcrm_workorder *x = NULL; int rc = pcrm_workorder_open(w->t->ctx, a, "test", "SCOPE-K", k, a->org_unit, NULL, &x); pcrm_workorder_free(x); return rc; }
CALL(pcrm_workorder_open_classed) { pcrm_workorder *x = NULL; int rc = pcrm_workorder_open_classed(w->t->ctx, a, "test", "SCOPE-K", k, a->org_unit, "important", NULL, &x); pcrm_workorder_free(x); return rc; }
#define WO_OUT(fn, ...) { pcrm_workorder *x = NULL; int rc = fn(w->t->ctx, a, k, __VA_ARGS__, &x); pcrm_workorder_free(x); return rc; }
CALL(pcrm_workorder_get) { pcrm_workorder *x = NULL; int rc = pcrm_workorder_get(w->t->ctx, a, k, &x); pcrm_workorder_free(x); return rc; }
CALL(pcrm_workorder_fire) WO_OUT(pcrm_workorder_fire, 1, "contact", NULL, NULL)
CALL(pcrm_workorder_remind) WO_OUT(pcrm_workorder_remind, "x")
CALL(pcrm_workorder_escalate) WO_OUT(pcrm_workorder_escalate, "x")
CALL(pcrm_workorder_withdraw) WO_OUT(pcrm_workorder_withdraw, 1, "x")
CALL(pcrm_workorder_reassign) WO_OUT(pcrm_workorder_reassign, 1, "agent-x", "3702", "x")
CALL(pcrm_workorder_suspend) WO_OUT(pcrm_workorder_suspend, 1, "x")
CALL(pcrm_workorder_resume) WO_OUT(pcrm_workorder_resume, 1, "x")
CALL(pcrm_workorder_reclassify) WO_OUT(pcrm_workorder_reclassify, 1, "important", "x")
CALL(pcrm_workorder_suspend_request) WO_OUT(pcrm_workorder_suspend_request, 1, "x", 0, "x")
CALL(pcrm_workorder_suspend_decide) WO_OUT(pcrm_workorder_suspend_decide, 1, 1, "x")
CALL(pcrm_workorder_suspension_get) { char *s = NULL; int rc = pcrm_workorder_suspension_get(w->t->ctx, a, k, &s); pcrm_free(s); return rc; }
CALL(pcrm_workorder_suspended_unlimited) { pcrm_workorder_list *l = NULL; int rc = pcrm_workorder_suspended_unlimited(w->t->ctx, a, k, NULL, 10, &l); pcrm_workorder_list_free(l); return rc; }
CALL(pcrm_workorder_reopen) WO_OUT(pcrm_workorder_reopen, 1, "x")
CALL(pcrm_workorder_comment) { return pcrm_workorder_comment(w->t->ctx, a, k, "x"); }
CALL(pcrm_workorder_link) { return pcrm_workorder_link(w->t->ctx, a, k, w->wo_id, "related"); }
/* The key is the child; the master is another id (a work order cannot be its own master). */
#define OTHER_WORKORDER "00000000-0000-4000-8000-000000000008"
CALL(pcrm_workorder_attach) { return pcrm_workorder_attach(w->t->ctx, a, k, OTHER_WORKORDER); }
CALL(pcrm_workorder_detach) { return pcrm_workorder_detach(w->t->ctx, a, k, OTHER_WORKORDER); }
CALL(pcrm_workorder_children) { pcrm_workorder_list *l = NULL; int rc = pcrm_workorder_children(w->t->ctx, a, k, NULL, 10, &l); pcrm_workorder_list_free(l); return rc; }
CALL(pcrm_workorder_tick) { int n = 0; UNUSED_KEY; return pcrm_workorder_tick(w->t->ctx, a, now_of(w) + 86400 * 60, &n); }
CALL(pcrm_workorder_tick_ext) { int n = 0; UNUSED_KEY; return pcrm_workorder_tick_ext(w->t->ctx, a, now_of(w) + 86400 * 60, NULL, NULL, &n); }
CALL(pcrm_workorder_query) { pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT; pcrm_workorder_list *l = NULL; int rc; f.org_unit = k; rc = pcrm_workorder_query(w->t->ctx, a, &f, NULL, 10, &l); pcrm_workorder_list_free(l); return rc; }
CALL(pcrm_workorder_history_load) { pcrm_workorder_history *h = NULL; int rc = pcrm_workorder_history_load(w->t->ctx, a, k, &h); pcrm_workorder_history_free(h); return rc; }
CALL(pcrm_workorder_replay) { pcrm_workorder *x = NULL; int rc = pcrm_workorder_replay(w->t->ctx, a, k, &x); pcrm_workorder_free(x); return rc; }
CALL(pcrm_notification_claim) { pcrm_notification_list *l = NULL; int rc = pcrm_notification_claim(w->t->ctx, a, k, 10, 60, &l); pcrm_notification_list_free(l); return rc; }
CALL(pcrm_notification_ack) { return pcrm_notification_ack(w->t->ctx, a, k); }

/* ---- complaints (serials carry the filing unit's code) ---- */
CALL(pcrm_complaint_config_set) { UNUSED_KEY; return pcrm_complaint_config_set(w->t->ctx, a, "{}"); }
CALL(pcrm_complaint_file) { pcrm_complaint *c = NULL; int rc; UNUSED_KEY; rc = pcrm_complaint_file(w->t->ctx, a, "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\", \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"Q1\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_get) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_get(w->t->ctx, a, k, &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_merge) { return pcrm_complaint_merge(w->t->ctx, a, k, "3702-20261123-00002", "x"); }
CALL(pcrm_complaint_review) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_review(w->t->ctx, a, k, "{\"decision\": \"approve\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_reply) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_reply(w->t->ctx, a, k, "{\"text\": \"x\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_return_visit) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_return_visit(w->t->ctx, a, k, "{\"satisfaction\": \"satisfied\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_stats_compute) { pcrm_complaint_stats *s = NULL; int rc = pcrm_complaint_stats_compute(w->t->ctx, a, k, 0, now_of(w), "category", &s); pcrm_complaint_stats_free(s); return rc; }
CALL(pcrm_complaint_reopen) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_reopen(w->t->ctx, a, k, "{\"reason\": \"x\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_visit_failed) { pcrm_complaint *c = NULL; int rc = pcrm_complaint_visit_failed(w->t->ctx, a, k, "{\"note\": \"x\"}", &c); pcrm_complaint_free(c); return rc; }
CALL(pcrm_complaint_close_with_master) { int n = 0; return pcrm_complaint_close_with_master(w->t->ctx, a, k, 1, "contact", NULL, "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": true}", &n); }
CALL(pcrm_complaint_stats_compute_direct) { pcrm_complaint_stats *s = NULL; int rc = pcrm_complaint_stats_compute_direct(w->t->ctx, a, k, 0, now_of(w), "category", &s); pcrm_complaint_stats_free(s); return rc; }
CALL(pcrm_complaint_stats_rebuild) { return pcrm_complaint_stats_rebuild(w->t->ctx, a, k); }
CALL(pcrm_complaint_report_build) { pcrm_complaint_report *r = NULL; char req[128]; int rc; snprintf(req, sizeof(req), "{\"period\": \"day\", \"date\": \"2026-11-23\", \"org_unit\": \"%s\"}", k); rc = pcrm_complaint_report_build(w->t->ctx, a, req, &r); pcrm_complaint_report_free(r); return rc; }

/* ---- call records ---- */
CALL(pcrm_call_record_sink_new) { pcrm_call_record_sink *s = NULL; pcrm_call_record_sink_options o = PCRM_CALL_RECORD_SINK_OPTIONS_INIT; int rc; o.org_unit = k; rc = pcrm_call_record_sink_new(&s, w->t->ctx, a, &o); pcrm_call_record_sink_free(s); return rc; }
CALL(pcrm_call_record_list_load) { pcrm_call_record_filter f = PCRM_CALL_RECORD_FILTER_INIT; pcrm_call_record_list *l = NULL; int rc; f.org_unit = k; rc = pcrm_call_record_list_load(w->t->ctx, a, &f, NULL, 10, &l); pcrm_call_record_list_free(l); return rc; }

/* ---- knowledge base ("@kb" stands for the world's article) ---- */
CALL(pcrm_kb_article_create) { char doc[256]; snprintf(doc, sizeof(doc), "{\"title\": \"t\", \"category\": \"c\", \"body\": \"b\", \"valid_from\": \"2026-01-01\", \"org_unit\": \"%s\"}", k); return pcrm_kb_article_create(w->t->ctx, a, doc, NULL); }
CALL(pcrm_kb_article_revise) { return pcrm_kb_article_revise(w->t->ctx, a, k, 1, KB_DOC("3702"), NULL); }
CALL(pcrm_kb_article_approve) { return pcrm_kb_article_approve(w->t->ctx, a, k, 1); }
CALL(pcrm_kb_article_retire) { return pcrm_kb_article_retire(w->t->ctx, a, k); }
CALL(pcrm_kb_article_get) { pcrm_kb_article *x = NULL; int rc = pcrm_kb_article_get(w->t->ctx, a, k, 0, &x); pcrm_kb_article_free(x); return rc; }
CALL(pcrm_kb_search) { pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, NULL, NULL, PCRM_KB_MATCH_ANY, "电费", 0 }; pcrm_kb_hit_list *l = NULL; int rc; UNUSED_KEY; rc = pcrm_kb_search(w->t->ctx, a, &q, &l); pcrm_kb_hit_list_free(l); return rc; }
CALL(pcrm_kb_contact_link) { return pcrm_kb_contact_link(w->t->ctx, a, k, MISSING_WORKORDER, NULL, 0, "x"); }
CALL(pcrm_kb_stats_load) { pcrm_kb_stats *s = NULL; int rc; UNUSED_KEY; rc = pcrm_kb_stats_load(w->t->ctx, a, 0, now_of(w), 10, &s); pcrm_kb_stats_free(s); return rc; }
/* ---- IVR ---- */
CALL(pcrm_ivr_identify_by_phone) { pcrm_ivr_identity id; UNUSED_KEY; return pcrm_ivr_identify_by_phone(w->t->ctx, a, "13800000000", &id); }
CALL(pcrm_ivr_identify_by_id_digits) { pcrm_ivr_identity id; return pcrm_ivr_identify_by_id_digits(w->t->ctx, a, k, "1234", NULL, &id); }
CALL(pcrm_ivr_answer_arrears) { pcrm_ivr_arrears_answer ans; return pcrm_ivr_answer_arrears(w->t->ctx, a, k, &ans); }
CALL(pcrm_ivr_identify_by_pin) { pcrm_ivr_identity id; return pcrm_ivr_identify_by_pin(w->t->ctx, a, k, "583920", NULL, &id); }
CALL(pcrm_ivr_pin_set) { pcrm_ivr_identity id; return pcrm_ivr_pin_set(w->t->ctx, a, k, "1234", "583920", NULL, &id); }
CALL(pcrm_ivr_pin_change) { pcrm_ivr_identity id; return pcrm_ivr_pin_change(w->t->ctx, a, k, "583920", "749315", NULL, &id); }
CALL(pcrm_ivr_answer_last_bill) { pcrm_ivr_bill_answer ans; return pcrm_ivr_answer_last_bill(w->t->ctx, a, k, &ans); }
CALL(pcrm_ivr_answer_tier) { pcrm_ivr_tier_answer ans; return pcrm_ivr_answer_tier(w->t->ctx, a, k, &ans); }
CALL(pcrm_ivr_answer_workorders) { pcrm_ivr_workorders_answer ans; return pcrm_ivr_answer_workorders(w->t->ctx, a, k, &ans); }
CALL(pcrm_ivr_answer_outage) { pcrm_ivr_outage_answer ans; return pcrm_ivr_answer_outage(w->t->ctx, a, k, &ans); }
CALL(pcrm_ivr_report_fault) { pcrm_ivr_fault_report r; return pcrm_ivr_report_fault(w->t->ctx, a, k, "test", NULL, &r); }
CALL(pcrm_ivr_smart_menu) { pcrm_ivr_menu m; return pcrm_ivr_smart_menu(w->t->ctx, a, k, &m); }
/* An outage of area QT1 announced by unit k. */
static pcrm_ivr_outage_spec outage_spec(struct world *w, const char *k)
{
	pcrm_ivr_outage_spec spec = PCRM_IVR_OUTAGE_SPEC_INIT;
	spec.org_unit = k;
	spec.transformer_area = "QT1";
	spec.starts_at = now_of(w) + 86400 * 8;
	spec.ends_at = spec.starts_at + 3600 * 4;
	spec.reason = "线路检修";
	return spec;
}
CALL(pcrm_ivr_outage_publish) { pcrm_ivr_outage_spec spec = outage_spec(w, k); char *id = NULL; int rc = pcrm_ivr_outage_publish(w->t->ctx, a, &spec, &id); pcrm_free(id); return rc; }
CALL(pcrm_ivr_outage_revise) { return pcrm_ivr_outage_revise(w->t->ctx, a, k, now_of(w) + 86400 * 9); }
CALL(pcrm_ivr_outage_end) { return pcrm_ivr_outage_end(w->t->ctx, a, k); }

/* ---- outbound ---- */
#define CAMPAIGN_DOC "{\"id\": \"QC5\", \"org_unit\": \"3702\", \"name\": \"n\", \"kind\": \"tariff_announcement\", \"template\": \"t\", \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"target\": {}}"
CALL(pcrm_outbound_queue) { return pcrm_outbound_queue(w->t->ctx, a, k, "{\"body\": \"x\"}", NULL, 0); }
CALL(pcrm_outbound_set_do_not_contact) { return pcrm_outbound_set_do_not_contact(w->t->ctx, a, k, PCRM_OUTBOUND_SMS, 1); }
CALL(pcrm_outbound_deliver) { pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT; pcrm_outbound_policy p = PCRM_OUTBOUND_POLICY_INIT; return pcrm_outbound_deliver(w->t->ctx, a, k, &c, &p, 10, NULL); }
CALL(pcrm_outbound_receipt) { return pcrm_outbound_receipt(w->t->ctx, a, k, PCRM_OUTBOUND_DELIVERED); }
CALL(pcrm_outbound_status) { char buf[16]; return pcrm_outbound_status(w->t->ctx, a, k, buf, sizeof(buf), NULL); }
CALL(pcrm_campaign_create) { UNUSED_KEY; return pcrm_campaign_create(w->t->ctx, a, CAMPAIGN_DOC); }
CALL(pcrm_campaign_queue) { int64_t n; return pcrm_campaign_queue(w->t->ctx, a, k, &n); }
CALL(pcrm_outbound_handover) { int64_t n; return pcrm_outbound_handover(w->t->ctx, a, k, 10, &n); }
CALL(pcrm_campaign_survey_answer) { return pcrm_campaign_survey_answer(w->t->ctx, a, k, "{\"satisfaction\": \"satisfied\"}"); }
CALL(pcrm_campaign_stats_get) { pcrm_campaign_stats s = PCRM_CAMPAIGN_STATS_INIT; return pcrm_campaign_stats_get(w->t->ctx, a, k, &s); }
CALL(pcrm_campaign_call_stats_get) { pcrm_campaign_call_stats s = PCRM_CAMPAIGN_CALL_STATS_INIT; return pcrm_campaign_call_stats_get(w->t->ctx, a, k, &s); }
static int dial_stub(void *u, const char *c, const char *d, const char *to) { (void)u, (void)c, (void)d, (void)to; return PCRM_TEL_DONE; }
static int route_stub(void *u, const char *c, const char *d, const char *ag) { (void)u, (void)c, (void)d, (void)ag; return PCRM_TEL_DONE; }
CALL(pcrm_campaign_calls_unknown) { int64_t n; return pcrm_campaign_calls_unknown(w->t->ctx, a, k, &n); }

/* A dialler of campaign k over an ACD of its own, whose one agent is ready: a run would dial. */
struct scope_dialler {
	pcrm_acd *acd;
	pcrm_tel *tel;
	pcrm_dialler *d;
};

static void scope_dialler_open(struct scope_dialler *x, const char *k)
{
	pcrm_tel_switch sw = PCRM_TEL_SWITCH_INIT;
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	memset(x, 0, sizeof(*x));
	sw.route = route_stub;
	sw.make_call = dial_stub;
	pcrm_assert_ok(pcrm_acd_new_from_json(&x->acd, "{\"version\":1,\"queues\":[{\"id\":\"q\"}],"
	                                      "\"agents\":[{\"id\":\"g\",\"skills\":{\"q\":1}}]}",
	                                      NULL, NULL));
	pcrm_assert_ok(pcrm_acd_agent_login(x->acd, "g"));
	pcrm_assert_ok(pcrm_acd_agent_ready(x->acd, "g"));
	pcrm_assert_ok(pcrm_tel_new(&x->tel, x->acd, &sw, NULL));
	o.campaign_id = k ? k : "QC1";
	o.queue_id = "q";
	o.device_id = "port";
	pcrm_assert_ok(pcrm_dialler_new(&x->d, x->acd, x->tel, &o));
}

static void scope_dialler_close(struct scope_dialler *x)
{
	pcrm_dialler_free(x->d);
	pcrm_tel_free(x->tel);
	pcrm_acd_free(x->acd);
}

CALL(pcrm_dialler_run)
{
	pcrm_outbound_policy p = PCRM_OUTBOUND_POLICY_INIT;
	struct scope_dialler x;
	int rc;
	scope_dialler_open(&x, k);
	rc = pcrm_dialler_run(x.d, w->t->ctx, a, &p, NULL);
	scope_dialler_close(&x);
	return rc;
}

/* an event the adapter would accept: refused before it is fed */
CALL(pcrm_dialler_event_record)
{
	pcrm_outbound_policy p = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	struct scope_dialler x;
	int rc;
	ev.type = PCRM_TEL_EV_AGENT_LOGGED_ON;
	ev.device_id = "d-h";
	ev.agent_id = "h";
	ev.at = 1;
	scope_dialler_open(&x, k);
	rc = pcrm_dialler_event_record(x.d, w->t->ctx, a, &p, &ev, NULL);
	scope_dialler_close(&x);
	return rc;
}

/* ---- ACD (in memory: the org tree the engine was given) ---- */
CALL(pcrm_acd_agent_force_state) { return pcrm_acd_agent_force_state(w->acd, a, k, PCRM_ACD_NOT_READY, NULL); }
CALL(pcrm_acd_agent_force_logout) { return pcrm_acd_agent_force_logout(w->acd, a, k); }
CALL(pcrm_acd_call_move) { return pcrm_acd_call_move(w->acd, a, k, "q-qd"); }
CALL(pcrm_acd_supervise) { return pcrm_acd_supervise(w->acd, a, k, PCRM_ACD_MONITOR); }

#define E(fn, existing, missing, rule) { #fn, call_##fn, existing, missing, rule, NULL }
#define PENDING(fn, rule, why) { #fn, call_##fn, NULL, NULL, rule, why }
static const struct scope_entry table[] = {
	E(pcrm_org_unit_create, "3702", "3799", OUT_REFUSED),
	E(pcrm_org_unit_rename, "3702", "3799", OUT_REFUSED),
	E(pcrm_org_unit_get, "3702", "3799", OUT_REFUSED),
	E(pcrm_org_unit_children, "3702", "3799", OUT_REFUSED),
	E(pcrm_authorize, "3702", "3799", OUT_REFUSED),
	/* the log is read within the actor's own subtree, entries written for its own unit */
	E(pcrm_audit_record, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_list, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_verify, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_verify_ext, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_checkpoint, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_verify_checkpoint, NULL, NULL, OUT_SCOPED),
	E(pcrm_audit_verify_checkpoint_ext, NULL, NULL, OUT_SCOPED),
	E(pcrm_customer_create, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_get, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_customer_update, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_customer_close, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_customer_erase, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_customer_reseal, NULL, NULL, OUT_SCOPED),
	E(pcrm_customer_key_rotate, NULL, NULL, OUT_SCOPED),
	E(pcrm_complaint_reseal, NULL, NULL, OUT_SCOPED),
	/* the whole store's keys: only an actor of the top unit, so a city's is refused */
	E(pcrm_customer_key_retire, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_search, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_find_by_phone, NULL, NULL, OUT_SCOPED),
	E(pcrm_customer_import, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_import_ext, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_import_file, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_import_file_ext, NULL, NULL, OUT_REFUSED),
	E(pcrm_customer_export, "3702", "3799", OUT_REFUSED),
	E(pcrm_contact_record, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_identify_by_phone, NULL, NULL, OUT_SCOPED),
	E(pcrm_ivr_identify_by_id_digits, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_answer_arrears, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_identify_by_pin, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_pin_set, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_pin_change, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_answer_last_bill, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_answer_tier, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_answer_workorders, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_answer_outage, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_report_fault, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_smart_menu, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_ivr_outage_publish, "3702", "3799", OUT_REFUSED),
	E(pcrm_ivr_outage_revise, "@outage", MISSING_OUTAGE, OUT_REFUSED),
	E(pcrm_ivr_outage_end, "@outage", MISSING_OUTAGE, OUT_REFUSED),
	E(pcrm_contact_list_load, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_account_create, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_account_get, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_account_update, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_account_bank_account_reveal, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_account_reseal, NULL, NULL, OUT_SCOPED),
	E(pcrm_account_list_load, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_account_set_contract, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_metering_point_create, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_metering_point_get, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_metering_point_update, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_metering_point_list_load, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_meter_install, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_meter_remove, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_meter_replace, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_meter_history_load, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_reading_record, "QM1", MISSING_METER, OUT_REFUSED),
	E(pcrm_reading_list_load, "QM1", MISSING_METER, OUT_REFUSED),
	E(pcrm_metering_point_energy, "QP1", MISSING_MP, OUT_REFUSED),
	E(pcrm_tariff_publish, NULL, NULL, OUT_SHARED),
	E(pcrm_tariff_fetch, NULL, NULL, OUT_SHARED),
	E(pcrm_billing_run, "3702", "3799", OUT_REFUSED),
	E(pcrm_billing_post, "3702", "3799", OUT_REFUSED),
	E(pcrm_bill_list_load, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_bill_correct, NULL, "QA1-202610-R1", OUT_REFUSED),
	E(pcrm_late_fee_quote, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_tier_position_get, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_late_fee_post, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_ledger_post, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_ledger_load, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_ledger_summary_load, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_arrears_load, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_dunning_list_load, "3702", "3799", OUT_REFUSED),
	E(pcrm_dunning_remind, "QA1", MISSING_ACCOUNT, OUT_REFUSED),
	E(pcrm_bank_payment_post, NULL, NULL, OUT_REFUSED),
	E(pcrm_bank_reconcile, NULL, NULL, OUT_REFUSED),
	E(pcrm_bank_reconcile_ext, NULL, NULL, OUT_REFUSED),
	E(pcrm_workflow_define, NULL, NULL, OUT_SHARED),
	E(pcrm_workflow_get, NULL, NULL, OUT_SHARED),
	E(pcrm_workorder_open, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_workorder_open_classed, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_workorder_get, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_reclassify, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_suspend_request, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_suspend_decide, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_suspension_get, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_suspended_unlimited, "3702", "3799", OUT_REFUSED),
	E(pcrm_workorder_reopen, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_attach, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_detach, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_children, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_fire, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_remind, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_escalate, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_withdraw, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_reassign, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_suspend, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_resume, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_comment, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_link, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_tick, NULL, NULL, OUT_SCOPED),
	E(pcrm_workorder_tick_ext, NULL, NULL, OUT_SCOPED),
	E(pcrm_workorder_query, "3702", "3799", OUT_REFUSED),
	E(pcrm_workorder_history_load, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_workorder_replay, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_notification_claim, "3702", "3799", OUT_REFUSED),
	E(pcrm_notification_ack, NULL, MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_complaint_config_set, NULL, NULL, OUT_SHARED),
	/* filing needs a complaint configuration; its scope is tested in tests/complaint */
	E(pcrm_complaint_file, NULL, NULL, OUT_SCOPED),
	E(pcrm_complaint_get, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_merge, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_review, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_reply, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_return_visit, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_reopen, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_visit_failed, NULL, "3702-20261123-00001", OUT_REFUSED),
	E(pcrm_complaint_close_with_master, "", MISSING_WORKORDER, OUT_REFUSED),
	E(pcrm_complaint_stats_compute, "3702", "3799", OUT_REFUSED),
	E(pcrm_complaint_stats_compute_direct, "3702", "3799", OUT_REFUSED),
	E(pcrm_complaint_stats_rebuild, "3702", "3799", OUT_REFUSED),
	E(pcrm_complaint_report_build, "3702", "3799", OUT_REFUSED),
	E(pcrm_kb_article_create, NULL, NULL, OUT_REFUSED),
	E(pcrm_kb_article_revise, "@kb", MISSING_KB, OUT_REFUSED),
	E(pcrm_kb_article_approve, "@kb", MISSING_KB, OUT_REFUSED),
	E(pcrm_kb_article_retire, "@kb", MISSING_KB, OUT_REFUSED),
	E(pcrm_kb_article_get, "@kb", MISSING_KB, OUT_REFUSED),
	/* searches and statistics cover what the actor's unit sees (docs/kb.md) */
	E(pcrm_kb_search, NULL, NULL, OUT_SCOPED),
	E(pcrm_kb_stats_load, NULL, NULL, OUT_SCOPED),
	E(pcrm_kb_contact_link, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_outbound_queue, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_outbound_set_do_not_contact, "Q1", MISSING_CUSTOMER, OUT_REFUSED),
	E(pcrm_outbound_deliver, "3702", "3799", OUT_REFUSED),
	E(pcrm_outbound_receipt, "QOB1", "QOB9", OUT_REFUSED),
	E(pcrm_outbound_status, "QOB1", "QOB9", OUT_REFUSED),
	E(pcrm_campaign_create, NULL, NULL, OUT_REFUSED),
	E(pcrm_campaign_queue, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_campaign_stats_get, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_outbound_handover, "3702", "3799", OUT_REFUSED),
	E(pcrm_campaign_survey_answer, "QOB1", "QOB9", OUT_REFUSED),
	E(pcrm_campaign_call_stats_get, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_dialler_run, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_dialler_event_record, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_campaign_calls_unknown, "QC1", "QC9", OUT_REFUSED),
	E(pcrm_call_record_sink_new, "3702", "3799", OUT_REFUSED),
	E(pcrm_call_record_list_load, "3702", "3799", OUT_REFUSED),
	/* the engine's agents and calls: an id nobody has is refused like one of Qingdao's */
	E(pcrm_acd_agent_force_state, "a-qd", "a-q9", OUT_REFUSED),
	E(pcrm_acd_agent_force_logout, "a-qd", "a-q9", OUT_REFUSED),
	E(pcrm_acd_call_move, "c-qd", "c-q9", OUT_REFUSED), /* a call waiting in Qingdao's queue */
	E(pcrm_acd_supervise, "a-qd", "a-q9", OUT_REFUSED),
};
#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

/*
 * Public functions that take an actor but touch no store and no scope: they
 * answer questions about the actor itself.  pcrm_tel_supervise() hands the
 * actor to pcrm_acd_supervise() before it asks the switch anything (checked
 * in tests/telephony/test_requests.c), so the ACD row covers it.
 */
static const char *const exempt[] = { "pcrm_actor_validate", "pcrm_actor_can",
	                              "pcrm_tel_supervise" };

/* ---- the header scan ---- */

static int listed(const char *name)
{
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (strcmp(table[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(exempt) / sizeof(exempt[0]); i++)
		if (strcmp(exempt[i], name) == 0)
			return 1;
	return 0;
}

/* Reports every declaration `PCRM_EXTERN(...) name(... const pcrm_actor * ...);` not listed. */
static size_t scan_header(const char *path, size_t *declared)
{
	FILE *f = fopen(path, "r");
	static char text[1 << 18];
	size_t n, missing = 0;
	char *at;
	cr_assert_not_null(f, "cannot read %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (at = strstr(text, "PCRM_EXTERN("); at; at = strstr(at + 1, "PCRM_EXTERN(")) {
		char *close = strchr(at, ')'), *open, *end, name[128];
		size_t len;
		if (!close || !(open = strchr(close, '(')) || !(end = strchr(open, ';')))
			continue;
		{
			char *s = open;
			while (s > close && (s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') ||
			                     (s[-1] >= '0' && s[-1] <= '9')))
				s--;
			len = (size_t)(open - s);
			if (len == 0 || len >= sizeof(name))
				continue;
			memcpy(name, s, len);
			name[len] = '\0';
		}
		{
			char saved = *end;
			int takes_actor;
			*end = '\0';
			takes_actor = strstr(open, "pcrm_actor *") != NULL;
			*end = saved;
			if (!takes_actor)
				continue;
		}
		(*declared)++;
		if (!listed(name)) {
			cr_log_error("%s: %s takes an actor but is not in the table of "
			             "tests/security/test_actor_scope.c", path, name);
			missing++;
		}
	}
	return missing;
}

Test(actor_scope, table_covers_every_public_function_taking_an_actor)
{
	char dir[1024], path[1200];
	size_t missing = 0, declared = 0;
	struct dirent *e;
	DIR *d;
	snprintf(dir, sizeof(dir), "%s/include/powercrm", getenv("PCRM_SOURCE_ROOT"));
	d = opendir(dir);
	cr_assert_not_null(d, "cannot list %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		missing += scan_header(path, &declared);
	}
	closedir(d);
	cr_assert_eq(missing, 0, "%zu public functions taking an actor are not in the table", missing);
	/* the scan itself works: it found every row of the table (and the exempt ones) */
	cr_assert_eq(declared, TABLE_SIZE + sizeof(exempt) / sizeof(exempt[0]),
	             "headers declare %zu functions taking an actor, the table lists %zu", declared,
	             TABLE_SIZE + sizeof(exempt) / sizeof(exempt[0]));
}

/* ---- running the table ---- */

static void build_world(struct world *w, pcrm_test_store *t)
{
	pcrm_workorder *wo = NULL;
	memset(w, 0, sizeof(*w));
	w->t = t;
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &root_admin, 1, "3702", "Q1", "QA1", "QP1", "QM1",
	                   t->now - 86400 * 30);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "Q-K1", "Q1", "3702", NULL,
	                                   &wo));
	snprintf(w->wo_id, sizeof(w->wo_id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	{
		/* article versions run on the shipped approval workflow (docs/kb.md) */
		char *def = read_source("data/workflows/kb-article.json");
		pcrm_kb_article *kb = NULL;
		pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, NULL, NULL));
		free(def);
		pcrm_assert_ok(pcrm_kb_article_create(t->ctx, &root_admin, KB_DOC("3702"), &kb));
		snprintf(w->kb_id, sizeof(w->kb_id), "%s", pcrm_kb_article_id(kb));
		pcrm_kb_article_free(kb);
	}
	{
		pcrm_ivr_outage_spec spec = outage_spec(w, "3702");
		char *id = NULL;
		pcrm_assert_ok(pcrm_ivr_outage_publish(t->ctx, &root_admin, &spec, &id));
		snprintf(w->outage_id, sizeof(w->outage_id), "%s", id);
		pcrm_free(id);
	}
	pcrm_assert_ok(pcrm_outbound_queue(t->ctx, &root_admin, "Q1",
	                                   "{\"id\": \"QOB1\", \"body\": \"x\"}", NULL, 0));
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &root_admin,
	                                    "{\"id\": \"QC1\", \"org_unit\": \"3702\", \"name\": \"n\","
	                                    " \"kind\": \"tariff_announcement\", \"template\": \"t\","
	                                    " \"schedule_at\": \"2026-11-24T09:00:00+08:00\", \"target\": {}}"));
	pcrm_assert_ok(pcrm_acd_new(&w->acd, NULL));
	pcrm_assert_ok(pcrm_acd_org_unit_add(w->acd, "37", NULL));
	pcrm_assert_ok(pcrm_acd_org_unit_add(w->acd, "3701", "37"));
	pcrm_assert_ok(pcrm_acd_org_unit_add(w->acd, "3702", "37"));
	pcrm_assert_ok(pcrm_acd_agent_add(w->acd, "a-qd", "3702", NULL, 0));
	{
		/* a call waiting in Qingdao's queue (no agent of it is ready) */
		pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
		pcrm_acd_call_spec call = PCRM_ACD_CALL_SPEC_INIT;
		q.id = "q-qd";
		q.org_unit = "3702";
		pcrm_assert_ok(pcrm_acd_queue_add(w->acd, &q));
		call.call_id = "c-qd";
		call.queue_id = "q-qd";
		pcrm_assert_ok(pcrm_acd_call_arrive(w->acd, &call, NULL));
	}
}

static const char *key_of(const struct world *w, const char *key)
{
	if (key && strcmp(key, "@kb") == 0)
		return w->kb_id;
	if (key && strcmp(key, "@outage") == 0)
		return w->outage_id;
	return key && !*key ? w->wo_id : key; /* "" stands for the world's work order */
}

/* What must not change: rows of the main tables and audit entries other than denials. */
static uint64_t fingerprint(pcrm_test_store *t)
{
	static const char *const sql[] = {
		"SELECT COUNT(*) FROM org_unit", "SELECT COUNT(*) FROM customer",
		"SELECT COUNT(*) FROM account", "SELECT COUNT(*) FROM metering_point",
		"SELECT COUNT(*) FROM meter_reading", "SELECT COUNT(*) FROM contact",
		"SELECT COUNT(*) FROM work_order", "SELECT COUNT(*) FROM work_order_history",
		"SELECT COUNT(*) FROM ledger_entry", "SELECT COUNT(*) FROM workflow_def",
		"SELECT COUNT(*) FROM meter_installation", "SELECT COUNT(*) FROM bill",
		"SELECT COUNT(*) FROM complaint", "SELECT COUNT(*) FROM work_order_link",
		"SELECT COUNT(*) FROM work_order_notification", "SELECT COUNT(*) FROM dunning_reminder",
		"SELECT COUNT(*) FROM complaint_config", "SELECT COALESCE(SUM(version), 0) FROM work_order",
		"SELECT COUNT(*) FROM tariff_version", "SELECT COUNT(*) FROM ivr_attempt",
		"SELECT COALESCE(SUM(version), 0) FROM customer",
		"SELECT COALESCE(SUM(version), 0) FROM org_unit",
		"SELECT COUNT(*) FROM kb_article", "SELECT COALESCE(SUM(status), 0) FROM kb_article",
		"SELECT COUNT(*) FROM kb_use", "SELECT COUNT(*) FROM kb_miss",
		"SELECT COUNT(*) FROM outbound_message", "SELECT COUNT(*) FROM outbound_attempt",
		"SELECT COUNT(*) FROM outbound_preference", "SELECT COUNT(*) FROM outbound_campaign",
		"SELECT COUNT(*) FROM ivr_pin", "SELECT COUNT(*) FROM outage",
		"SELECT COUNT(delivered_at) FROM work_order_notification",
		"SELECT COALESCE(SUM(ends_at), 0) FROM outage", "SELECT COUNT(ended_at) FROM outage",
		"SELECT COUNT(*) FROM audit_log WHERE action <> 'permission.denied'",
	};
	uint64_t sum = 0; /* unsigned: the hash wraps around by design */
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int64_t n = -1;
		pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql[i], NULL, 0, &n));
		sum = sum * 31u + (uint64_t)n;
	}
	return sum;
}

/* The message with every occurrence of `key` blanked, for comparing two refusals. */
static void without_key(char *out, size_t cap, const char *msg, const char *key)
{
	size_t kl = key ? strlen(key) : 0, o = 0;
	for (const char *p = msg; *p && o + 2 < cap;) {
		if (kl && strncmp(p, key, kl) == 0) {
			out[o++] = '#';
			p += kl;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

/* Failures are counted and each is logged, so one run shows every gap in the table. */
static int failures;

static int expect_refused(const struct scope_entry *e, int rc, const char *who)
{
	if (rc == PCRM_EPERM)
		return 1;
	cr_log_error("%s by %s: %d (%s): %s", e->name, who, rc, pcrm_strerror(rc),
	             pcrm_error_last());
	failures++;
	return 0;
}

/* Both keys refused alike: same code, same words (apart from the key as typed). */
static void assert_no_oracle(struct world *w, const struct scope_entry *e, const pcrm_actor *a,
                             const char *who)
{
	char m1[512], m2[512];
	const char *k1 = key_of(w, e->existing);
	int rc1 = e->call(w, a, k1), rc2;
	without_key(m1, sizeof(m1), pcrm_error_last(), k1);
	rc2 = e->call(w, a, e->missing);
	without_key(m2, sizeof(m2), pcrm_error_last(), e->missing);
	if (expect_refused(e, rc1, who) && expect_refused(e, rc2, who) && strcmp(m1, m2) != 0) {
		cr_log_error("%s by %s: an existing key and a missing one are told apart: \"%s\" / \"%s\"",
		             e->name, who, m1, m2);
		failures++;
	}
}

static const pcrm_role roles[] = { PCRM_ROLE_ADMIN, PCRM_ROLE_AGENT, PCRM_ROLE_DATA_CLERK,
	                           PCRM_ROLE_MONITOR, PCRM_ROLE_SYSTEM };

PCRM_BACKEND_TEST(actor_scope, an_actor_of_a_missing_unit_is_refused_everywhere)
{
	struct world w;
	uint64_t before;
	failures = 0;
	build_world(&w, t);
	before = fingerprint(t);
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		for (int level = PCRM_LEVEL_MIN; level <= PCRM_LEVEL_MAX; level++) {
			pcrm_actor ghost = { "ghost", roles[r], level, "9999" };
			char who[64];
			snprintf(who, sizeof(who), "%s level %d of missing unit 9999",
			         pcrm_role_name(roles[r]), level);
			for (size_t i = 0; i < TABLE_SIZE; i++) {
				const struct scope_entry *e = &table[i];
				if (e->pending) /* listed once, below */
					continue;
				if (e->missing && e->existing) {
					assert_no_oracle(&w, e, &ghost, who);
				} else {
					const char *k = e->missing ? e->missing : "3702";
					expect_refused(e, e->call(&w, &ghost, k), who);
				}
			}
		}
	}
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (table[i].pending)
			cr_log_info("%s: not yet refused (%s)", table[i].name, table[i].pending);
	cr_assert_eq(failures, 0, "%d calls were not refused alike (see the log)", failures);
	cr_assert_eq(fingerprint(t), before, "a refused call changed something");
	pcrm_acd_free(w.acd);
}

PCRM_BACKEND_TEST(actor_scope, an_actor_of_another_unit_is_refused_and_learns_nothing)
{
	struct world w;
	uint64_t before;
	failures = 0;
	build_world(&w, t);
	before = fingerprint(t);
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		pcrm_actor outsider = { "jinan", roles[r], PCRM_LEVEL_MAX, "3701" };
		char who[64];
		snprintf(who, sizeof(who), "%s of Jinan (3701)", pcrm_role_name(roles[r]));
		for (size_t i = 0; i < TABLE_SIZE; i++) {
			const struct scope_entry *e = &table[i];
			if (e->outsider != OUT_REFUSED)
				continue;
			if (e->missing && e->existing)
				assert_no_oracle(&w, e, &outsider, who);
			else
				expect_refused(e, e->call(&w, &outsider, e->missing ? e->missing : "3702"),
				               who);
		}
	}
	cr_assert_eq(failures, 0, "%d calls were not refused alike (see the log)", failures);
	cr_assert_eq(fingerprint(t), before, "a refused call changed something");
	pcrm_acd_free(w.acd);
}
