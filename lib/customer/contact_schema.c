/*
 * Schema of the contact history (migration 4).  Released migrations are
 * never edited: a change is a new migration.
 *
 * customer_no comes first and leads the primary key, so the table shards on
 * the customer (Citus co-locates it with customer) and one customer's
 * history is one index range.  The id is a lowercase UUID: unique on its
 * own, but the key still carries customer_no because a distributed table's
 * unique constraints must include the distribution column.
 *
 * The listing walks (customer_no, at, id) backwards: newest first, the id
 * breaking ties between equal instants.  Canonical lowercase UUIDs compare
 * the same under byte order (SQLite) and any PostgreSQL collation, because
 * their dashes sit at the same positions in every id.
 *
 * The CHECK constraints repeat the library's validation so rows written
 * around the library cannot hold what the API would refuse.
 */
const char pcrm__schema_contacts[] =
	"CREATE TABLE contact ("
	"  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	"  id TEXT NOT NULL CHECK (length(id) = 36),"
	"  at BIGINT NOT NULL,"
	"  channel TEXT NOT NULL CHECK (channel IN ('phone', 'sms', 'wechat', 'web', 'email',"
	"    'counter', 'visit', 'ivr')),"
	"  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),"
	"  agent TEXT NOT NULL,"
	"  caller_number TEXT,"
	"  duration_seconds INTEGER CHECK (duration_seconds BETWEEN 0 AND 86400),"
	"  business_code TEXT,"
	"  summary TEXT NOT NULL CHECK (length(summary) > 0),"
	"  work_order_id TEXT,"
	"  recorded_by TEXT NOT NULL,"
	"  recorded_at BIGINT NOT NULL,"
	"  PRIMARY KEY (customer_no, id)"
	");"
	"CREATE INDEX contact_by_customer_at ON contact (customer_no, at, id);"
	/* "which contacts led to this work order" and "what did this agent handle" */
	"CREATE INDEX contact_by_work_order ON contact (work_order_id);"
	"CREATE INDEX contact_by_agent_at ON contact (agent, at);";
