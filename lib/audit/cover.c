/*
 * After-image digests: what an audit entry commits to of the business rows
 * its change left behind, so that editing those rows directly in the
 * database (a ledger amount, a work order's return-visit result) is found by
 * pcrm_audit_verify() even though no audit entry was touched.
 *
 * Each covered object type names the rows that make up one object.  Rows
 * that are only ever appended (ledger entries, work-order history) are
 * digested up to the newest one at the time of the entry, and that bound is
 * recorded ("<bound>:<hex>"): later appends by bulk operations whose entries
 * name no single object (a billing posting, a timer tick) then leave the
 * digest intact, while an edit of any row up to the bound changes it.
 * Single rows are digested whole ("0:<hex>"), minus columns that legitimate
 * bulk operations change without an entry of that object (a bill's status,
 * set to 'void' by the correction that replaces it; a work order's timer
 * columns).  Rows that bulk operations change as a whole (an account's
 * ledger row, by a billing run's posting) are not digested but checked for
 * what every change keeps true of them (the ledger row is its newest
 * entry's balance).  A type that comes to cover more gets a new revision,
 * named in its digests ("<revision>/<bound>:<hex>"), so that entries taken
 * under an older one still verify.  docs/security.md lists what is covered
 * and what is not yet.
 *
 * Every column is read as text (both stores render integers in decimal) and
 * hashed length-prefixed, NULL as its own mark, so no two row sets encode
 * alike.
 *
 * A writer that knows every column of the rows it writes (the billing run's
 * batch of bills) digests them as it writes them instead of reading them back
 * (pcrm__audit_cover_rows_*): the same encoding of the same text, in the same
 * order, so verification recomputes exactly that digest from the stored rows.
 * The order is byte order of the first column on both stores (COLLATE "C" on
 * PostgreSQL), which C can reproduce whatever the database's collation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "cover_ledger.h"
#include "core/error.h"
#include "core/text.h"

struct covered_type {
	const char *object_type;
	/*
	 * What the digest of an object type covers never changes once entries
	 * hold it: covering more is a new revision, written from then on, while
	 * entries of older revisions are checked as they were taken.
	 */
	int revision;
	/* $1 the object id; bounded ones: $2 the bound, the first column the row's seq */
	const char *sql;
	int bounded;
	int columns;
	/* PostgreSQL's text when it differs (a byte-order ORDER BY), else NULL */
	const char *sql_pg;
	/*
	 * rows in byte order of their unique first column (or one row an object):
	 * a writer may digest them
	 */
	int written_digest;
	/*
	 * Rows digested after sql's (NULL: none): the object's current row next
	 * to its append-only history, or facts about rows the digest cannot
	 * hold whole.  Same parameters as sql.
	 */
	const char *then_sql;
	int then_columns;
	/* more parts of the same kind, each after a mark of its own (NULL: none) */
	const char *also_sql[2];
	int also_columns[2];
	/*
	 * Rows digested apart, as a second digest ("...:<hex>+<tail hex>"),
	 * compared only while this query returns any: columns that a later
	 * bulk change without the object's entry rewrites, under an entry of
	 * its own that vouches for them from then on (cover_workorder.c).
	 * Same parameters as sql.
	 */
	const char *tail_sql;
	int tail_columns;
};

#define BILL_BATCH_COLUMNS                                                                   \
	"bill_no, customer_no, account_no, period, tariff_id, tariff_version, issue_day, "       \
	"due_day, energy, total, replaces, doc, created_at, created_by"

/* The columns of a complaint ticket a digest covers (all but the sealed caller number's three). */
#define COMPLAINT_COLUMNS                                                                    \
	"serial, responsible_unit, accepting_unit, accepted_at, agent, channel, customer_no, "   \
	"org_unit, category, subcategory, nature, urgency, routed_by_default, description, "    \
	"recording_ref, sealed, work_order_id, contact_id, repeat_of, status, merged_into, "    \
	"replied_at, reply_channel, reply_content, customer_opinion, substantiated, visited_at, " \
	"visit_result, satisfaction, reopened, closed_at, version, visit_attempts, "            \
	"reply_due_at, late_seconds, review_returns"

