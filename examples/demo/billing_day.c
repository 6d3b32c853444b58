/*
 * Money: October's billing run (电费核算) county by county, its posting to
 * the ledgers (电费发行), and on Monday 23 November the day's payments at
 * the counter, online and through the bank (银电联网), ending with the
 * bank's statement file and its reconciliation (对账).
 *
 * The bank's file is written here from what the bank "collected", with
 * three mismatches planted on purpose: a line whose amount differs from the
 * payment we posted, a payment the bank collected whose real-time message
 * never reached us, and a payment we posted that the file lacks.  The
 * reconciliation must report exactly those three.
 */
#include <stdlib.h>
#include <string.h>

#include "demo.h"

#define PERIOD "2026-10"

static int run_progress(int64_t done, void *userdata)
{
	struct demo *d = userdata;
	progress(d, "billing run (calculation)", d->st.bills + done, d->n_customers);
	return 0;
}

static int post_progress(int64_t done, void *userdata)
{
	struct demo *d = userdata;
	progress(d, "posting (issuance)", done, d->st.bills - d->st.bills_zero);
	return 0;
}

/* The bill of every customer, read back the way an agent would: revenue by usage class. */
static void revenue_by_class(struct demo *d)
{
	char no[24];
	for (int k = 0; k < CLASS_COUNT; k++)
		d->st.class_revenue[k] = d->st.class_energy[k] = pcrm_decimal_from_int(0);
	for (int64_t i = 0; i < d->n_customers; i++) {
		pcrm_bill_list *bills;
		struct demo_customer *c = &d->cust[i];
		customer_no(i, no, sizeof(no));
		CHECK(pcrm_bill_list_load(d->ctx, &ACT_AGENT, no, PERIOD, PERIOD, &bills));
		for (size_t b = 0; b < pcrm_bill_list_count(bills); b++) {
			const pcrm_bill_record *rec = pcrm_bill_list_at(bills, b);
			pcrm_decimal fen;
			int64_t units;
			if (strcmp(rec->status, "issued") != 0)
				continue;
			d->st.class_revenue[c->klass] = dec_add(d->st.class_revenue[c->klass], rec->total);
			d->st.class_energy[c->klass] = dec_add(d->st.class_energy[c->klass], rec->energy);
			d->st.class_bills[c->klass]++;
			CHECK(pcrm_decimal_round(rec->total, 2, PCRM_ROUND_HALF_UP, &fen));
			units = fen.units;
			c->bill_fen = units;
		}
		pcrm_bill_list_free(bills);
		if (i % 2000 == 0 || i + 1 == d->n_customers)
			progress(d, "bills read back by usage class", i + 1, d->n_customers);
	}
	progress_done(d, "bills read back by usage class", "%lld customers", (long long)d->n_customers);
}

void billing_run_and_post(struct demo *d)
{
	char spec[768], total[PCRM_DECIMAL_STRING_MAX];
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	d->now = civil(2026, 11, 20, 9, 0, 0);
	d->st.billed_total = d->st.posted_total = pcrm_decimal_from_int(0);
	/* One run per county: the city districts bill residents on the TOU tariff, the rural
	 * counties on the monthly tiers, each run with the tariff map of its area. */
	for (int c = 0; c < d->county_count; c++) {
		pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
		snprintf(spec, sizeof(spec),
		         "{\"org_unit\": \"%s\", \"period\": \"" PERIOD "\", \"issue_date\": \"2026-11-20\","
		         " \"due_date\": \"2026-12-05\", \"batch_size\": 1000, \"tariffs\": {"
		         "\"residential\": \"%s\","
		         " \"general_commercial_industrial\": \"demo-general-commercial\","
		         " \"large_industry\": \"cn-large-industry-two-part\"}}",
		         d->counties[c].code,
		         d->counties[c].urban ? "cn-residential-tiered-tou" : "cn-gd-guangzhou-residential");
		CHECK(pcrm_billing_run(d->ctx, &ACT_CITY_ADMIN, spec, run_progress, d, &s));
		d->st.bills += s.billed;
		d->st.billed_total = dec_add(d->st.billed_total, s.total);
	}
	progress_done(d, "billing run (calculation)", "%lld bills, %s yuan", (long long)d->st.bills,
	              money(d->st.billed_total, total, sizeof(total)));
	CHECK(pcrm_billing_post(d->ctx, &ACT_CITY_ADMIN,
	                        "{\"org_unit\": \"" CITY "\", \"period\": \"" PERIOD "\", \"batch_size\": 2000}",
	                        post_progress, d, &ps));
	d->st.posted = ps.posted;
	d->st.bills_zero = ps.nothing_owed;
	d->st.posted_total = ps.total;
	progress_done(d, "posting (issuance)", "%lld bills posted, %s yuan receivable",
	              (long long)ps.posted, money(ps.total, total, sizeof(total)));
	revenue_by_class(d);
}

