/*
 * Schema of the IVR's identification tries (migration 27).  Released
 * migrations are never edited: a change is a new migration.
 *
 * One row per try at identifying a caller by customer number and ID digits,
 * right or wrong, so the lockout can count the wrong ones in a window.
 * org_unit leads, as in every table that grows with customers (sharding);
 * the lockout reads one customer's recent tries, which the index serves.
 * Nothing personal is stored: not the digits, not the caller number.
 */
const char pcrm__schema_ivr_attempts[] =
	"CREATE TABLE ivr_attempt ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	"  at BIGINT NOT NULL,"
	"  ok INTEGER NOT NULL CHECK (ok IN (0, 1))"
	");"
	"CREATE INDEX ivr_attempt_by_customer ON ivr_attempt (customer_no, at);";

/*
 * Migration 29: IVR PINs and the outage list.
 *
 * ivr_pin: one PIN per customer, never in clear: PBKDF2-HMAC-SHA256 over a
 * random salt, with the rounds it was made with (so they can be raised for
 * new PINs without invalidating old ones).  Tries are rows of ivr_attempt
 * like every identification, so PIN and ID digits share one lockout.
 *
 * outage: what the IVR says about a transformer area (台区): planned
 * outages announced ahead and faults being repaired, with the planned end
 * or estimated restoration (revised as the repair goes), optionally the
 * master work order of the fault, which repair calls are attached to.  An
 * outage is over when it is ended (ended_at) or its master work order
 * closed.  Areas are the archive's customer.transformer_area values.
 */
const char pcrm__schema_ivr_pins_outages[] =
	"CREATE TABLE ivr_pin ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  customer_no TEXT NOT NULL PRIMARY KEY REFERENCES customer (customer_no),"
	"  salt TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  iterations INTEGER NOT NULL CHECK (iterations > 0),"
	"  set_at BIGINT NOT NULL,"
	"  set_by TEXT NOT NULL"
	");"
	"CREATE TABLE outage ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  transformer_area TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('planned', 'fault')),"
	"  starts_at BIGINT NOT NULL,"
	"  ends_at BIGINT NOT NULL CHECK (ends_at > starts_at),"
	"  reason TEXT NOT NULL,"
	"  master_workorder TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  ended_at BIGINT"
	");"
	"CREATE INDEX outage_by_area ON outage (transformer_area, ends_at);";
