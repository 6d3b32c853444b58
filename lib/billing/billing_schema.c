/*
 * Schema of tariff versions and stored bills (migration 7).  Released
 * migrations are never edited: a change is a new migration.
 *
 *   tariff_version  published tariff documents, immutable; dates are days
 *                   since 1970-01-01, effective_to NULL when open-ended
 *   bill            every bill a run or a correction issued, with the
 *                   itemised JSON of pcrm_bill_to_json(); at most one
 *                   issued bill per account and month (the partial unique
 *                   index), which is what makes a run idempotent
 *
 * bill starts with customer_no, so it shards on the customer with the
 * archive.  A run finds an account's metering points through
 * metering_point_by_account (migration 3).
 */
const char pcrm__schema_billing[] =
	"CREATE TABLE tariff_version ("
	"  tariff_id TEXT NOT NULL,"
	"  version BIGINT NOT NULL,"
	"  effective_from BIGINT NOT NULL,"
	"  effective_to BIGINT,"
	"  doc TEXT NOT NULL,"
	"  doc_hash TEXT NOT NULL,"
	"  published_at BIGINT NOT NULL,"
	"  published_by TEXT NOT NULL,"
	"  PRIMARY KEY (tariff_id, version)"
	");"
	"CREATE TABLE bill ("
	"  customer_no TEXT NOT NULL,"
	"  bill_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('issued', 'void')),"
	"  tariff_id TEXT NOT NULL,"
	"  tariff_version BIGINT NOT NULL,"
	"  issue_day BIGINT NOT NULL,"
	"  due_day BIGINT NOT NULL,"
	"  energy TEXT NOT NULL,"
	"  total TEXT NOT NULL,"
	"  replaces TEXT,"
	"  doc TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, bill_no)"
	");"
	"CREATE UNIQUE INDEX bill_by_no ON bill (bill_no);"
	"CREATE UNIQUE INDEX bill_issued_once ON bill (account_no, period) WHERE status = 'issued';"
	"CREATE INDEX bill_by_customer ON bill (customer_no, period);";

/*
 * Migration 8: the two customer attributes a bill needs, as columns, so a
 * billing run reads them with the customer instead of parsing every
 * customer's JSON document.  Every write of a customer (create, update,
 * JSON Lines import) sets them from the validated document; here they are
 * filled from the documents already stored.  The rule is the one a bill
 * used before: household_size is the document's (an integer, validated
 * 1..50), 1 when absent; low_income is 1 for JSON true, else 0.
 */
/*
 * Also an index of the current bills by month: a run's "no current bill
 * yet" check and the posting step's batches read one month's bills from an
 * account on, and bill_issued_once (account_no, period) made them step over
 * the bills of every other month too (in the n-th month of a database,
 * every batch read n times the bills it needed).
 */
const char pcrm__schema_billing_customer[] =
	"CREATE UNIQUE INDEX bill_issued_by_period ON bill (period, account_no) "
	"WHERE status = 'issued';"
	"ALTER TABLE customer ADD COLUMN household_size INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE customer ADD COLUMN low_income INTEGER NOT NULL DEFAULT 0;"
	"UPDATE customer SET household_size = COALESCE(CAST({{doc:household_size}} AS INTEGER), 1),"
	"  low_income = CASE WHEN {{doc:low_income}} IN ('1', 'true') THEN 1 ELSE 0 END;";
