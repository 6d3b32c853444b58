/*
 * Numbered schema migrations, applied in order on open, all in one
 * transaction, and recorded in pcrm_schema.  A migration is never edited once
 * released: a change is a new, higher-numbered entry.
 *
 * SQL is shared by both engines.  The few spellings that differ are written
 * as tokens:
 *   {{id}}           an auto-assigned 64-bit integer primary key
 *   {{doc:NAME}}     the top-level field NAME of the row's JSON document
 *                    `doc` (TEXT), as SQL text or NULL when absent
 *                    (json_extract() on SQLite, ->> on PostgreSQL)
 *   {{postgresql:SQL}}  SQL (which holds no "}}") on PostgreSQL, nothing on
 *                    SQLite: storage settings SQLite does not have, such as a
 *                    table's fillfactor
 *   {{sqlite:SQL}}   SQL (which holds no "}}") on SQLite, nothing on
 *                    PostgreSQL: storage layouts only SQLite has (rowid
 *                    tables, WITHOUT ROWID), or a table rebuilt because
 *                    SQLite cannot ALTER its primary key
 *
 * Tables that grow with customers carry the org unit or customer key as
 * their first column, so a deployment can shard on it (e.g. with Citus).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store.h"

/* Schema text owned by the modules that use it. */
extern const char pcrm__schema_metering[];
extern const char pcrm__schema_contacts[];
extern const char pcrm__schema_workflow[];
extern const char pcrm__schema_ledger[];
extern const char pcrm__schema_billing[];
extern const char pcrm__schema_billing_customer[];
extern const char pcrm__schema_contract[];
extern const char pcrm__schema_basic_mode[];
extern const char pcrm__schema_workflow_due[];
extern const char pcrm__schema_workflow_notification[];
extern const char pcrm__schema_billing_inputs[];
extern const char pcrm__schema_workflow_history_keyed[];
extern const char pcrm__schema_workflow_domains[];
extern const char pcrm__schema_workflow_clocks[];
extern const char pcrm__schema_call_records[];
extern const char pcrm__schema_complaint[];
extern const char pcrm__schema_complaint_visit_attempts[];
extern const char pcrm__schema_complaint_review[];
extern const char pcrm__schema_workflow_notification_roles[];
extern const char pcrm__schema_workflow_suspension[];
extern const char pcrm__schema_complaint_stats[];
extern const char pcrm__schema_pii[];
extern const char pcrm__schema_pii_keys[];
extern const char pcrm__schema_complaint_caller[];
extern const char pcrm__schema_kb[];
extern const char pcrm__schema_ivr_attempts[];
extern const char pcrm__schema_account_bank[];
extern const char pcrm__schema_ivr_pins_outages[];
extern const char pcrm__schema_outbound[];
extern const char pcrm__schema_outbound_surveys[];
extern const char pcrm__schema_workflow_customer_notices[];
extern const char pcrm__schema_workflow_notification_by_order[];
extern const char pcrm__schema_kb_grams[];
extern const char pcrm__schema_kb_grams_fill[];
extern const char pcrm__schema_outbound_campaign_kinds[];
extern const char pcrm__schema_outbound_keyed[];
extern const char pcrm__schema_outbound_dialler[];
extern const char pcrm__schema_outbound_calls[];
extern const char pcrm__schema_kb_ranked[];
extern const char pcrm__schema_kb_ranked_fill[];
extern const char pcrm__schema_kb_chars[];
extern const char pcrm__schema_kb_approval_permission[];

/*
 * Migration 12's audit part (SQLite only): audit_log's key becomes the
 * table's rowid.  "seq BIGINT PRIMARY KEY" is not SQLite's rowid alias (only
 * the exact type INTEGER is), so the log was two b-trees, the rows and an
 * automatic index on seq, and every entry wrote a page of each to the WAL.
 * The values, and so every hash, are copied unchanged.  The workflow's part
 * is in lib/workflow/schema.c.
 */
