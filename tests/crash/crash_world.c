/* The crash tests' world: store, archive, jobs and checks (crash_world.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "backend.h"
#include "crash_world.h"
#include "fixtures.h"
#include "pgtmp.h"

#define TEST_EPOCH 1795395600 /* 2026-11-23T09:00:00+08:00, the clock of every context */
#define INSTALLED 1781452800  /* 2026-06-15T00:00:00+08:00 */
/* 2026-07-28, 08-28, 09-28 at 20:00 +08:00: one reading in each month billed */
static const pcrm_time reading_at[WORLD_MONTHS] = { 1785240000, 1787918400, 1790596800 };

#define PAYMENTS_PER_STREAM 24
#define CUSTOMERS_PER_IMPORT 20
#define IMPORT_BATCH_LINES 4
#define LINES_PER_STATEMENT 16

/* Where homes and imported customers live, in turn: all inside city 3701. */
static const char *const units[] = { "37010201", "370102", "3701" };

const char *crash_job_name(enum crash_job job)
{
	static const char *const names[] = { "billing run with posting", "payment stream",
		                             "customer import", "bank statement posting" };
	return names[job];
}

static pcrm_time world_clock(void *userdata)
{
	return ((struct world *)userdata)->now;
}

/* ---- the store ---- */

static const char *const world_files[] = { "store.db", "store.db-wal", "store.db-shm",
	                                   "import-1.jsonl", "import-2.jsonl", "import-3.jsonl" };

/*
 * The directories of the worlds not removed yet, by name: a failed assertion
 * leaves the test's function (and its struct world) behind, and the exit
 * handler removes what it left in /tmp.
 */
static char live_dirs[8][sizeof(((struct world *)0)->dir)];

