/*
 * Bank collection (银电联网): payments posted by bank transaction id, and
 * the daily reconciliation of a bank's statement against the ledger.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/progress.h"
#include "ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

/* ---- posting by transaction id ---- */

int pcrm_bank_payment_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                           pcrm_ledger_entry **out)
{
	json_t *doc, *account;
	char account_no[PCRM__LEDGER_CODE_MAX + 1];
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm__ledger_parse_json("payment", json, json ? strlen(json) : 0, &doc);
	if (rc != PCRM_OK)
		return rc;
	account = json_object_get(doc, "account_no");
	if (!json_is_string(account) || json_string_length(account) < 1 ||
	    json_string_length(account) > PCRM__LEDGER_CODE_MAX)
		rc = pcrm__error(PCRM_EINVAL, "account_no: must be a string of 1..%d bytes",
		                 PCRM__LEDGER_CODE_MAX);
	else if (json_object_get(doc, "kind") || json_object_get(doc, "channel"))
		rc = pcrm__error(PCRM_EINVAL, "%s: unknown field",
		                 json_object_get(doc, "kind") ? "kind" : "channel");
	else if (!json_object_get(doc, "paid_at"))
		rc = pcrm__error(PCRM_EINVAL, "paid_at: is required");
	else if (!json_object_get(doc, "bank_code") || !json_object_get(doc, "transaction_id"))
		rc = pcrm__error(PCRM_EINVAL, "%s: is required",
		                 json_object_get(doc, "bank_code") ? "transaction_id" : "bank_code");
	if (rc == PCRM_OK) {
		snprintf(account_no, sizeof(account_no), "%s", json_string_value(account));
		json_object_del(doc, "account_no");
		json_object_set_new(doc, "kind", json_string("payment"));
		json_object_set_new(doc, "channel", json_string("bank"));
		rc = pcrm__ledger_post_doc(ctx, actor, account_no, doc, out);
	}
	json_decref(doc);
	return rc;
}

/* ---- reconciliation ---- */

struct pcrm_bank_reconciliation {
	struct pcrm__vec v;
};

PCRM__VEC_LIST(pcrm_bank_reconciliation, pcrm_bank_recon_item, pcrm_bank_reconciliation_count,
               pcrm_bank_reconciliation_at, pcrm_bank_reconciliation_free)

/* A payment of the ledger, for matching. */
struct ours {
	char txn[PCRM__LEDGER_KEY_MAX + 1];
	char account_no[PCRM__LEDGER_CODE_MAX + 1];
	pcrm_decimal amount;
	int seen;
};

struct recon {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const struct pcrm__bank_statement *st;
	unsigned int flags;
	struct ours *ours;
	size_t nours;
	pcrm_bank_reconciliation *out;
	int counts[5]; /* matched, amount_mismatch, missing_ours, missing_bank, posted */
	pcrm_progress_fn progress;
	void *userdata;
};

/* Statement lines matched between two reports to the progress callback. */
#define RECONCILE_PROGRESS_LINES 1000

static const char *const statuses[5] = { "matched", "amount_mismatch", "missing_ours",
	                                 "missing_bank", "posted" };

static int by_txn(const void *a, const void *b)
{
	return strcmp(((const struct ours *)a)->txn, ((const struct ours *)b)->txn);
}

static int add_item(struct recon *r, int status, const char *txn, const char *account_no,
                    pcrm_decimal bank, pcrm_decimal ledger, int line)
{
	const char *src[3] = { statuses[status], txn, account_no };
	const size_t offs[3] = { offsetof(pcrm_bank_recon_item, status),
		                 offsetof(pcrm_bank_recon_item, transaction_id),
		                 offsetof(pcrm_bank_recon_item, account_no) };
	pcrm_bank_recon_item *it = pcrm__block_new(sizeof(*it), src, offs, 3);
	int rc;
	if (!it)
		return pcrm__error_oom();
	it->bank_amount = bank;
	it->ledger_amount = ledger;
	it->line = line;
	rc = pcrm__vec_push(&r->out->v, it);
	if (rc != PCRM_OK)
		free(it);
	else
		r->counts[status]++;
	return rc;
}