/* An account's ledger entries up to the bound (revisions 1 and 2 of "account"). */
#define ACCOUNT_ENTRIES_SQL                                                                  \
	"SELECT seq, entry_key, kind, ref, amount, balance, credit, business_day, posted_at, "   \
	"posted_by, request, doc FROM ledger_entry "                                             \
	"WHERE customer_no = (SELECT customer_no FROM ledger_account WHERE account_no = $1) "    \
	"AND account_no = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq"

/* A work order's history up to the bound (revisions 1 and 2 of "work_order"). */
#define WORK_ORDER_HISTORY_SQL                                                               \
	"SELECT seq, at, kind, operator_id, role, actor_org, event, from_state, to_state, note, " \
	"delta FROM work_order_history WHERE work_order_id = $1 AND seq <= CAST($2 AS BIGINT) "  \
	"ORDER BY seq"

static const struct covered_type covered[] = {
	/* one row: a bulk import digests each as it writes it (cover_listed.c) */
	{ .object_type = "customer", .revision = 1,
	  .sql = "SELECT " PCRM__AUDIT_CUSTOMER_COLUMNS " FROM customer WHERE customer_no = $1",
	  .columns = PCRM__AUDIT_CUSTOMER_COLUMN_COUNT, .written_digest = 1 },
	{ .object_type = "bill", .revision = 1,
	  .sql = "SELECT " BILL_BATCH_COLUMNS " FROM bill WHERE bill_no = $1",
	  .columns = 14 },
	/*
	 * The bills of one billing-run batch (bill.batch, migration 23), minus
	 * their status.  The run digests them as it writes them
	 * (pcrm__bill_insert() names these columns in this order).
	 */
	{ .object_type = "bill_batch", .revision = 1,
	  .sql = "SELECT " BILL_BATCH_COLUMNS " FROM bill WHERE batch = $1 ORDER BY bill_no",
	  .columns = 14,
	  .sql_pg = "SELECT " BILL_BATCH_COLUMNS " FROM bill WHERE batch = $1 "
	            "ORDER BY bill_no COLLATE \"C\"",
	  .written_digest = 1 },
	/*
	 * A contact, minus its sealed text (caller number, summary, cipher): a
	 * reseal and an erasure change those under the customer's entry, and the
	 * cipher is authenticated by AES-GCM with the contact id.
	 */
	{ .object_type = "contact", .revision = 1,
	  .sql = "SELECT " PCRM__AUDIT_CONTACT_COLUMNS " FROM contact WHERE id = $1",
	  .columns = PCRM__AUDIT_CONTACT_COLUMN_COUNT, .written_digest = 1 },
	/*
	 * A call record, whole (nothing changes it once stored), by call id and
	 * arrival "<call id>/<arrived_ms>".  No entry names one: the sink's
	 * entry lists each record with this digest (cover_listed.c).
	 */
	{ .object_type = "call_record_row", .revision = 1,
	  .sql = "SELECT " PCRM__AUDIT_CALL_RECORD_COLUMNS " FROM call_record "
	         "WHERE call_id || '/' || CAST(arrived_ms AS TEXT) = $1",
	  .columns = PCRM__AUDIT_CALL_RECORD_COLUMN_COUNT, .written_digest = 1 },
	/* every version of a tariff id, each published with an entry of the id */
	{ .object_type = "tariff", .revision = 1,
	  .sql = "SELECT version, tariff_id, effective_from, effective_to, doc, doc_hash, "
	         "published_at, published_by, owner_unit, scope_unit FROM tariff_version "
	         "WHERE tariff_id = $1 ORDER BY version",
	  .columns = 10 },
	/*
	 * An org unit: created and renamed only with an entry of the unit
	 * (org_unit.create, .rename); entries of other actions that name a unit
	 * (a key rotation, a reseal) cover it unchanged.
	 */
	{ .object_type = "org_unit", .revision = 1,
	  .sql = "SELECT code, parent_code, name, level, path, created_at, updated_at, version "
	         "FROM org_unit WHERE code = $1",
	  .columns = 8 },
	/*
	 * A workflow definition's version, "<name>/<version>" (workflow.define
	 * inserts it; nothing updates it).  The id is matched as text: the table
	 * holds a few dozen rows.
	 */
	{ .object_type = "workflow", .revision = 1,
	  .sql = "SELECT name, version, doc, calendar, created_by, created_at, owner_unit, "
	         "scope_unit FROM workflow_def "
	         "WHERE name || '/' || CAST(version AS TEXT) = $1",
	  .columns = 8 },
	/*
	 * A metering point: its row (metering_point.create, .update), the
	 * installations of meters on it minus their version (which every reading
	 * bumps under the meter's entry) and the final readings a removal or
	 * replacement took (meter.install, .remove, .replace name the point),
	 * minus the readings' account, which moves with the point.
	 */
	{ .object_type = "metering_point", .revision = 1,
	  .sql = "SELECT mp_no, customer_no, account_no, status, doc, created_at, updated_at, "
	         "version FROM metering_point WHERE mp_no = $1",
	  .columns = 8,
	  .then_sql =
	          "SELECT 'installation', id, meter_no, meter_type, multiplier, "
	          "CAST(digits AS TEXT), doc, CAST(installed_at AS TEXT), CAST(removed_at AS TEXT), "
	          "removal_reason, removal_doc, NULL FROM meter_installation WHERE mp_no = $1 "
	          "UNION ALL "
	          "SELECT 'final', installation_id, reg, CAST(seq AS TEXT), CAST(read_at AS TEXT), "
	          "value, previous, CAST(previous_at AS TEXT), multiplier, energy, "
	          "CAST(flags AS TEXT), CAST(recorded_at AS TEXT) FROM meter_reading "
	          "WHERE mp_no = $1 AND (flags & 2) <> 0 " /* PCRM_READING_FINAL */
	          "ORDER BY 1, 2, 3, 4",
	  .then_columns = 12 },
	/*
	 * A meter's readings up to the newest reading time (a final reading of a
	 * removal or replacement comes later, under the metering point's entry),
	 * minus the account, which moves with the metering point.
	 */
	{ .object_type = "meter", .revision = 1,
	  .sql = "SELECT read_at, installation_id, reg, seq, customer_no, mp_no, meter_no, value, "
	         "previous, previous_at, multiplier, energy, flags, recorded_at FROM meter_reading "
	         "WHERE meter_no = $1 AND read_at <= CAST($2 AS BIGINT) "
	         "ORDER BY read_at, installation_id, reg, seq",
	  .bounded = 1, .columns = 14 },
	/* revision 1 (schema 21 to 31): an account's ledger entries up to the bound */
	{ .object_type = "account", .revision = 1, .sql = ACCOUNT_ENTRIES_SQL, .bounded = 1,
	  .columns = 12 },
	/*
	 * Revision 2: the entries as before, the account's open items (bills,
	 * debit adjustments) that entries up to the bound created, with what is
	 * still open of them, and whether the ledger row's balance, credit and
	 * entry count are those of the newest entry.  The row itself is not
	 * digested: a billing run's bulk posting (pcrm__ledger_post_bills())
	 * rewrites it, and adds entries and items, without an entry naming the
	 * account; cover_bulk.c checks those against the posting's own entry,
	 * and the account's next single posting covers them whole.
	 */
	{ .object_type = "account", .revision = 2, .sql = ACCOUNT_ENTRIES_SQL, .bounded = 1,
	  .columns = 12,
	  .then_sql = PCRM__COVER_ACCOUNT_ITEMS_SQL PCRM__COVER_ACCOUNT_ORDER,
	  .then_columns = 11 },
	/*
	 * Revision 3: revision 2 and the account's allocations, payments and
	 * dunning reminders (cover_ledger.h).
	 */
	{ .object_type = "account", .revision = 3, .sql = ACCOUNT_ENTRIES_SQL, .bounded = 1,
	  .columns = 12,
	  .then_sql = PCRM__COVER_ACCOUNT_ROWS_SQL PCRM__COVER_ACCOUNT_ORDER,
	  .then_columns = 11 },
	/* revision 1 (schema 21 to 31): a work order's history, which its stored state replays from */
	{ .object_type = "work_order", .revision = 1, .sql = WORK_ORDER_HISTORY_SQL, .bounded = 1,
	  .columns = 11 },
	/*
	 * Revision 2: the history as before, then the work order's row minus
	 * what a batched timer tick writes without an entry naming the work
	 * order (updated_at, due_at, overdue, version, steps:
	 * pcrm__wo_flush_many()); a tick that changes anything else writes
	 * the work order's own entry.
	 */
	{ .object_type = "work_order", .revision = 2, .sql = WORK_ORDER_HISTORY_SQL, .bounded = 1,
	  .columns = 11,
	  .then_sql = "SELECT id, workflow, workflow_version, business_key, open_key, customer_no, "
	              "org_unit, owner, state, status, data, opened_by, opened_at, suspended, "
	              "reminders, escalations, sla_class, clocks FROM work_order "
	              "WHERE id = $1 AND CAST($2 AS BIGINT) IS NOT NULL",
	  .then_columns = 18 },
	/*
	 * Revision 3: the history and the row as in revision 2, then the links the
	 * work order made and the notifications its entries up to the bound wrote
	 * (what delivery does not change of them), and apart (the tail) the five
	 * columns a batched tick rewrites, compared only while no tick came since:
	 * while the row's step count is the bound, or its newest history entry is
	 * not a tick's (warning, expire, notify).  After a tick, the tick's entry
	 * vouches for those columns (cover_workorder.c).  The row's step count
	 * never falls below the bound.
	 */
	{ .object_type = "work_order", .revision = 3, .sql = WORK_ORDER_HISTORY_SQL, .bounded = 1,
	  .columns = 11,
	  .then_sql = "SELECT id, workflow, workflow_version, business_key, open_key, customer_no, "
	              "org_unit, owner, state, status, data, opened_by, opened_at, suspended, "
	              "reminders, escalations, sla_class, clocks, CASE WHEN steps >= (SELECT "
	              "MAX(h.seq) FROM work_order_history h WHERE h.work_order_id = $1 AND h.seq <= "
	              "CAST($2 AS BIGINT)) THEN 'steps' ELSE 'fewer steps' END FROM work_order "
	              "WHERE id = $1",
	  .then_columns = 19,
	  .also_sql = { "SELECT other_id, relation, created_by, created_at FROM work_order_link "
	                "WHERE work_order_id = $1 AND CAST($2 AS BIGINT) IS NOT NULL "
	                "ORDER BY other_id, relation",
	                "SELECT seq, id, org_unit, kind, recipient, note, created_at, recipient_role, "
	                "recipient_level, customer_no FROM work_order_notification "
	                "WHERE work_order_id = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq, id" },
	  .also_columns = { 4, 10 },
	  .tail_sql = "SELECT updated_at, due_at, overdue, version, steps FROM work_order w "
	              "WHERE w.id = $1 AND (w.steps = CAST($2 AS BIGINT) OR NOT EXISTS (SELECT 1 "
	              "FROM work_order_history h WHERE h.work_order_id = w.id AND h.seq = w.steps "
	              "AND h.kind IN ('warning', 'expire', 'notify')))",
	  .tail_columns = 5 },
	/*
	 * A complaint ticket, minus its caller number's mask, cipher
	 * and keyed hash (pcrm_complaint_reseal() seals older tickets' numbers
	 * under an entry naming the unit; AES-GCM authenticates the cipher).
	 * Every other change of the row is one of the ticket's own entries.
	 */
	{ .object_type = "complaint", .revision = 1,
	  .sql = "SELECT " COMPLAINT_COLUMNS " FROM complaint WHERE serial = $1",
	  .columns = 36 },
	/*
	 * Revision 2: the whole ticket, its caller number's mask, keyed hash and
	 * cipher too; pcrm_complaint_reseal() now writes an entry of each
	 * ticket it seals.
	 */
	{ .object_type = "complaint", .revision = 2,
	  .sql = "SELECT " COMPLAINT_COLUMNS ", caller_number, caller_hash, caller_cipher "
	         "FROM complaint WHERE serial = $1",
	  .columns = 39 },
};