static void remove_dir(const char *dir)
{
	for (size_t i = 0; i < sizeof(world_files) / sizeof(world_files[0]); i++) {
		char path[640];
		snprintf(path, sizeof(path), "%s/%s", dir, world_files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void remove_live_dirs(void)
{
	for (size_t i = 0; i < sizeof(live_dirs) / sizeof(live_dirs[0]); i++)
		if (live_dirs[i][0])
			remove_dir(live_dirs[i]);
}

static void track_dir(const char *dir, int live)
{
	static int registered;
	for (size_t i = 0; i < sizeof(live_dirs) / sizeof(live_dirs[0]); i++) {
		if (live && !live_dirs[i][0]) {
			snprintf(live_dirs[i], sizeof(live_dirs[i]), "%s", dir);
			break;
		}
		if (!live && strcmp(live_dirs[i], dir) == 0)
			live_dirs[i][0] = '\0';
	}
	if (live && !registered)
		registered = atexit(remove_live_dirs) == 0;
}

void world_create(struct world *w, int pg)
{
	memset(w, 0, sizeof(*w));
	w->now = TEST_EPOCH;
	snprintf(w->dir, sizeof(w->dir), "/tmp/pcrm-crash-XXXXXX");
	cr_assert(mkdtemp(w->dir), "mkdtemp");
	track_dir(w->dir, 1);
	if (pg) {
		char why[512];
		const char *start_error = getenv("PCRM_TEST_PG_ERROR");
		const char *uri = start_error ? NULL : pcrm_test_pg_new_database(why, sizeof(why));
		if (!uri) {
			world_remove(w);
			if (pcrm_test_pg_required())
				cr_assert_fail("PostgreSQL is required (CI=true): %s",
				               start_error ? start_error : why);
			cr_skip_test("no PostgreSQL: %s", start_error ? start_error : why);
		}
		snprintf(w->uri, sizeof(w->uri), "%s", uri);
	} else {
		snprintf(w->path, sizeof(w->path), "%s/store.db", w->dir);
		snprintf(w->uri, sizeof(w->uri), "sqlite:%s", w->path);
	}
}

void world_remove(struct world *w)
{
	if (!w->dir[0])
		return;
	/* each test removes a world before it creates the next, so its database is the last one */
	if (!w->path[0])
		pcrm_test_pg_drop_database();
	remove_dir(w->dir);
	track_dir(w->dir, 0);
	w->dir[0] = '\0';
}

/* Personal data is sealed: every context of the world holds this key. */
static const unsigned char crash_data_key[PCRM_DATA_KEY_LEN] = "crash world data key 0123456789";

pcrm_ctx *world_open(struct world *w)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.clock = world_clock;
	opts.clock_data = w;
	opts.data_key = crash_data_key;
	opts.data_key_len = sizeof(crash_data_key);
	if (pcrm_ctx_open(&ctx, w->uri, &opts) != PCRM_OK)
		return NULL;
	return ctx;
}

/* ---- the archive ---- */

/* The kWh home n uses in month m (0-based): spread over all three tiers. */
static int usage_kwh(int n, int m)
{
	return 120 + (n * 53 + m * 97) % 560;
}

static void add_home(pcrm_ctx *ctx, int n)
{
	char no[16], acct[16], mp[16], meter[16];
	int total = 1000;
	snprintf(no, sizeof(no), "C%02d", n);
	snprintf(acct, sizeof(acct), "A%02d", n);
	snprintf(mp, sizeof(mp), "P%02d", n);
	snprintf(meter, sizeof(meter), "M%02d", n);
	pcrm_test_add_home(ctx, &city_clerk, n, units[n % 3], no, acct, mp, meter, INSTALLED);
	for (int m = 0; m < WORLD_MONTHS; m++) {
		total += usage_kwh(n, m);
		pcrm_assert_ok(pcrm_reading_record(ctx, &city_clerk, meter, PCRM_REGISTER_TOTAL,
		                                   pcrm_decimal_from_int(total), reading_at[m], 0,
		                                   NULL));
	}
}

void world_setup(struct world *w)
{
	pcrm_ctx *ctx = world_open(w);
	char *tariff = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	cr_assert(ctx, "open %s: %s", w->uri, pcrm_error_last());
	make_tree(ctx);
	pcrm_assert_ok(pcrm_tariff_publish(ctx, &root_admin, tariff));
	free(tariff);
	for (int n = 1; n <= WORLD_HOMES; n++)
		add_home(ctx, n);
	pcrm_ctx_close(ctx);
}

/* ---- the jobs ---- */

static int run_billing(pcrm_ctx *ctx, int instance, struct job_report *report)
{
	pcrm_billing_summary summary = PCRM_BILLING_SUMMARY_INIT;
	int rc;
	char spec[512];
	int month = 6 + instance; /* 7, 8, 9 */
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"3701\", \"period\": \"2026-%02d\", \"issue_date\": \"2026-%02d-01\","
	         " \"due_date\": \"2026-%02d-15\", \"post\": true, \"batch_size\": 4,"
	         " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	         month, month + 1, month + 1);
	rc = pcrm_billing_run(ctx, &city_admin, spec, NULL, NULL, &summary);
	if (rc == PCRM_OK) {
		report->written = summary.billed;
		report->already = summary.already_billed;
	}
	return rc;
}

static void payment_of(int instance, int k, char *key, size_t key_size, char *account,
                       size_t account_size, char *amount, size_t amount_size)
{
	snprintf(key, key_size, "S%d-%02d", instance, k);
	snprintf(account, account_size, "A%02d", 1 + (k * 5 + instance) % WORLD_HOMES);
	snprintf(amount, amount_size, "%d.%02d", 10 + k * 3 + instance, (k * 37 + instance) % 100);
}

static int run_payments(pcrm_ctx *ctx, int instance, struct job_report *report)
{
	for (int k = 1; k <= PAYMENTS_PER_STREAM; k++) {
		char key[32], account[16], amount[32], doc[256];
		int rc;
		payment_of(instance, k, key, sizeof(key), account, sizeof(account), amount,
		           sizeof(amount));
		snprintf(doc, sizeof(doc),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"%s\", \"amount\": \"%s\","
		         " \"channel\": \"counter\"}",
		         key, amount);
		pcrm_ledger_entry *e = NULL;
		rc = pcrm_ledger_post(ctx, &city_agent, account, doc, &e);
		if (rc != PCRM_OK)
			return rc;
		if (e->replayed)
			report->already++;
		else
			report->written++;
		pcrm_ledger_entry_free(e);
	}
	return PCRM_OK;
}

static void import_path(const struct world *w, int instance, char *path, size_t size)
{
	snprintf(path, size, "%s/import-%d.jsonl", w->dir, instance);
}

static void customer_of(int instance, int k, char *no, size_t size)
{
	snprintf(no, size, "I%d-%02d", instance, k);
}

static int run_import(pcrm_ctx *ctx, struct world *w, int instance, struct job_report *report)
{
	pcrm_import_result result = PCRM_IMPORT_RESULT_INIT;
	char path[128];
	int rc;
	FILE *f;
	import_path(w, instance, path, sizeof(path));
	/* The file is written once; every run of the instance reads the same bytes. */
	if (access(path, F_OK) != 0) {
		if ((f = fopen(path, "w")) == NULL)
			return PCRM_EIO;
		for (int k = 1; k <= CUSTOMERS_PER_IMPORT; k++) {
			char no[16];
			customer_of(instance, k, no, sizeof(no));
			fprintf(f,
			        "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
			        " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
			        " \"org_unit\": \"%s\", \"phones\": {\"mobile\": \"138%d%07d\"}}\n",
			        no, no, units[k % 3], instance, k);
		}
		if (fclose(f) != 0)
			return PCRM_EIO;
	}
	rc = pcrm_customer_import_file_ext(ctx, &city_clerk, path, IMPORT_BATCH_LINES, NULL, NULL,
	                                   &result);
	report->written = result.imported;
	report->already = result.already_present;
	return rc;
}

static void bank_line_of(int instance, int k, char *id, size_t id_size, char *account,
                         size_t account_size, int *fen)
{
	snprintf(id, id_size, "T%d-%02d", instance, k);
	snprintf(account, account_size, "A%02d", 1 + (k * 3 + instance * 7) % WORLD_HOMES);
	*fen = 2000 + k * 1234 + instance * 101;
}

static int run_bank(pcrm_ctx *ctx, int instance, struct job_report *report)
{
	char text[4096];
	size_t len = 0;
	int total = 0;
	pcrm_bank_reconciliation *r = NULL;
	int rc;
	for (int k = 1; k <= LINES_PER_STATEMENT; k++) {
		char id[32], account[16];
		int fen;
		bank_line_of(instance, k, id, sizeof(id), account, sizeof(account), &fen);
		total += fen;
	}
	len += (size_t)snprintf(text + len, sizeof(text) - len,
	                        "bank_statement,1,ICBC,2026-11-%02d,%d,%d.%02d\n", 19 + instance,
	                        LINES_PER_STATEMENT, total / 100, total % 100);
	for (int k = 1; k <= LINES_PER_STATEMENT; k++) {
		char id[32], account[16];
		int fen;
		bank_line_of(instance, k, id, sizeof(id), account, sizeof(account), &fen);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s,%s,%d.%02d,10:%02d:00\n",
		                        id, account, fen / 100, fen % 100, k);
	}
	rc = pcrm_bank_reconcile(ctx, &city_admin, text, len, PCRM_BANK_RECONCILE_POST_MISSING,
	                         &r);
	for (size_t i = 0; rc == PCRM_OK && i < pcrm_bank_reconciliation_count(r); i++) {
		const char *status = pcrm_bank_reconciliation_at(r, i)->status;
		if (strcmp(status, "posted") == 0)
			report->written++;
		else if (strcmp(status, "matched") == 0)
			report->already++;
	}
	pcrm_bank_reconciliation_free(r);
	return rc;
}

int world_run_job_report(pcrm_ctx *ctx, struct world *w, enum crash_job job, int instance,
                         struct job_report *report)
{
	memset(report, 0, sizeof(*report));
	switch (job) {
	case JOB_BILLING:
		return run_billing(ctx, instance, report);
	case JOB_PAYMENTS:
		return run_payments(ctx, instance, report);
	case JOB_IMPORT:
		return run_import(ctx, w, instance, report);
	case JOB_BANK:
		return run_bank(ctx, instance, report);
	}
	return PCRM_EINVAL;
}

int world_run_job(pcrm_ctx *ctx, struct world *w, enum crash_job job, int instance)
{
	struct job_report ignored;
	return world_run_job_report(ctx, w, job, instance, &ignored);
}

/* ---- checks ---- */

static void account_of(int n, char *buf, size_t size)
{
	snprintf(buf, size, "A%02d", n);
}

void world_check_consistent(pcrm_ctx *ctx, const char *when)
{
	int64_t checked = 0, first_bad = 0;
	int rc;
	for (int n = 1; n <= WORLD_HOMES; n++) {
		char account[16];
		pcrm_ledger_list *l = NULL;
		pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
		pcrm_decimal sum = pcrm_decimal_from_int(0);
		size_t count;
		account_of(n, account, sizeof(account));
		pcrm_assert_ok(pcrm_ledger_load(ctx, &root_admin, account, &l));
		count = pcrm_ledger_list_count(l);
		for (size_t i = 0; i < count; i++) {
			const pcrm_ledger_entry *e = pcrm_ledger_list_at(l, i);
			pcrm_assert_ok(pcrm_decimal_add(sum, e->amount, &sum));
			cr_assert_eq(pcrm_decimal_cmp(sum, e->balance), 0,
			             "%s: %s entry %" PRId64 " (%s): balance is not the running sum",
			             when, account, e->seq, e->ref);
			cr_assert_eq(e->seq, (int64_t)i + 1, "%s: %s: entry %zu has seq %" PRId64, when,
			             account, i + 1, e->seq);
		}
		pcrm_ledger_list_free(l);
		pcrm_assert_ok(pcrm_ledger_summary_load(ctx, &root_admin, account, &s));
		cr_assert_eq(pcrm_decimal_cmp(s.balance, sum), 0,
		             "%s: %s: the balance is not the sum of the entries", when, account);
		cr_assert_eq(s.entries, (int64_t)count, "%s: %s: summary counts %" PRId64
		             " entries, the ledger has %zu", when, account, s.entries, count);
	}
	rc = pcrm_audit_verify(ctx, &monitor, &checked, &first_bad);
	cr_assert_eq(rc, PCRM_OK, "%s: the audit chain does not verify (entry %" PRId64 "): %s",
	             when, first_bad, pcrm_error_last());
	cr_assert_gt(checked, 0, "%s: an empty audit chain", when);
}

/* How often `ref` appears among the ledger entries of `account`. */
static int ledger_refs(pcrm_ctx *ctx, const char *account, const char *ref)
{
	pcrm_ledger_list *l = NULL;
	int found = 0;
	pcrm_assert_ok(pcrm_ledger_load(ctx, &root_admin, account, &l));
	for (size_t i = 0; i < pcrm_ledger_list_count(l); i++)
		found += strcmp(pcrm_ledger_list_at(l, i)->ref, ref) == 0;
	pcrm_ledger_list_free(l);
	return found;
}

int world_job_items(enum crash_job job)
{
	static const int items[] = { WORLD_HOMES, PAYMENTS_PER_STREAM, CUSTOMERS_PER_IMPORT,
		                     LINES_PER_STATEMENT };
	return items[job];
}

/*
 * Home k's bill of the instance's month: how many current bills it has for
 * the month, asserting each is posted and in the ledger exactly once (a bill
 * stored without its ledger entry, or with two, is a partial or doubled
 * write even when the count is right).
 */
static int bill_stored(pcrm_ctx *ctx, int instance, int k, const char *when)
{
	char period[24], no[16], account[16];
	pcrm_bill_list *l = NULL;
	int current = 0;
	snprintf(period, sizeof(period), "2026-%02d", 6 + instance);
	snprintf(no, sizeof(no), "C%02d", k);
	account_of(k, account, sizeof(account));
	pcrm_assert_ok(pcrm_bill_list_load(ctx, &root_admin, no, period, period, &l));
	for (size_t i = 0; i < pcrm_bill_list_count(l); i++) {
		const pcrm_bill_record *b = pcrm_bill_list_at(l, i);
		if (strcmp(b->status, "issued") != 0)
			continue;
		current++;
		cr_assert(b->posted, "%s: bill %s is stored but not posted", when, b->bill_no);
		cr_assert_eq(ledger_refs(ctx, account, b->bill_no), 1,
		             "%s: bill %s is not in the ledger of %s exactly once", when, b->bill_no,
		             account);
	}
	pcrm_bill_list_free(l);
	return current;
}

static int customer_stored(pcrm_ctx *ctx, int instance, int k, const char *when)
{
	char no[16];
	pcrm_customer *c = NULL;
	int rc;
	customer_of(instance, k, no, sizeof(no));
	rc = pcrm_customer_get(ctx, &root_admin, no, 0, &c);
	pcrm_customer_free(c);
	/* a missing customer is refused like one outside the scope (EPERM); root sees every unit */
	cr_assert(rc == PCRM_OK || rc == PCRM_EPERM, "%s: %s: %s", when, no, pcrm_error_last());
	return rc == PCRM_OK;
}

int world_item_stored(pcrm_ctx *ctx, enum crash_job job, int instance, int k, const char *when)
{
	char id[32], account[16], amount[32];
	int fen;
	switch (job) {
	case JOB_BILLING:
		return bill_stored(ctx, instance, k, when);
	case JOB_PAYMENTS:
		payment_of(instance, k, id, sizeof(id), account, sizeof(account), amount,
		           sizeof(amount));
		return ledger_refs(ctx, account, id);
	case JOB_IMPORT:
		return customer_stored(ctx, instance, k, when);
	case JOB_BANK:
		bank_line_of(instance, k, id, sizeof(id), account, sizeof(account), &fen);
		return ledger_refs(ctx, account, id);
	}
	return -1;
}

struct counter {
	int instance;
	int64_t of_instance;
};

static int count_instance(const char *data, size_t len, void *userdata)
{
	struct counter *c = userdata;
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "\"customer_no\":\"I%d-", c->instance);
	/* the export is compact JSON, one line per call or more: count this instance's numbers */
	for (const char *p = data; (p = memchr(p, '"', (size_t)(data + len - p))) != NULL; p++)
		if ((size_t)(data + len - p) >= (size_t)n && memcmp(p, prefix, (size_t)n) == 0)
			c->of_instance++;
	return 0;
}

