/*
 * Schema of the call records (migration 15).  Released migrations are never
 * edited: a change is a new migration.
 *
 * org_unit comes first and leads the primary key, so the table shards on the
 * org unit like the rest of the library's growing tables, and one unit's
 * calls, newest first, are one index range (the listing).  A call is
 * identified by its call id and its arrival instant: call_record_once is the
 * idempotency key of the sink (a switch may reuse a call id some day, never
 * for a call arriving at the same millisecond).  On a sharded deployment a
 * unique index must include the distribution column; the sink also looks a
 * batch's calls up before it writes, so it never relies on the index alone.
 *
 * call_id is compared byte by byte on both stores ("C" collation on
 * PostgreSQL, SQLite's default), so the (arrived_ms, call_id) order of a
 * page is the same on both and an index serves it.
 *
 * Times are the engine's milliseconds since the epoch (the *_ms columns);
 * stored_at is the context clock's seconds, like every other table.  The
 * caller number is personal data: only its mask, its AES-GCM cipher (the
 * call id as associated data) and its keyed lookup hash are stored.
 */
const char pcrm__schema_call_records[] =
	"CREATE TABLE call_record ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  customer_no TEXT,"
	"  call_id TEXT {{postgresql:COLLATE \"C\"}} NOT NULL CHECK (length(call_id) BETWEEN 1 AND 63),"
	"  arrived_ms BIGINT NOT NULL,"
	"  queue_id TEXT NOT NULL,"
	"  first_queue_id TEXT NOT NULL,"
	"  agent_id TEXT,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'abandoned', 'timed_out', 'refused')),"
	"  priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 9),"
	"  misses INTEGER NOT NULL CHECK (misses >= 0),"
	"  overflows INTEGER NOT NULL CHECK (overflows >= 0),"
	"  short_abandon INTEGER NOT NULL CHECK (short_abandon IN (0, 1)),"
	"  answered_ms BIGINT,"
	"  ended_ms BIGINT,"
	"  wrap_up_end_ms BIGINT,"
	"  wait_ms BIGINT NOT NULL CHECK (wait_ms >= 0),"
	"  talk_ms BIGINT NOT NULL CHECK (talk_ms >= 0),"
	"  hold_ms BIGINT NOT NULL CHECK (hold_ms >= 0),"
	"  wrap_up_ms BIGINT NOT NULL CHECK (wrap_up_ms >= 0),"
	"  caller_masked TEXT,"
	"  caller_cipher TEXT,"
	"  caller_hash TEXT,"
	"  contact_id TEXT,"
	"  stored_at BIGINT NOT NULL,"
	"  stored_by TEXT NOT NULL,"
	"  PRIMARY KEY (org_unit, arrived_ms, call_id)"
	");"
	"CREATE UNIQUE INDEX call_record_once ON call_record (call_id, arrived_ms);"
	/* "what did this agent answer", "the calls of this customer", "calls from this number" */
	"CREATE INDEX call_record_by_agent ON call_record (agent_id, arrived_ms);"
	"CREATE INDEX call_record_by_customer ON call_record (customer_no, arrived_ms);"
	"CREATE INDEX call_record_by_caller ON call_record (caller_hash, arrived_ms);";