/* The type's newest revision (revision 0), or the given one; NULL when not covered. */
static const struct covered_type *find_type(const char *object_type, int revision)
{
	const struct covered_type *found = NULL;
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		if (strcmp(covered[i].object_type, object_type) == 0 &&
		    (revision == 0 || covered[i].revision == revision))
			found = &covered[i]; /* the table lists a type's revisions in order */
	return found;
}

/* What precedes a column's text: its length "<n>:", or "-" for NULL (followed by no text). */
static size_t column_prefix(const char *value, size_t value_len, char out[32])
{
	if (!value) {
		memcpy(out, "-", 2);
		return 1;
	}
	return (size_t)snprintf(out, 32, "%zu:", value_len);
}

int pcrm__audit_hash_column(pcrm_sha256 *h, const char *value)
{
	char prefix[32];
	size_t len = value ? strlen(value) : 0;
	int rc = pcrm__sha256_update(h, prefix, column_prefix(value, len, prefix));
	if (rc == PCRM_OK && value)
		rc = pcrm__sha256_update(h, value, len);
	return rc == PCRM_OK ? pcrm__sha256_update(h, "\n", 1) : rc;
}

int pcrm__audit_hash_values(pcrm_sha256 *h, const pcrm_sql_value *values, const int *columns,
                            int n)
{
	int rc = pcrm__sha256_update(h, "row\n", 4);
	for (int i = 0; i < n && rc == PCRM_OK; i++) {
		const pcrm_sql_value *v = &values[columns ? columns[i] : i];
		char digits[PCRM__INT_TEXT_MAX + 1];
		if (v->type == PCRM_SQL_INT) { /* as the store gives it back: decimal */
			digits[pcrm__int_text(v->i, digits)] = '\0';
			rc = pcrm__audit_hash_column(h, digits);
		} else {
			rc = pcrm__audit_hash_column(h, v->type == PCRM_SQL_TEXT ? v->s : NULL);
		}
	}
	return rc;
}