/* ---- the day's payments ---- */

enum channel { CH_COUNTER, CH_ONLINE, CH_BANK, CH_BANK_LOST };

struct payment {
	pcrm_time at;
	int64_t customer;
	int64_t fen;
	int channel;
	int seq;     /* order of drawing: ties in time keep it */
	int bank_no; /* the bank's serial of a collection */
};

struct payments {
	struct payment *list;
	size_t count, next;
};

static int by_time(const void *a, const void *b)
{
	const struct payment *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq - y->seq;
}

static const char *fen_text(int64_t fen, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
	return buf;
}

static void iso(pcrm_time t, char *buf, size_t size)
{
	CHECK(pcrm_time_format(t, PCRM_UTC_OFFSET_CHINA, buf, size));
}

void payments_prepare(struct demo *d)
{
	uint64_t r = rng_for(d->seed, 4);
	pcrm_time day = civil(2026, 11, 23, 0, 0, 0);
	struct payments *p = xcalloc(1, sizeof(*p));
	p->list = xcalloc((size_t)d->n_customers, sizeof(*p->list));
	int bank_seq = 0;
	for (int64_t i = 0; i < d->n_customers; i++) {
		const struct demo_customer *c = &d->cust[i];
		struct payment *y = &p->list[p->count];
		if (c->bill_fen <= 0)
			continue;
		y->customer = i;
		y->fen = c->bill_fen;
		if (c->bank) {
			/* the bank collects a fifth of its accounts today, in its night batch */
			if (rng_below(&r, 5) != 0)
				continue;
			y->channel = CH_BANK;
			y->at = day + 3600 + (pcrm_time)rng_below(&r, 5 * 3600);
			y->bank_no = ++bank_seq;
		} else {
			uint64_t u = rng_below(&r, 1000);
			if (u < 15) { /* at a township station's counter, office hours */
				y->channel = CH_COUNTER;
				y->at = day + 8 * 3600 + 1800 + (pcrm_time)rng_below(&r, 9 * 3600);
			} else if (u < 75) { /* online: wechat, the app, all day long */
				y->channel = CH_ONLINE;
				y->at = day + 6 * 3600 + (pcrm_time)rng_below(&r, 17 * 3600);
			} else {
				continue;
			}
			if (rng_below(&r, 10) == 0 && y->fen > 200)
				y->fen = y->fen / 2; /* a part payment */
		}
		y->seq = (int)p->count++;
	}
	/* The second bank payment's real-time message is "lost": only the file has it. */
	for (size_t k = 0, seen = 0; k < p->count; k++)
		if (p->list[k].channel == CH_BANK && ++seen == 2) {
			p->list[k].channel = CH_BANK_LOST;
			break;
		}
	qsort(p->list, p->count, sizeof(*p->list), by_time);
	d->pay = p;
}

pcrm_time payments_next(const struct demo *d)
{
	const struct payments *p = d->pay;
	return p->next < p->count ? p->list[p->next].at : 0;
}

static void bank_txn(const struct payment *y, char *buf, size_t size)
{
	snprintf(buf, size, "ICBC20261123%06d", y->bank_no);
}

void payments_post_next(struct demo *d)
{
	struct payments *p = d->pay;
	struct payment *y = &p->list[p->next++];
	char acct[24], doc[384], amount[32], when[40], txn[32];
	account_no(y->customer, acct, sizeof(acct));
	fen_text(y->fen, amount, sizeof(amount));
	iso(y->at, when, sizeof(when));
	switch (y->channel) {
	case CH_COUNTER:
	case CH_ONLINE:
		snprintf(doc, sizeof(doc),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"%s-%s-20261123\","
		         " \"amount\": \"%s\", \"channel\": \"%s\", \"paid_at\": \"%s\"}",
		         y->channel == CH_COUNTER ? "CTR" : "WEB", acct, amount,
		         y->channel == CH_COUNTER ? "counter" : "online", when);
		CHECK(pcrm_ledger_post(d->ctx, &ACT_CASHIER, acct, doc, NULL));
		if (y->channel == CH_COUNTER) {
			d->st.pay_counter++;
			d->st.paid_counter = dec_add(d->st.paid_counter, pcrm_decimal_make(y->fen, 2));
		} else {
			d->st.pay_online++;
			d->st.paid_online = dec_add(d->st.paid_online, pcrm_decimal_make(y->fen, 2));
		}
		break;
	case CH_BANK:
		bank_txn(y, txn, sizeof(txn));
		snprintf(doc, sizeof(doc),
		         "{\"bank_code\": \"ICBC\", \"transaction_id\": \"%s\", \"account_no\": \"%s\","
		         " \"amount\": \"%s\", \"paid_at\": \"%s\"}", txn, acct, amount, when);
		CHECK(pcrm_bank_payment_post(d->ctx, &ACT_BANK_DESK, doc, NULL));
		d->st.pay_bank++;
		d->st.paid_bank = dec_add(d->st.paid_bank, pcrm_decimal_make(y->fen, 2));
		break;
	default: /* CH_BANK_LOST: the bank has it, we do not */
		break;
	}
}

