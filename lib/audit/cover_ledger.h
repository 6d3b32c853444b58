/*
 * Internal to lib/audit: the ledger rows an "account" digest holds besides
 * the account's entries (cover.c), kept here so that the ledger's part of
 * the coverage reads apart from the other object types'.
 */
#ifndef PCRM_AUDIT_COVER_LEDGER_H
#define PCRM_AUDIT_COVER_LEDGER_H

/*
 * Revision 2 of "account", after its entries: the open items that entries up
 * to the bound ($2) created, with what is still open of them, and whether the
 * ledger row's balance, credit and entry count are those of the newest entry
 * (the row itself is rewritten by bulk postings, cover_bulk.c).
 */
#define PCRM__COVER_ACCOUNT_ITEMS_SQL                                                        \
	"SELECT 'item', item_no, kind, seq, period, issue_day, due_day, amount, "               \
	"open_amount, status, usage_class FROM ledger_item "                                    \
	"WHERE account_no = $1 AND seq <= CAST($2 AS BIGINT) "                                  \
	"UNION ALL "                                                                            \
	"SELECT 'ledger', CASE WHEN a.entries = COALESCE((SELECT MAX(x.seq) FROM "              \
	"ledger_entry x WHERE x.customer_no = a.customer_no AND x.account_no = "                \
	"a.account_no), 0) AND ((a.entries = 0 AND a.balance = '0.00' AND a.credit = "          \
	"'0.00') OR (e.balance = a.balance AND e.credit = a.credit)) THEN 'as its newest "      \
	"entry' ELSE 'changed' END, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "      \
	"FROM ledger_account a LEFT JOIN ledger_entry e ON e.customer_no = a.customer_no "      \
	"AND e.account_no = a.account_no AND e.seq = a.entries WHERE a.account_no = $1 "

/*
 * Revision 3 adds what single postings and reminders write next to the
 * entries: the allocations and payments of entries up to the bound (only a
 * single posting, under an entry naming the account, writes them), and
 * every dunning reminder of the account (only pcrm_dunning_remind() writes
 * them, under an entry naming the account, holding the account's ledger row
 * as postings do).  The columns line up by type across the parts (text,
 * text, text, integer, text, integer, integer, text, text, text, text) for
 * PostgreSQL's UNION; each part's rows are ordered by its unique key.
 */
#define PCRM__COVER_ACCOUNT_ROWS_SQL                                                         \
	PCRM__COVER_ACCOUNT_ITEMS_SQL                                                           \
	"UNION ALL "                                                                            \
	"SELECT 'allocation', item_no, customer_no, seq, amount, NULL, NULL, NULL, NULL, "      \
	"NULL, NULL FROM ledger_allocation WHERE customer_no = (SELECT customer_no FROM "       \
	"ledger_account WHERE account_no = $1) AND account_no = $1 "                            \
	"AND seq <= CAST($2 AS BIGINT) "                                                        \
	"UNION ALL "                                                                            \
	"SELECT 'payment', channel, customer_no, seq, bank_code, paid_at, paid_day, amount, "   \
	"bank_txn_id, NULL, NULL FROM ledger_payment WHERE customer_no = (SELECT customer_no "  \
	"FROM ledger_account WHERE account_no = $1) AND account_no = $1 "                       \
	"AND seq <= CAST($2 AS BIGINT) "                                                        \
	"UNION ALL "                                                                            \
	"SELECT 'reminder', id, customer_no, at, channel, day, NULL, note, reminded_by, NULL, " \
	"NULL FROM dunning_reminder WHERE account_no = $1 "

/* How both revisions order the parts: by kind (descending), then each part's key. */
#define PCRM__COVER_ACCOUNT_ORDER "ORDER BY 1 DESC, 4, 2"

#endif