void world_check_exactly_once(pcrm_ctx *ctx, enum crash_job job, int instance, const char *when)
{
	int items = world_job_items(job);
	for (int k = 1; k <= items; k++) {
		int n = world_item_stored(ctx, job, instance, k, when);
		cr_assert_eq(n, 1, "%s: item %d of %s %d is stored %d times, not once", when, k,
		             crash_job_name(job), instance, n);
	}
	if (job == JOB_IMPORT) {
		/* customer numbers are unique by construction; the export shows no stray rows */
		struct counter c = { instance, 0 };
		pcrm_assert_ok(pcrm_customer_export(ctx, &root_admin, NULL, 0, count_instance, &c,
		                                    NULL));
		cr_assert_eq(c.of_instance, items,
		             "%s: the export holds %" PRId64 " customers of import %d, not %d", when,
		             c.of_instance, instance, items);
	}
}

/* ---- the state as text ---- */

struct text {
	char *buf;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		cr_assert(t->buf, "out of memory");
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static const char *money(pcrm_decimal d, char *buf)
{
	pcrm_assert_ok(pcrm_decimal_format(d, buf, PCRM_DECIMAL_STRING_MAX));
	return buf;
}

static int export_to_text(const char *data, size_t len, void *userdata)
{
	add(userdata, "%.*s", (int)len, data);
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of `text` in byte order (the text is rebuilt in place). */
static void sort_lines(struct text *t)
{
	size_t n = 0, at = 0;
	char **lines, *copy = malloc(t->len + 1);
	cr_assert(copy, "out of memory");
	memcpy(copy, t->buf, t->len + 1);
	for (size_t i = 0; i < t->len; i++)
		n += copy[i] == '\n';
	lines = calloc(n + 1, sizeof(*lines));
	cr_assert(lines, "out of memory");
	n = 0;
	for (char *p = copy, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(*lines), by_text);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(lines[i]);
		memcpy(t->buf + at, lines[i], len);
		t->buf[at + len] = '\n';
		at += len + 1;
	}
	free(lines);
	free(copy);
}

char *world_state(pcrm_ctx *ctx, int in_order)
{
	struct text t = { NULL, 0, 0 };
	char a[PCRM_DECIMAL_STRING_MAX], b[PCRM_DECIMAL_STRING_MAX], c[PCRM_DECIMAL_STRING_MAX];
	add(&t, "%s", "");
	for (int n = 1; n <= WORLD_HOMES; n++) {
		char no[16], account[16];
		pcrm_bill_list *bills = NULL;
		pcrm_ledger_list *l = NULL;
		snprintf(no, sizeof(no), "C%02d", n);
		account_of(n, account, sizeof(account));
		pcrm_assert_ok(pcrm_bill_list_load(ctx, &root_admin, no, NULL, NULL, &bills));
		for (size_t i = 0; i < pcrm_bill_list_count(bills); i++) {
			const pcrm_bill_record *r = pcrm_bill_list_at(bills, i);
			add(&t, "bill %s %s %s energy %s total %s posted %d\n", r->bill_no, r->period,
			    r->status, money(r->energy, a), money(r->total, b), r->posted);
		}
		pcrm_bill_list_free(bills);
		pcrm_assert_ok(pcrm_ledger_load(ctx, &root_admin, account, &l));
		for (size_t i = 0; i < pcrm_ledger_list_count(l); i++) {
			const pcrm_ledger_entry *e = pcrm_ledger_list_at(l, i);
			if (in_order)
				add(&t, "ledger %s %" PRId64 " %s %s %s balance %s credit %s "
				    "%04d-%02d-%02d\n",
				    account, e->seq, e->kind, e->ref, money(e->amount, a),
				    money(e->balance, b), money(e->credit, c), e->date.year,
				    e->date.month, e->date.day);
			else
				add(&t, "ledger %s %s %s %s %04d-%02d-%02d\n", account, e->kind, e->ref,
				    money(e->amount, a), e->date.year, e->date.month, e->date.day);
		}
		pcrm_ledger_list_free(l);
		if (!in_order) {
			pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
			pcrm_assert_ok(pcrm_ledger_summary_load(ctx, &root_admin, account, &s));
			add(&t, "standing %s balance %s open %s credit %s\n", account,
			    money(s.balance, a), money(s.open, b), money(s.credit, c));
		}
	}
	pcrm_assert_ok(pcrm_customer_export(ctx, &root_admin, NULL, 0, export_to_text, &t, NULL));
	if (!in_order)
		sort_lines(&t);
	return t.buf;
}

char *world_take_state(struct world *w)
{
	pcrm_ctx *ctx = world_open(w);
	char *state;
	cr_assert(ctx, "open %s: %s", w->uri, pcrm_error_last());
	state = world_state(ctx, 1);
	pcrm_ctx_close(ctx);
	world_remove(w);
	return state;
}

/* With PCRM_CRASH_DUMP=<dir>, both states go to files there, for diff(1). */
static void dump_state(const char *state, const char *name)
{
	const char *dir = getenv("PCRM_CRASH_DUMP");
	char path[512];
	FILE *f;
	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(state, f);
		fclose(f);
	}
}

void world_assert_same_state(const char *a, const char *b, const char *what)
{
	int line = 1;
	size_t i = 0;
	while (a[i] && a[i] == b[i]) {
		line += a[i] == '\n';
		i++;
	}
	if (a[i] == b[i])
		return;
	dump_state(a, "expected.txt");
	dump_state(b, "found.txt");
	{
		size_t start = i;
		while (start > 0 && a[start - 1] != '\n')
			start--;
		cr_assert_fail("%s: line %d differs:\n  expected: %.*s\n  found:    %.*s", what, line,
		               (int)strcspn(a + start, "\n"), a + start, (int)strcspn(b + start, "\n"),
		               b + start);
	}
}
