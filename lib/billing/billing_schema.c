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
