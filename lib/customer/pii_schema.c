/*
 * Schema of sealed personal data (migration 20).  Released migrations are
 * never edited: a change is a new migration.
 *
 * customer: pii_cipher holds the personal fields (name, phones, e-mail,
 * addresses) as one AES-256-GCM cipher under the customer's own data key;
 * pii_key is that key wrapped under the integrator's data key (and
 * key_version says which version of it); name_hash is the blind index of the
 * name.  The name column keeps only a mask from now on, doc only the
 * non-personal fields.  erased_at is set when the customer's personal data
 * was erased (its pii_key destroyed).
 *
 * customer_phone: phone_hash is the blind index the screen pop looks up;
 * phone keeps only a mask.
 *
 * contact: sealed holds caller number and summary under the customer's data
 * key; caller_number keeps a mask and summary a placeholder.
 *
 * pii_key_check: one one-way value per data key version, written at the
 * first open with that key and compared at every later one, so a wrong key
 * is refused instead of sealing new rows into a store it cannot read.
 *
 * Rows written before this migration stay readable as they are until
 * pcrm_pii_reseal() seals them (docs/security.md).
 */
const char pcrm__schema_pii[] =
	"ALTER TABLE customer ADD COLUMN pii_cipher TEXT;"
	"ALTER TABLE customer ADD COLUMN pii_key TEXT;"
	"ALTER TABLE customer ADD COLUMN key_version INTEGER;"
	"ALTER TABLE customer ADD COLUMN name_hash TEXT;"
	"ALTER TABLE customer ADD COLUMN erased_at BIGINT;"
	"CREATE INDEX customer_by_name_hash ON customer (name_hash);"
	"DROP INDEX customer_by_name;"
	"ALTER TABLE customer_phone ADD COLUMN phone_hash TEXT;"
	"CREATE INDEX customer_phone_by_hash ON customer_phone (phone_hash);"
	"ALTER TABLE contact ADD COLUMN sealed TEXT;"
	"CREATE TABLE pii_key_check ("
	"  version INTEGER PRIMARY KEY,"
	"  check_value TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL"
	");";

/*
 * Key versions and rotation (migration 24, docs/security.md).
 *
 * pii_store_key: the store's own secret (from which the identifier
 * encryption key and the blind-index key are derived), wrapped under each
 * version of the integrator's key in use, so rotating that key never
 * re-encrypts data.  A store opened before this migration gets the row of
 * version 1 at its next keyed open.
 *
 * pii_key_check.retired_at: set by pcrm_customer_key_retire() once no
 * customer's data key is wrapped under the version any more; a retired
 * version is never asked for again and is refused as the current one.
 *
 * customer_by_key_version: the rotation's batches and the retirement's
 * check find the customers still under an old version without a scan.
 */
const char pcrm__schema_pii_keys[] =
	"ALTER TABLE pii_key_check ADD COLUMN retired_at BIGINT;"
	"CREATE TABLE pii_store_key ("
	"  version INTEGER PRIMARY KEY REFERENCES pii_key_check (version),"
	"  wrapped TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL"
	");"
	"CREATE INDEX customer_by_key_version ON customer (key_version, customer_no);";