int pcrm__audit_hash_row(pcrm_sha256 *h, pcrm_rows *rows, int first, int n)
{
	int rc = pcrm__sha256_update(h, "row\n", 4);
	for (int i = first; i < first + n && rc == PCRM_OK; i++)
		rc = pcrm__audit_hash_column(h, pcrm__rows_text(rows, i));
	return rc;
}

/* Hashes each row of one query, `columns` columns each; *newest, *count as digest() says. */
static int hash_rows(pcrm_ctx *ctx, pcrm_sha256 *h, const char *sql, const pcrm_sql_value *p,
                     int nparams, int columns, int bounded, int64_t *newest, int64_t *count)
{
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, nparams, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		rc = pcrm__audit_hash_row(h, rows, 0, columns);
		if (rc != PCRM_OK)
			break;
		if (bounded)
			*newest = pcrm__rows_int(rows, 0);
		(*count)++;
	}
	pcrm__rows_free(rows);
	return rc;
}

/*
 * Digests the object's rows up to `bound` into out; *newest receives the
 * last row's seq, *count (may be NULL) the number of rows of the type's
 * main query (an object without them has nothing to cover).
 */
/*
 * The type's tail (tail_sql) digested into out; *present 0 when it returned
 * no rows (a later bulk change vouches for them).  "" when it has none.
 */
