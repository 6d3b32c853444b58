/*
 * Schema of accounts, metering points, meters and readings (migration 3).
 *
 * Every table starts with customer_no, the shard key of the archive.  The
 * account, metering-point and meter numbers are unique across customers
 * (a standalone unique index each), which a sharded deployment has to
 * enforce differently (see docs/metering.md).
 *
 * Decimals (readings, multipliers, energies) are TEXT in the canonical form
 * of pcrm_decimal_format(): exact on both engines, and read back with
 * pcrm_decimal_parse().  Sums are made in C, never in SQL.
 */
const char pcrm__schema_metering[] =
	/* Queried columns are real columns; the whole document is JSON in doc. */
	"CREATE TABLE account ("
	"  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	"  account_no TEXT NOT NULL,"
	"  payment_method TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no)"
	");"
	"CREATE UNIQUE INDEX account_no_unique ON account (account_no);"
	/* The composite foreign key keeps a metering point on an account of its own customer. */
	"CREATE TABLE metering_point ("
	"  customer_no TEXT NOT NULL,"
	"  mp_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  PRIMARY KEY (customer_no, mp_no),"
	"  FOREIGN KEY (customer_no, account_no) REFERENCES account (customer_no, account_no)"
	");"
	"CREATE UNIQUE INDEX metering_point_no_unique ON metering_point (mp_no);"
	"CREATE INDEX metering_point_by_account ON metering_point (account_no);"
	/* One row per installation: the history.  removed_at IS NULL marks the meter in service;
	   the partial unique indexes allow one per metering point and one place per meter.
	   version counts changes and is bumped first by every writer, so its row lock
	   serialises the readings and the removal of one installation. */
	"CREATE TABLE meter_installation ("
	"  customer_no TEXT NOT NULL,"
	"  id {{id}},"
	"  mp_no TEXT NOT NULL,"
	"  meter_no TEXT NOT NULL,"
	"  meter_type TEXT NOT NULL,"
	"  multiplier TEXT NOT NULL,"
	"  digits INTEGER NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  installed_at BIGINT NOT NULL,"
	"  removed_at BIGINT,"
	"  removal_reason TEXT,"
	"  removal_doc TEXT,"
	"  version INTEGER NOT NULL,"
	"  FOREIGN KEY (customer_no, mp_no) REFERENCES metering_point (customer_no, mp_no)"
	");"
	"CREATE UNIQUE INDEX meter_in_service_once ON meter_installation (meter_no) "
	"  WHERE removed_at IS NULL;"
	"CREATE UNIQUE INDEX metering_point_one_meter ON meter_installation (mp_no) "
	"  WHERE removed_at IS NULL;"
	"CREATE INDEX meter_installation_by_mp ON meter_installation (mp_no, installed_at);"
	"CREATE INDEX meter_installation_by_meter ON meter_installation (meter_no, installed_at);"
	/* Per register of an installation: its initial and final reading and the last one taken
	   (initial_value is NULL for the demand register, whose last_value starts at 0). */
	"CREATE TABLE meter_register ("
	"  customer_no TEXT NOT NULL,"
	"  installation_id BIGINT NOT NULL REFERENCES meter_installation (id),"
	"  reg TEXT NOT NULL,"
	"  initial_value TEXT,"
	"  final_value TEXT,"
	"  last_value TEXT NOT NULL,"
	"  last_read_at BIGINT NOT NULL,"
	"  last_seq INTEGER NOT NULL,"
	"  PRIMARY KEY (installation_id, reg)"
	");"
	/* Readings number 1, 2, 3, ... per register of an installation; each keeps what it was
	   measured against and its exact energy, so a bill can be explained later. */
	"CREATE TABLE meter_reading ("
	"  customer_no TEXT NOT NULL,"
	"  installation_id BIGINT NOT NULL,"
	"  reg TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  mp_no TEXT NOT NULL,"
	"  meter_no TEXT NOT NULL,"
	"  read_at BIGINT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  previous TEXT NOT NULL,"
	"  previous_at BIGINT NOT NULL,"
	"  multiplier TEXT NOT NULL,"
	"  energy TEXT NOT NULL,"
	"  flags INTEGER NOT NULL,"
	"  recorded_at BIGINT NOT NULL,"
	"  PRIMARY KEY (installation_id, reg, seq),"
	"  FOREIGN KEY (installation_id, reg) REFERENCES meter_register (installation_id, reg)"
	");"
	"CREATE INDEX meter_reading_by_mp ON meter_reading (mp_no, reg, read_at);"
	"CREATE INDEX meter_reading_by_meter ON meter_reading (meter_no, reg, read_at);";