static const char audit_log_rowid[] =
	"{{sqlite:CREATE TABLE audit_log_v12 ("
	"  seq INTEGER PRIMARY KEY,"
	"  at BIGINT NOT NULL,"
	"  operator_id TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  actor_org TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object_type TEXT NOT NULL,"
	"  object_id TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL"
	");"
	"INSERT INTO audit_log_v12 (seq, at, operator_id, role, actor_org, action, object_type, "
	"object_id, summary, prev_hash, hash) "
	"SELECT seq, at, operator_id, role, actor_org, action, object_type, object_id, summary, "
	"prev_hash, hash FROM audit_log ORDER BY seq;"
	"DROP TABLE audit_log;"
	"ALTER TABLE audit_log_v12 RENAME TO audit_log;}}";

/*
 * Migration 14's audit part (PostgreSQL only): audit_head's CHECK (id = 1)
 * becomes a domain with the same check, for the reason the workflow's part
 * gives (lib/workflow/schema.c): a table CHECK is read from text, planned
 * and evaluated on every UPDATE of the head, one per audit entry, although
 * no UPDATE sets id.  A domain's check runs only where id is written.
 */
static const char audit_head_domain[] =
	"{{postgresql:"
	"ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;"
	"CREATE DOMAIN audit_head_id AS INTEGER;"
	"ALTER TABLE audit_head ALTER COLUMN id TYPE audit_head_id;"
	"ALTER DOMAIN audit_head_id ADD CONSTRAINT audit_head_id_check CHECK (VALUE = 1)}}";

struct migration {
	int version;
	const char *name;
	const char *sql;
	const char *more; /* a second module's part of the same migration, or NULL */
};

/*
 * Migration 23: shared documents belong to org units (lib/org/publish.c).
 * owner_unit is the unit of the first publisher of a tariff id or workflow
 * name, the same on every version; NULL for versions stored before, which
 * belong to the top of the tree.  scope_unit is NULL for a base version and
 * names the unit whose subtree an override applies to.  bill.batch names
 * the billing-run batch that wrote a bill (NULL for corrections and bills
 * written before), the object of the batch's audit entry.  The indexes let
 * verification digest a contact by its id and a batch's bills without
 * scanning their tables (lib/audit/cover.c).
 */
static const char ownership[] =
	"ALTER TABLE tariff_version ADD COLUMN owner_unit TEXT;"
	"ALTER TABLE tariff_version ADD COLUMN scope_unit TEXT;"
	"ALTER TABLE workflow_def ADD COLUMN owner_unit TEXT;"
	"ALTER TABLE workflow_def ADD COLUMN scope_unit TEXT;"
	"CREATE INDEX contact_by_id ON contact (id);"
	"ALTER TABLE bill ADD COLUMN batch TEXT;"
	"CREATE INDEX bill_by_batch ON bill (batch) WHERE batch IS NOT NULL;";

/*
 * Migration 21: the audit log becomes one chain per city (lib/audit/chain.c).
 * Every existing entry keeps its values, and so its hash, and becomes the
 * chain "(legacy)" (chain_seq = seq), verified with the v1 hash as before;
 * the old head's seq and hash become that chain's head in audit_chain.
 * audit_head stays as it was, no longer written (older migrations' tests
 * rewind it).  seq stays the log's global order for listing: SQLite assigns
 * it as the rowid, PostgreSQL from a sequence, so appenders in different
 * chains share no row.  covers: the after-image digest of the entry's object
 * (lib/audit/cover.c), '' where none.
 */
static const char audit_chains[] =
	"ALTER TABLE audit_log ADD COLUMN chain TEXT NOT NULL DEFAULT '(legacy)';"
	"ALTER TABLE audit_log ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE audit_log ADD COLUMN covers TEXT NOT NULL DEFAULT '';"
	"UPDATE audit_log SET chain_seq = seq;"
	"CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain, chain_seq);"
	"CREATE TABLE audit_chain ("
	"  chain TEXT PRIMARY KEY,"
	"  seq BIGINT NOT NULL,"
	"  hash TEXT NOT NULL"
	");"
	"INSERT INTO audit_chain (chain, seq, hash) SELECT '(legacy)', seq, hash FROM audit_head;"
	"{{postgresql:ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT;"
	"CREATE SEQUENCE audit_log_seq AS BIGINT;"
	"SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false);"
	"ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq');"
	"ALTER SEQUENCE audit_log_seq OWNED BY audit_log.seq;}}";

/*
 * Migration 47: an audit entry found by its object, for the newest covering
 * entry of an object: verification asks it of every customer a bulk import
 * listed (lib/audit/cover_listed.c), one probe each instead of a scan of the
 * log per import batch.
 */