static int digest_tail(pcrm_ctx *ctx, const struct covered_type *t, const pcrm_sql_value *p,
                       int *present, char out[PCRM_SHA256_HEX_LEN + 1])
{
	int64_t seen = 0, unused = 0;
	pcrm_sha256 *h;
	int rc;

	out[0] = '\0';
	*present = 0;
	if (!t->tail_sql)
		return PCRM_OK;
	if ((rc = pcrm__sha256_new(&h)) != PCRM_OK)
		return rc;
	rc = hash_rows(ctx, h, t->tail_sql, p, t->bounded ? 2 : 1, t->tail_columns, 0, &unused,
	               &seen);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, out);
	pcrm__sha256_free(h);
	*present = seen > 0;
	return rc;
}

static int digest(pcrm_ctx *ctx, const struct covered_type *t, const char *object_id,
                  int64_t bound, int64_t *newest, int64_t *count,
                  char out[PCRM_SHA256_HEX_LEN + 1])
{
	int64_t rows_seen = 0, then_seen = 0, unused = 0;
	pcrm_sql_value p[2] = { PCRM_SQL_S(object_id), PCRM_SQL_I(bound) };
	pcrm_sha256 *h;
	int rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	*newest = 0;
	rc = hash_rows(ctx, h,
	               t->sql_pg && ctx->store->driver->kind == PCRM_STORE_POSTGRES ? t->sql_pg :
	                                                                             t->sql,
	               p, t->bounded ? 2 : 1, t->columns, t->bounded, newest, &rows_seen);
	/* a mark between the parts, so no rows of one part read as the other's */
	if (rc == PCRM_OK && t->then_sql)
		rc = pcrm__sha256_update(h, "then\n", 5);
	if (rc == PCRM_OK && t->then_sql)
		rc = hash_rows(ctx, h, t->then_sql, p, t->bounded ? 2 : 1, t->then_columns, 0, &unused,
		               &then_seen);
	for (int i = 0; i < 2 && t->also_sql[i] && rc == PCRM_OK; i++) {
		rc = pcrm__sha256_update(h, "also\n", 5);
		if (rc == PCRM_OK)
			rc = hash_rows(ctx, h, t->also_sql[i], p, t->bounded ? 2 : 1, t->also_columns[i],
			               0, &unused, &then_seen);
	}
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, out);
	pcrm__sha256_free(h);
	if (count)
		*count = rows_seen;
	return rc;
}

