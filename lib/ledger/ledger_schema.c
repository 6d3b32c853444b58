/*
 * Schema of the account ledger (migration 6).  Released migrations are
 * never edited: a change is a new migration.
 *
 * Every table starts with customer_no, so it shards on the customer with
 * the archive.  Decimals are canonical text with two decimals, computed in
 * C (docs/decimal.md); dates are days since 1970-01-01 (pcrm_date_to_days)
 * so ages are one subtraction.
 *
 *   ledger_account     one row per account with a ledger: the running
 *                      balance and credit; its row lock serialises postings
 *   ledger_entry       the ledger itself, append-only; entry_key is the
 *                      idempotency key, request the canonical request it
 *                      answered
 *   ledger_item        open items (bills, debit adjustments) with what the
 *                      late-payment penalty needs: due day, open amount,
 *                      usage class
 *   ledger_allocation  which entry paid how much of which item
 *   ledger_payment     payments with their channel and bank references
 *   dunning_reminder   reminders sent (催缴)
 */
const char pcrm__schema_ledger[] =
	"CREATE TABLE ledger_account ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  balance TEXT NOT NULL,"
	"  credit TEXT NOT NULL,"
	"  entries BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no),"
	"  FOREIGN KEY (customer_no, account_no) REFERENCES account (customer_no, account_no)"
	");"
	"CREATE UNIQUE INDEX ledger_account_no ON ledger_account (account_no);"
	"CREATE TABLE ledger_entry ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  seq BIGINT NOT NULL CHECK (seq > 0),"
	"  entry_key TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('bill', 'payment', 'refund', 'adjustment', 'void')),"
	"  ref TEXT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  balance TEXT NOT NULL,"
	"  credit TEXT NOT NULL,"
	"  business_day BIGINT NOT NULL,"
	"  posted_at BIGINT NOT NULL,"
	"  posted_by TEXT NOT NULL,"
	"  request TEXT NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no, seq)"
	");"
	"CREATE UNIQUE INDEX ledger_entry_by_key ON ledger_entry (entry_key);"
	"CREATE TABLE ledger_item ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  item_no TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('bill', 'adjustment')),"
	"  seq BIGINT NOT NULL,"
	"  period TEXT,"
	"  issue_day BIGINT NOT NULL,"
	"  due_day BIGINT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  open_amount TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'void')),"
	"  usage_class TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no, item_no)"
	");"
	"CREATE UNIQUE INDEX ledger_item_no ON ledger_item (item_no);"
	"CREATE INDEX ledger_item_open ON ledger_item (account_no, status, issue_day, due_day, item_no);"
	"CREATE INDEX ledger_item_status_due ON ledger_item (status, due_day);"
	"CREATE TABLE ledger_allocation ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  seq BIGINT NOT NULL,"
	"  item_no TEXT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no, seq, item_no)"
	");"
	"CREATE TABLE ledger_payment ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  seq BIGINT NOT NULL,"
	"  channel TEXT NOT NULL CHECK (channel IN ('counter', 'bank', 'online')),"
	"  amount TEXT NOT NULL,"
	"  paid_at BIGINT NOT NULL,"
	"  paid_day BIGINT NOT NULL,"
	"  bank_code TEXT,"
	"  bank_txn_id TEXT,"
	"  PRIMARY KEY (customer_no, account_no, seq)"
	");"
	"CREATE UNIQUE INDEX ledger_payment_bank_txn ON ledger_payment (bank_code, bank_txn_id);"
	"CREATE INDEX ledger_payment_bank_day ON ledger_payment (bank_code, paid_day);"
	"CREATE TABLE dunning_reminder ("
	"  customer_no TEXT NOT NULL,"
	"  account_no TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  at BIGINT NOT NULL,"
	"  day BIGINT NOT NULL,"
	"  channel TEXT NOT NULL CHECK (channel IN ('sms', 'phone', 'letter', 'visit', 'wechat')),"
	"  note TEXT,"
	"  reminded_by TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, account_no, id)"
	");"
	"CREATE INDEX dunning_reminder_by_account ON dunning_reminder (account_no, day);";