static const char audit_object_index[] =
	"CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);";

static const struct migration migrations[] = {
	{ 1, "org units and the audit log",
	  /* province > city > county > township station; path is "/root/.../code/" so a
	     subtree is one prefix match */
	  "CREATE TABLE org_unit ("
	  "  code TEXT PRIMARY KEY,"
	  "  parent_code TEXT REFERENCES org_unit (code),"
	  "  name TEXT NOT NULL,"
	  "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
	  "  path TEXT NOT NULL UNIQUE,"
	  "  created_at BIGINT NOT NULL,"
	  "  updated_at BIGINT NOT NULL,"
	  "  version INTEGER NOT NULL"
	  ");"
	  "CREATE INDEX org_unit_parent ON org_unit (parent_code);"
	  /* Append-only, hash-chained: hash = SHA-256 over prev_hash and every column. */
	  "CREATE TABLE audit_log ("
	  "  seq BIGINT PRIMARY KEY,"
	  "  at BIGINT NOT NULL,"
	  "  operator_id TEXT NOT NULL,"
	  "  role TEXT NOT NULL,"
	  "  actor_org TEXT NOT NULL,"
	  "  action TEXT NOT NULL,"
	  "  object_type TEXT NOT NULL,"
	  "  object_id TEXT NOT NULL,"
	  "  summary TEXT NOT NULL,"
	  "  prev_hash TEXT NOT NULL,"
	  "  hash TEXT NOT NULL"
	  ");"
	  /* The head row serialises appends (its row lock) and remembers the tip, so
	     deleting the newest entries is detected too. */
	  "CREATE TABLE audit_head ("
	  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	  "  seq BIGINT NOT NULL,"
	  "  hash TEXT NOT NULL"
	  ");"
	  "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, "
	  "'0000000000000000000000000000000000000000000000000000000000000000');", NULL },
	{ 2, "customer archive",
	  /* Queried columns are real columns; the rest of the document is JSON in doc.
	     The ID number never appears in clear: cipher (AES-GCM, hex), keyed hash, mask. */
	  "CREATE TABLE customer ("
	  "  customer_no TEXT PRIMARY KEY,"
	  "  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	  "  kind TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  usage_class TEXT NOT NULL,"
	  "  voltage_level TEXT NOT NULL,"
	  "  status TEXT NOT NULL,"
	  "  vip_level INTEGER NOT NULL,"
	  "  transformer_area TEXT,"
	  "  doc TEXT NOT NULL,"
	  "  id_masked TEXT,"
	  "  id_cipher TEXT,"
	  "  id_hash TEXT,"
	  "  created_at BIGINT NOT NULL,"
	  "  updated_at BIGINT NOT NULL,"
	  "  version INTEGER NOT NULL"
	  ");"
	  "CREATE INDEX customer_by_org ON customer (org_unit, customer_no);"
	  "CREATE INDEX customer_by_id_hash ON customer (id_hash);"
	  "CREATE INDEX customer_by_area ON customer (transformer_area);"
	  "CREATE INDEX customer_by_name ON customer (name);"
	  /* the screen-pop index: normalised number -> customers */
	  "CREATE TABLE customer_phone ("
	  "  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	  "  kind TEXT NOT NULL,"
	  "  phone TEXT NOT NULL,"
	  "  PRIMARY KEY (customer_no, kind)"
	  ");"
	  "CREATE INDEX customer_phone_by_phone ON customer_phone (phone);", NULL },
	{ 3, "accounts, metering points, meters and readings", pcrm__schema_metering, NULL },
	{ 4, "contact history", pcrm__schema_contacts, NULL },
	{ 5, "workflow definitions, work orders, their history and timers",
	  pcrm__schema_workflow, NULL },
	{ 6, "account ledger, payments and dunning", pcrm__schema_ledger, NULL },
	{ 7, "tariff versions and stored bills", pcrm__schema_billing, NULL },
	{ 8, "what a bill needs of a customer as columns, current bills by month",
	  pcrm__schema_billing_customer, NULL },
	{ 9, "contract terms of two-part accounts", pcrm__schema_contract, NULL },
	{ 10, "work orders without a due index (due queries read the timers), room for HOT updates",
	  pcrm__schema_workflow_due, NULL },
	{ 11, "work-order notification outbox", pcrm__schema_workflow_notification, NULL },
	{ 12, "audit log and work-order history keyed by their own b-tree on SQLite",
	  audit_log_rowid, pcrm__schema_workflow_history_keyed },
	{ 13, "customer attributes on the account and the account on meter readings, for billing",
	  pcrm__schema_billing_inputs, NULL },
	{ 14, "work-order value checks as domains on PostgreSQL, checked only where written",
	  pcrm__schema_workflow_domains, audit_head_domain },
	{ 15, "call records of the ACD engine (the store-backed CDR sink)", pcrm__schema_call_records,
	  NULL },
	{ 16, "complaint tickets, their configuration and serial counters", pcrm__schema_complaint,
	  NULL },
	{ 17, "work-order escalation levels, named clocks and severity classes",
	  pcrm__schema_workflow_clocks, NULL },
	{ 18, "work-order suspensions with reasons and ends; failed return visits of complaints",
	  pcrm__schema_workflow_suspension, pcrm__schema_complaint_visit_attempts },
	{ 19, "complaint reply deadlines, lateness and the per-day statistics summary",
	  pcrm__schema_complaint_stats, NULL },
	{ 20, "personal data sealed: customer data keys, blind indexes, key check",
	  pcrm__schema_pii, NULL },
	{ 21, "audit log partitioned into chains per city, after-image digests", audit_chains, NULL },
	{ 22, "complaint review returns; notifications addressed to a role and level",
	  pcrm__schema_complaint_review, pcrm__schema_workflow_notification_roles },
	{ 23, "tariffs and workflow definitions owned by org units, with overrides; bills by run batch",
	  ownership, NULL },
	{ 24, "data key versions; complaint caller numbers sealed",
	  pcrm__schema_pii_keys, pcrm__schema_complaint_caller },
	{ 25, "the basic-charge mode of two-part accounts", pcrm__schema_basic_mode, NULL },
	{ 26, "knowledge base: article versions, trigram text indexes, use and miss statistics",
	  pcrm__schema_kb, NULL },
	{ 27, "IVR identification tries, for the lockout", pcrm__schema_ivr_attempts, NULL },
	{ 28, "bank account numbers sealed under the customer's data key", pcrm__schema_account_bank,
	  NULL },
	{ 29, "IVR PINs (hashed with PBKDF2) and the outage list of transformer areas",
	  pcrm__schema_ivr_pins_outages, NULL },
	{ 30, "outbound messages, attempts, do-not-contact preferences and campaigns",
	  pcrm__schema_outbound, NULL },
	{ 31, "knowledge base: one bigram text index for both stores instead of trigrams",
	  pcrm__schema_kb_grams, pcrm__schema_kb_grams_fill },
	{ 34, "campaign kinds checked by the library alone (tier-threshold warnings added)",
	  pcrm__schema_outbound_campaign_kinds, NULL },
	{ 35, "knowledge base: postings ordered by score bound with visibility; approval work orders",
	  pcrm__schema_kb_ranked, pcrm__schema_kb_ranked_fill },
	{ 36, "the agent a dialled outbound call was connected to", pcrm__schema_outbound_dialler,
	  NULL },
	{ 37, "notifications addressed to a work order's customer; return-visit survey campaigns",
	  pcrm__schema_workflow_customer_notices, pcrm__schema_outbound_surveys },
	{ 39, "outbound messages keyed by id alone, without foreign keys (cheaper bulk queueing)",
	  pcrm__schema_outbound_keyed, NULL },
	{ 41, "work-order notifications indexed by work order (covered by its audit digest)",
	  pcrm__schema_workflow_notification_by_order, NULL },
	{ 42, "the voice dialler's calls and its lease on a campaign, kept as they happen",
	  pcrm__schema_outbound_calls, NULL },
	{ 44, "knowledge base: single characters in the text index (bounds for one-character terms)",
	  pcrm__schema_kb_chars, NULL },
	{ 45, "the shipped kb_article workflow names kb.approve on its transitions",
	  pcrm__schema_kb_approval_permission, NULL },
	{ 47, "audit entries found by their object (coverage of imported customers)",
	  audit_object_index, NULL },
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

int pcrm__schema_latest(void)
{
	return migrations[MIGRATION_COUNT - 1].version;
}

int pcrm__schema_migration(int version, const char **sql, const char **more)
{
	for (int i = 0; i < MIGRATION_COUNT; i++)
		if (migrations[i].version == version) {
			*sql = migrations[i].sql;
			*more = migrations[i].more;
			return 1;
		}
	*sql = *more = NULL;
	return 0;
}

/*
 * The spelling of one token at `p` for `kind` (*out, *out_len bytes, not
 * NUL-terminated), or 0 when `p` starts none; *len is the token's length.
 */
static int token_text(const char *p, pcrm_store_kind kind, size_t *len, char buf[128],
                      const char **out, size_t *out_len)
{
	static const char id[] = "{{id}}", doc[] = "{{doc:", pg[] = "{{postgresql:",
	                  lite[] = "{{sqlite:";
	if (strncmp(p, id, strlen(id)) == 0) {
		*len = strlen(id);
		*out = kind == PCRM_STORE_SQLITE ? "INTEGER PRIMARY KEY" :
		                                   "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
		*out_len = strlen(*out);
		return 1;
	}
	if (strncmp(p, doc, strlen(doc)) == 0) {
		const char *name = p + strlen(doc);
		size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0 || n > 64 || strncmp(name + n, "}}", 2) != 0)
			return 0;
		*len = strlen(doc) + n + 2;
		/* SQLite gives JSON true as 1; CAST(... AS TEXT) makes both engines' text comparable */
		snprintf(buf, 128, kind == PCRM_STORE_SQLITE ? "CAST(json_extract(doc, '$.%.*s') AS TEXT)" :
		                                               "(doc::jsonb ->> '%.*s')",
		         (int)n, name);
		*out = buf;
		*out_len = strlen(buf);
		return 1;
	}
	if (strncmp(p, pg, strlen(pg)) == 0 || strncmp(p, lite, strlen(lite)) == 0) {
		int for_pg = p[2] == 'p';
		const char *body = p + strlen(for_pg ? pg : lite), *end = strstr(body, "}}");
		if (!end)
			return 0;
		*len = (size_t)(end + 2 - p);
		*out = body;
		*out_len = (kind == PCRM_STORE_POSTGRES) == for_pg ? (size_t)(end - body) : 0;
		return 1;
	}
	return 0;
}