/* "<bound>:<hex>" for revision 1, "<revision>/<bound>:<hex>" after; "+<tail hex>" with a tail. */
static void format_covers(const struct covered_type *t, int64_t bound, const char *hex,
                          const char *tail, char out[PCRM__AUDIT_COVERS_MAX])
{
	if (t->revision == 1)
		snprintf(out, PCRM__AUDIT_COVERS_MAX, "%" PRId64 ":%s", bound, hex);
	else
		snprintf(out, PCRM__AUDIT_COVERS_MAX, "%d/%" PRId64 ":%s%s%s", t->revision, bound, hex,
		         tail[0] ? "+" : "", tail);
}

int pcrm__audit_cover(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                      char out[PCRM__AUDIT_COVERS_MAX])
{
	return pcrm__audit_cover_revision(ctx, object_type, object_id, 0, out);
}

int pcrm__audit_cover_revision(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                               int revision, char out[PCRM__AUDIT_COVERS_MAX])
{
	const struct covered_type *t = find_type(object_type, revision);
	char hex[PCRM_SHA256_HEX_LEN + 1], tail[PCRM_SHA256_HEX_LEN + 1] = "";
	int64_t newest, count;
	int rc;

	out[0] = '\0';
	if (!t || !object_id[0])
		return PCRM_OK;
	rc = digest(ctx, t, object_id, INT64_MAX, &newest, &count, hex);
	if (rc == PCRM_OK && count > 0 && t->tail_sql) {
		pcrm_sql_value p[2] = { PCRM_SQL_S(object_id), PCRM_SQL_I(newest) };
		int present;
		rc = digest_tail(ctx, t, p, &present, tail);
	}
	/*
	 * No rows, nothing to cover: an object id that names no row (yet), an
	 * account with no ledger entries yet.
	 */
	if (rc == PCRM_OK && count > 0)
		format_covers(t, newest, hex, tail, out);
	return rc;
}

/*
 * After the main digest (at `rest`): "" for a type without a tail, else
 * "+<tail hex>", compared while the tail query returns rows.
 */