/*
 * Migration 9: the contract terms a two-part (两部制) tariff bills an account
 * with, and the supply dates that bound its first and last month.  Copies
 * of the account document's fields of the same names, in the same
 * canonical text ("2000", "0.90", "2026-10-10"), NULL where the account has
 * none, so a billing run reads a batch's terms with the account rows it
 * reads anyway instead of parsing every document.  Accounts created
 * before this migration could not hold these fields, so nothing is copied.
 */
const char pcrm__schema_contract[] =
	"ALTER TABLE account ADD COLUMN contract_capacity_kva TEXT;"
	"ALTER TABLE account ADD COLUMN contract_demand_kw TEXT;"
	"ALTER TABLE account ADD COLUMN pf_standard TEXT;"
	"ALTER TABLE account ADD COLUMN supply_start TEXT;"
	"ALTER TABLE account ADD COLUMN supply_end TEXT;";

/*
 * Migration 25: the basic-charge mode the contract chose (基本电价计费方式,
 * 发改办价格〔2016〕1583号: by capacity, by contracted or by actual maximum
 * demand), a copy of the account document's "basic_mode" like the terms of
 * migration 9, NULL for the tariff's default.  Documents stored before could
 * not hold the field, so nothing is copied.
 */
const char pcrm__schema_basic_mode[] = "ALTER TABLE account ADD COLUMN basic_mode TEXT;";

/*
 * Migration 28: bank account numbers sealed (account_bank.c).  bank_cipher
 * holds the number under the customer's data key; the document keeps its
 * mask.  Rows written before keep the number in clear in the document until
 * pcrm_account_reseal() seals them (a migration runs without the key); the
 * partial index is the list of what is left, empty once that is done.
 */
const char pcrm__schema_account_bank[] =
	"ALTER TABLE account ADD COLUMN bank_cipher TEXT;"
	"CREATE INDEX account_bank_in_clear ON account (org_unit, account_no) "
	"WHERE bank_cipher IS NULL AND payment_method = 'bank_collection';";

/*
 * Migration 13: what a billing run reads, kept where it reads it, in the
 * order it reads it (account number).
 *
 *   account        gets copies of its customer's org unit, usage class,
 *                  household size, low-income flag and status, so a run's
 *                  batch is one range of account_no_unique instead of an
 *                  account range plus a customer primary-key probe per
 *                  account;
 *   meter_reading  gets the account of its metering point, indexed with
 *                  read_at, so a batch's month of readings is one index
 *                  range instead of a metering-point range plus a probe of
 *                  meter_reading_by_mp per point.
 *
 * At 200,000 customers (PostgreSQL, batch 2,000) this took the batch's
 * accounts from about 70 ms to 5 ms and its readings from 15 ms to 2 ms.
 * The customer and the metering point stay the records: every write that
 * changes a copied column (customer update, account create, reading insert,
 * metering point moved to another account) writes the copy in the same
 * transaction (customer.c, account.c, reading.c, metering_point.c), and
 * this migration fills the copies from the rows already stored.
 */
const char pcrm__schema_billing_inputs[] =
	"ALTER TABLE account ADD COLUMN org_unit TEXT;"
	"ALTER TABLE account ADD COLUMN usage_class TEXT;"
	"ALTER TABLE account ADD COLUMN household_size INTEGER;"
	"ALTER TABLE account ADD COLUMN low_income INTEGER;"
	"ALTER TABLE account ADD COLUMN customer_status TEXT;"
	"UPDATE account SET (org_unit, usage_class, household_size, low_income, customer_status) = "
	"(SELECT c.org_unit, c.usage_class, c.household_size, c.low_income, c.status "
	" FROM customer c WHERE c.customer_no = account.customer_no);"
	"ALTER TABLE meter_reading ADD COLUMN account_no TEXT;"
	"UPDATE meter_reading SET account_no = "
	"(SELECT m.account_no FROM metering_point m WHERE m.mp_no = meter_reading.mp_no);"
	"CREATE INDEX meter_reading_by_account ON meter_reading (account_no, read_at);";