/* Every bank payment of the statement's bank and day, sorted by transaction id. */
static int load_ours(struct recon *r)
{
	static const char sql[] =
		"SELECT bank_txn_id, account_no, amount FROM ledger_payment "
		"WHERE bank_code = $1 AND paid_day = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(r->st->bank_code),
		                PCRM_SQL_I(pcrm_date_to_days(r->st->date)) };
	size_t cap = 0;
	pcrm_rows *rows;
	int rc = pcrm__store_query(r->ctx->store, sql, p, 2, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		struct ours *o;
		if (r->nours == cap) {
			size_t n = cap ? cap * 2 : 64;
			struct ours *grown = realloc(r->ours, n * sizeof(*grown));
			if (!grown) {
				rc = pcrm__error_oom();
				break;
			}
			r->ours = grown;
			cap = n;
		}
		o = &r->ours[r->nours];
		memset(o, 0, sizeof(*o));
		snprintf(o->txn, sizeof(o->txn), "%s", pcrm__rows_text(rows, 0));
		snprintf(o->account_no, sizeof(o->account_no), "%s", pcrm__rows_text(rows, 1));
		rc = pcrm__money_load(pcrm__rows_text(rows, 2), &o->amount);
		if (rc != PCRM_OK)
			break;
		r->nours++;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (r->nours)
		qsort(r->ours, r->nours, sizeof(*r->ours), by_txn);
	return PCRM_OK;
}

/* A payment posted on another day with this transaction id (1 found, 0 not, < 0 error). */
static int find_elsewhere(struct recon *r, const char *txn, struct ours *o)
{
	static const char sql[] = "SELECT account_no, amount FROM ledger_payment "
	                          "WHERE bank_code = $1 AND bank_txn_id = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(r->st->bank_code), PCRM_SQL_S(txn) };
	pcrm_rows *rows;
	int rc = pcrm__ledger_first_row(r->ctx->store, sql, p, 2, &rows);
	if (rc == 1) {
		snprintf(o->account_no, sizeof(o->account_no), "%s", pcrm__rows_text(rows, 0));
		if (pcrm__money_load(pcrm__rows_text(rows, 1), &o->amount) != PCRM_OK)
			rc = PCRM_ESTORE;
	}
	pcrm__rows_free(rows);
	return rc;
}

/*
 * Posts a line the ledger lacks as a bank payment; errors name the line.
 * *replayed is set when a concurrent reconciliation posted it first (the
 * ledger answered from the entry it holds).
 */
static int post_line(struct recon *r, const struct pcrm__bank_line *l, int *replayed)
{
	pcrm_civil c = { r->st->date.year, r->st->date.month, r->st->date.day, l->seconds / 3600,
		         l->seconds / 60 % 60, l->seconds % 60 };
	char amount[PCRM_DECIMAL_STRING_MAX], at[40];
	pcrm_ledger_entry *entry = NULL;
	pcrm_time t;
	json_t *doc;
	int rc = pcrm_time_from_civil(&c, pcrm_ctx_utc_offset(r->ctx), &t);

	if (rc == PCRM_OK)
		rc = pcrm_time_format(t, pcrm_ctx_utc_offset(r->ctx), at, sizeof(at));
	if (rc != PCRM_OK)
		return rc;
	pcrm__money_text(l->amount, amount);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "payment", "channel", "bank",
	                "bank_code", r->st->bank_code, "transaction_id", l->transaction_id, "amount",
	                amount, "paid_at", at);
	if (!doc)
		return pcrm__error_oom();
	rc = pcrm__ledger_post_doc(r->ctx, r->actor, l->account_no, doc, &entry);
	json_decref(doc);
	*replayed = entry && entry->replayed;
	pcrm_ledger_entry_free(entry);
	if (rc != PCRM_OK) {
		char why[256];
		snprintf(why, sizeof(why), "%s", pcrm_error_last());
		pcrm__error(rc, "line %d: %s", l->line, why);
	}
	return rc;
}

/*
 * Posting a statement is resumable: a line the ledger holds with the same
 * account and amount is not posted again (it is "matched"), so a rerun of a
 * statement posted before, wholly or in part (payments the bank also sent one
 * by one), posts only the rest.  A line the ledger holds with another amount
 * or account is the same key with other content: the posting refuses it by
 * line, as the ledger refuses such a key, and the transaction posts nothing.
 */
static int refuse_different(const struct pcrm__bank_line *l, const struct ours *o)
{
	char ours[PCRM_DECIMAL_STRING_MAX], theirs[PCRM_DECIMAL_STRING_MAX];
	if (strcmp(o->account_no, l->account_no) != 0)
		return pcrm__error(PCRM_ECONFLICT,
		                   "line %d, transaction_id: \"%s\" is posted already to account "
		                   "\"%s\", not \"%s\"; nothing of the statement was posted",
		                   l->line, l->transaction_id, o->account_no, l->account_no);
	pcrm__money_text(o->amount, ours);
	pcrm__money_text(l->amount, theirs);
	return pcrm__error(PCRM_ECONFLICT,
	                   "line %d, transaction_id: \"%s\" is posted already with amount %s, "
	                   "not %s; nothing of the statement was posted",
	                   l->line, l->transaction_id, ours, theirs);
}