static int check_tail(pcrm_ctx *ctx, const struct covered_type *t, const char *object_id,
                      int64_t bound, const char *rest, int *same)
{
	char tail[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sql_value p[2] = { PCRM_SQL_S(object_id), PCRM_SQL_I(bound) };
	int present, rc;

	if (!t->tail_sql) {
		*same = rest[0] == '\0';
		return PCRM_OK;
	}
	if (rest[0] != '+') {
		*same = 0;
		return PCRM_OK;
	}
	rc = digest_tail(ctx, t, p, &present, tail);
	if (rc == PCRM_OK && present)
		*same = strcmp(tail, rest + 1) == 0;
	return rc;
}

int pcrm__audit_cover_check(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                            const char *covers, int *same)
{
	const struct covered_type *t;
	char hex[PCRM_SHA256_HEX_LEN + 1], *end;
	const char *colon = strchr(covers, ':'), *slash = strchr(covers, '/');
	long revision = 1;
	int64_t bound, newest;
	int rc;

	*same = 0;
	if (!colon)
		return PCRM_OK; /* not a value of ours: cannot match */
	if (slash && slash < colon) {
		revision = strtol(covers, &end, 10);
		if (end != slash || revision < 2 || revision > 99)
			return PCRM_OK;
		covers = slash + 1;
	}
	/* an entry whose type (or revision) is no longer covered cannot match */
	if (!(t = find_type(object_type, (int)revision)))
		return PCRM_OK;
	bound = strtoll(covers, &end, 10);
	if (end != colon)
		return PCRM_OK;
	rc = digest(ctx, t, object_id, t->bounded ? bound : INT64_MAX, &newest, NULL, hex);
	if (rc == PCRM_OK)
		*same = strncmp(hex, colon + 1, PCRM_SHA256_HEX_LEN) == 0 &&
		        (!t->bounded || newest == bound);
	if (rc == PCRM_OK && *same)
		rc = check_tail(ctx, t, object_id, bound, colon + 1 + PCRM_SHA256_HEX_LEN, same);
	return rc;
}

/* ---- digests taken while writing ---- */

/*
 * Where a row's encoding lies in the buffer: "row\n", each column as
 * pcrm__audit_hash_column() feeds it.
 */
struct written_row {
	size_t at, len;
	size_t key_at, key_len; /* the first column's text */
	const char *key; /* set when sorting, once the buffer no longer moves */
};

/*
 * The rows' encodings lie back to back in one buffer that is kept from one
 * batch to the next (a writer's batches are alike in size), so a row costs
 * one copy and no allocation.  Rows that arrive in byte order of their keys
 * (the run's, nearly always: it writes in account order) are hashed as they
 * come, while the row is still in cache; the first one out of order stops
 * that, and finish() sorts the buffered rows and hashes them again.
 */
struct pcrm__audit_cover_rows {
	const struct covered_type *type;
	char *buf;
	size_t used, buf_cap;
	struct written_row *rows;
	size_t n, cap;
	pcrm_sha256 *h;
	int ordered; /* every row so far came after the one before it: h holds them all */
};

int pcrm__audit_cover_rows_new(const char *object_type, pcrm__audit_cover_rows **out)
{
	const struct covered_type *t = find_type(object_type, 0);
	pcrm__audit_cover_rows *c;
	int rc;

	*out = NULL;
	if (!t || !t->written_digest)
		return pcrm__error(PCRM_EINVAL, "object type \"%s\": not digested while written",
		                   object_type);
	if (!(c = calloc(1, sizeof(*c))))
		return pcrm__error_oom();
	if ((rc = pcrm__sha256_new(&c->h)) != PCRM_OK) {
		free(c);
		return rc;
	}
	c->type = t;
	c->ordered = 1;
	*out = c;
	return PCRM_OK;
}

/* Byte order, as SQLite's BINARY and PostgreSQL's "C" collation compare. */
static int key_cmp(const char *x, size_t xlen, const char *y, size_t ylen)
{
	int d = memcmp(x, y, xlen < ylen ? xlen : ylen);
	if (d != 0)
		return d;
	return xlen < ylen ? -1 : xlen > ylen;
}

/* Room for `need` items of `size` bytes in block (of *cap items), doubling; NULL: out of memory. */
static void *grow(void *block, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *grown;
	if (need <= *cap)
		return block;
	while (n < need)
		n *= 2;
	if (!(grown = realloc(block, n * size)))
		return NULL;
	*cap = n;
	return grown;
}

/* Appends "<n>:" (or "-" for NULL), the text and "\n": as pcrm__audit_hash_column() feeds. */
static char *put_column(char *at, const char *text, size_t len)
{
	if (!text) {
		memcpy(at, "-\n", 2);
		return at + 2;
	}
	at += pcrm__int_text((int64_t)len, at);
	*at++ = ':';
	memcpy(at, text, len);
	at += len;
	*at++ = '\n';
	return at;
}

int pcrm__audit_cover_rows_add(pcrm__audit_cover_rows *c, const pcrm_sql_value *const *values)
{
	char ints[PCRM__AUDIT_COVER_COLUMNS_MAX][PCRM__INT_TEXT_MAX];
	const char *text[PCRM__AUDIT_COVER_COLUMNS_MAX];
	size_t lens[PCRM__AUDIT_COVER_COLUMNS_MAX];
	size_t len = 4;
	struct written_row *row, *rows;
	char *at, *buf;
	int columns = c->type->columns;

	for (int i = 0; i < columns; i++) {
		if (values[i]->type == PCRM_SQL_INT) { /* as the store gives it back: decimal */
			lens[i] = pcrm__int_text(values[i]->i, ints[i]);
			text[i] = ints[i];
		} else {
			text[i] = values[i]->s;
			lens[i] = text[i] ? strlen(text[i]) : 0;
		}
		len += PCRM__INT_TEXT_MAX + 1 + lens[i] + 1; /* at most: "<n>:", text, "\n" */
	}
	if (!text[0]) /* the order is the first column's: NOT NULL in every such table */
		return pcrm__error(PCRM_EINVAL, "%s: a row without its first column",
		                   c->type->object_type);
	if ((rows = grow(c->rows, &c->cap, c->n + 1, sizeof(*c->rows))) != NULL)
		c->rows = rows;
	if ((buf = grow(c->buf, &c->buf_cap, c->used + len, 1)) != NULL)
		c->buf = buf;
	if (!rows || !buf)
		return pcrm__error_oom();
	row = &c->rows[c->n];
	row->at = c->used;
	at = c->buf + c->used;
	memcpy(at, "row\n", 4);
	at += 4;
	for (int i = 0; i < columns; i++) {
		at = put_column(at, text[i], lens[i]);
		if (i == 0) {
			row->key_at = (size_t)(at - c->buf) - 1 - lens[0];
			row->key_len = lens[0];
		}
	}
	row->len = (size_t)(at - c->buf) - row->at;
	c->used += row->len;
	if (c->ordered && c->n > 0) {
		const struct written_row *prev = &c->rows[c->n - 1];
		c->ordered = key_cmp(c->buf + prev->key_at, prev->key_len, c->buf + row->key_at,
		                     row->key_len) < 0;
	}
	c->n++;
	if (c->ordered)
		return pcrm__sha256_update(c->h, c->buf + row->at, row->len);
	return PCRM_OK;
}

static int by_key(const void *a, const void *b)
{
	const struct written_row *x = a, *y = b;
	return key_cmp(x->key, x->key_len, y->key, y->key_len);
}

int pcrm__audit_cover_rows_finish(pcrm__audit_cover_rows *c, char out[PCRM__AUDIT_COVERS_MAX])
{
	char hex[PCRM_SHA256_HEX_LEN + 1];
	int rc = PCRM_OK;

	out[0] = '\0';
	if (c->n == 0) /* as pcrm__audit_cover(): no rows, nothing to cover */
		return PCRM_OK;
	if (!c->ordered) { /* hashed again, in the store's order */
		for (size_t i = 0; i < c->n; i++)
			c->rows[i].key = c->buf + c->rows[i].key_at;
		qsort(c->rows, c->n, sizeof(*c->rows), by_key);
		rc = pcrm__sha256_reset(c->h);
		for (size_t i = 0; i < c->n && rc == PCRM_OK; i++)
			rc = pcrm__sha256_update(c->h, c->buf + c->rows[i].at, c->rows[i].len);
	}
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(c->h, hex);
	if (rc == PCRM_OK)
		rc = pcrm__audit_cover_rows_reset(c); /* empty again, for the next batch */
	if (rc == PCRM_OK) /* single rows: bound 0, as pcrm__audit_cover() writes it */
		format_covers(c->type, 0, hex, "", out);
	return rc;
}

int pcrm__audit_cover_rows_reset(pcrm__audit_cover_rows *c)
{
	c->n = 0;
	c->used = 0;
	c->ordered = 1;
	return pcrm__sha256_reset(c->h);
}

void pcrm__audit_cover_rows_free(pcrm__audit_cover_rows *c)
{
	if (!c)
		return;
	pcrm__sha256_free(c->h);
	free(c->rows);
	free(c->buf);
	free(c);
}