/* The bank's file of the day, with the planted differences, reconciled against the ledger. */
void payments_free(struct demo *d)
{
	if (d->pay)
		free(d->pay->list);
	free(d->pay);
	d->pay = NULL;
}

void bank_reconcile(struct demo *d)
{
	const struct payments *p = d->pay;
	size_t cap = 256 + p->count * 64, len = 0;
	char *lines = xmalloc(cap), txn[32], acct[24], amount[32], header[128];
	int64_t total_fen = 0, count = 0;
	int planted_missing_bank = 0, bank_seen = 0;
	for (size_t k = 0; k < p->count; k++) {
		const struct payment *y = &p->list[k];
		pcrm_civil cv;
		int64_t fen = y->fen;
		if (y->channel != CH_BANK && y->channel != CH_BANK_LOST)
			continue;
		bank_txn(y, txn, sizeof(txn));
		if (y->channel == CH_BANK_LOST) {
			snprintf(d->st.planted[1], sizeof(d->st.planted[1]), "%s", txn);
		} else if (++bank_seen == 1) {
			/* the bank's line says one yuan more than the message it sent us */
			fen += 100;
			snprintf(d->st.planted[0], sizeof(d->st.planted[0]), "%s", txn);
		} else if (!planted_missing_bank && bank_seen == 3) {
			/* a payment the bank sent us and then left out of its file */
			planted_missing_bank = 1;
			snprintf(d->st.planted[2], sizeof(d->st.planted[2]), "%s", txn);
			continue;
		}
		account_no(y->customer, acct, sizeof(acct));
		CHECK(pcrm_time_to_civil(y->at, PCRM_UTC_OFFSET_CHINA, &cv));
		len += (size_t)snprintf(lines + len, cap - len, "%s,%s,%s,%02d:%02d:%02d\n", txn, acct,
		                        fen_text(fen, amount, sizeof(amount)), cv.hour, cv.minute, cv.second);
		total_fen += fen;
		count++;
	}
	snprintf(header, sizeof(header), "bank_statement,1,ICBC,2026-11-23,%lld,%s\n", (long long)count,
	         fen_text(total_fen, amount, sizeof(amount)));
	char *file = xmalloc(strlen(header) + len + 1);
	strcpy(file, header);
	memcpy(file + strlen(header), lines, len);
	file[strlen(header) + len] = '\0';
	free(lines);

	char path[1024];
	snprintf(path, sizeof(path), "%s/bank-ICBC-20261123.csv", d->out_dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(file, f);
		fclose(f);
	}

	pcrm_bank_reconciliation *rec;
	CHECK(pcrm_bank_reconcile(d->ctx, &ACT_BANK_DESK, file, strlen(file), 0, &rec));
	for (size_t i = 0; i < pcrm_bank_reconciliation_count(rec); i++) {
		const pcrm_bank_recon_item *it = pcrm_bank_reconciliation_at(rec, i);
		int kind = -1;
		d->st.recon_lines++;
		if (strcmp(it->status, "matched") == 0) {
			d->st.recon_matched++;
		} else if (strcmp(it->status, "amount_mismatch") == 0) {
			d->st.recon_mismatch++;
			kind = 0;
		} else if (strcmp(it->status, "missing_ours") == 0) {
			d->st.recon_missing_ours++;
			kind = 1;
		} else if (strcmp(it->status, "missing_bank") == 0) {
			d->st.recon_missing_bank++;
			kind = 2;
		}
		if (kind >= 0)
			snprintf(d->st.found[kind], sizeof(d->st.found[kind]), "%s",
			         d->st.found[kind][0] ? "*" : it->transaction_id);
	}
	pcrm_bank_reconciliation_free(rec);
	free(file);
	progress_done(d, "bank statement reconciled", "%lld lines: %lld matched, %lld amount, %lld missing ours, %lld missing bank",
	              (long long)d->st.recon_lines, (long long)d->st.recon_matched,
	              (long long)d->st.recon_mismatch, (long long)d->st.recon_missing_ours,
	              (long long)d->st.recon_missing_bank);
}