char *pcrm__schema_render(const char *sql, pcrm_store_kind kind)
{
	char buf[128];
	size_t size = 1, len, tlen;
	const char *p, *t;
	char *out, *o;

	for (p = sql; *p;) {
		if (token_text(p, kind, &len, buf, &t, &tlen)) {
			size += tlen;
			p += len;
		} else {
			size++;
			p++;
		}
	}
	if (!(out = malloc(size)))
		return NULL;
	for (p = sql, o = out; *p;) {
		if (token_text(p, kind, &len, buf, &t, &tlen)) {
			memcpy(o, t, tlen);
			o += tlen;
			p += len;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

int pcrm__store_schema_version(pcrm_store *st, int *out)
{
	int64_t v = 0;
	int rc = pcrm__store_query_int(st, "SELECT COALESCE(MAX(version), 0) FROM pcrm_schema", NULL,
	                               0, &v);
	if (rc == PCRM_OK)
		*out = (int)v;
	return rc;
}

/* Runs one part of a migration; a part that renders to nothing on this store runs nothing. */
static int apply_part(pcrm_store *st, const char *part)
{
	char *sql = pcrm__schema_render(part, st->driver->kind);
	int rc = PCRM_OK;
	if (!sql)
		return pcrm__error_oom();
	/* PostgreSQL refuses an empty script ({{sqlite:...}} alone renders to nothing there) */
	if (strspn(sql, " \t\n;") < strlen(sql))
		rc = st->driver->exec_script(st, sql);
	free(sql);
	return rc;
}

static int apply(pcrm_store *st, const struct migration *m, int64_t now)
{
	pcrm_sql_value params[3];
	int rc = apply_part(st, m->sql);
	if (rc == PCRM_OK && m->more)
		rc = apply_part(st, m->more);
	if (rc != PCRM_OK) {
		pcrm__error_prefix("schema migration %d (%s)", m->version, m->name);
		return rc;
	}
	params[0] = PCRM_SQL_I(m->version);
	params[1] = PCRM_SQL_S(m->name);
	params[2] = PCRM_SQL_I(now);
	return pcrm__store_exec(st, "INSERT INTO pcrm_schema (version, name, applied_at) "
	                            "VALUES ($1, $2, $3)",
	                        params, 3, NULL);
}

static int newer_than_library(int current)
{
	return pcrm__error(PCRM_ESCHEMA,
	                   "database schema version %d is newer than this library "
	                   "(libpowercrm %s knows up to %d): upgrade the library",
	                   current, pcrm_version(), pcrm__schema_latest());
}

/*
 * Whether the store records every migration this library has, read outside
 * any transaction: on SQLite a transaction starts with BEGIN IMMEDIATE, i.e.
 * waits for the write lock, and opening a store that needs nothing must not
 * wait for (or fail with PCRM_ERETRY behind) another process's write
 * transaction.  A newer schema is refused here already, untouched.
 */
static int up_to_date(pcrm_store *st, int *yes)
{
	static const char table_sqlite[] =
		"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'pcrm_schema'";
	static const char table_pg[] =
		"SELECT CASE WHEN to_regclass('pcrm_schema') IS NULL THEN 0 ELSE 1 END";
	unsigned char recorded[MIGRATION_COUNT];
	int64_t exists = 0;
	int current = 0, rc;
	pcrm_rows *rows;

	*yes = 0;
	rc = pcrm__store_query_int(st, st->driver->kind == PCRM_STORE_POSTGRES ? table_pg :
	                                                                          table_sqlite,
	                           NULL, 0, &exists);
	if (rc != PCRM_OK || !exists)
		return rc;
	rc = pcrm__store_query(st, "SELECT version FROM pcrm_schema", NULL, 0, &rows);
	if (rc != PCRM_OK)
		return rc;
	memset(recorded, 0, sizeof(recorded));
	while ((rc = pcrm__rows_next(rows)) == 1) {
		int v = (int)pcrm__rows_int(rows, 0);
		if (v > current)
			current = v;
		for (int i = 0; i < MIGRATION_COUNT; i++)
			if (migrations[i].version == v)
				recorded[i] = 1;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (current > pcrm__schema_latest())
		return newer_than_library(current);
	*yes = memchr(recorded, 0, sizeof(recorded)) == NULL;
	return PCRM_OK;
}

static int migrate_locked(pcrm_store *st, int64_t now)
{
	int current = 0, rc;

	if (st->driver->kind == PCRM_STORE_POSTGRES) {
		/* Two processes opening a fresh database at once: the second waits, then finds it done. */
		rc = st->driver->exec_script(st, "SELECT pg_advisory_xact_lock(7250559801)");
		if (rc != PCRM_OK)
			return rc;
	}
	rc = st->driver->exec_script(st, "CREATE TABLE IF NOT EXISTS pcrm_schema ("
	                                 "  version INTEGER PRIMARY KEY,"
	                                 "  name TEXT NOT NULL,"
	                                 "  applied_at BIGINT NOT NULL)");
	if (rc == PCRM_OK)
		rc = pcrm__store_schema_version(st, &current);
	if (rc != PCRM_OK)
		return rc;
	if (current > pcrm__schema_latest())
		return newer_than_library(current);
	/*
	 * Numbers may have gaps (parallel branches reserve numbers), and a
	 * database may miss a lower number that was merged after it was
	 * migrated: every migration not yet recorded is applied, in order.
	 */
	for (int i = 0; i < MIGRATION_COUNT && rc == PCRM_OK; i++) {
		int64_t applied = 0;
		pcrm_sql_value v = PCRM_SQL_I(migrations[i].version);
		rc = pcrm__store_query_int(st, "SELECT COUNT(*) FROM pcrm_schema WHERE version = $1",
		                           &v, 1, &applied);
		if (rc == PCRM_OK && applied == 0)
			rc = apply(st, &migrations[i], now);
	}
	return rc;
}

int pcrm__store_migrate(pcrm_store *st, int64_t now)
{
	int done = 0, rc = up_to_date(st, &done);
	if (rc != PCRM_OK || done)
		return rc;
	/* something to apply: now under the write lock (and on PostgreSQL the advisory lock) */
	rc = pcrm__store_begin(st);
	if (rc != PCRM_OK)
		return rc;
	return pcrm__store_finish(st, migrate_locked(st, now));
}
