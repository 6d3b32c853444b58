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