static int match_line(struct recon *r, const struct pcrm__bank_line *l)
{
	struct ours key, elsewhere, *o;
	pcrm_decimal zero = pcrm_decimal_make(0, 2);
	int rc, status, replayed = 0;

	memset(&key, 0, sizeof(key));
	snprintf(key.txn, sizeof(key.txn), "%s", l->transaction_id);
	o = r->nours ? bsearch(&key, r->ours, r->nours, sizeof(*r->ours), by_txn) : NULL;
	if (!o) {
		rc = find_elsewhere(r, l->transaction_id, &elsewhere);
		if (rc < 0)
			return rc;
		o = rc == 1 ? &elsewhere : NULL;
	}
	if (!o) {
		if (!(r->flags & PCRM_BANK_RECONCILE_POST_MISSING))
			return add_item(r, 2, l->transaction_id, l->account_no, l->amount, zero, l->line);
		rc = post_line(r, l, &replayed);
		return rc == PCRM_OK ? add_item(r, replayed ? 0 : 4, l->transaction_id, l->account_no,
		                                l->amount, l->amount, l->line) :
		                       rc;
	}
	o->seen = 1;
	status = pcrm_decimal_cmp(o->amount, l->amount) == 0 &&
	                         strcmp(o->account_no, l->account_no) == 0 ?
	                 0 :
	                 1;
	if (status == 1 && (r->flags & PCRM_BANK_RECONCILE_POST_MISSING))
		return refuse_different(l, o);
	return add_item(r, status, l->transaction_id, l->account_no, l->amount, o->amount, l->line);
}

static const char *line_account(const void *lines, size_t i)
{
	return ((const struct pcrm__bank_line *)lines)[i].account_no;
}

static int reconcile(struct recon *r)
{
	pcrm_decimal zero = pcrm_decimal_make(0, 2);
	char date[16];
	json_t *summary;
	int rc = load_ours(r);

	/* posting several lines: their accounts locked first, in order (docs/architecture.md) */
	if (rc == PCRM_OK && (r->flags & PCRM_BANK_RECONCILE_POST_MISSING))
		rc = pcrm__ledger_lock_accounts(r->ctx, r->st->lines, r->st->count, line_account);

	for (size_t i = 0; rc == PCRM_OK && i < r->st->count; i++) {
		rc = match_line(r, &r->st->lines[i]);
		if (rc == PCRM_OK && ((i + 1) % RECONCILE_PROGRESS_LINES == 0 || i + 1 == r->st->count))
			rc = pcrm__progress_report(r->progress, r->userdata, (int64_t)(i + 1),
			                           "bank reconciliation", "statement lines matched");
	}
	for (size_t i = 0; rc == PCRM_OK && i < r->nours; i++)
		if (!r->ours[i].seen)
			rc = add_item(r, 3, r->ours[i].txn, r->ours[i].account_no, zero,
			              r->ours[i].amount, 0);
	if (rc != PCRM_OK)
		return rc;
	snprintf(date, sizeof(date), "%04d-%02d-%02d", r->st->date.year, r->st->date.month,
	         r->st->date.day);
	summary = json_pack("{s:s, s:s, s:I, s:i, s:i, s:i, s:i, s:i}", "bank_code",
	                    r->st->bank_code, "date", date, "lines", (json_int_t)r->st->count,
	                    "matched", r->counts[0], "amount_mismatch", r->counts[1],
	                    "missing_ours", r->counts[2], "missing_bank", r->counts[3], "posted",
	                    r->counts[4]);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append(r->ctx, r->actor, "bank.reconcile", "bank_statement", date, summary);
	json_decref(summary);
	return rc;
}

int pcrm_bank_reconcile_ext(pcrm_ctx *ctx, const pcrm_actor *actor, const char *text,
                            size_t len, unsigned int flags, pcrm_progress_fn progress,
                            void *userdata, pcrm_bank_reconciliation **out)
{
	struct pcrm__bank_statement st;
	struct recon r;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (flags & ~PCRM_BANK_RECONCILE_POST_MISSING)
		return pcrm__error(PCRM_EINVAL, "flags: 0x%x holds unknown bits", flags);
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__bank_statement_parse(text, len, &st);
	if (rc != PCRM_OK)
		return rc;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.actor = actor;
	r.st = &st;
	r.flags = flags;
	r.progress = progress;
	r.userdata = userdata;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_BANK_RECONCILE, NULL);
	if (rc == PCRM_OK && !(r.out = calloc(1, sizeof(*r.out))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, reconcile(&r));
	free(r.ours);
	pcrm__bank_statement_clear(&st);
	if (rc != PCRM_OK) {
		pcrm_bank_reconciliation_free(r.out);
		return rc;
	}
	*out = r.out;
	return PCRM_OK;
}

int pcrm_bank_reconcile(pcrm_ctx *ctx, const pcrm_actor *actor, const char *text, size_t len,
                        unsigned int flags, pcrm_bank_reconciliation **out)
{
	return pcrm_bank_reconcile_ext(ctx, actor, text, len, flags, NULL, NULL, out);
}
