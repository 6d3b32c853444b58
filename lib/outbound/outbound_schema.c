/*
 * Schema of the outbound queue and campaigns (migration 30).  Released
 * migrations are never edited: a change is a new migration.
 *
 *   outbound_message     one row per message to one customer: its state,
 *                        the position in its channel order tried next
 *                        (channel_index), attempts so far and when the next
 *                        may start (not_before).  body is NULL for a
 *                        campaign's message: the campaign's template is
 *                        rendered at the send, so queueing 200,000 notices
 *                        is one INSERT ... SELECT.  No destination is kept:
 *                        it is read from the sealed archive at the send.
 *   outbound_attempt     one row per attempt and per receipt, kept for the
 *                        rate limit and the campaign statistics' audit
 *                        trail; contact_id links the contact history entry.
 *   outbound_preference  do-not-contact per customer and channel.
 *   outbound_campaign    what a campaign is: kind, template, target (JSON),
 *                        channel plan (JSON array), schedule.
 *
 * Rows start with the org unit (or the customer) so they shard with the
 * organisation.  The partial index holds only queued messages, so the
 * delivery pass finds due work however long the history grows.
 */
const char pcrm__schema_outbound[] =
	"CREATE TABLE outbound_campaign ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('planned_outage', 'tariff_announcement',"
	"    'arrears_reminder')),"
	"  template TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  channels TEXT NOT NULL,"
	"  schedule_at BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (org_unit, id)"
	");"
	"CREATE UNIQUE INDEX outbound_campaign_by_id ON outbound_campaign (id);"
	"CREATE TABLE outbound_message ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  id TEXT NOT NULL,"
	"  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	"  campaign_id TEXT,"
	"  work_order_id TEXT,"
	"  body TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'answered',"
	"    'confirmed', 'failed', 'suppressed', 'opted_out')),"
	"  channel TEXT,"
	"  channel_index INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  not_before BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  provider_ref TEXT,"
	"  PRIMARY KEY (org_unit, id)"
	");"
	"CREATE UNIQUE INDEX outbound_message_by_id ON outbound_message (id);"
	"CREATE INDEX outbound_message_due ON outbound_message (not_before, id) "
	"WHERE status = 'queued';"
	"CREATE INDEX outbound_message_by_campaign ON outbound_message (campaign_id, status);"
	"CREATE TABLE outbound_attempt ("
	"  customer_no TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  channel TEXT,"
	"  at BIGINT NOT NULL,"
	"  result TEXT NOT NULL,"
	"  provider_ref TEXT,"
	"  contact_id TEXT,"
	"  PRIMARY KEY (customer_no, message_id, seq)"
	");"
	"CREATE INDEX outbound_attempt_by_customer ON outbound_attempt (customer_no, at);"
	"CREATE TABLE outbound_preference ("
	"  customer_no TEXT NOT NULL REFERENCES customer (customer_no),"
	"  channel TEXT NOT NULL,"
	"  do_not_contact INTEGER NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  updated_by TEXT NOT NULL,"
	"  PRIMARY KEY (customer_no, channel)"
	");";

/*
 * Migration 34: a campaign's kind is no longer listed in a CHECK.  The one
 * list of kinds is campaign.c's, which pcrm_campaign_create() validates
 * before anything is written; a second list in the schema cost a table
 * rebuild on SQLite for every new kind (tier_warning is the fourth), and
 * two changes adding kinds side by side would each rebuild the table with a
 * list that lacks the other's.  SQLite cannot drop a CHECK, so the table is
 * rebuilt once, rows copied unchanged.
 */
const char pcrm__schema_outbound_campaign_kinds[] =
	"{{postgresql:ALTER TABLE outbound_campaign DROP CONSTRAINT outbound_campaign_kind_check;}}"
	"{{sqlite:CREATE TABLE outbound_campaign_v34 ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  template TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  channels TEXT NOT NULL,"
	"  schedule_at BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (org_unit, id)"
	");"
	"INSERT INTO outbound_campaign_v34 SELECT org_unit, id, name, kind, template, target, "
	"channels, schedule_at, created_by, created_at FROM outbound_campaign;"
	"DROP TABLE outbound_campaign;"
	"ALTER TABLE outbound_campaign_v34 RENAME TO outbound_campaign;"
	"CREATE UNIQUE INDEX outbound_campaign_by_id ON outbound_campaign (id);}}";

/*
 * Migration 36: a voice campaign's dialled call connected to an agent
 * (lib/outbound/dialler.c) names the agent on its "connected" attempt row,
 * so the campaign's calls can be counted per agent; NULL on every other row.
 */
const char pcrm__schema_outbound_dialler[] = "ALTER TABLE outbound_attempt ADD COLUMN agent_id TEXT;";

/*
 * Migration 37: return-visit surveys (lib/outbound/survey.c).
 *
 *   outbound_message_by_work_order  a survey's "not yet surveyed" test and
 *                           a customer notice's hand-over look messages up
 *                           by work order; only rows that name one.
 *
 * The kind 'return_visit_survey' needs no schema change: migration 34 left
 * the kinds to campaign.c's list.
 */
const char pcrm__schema_outbound_surveys[] =
	"CREATE INDEX outbound_message_by_work_order ON outbound_message (work_order_id) "
	"WHERE work_order_id IS NOT NULL;";

/*
 * Migration 39: outbound_message keyed by its id alone, without foreign keys
 * (docs/outbound.md, Performance, has the measurements).
 *
 *   primary key (id)   was (org_unit, id) plus a unique index on (id).  No
 *                      query reads by (org_unit, id): receipts, the status,
 *                      the delivery pass's updates and the queueing's "new
 *                      customers only" test all look a message up by id,
 *                      so that index is kept (as the key) and the other,
 *                      which only repeated the id's uniqueness, goes.
 *   no foreign keys    on customer_no and org_unit.  Every row is written
 *                      from a customer row read in the same statement or
 *                      checked just before (campaign.c, message.c), and the
 *                      library never deletes a customer or an org unit nor
 *                      changes their keys (erasure keeps the row).  On
 *                      PostgreSQL each checked row cost a trigger call and,
 *                      for the customer, a FOR KEY SHARE row lock: a WAL
 *                      record on every target customer's row, a third of a
 *                      campaign's WAL and about half its server CPU.
 *
 * The indexes that serve queries stay: outbound_message_due (the delivery
 * pass) and outbound_message_by_campaign (the statistics).  SQLite cannot
 * drop a constraint or change a key in place: the table is rebuilt, which
 * drops its indexes, so every index on outbound_message is created again
 * here: a migration numbered below 39 that adds an index to the table must
 * add it to this list too, or SQLite stores lose it.
 */
const char pcrm__schema_outbound_keyed[] =
	"{{sqlite:CREATE TABLE outbound_message_v39 ("
	"  org_unit TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  customer_no TEXT NOT NULL,"
	"  campaign_id TEXT,"
	"  work_order_id TEXT,"
	"  body TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'answered',"
	"    'confirmed', 'failed', 'suppressed', 'opted_out')),"
	"  channel TEXT,"
	"  channel_index INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  not_before BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  provider_ref TEXT,"
	"  PRIMARY KEY (id)"
	");"
	"INSERT INTO outbound_message_v39 (org_unit, id, customer_no, campaign_id, work_order_id,"
	"  body, status, channel, channel_index, attempts, not_before, created_at, updated_at,"
	"  provider_ref) SELECT org_unit, id, customer_no, campaign_id, work_order_id, body, status,"
	"  channel, channel_index, attempts, not_before, created_at, updated_at, provider_ref"
	"  FROM outbound_message ORDER BY id;"
	"DROP TABLE outbound_message;"
	"ALTER TABLE outbound_message_v39 RENAME TO outbound_message;"
	"CREATE INDEX outbound_message_due ON outbound_message (not_before, id) "
	"WHERE status = 'queued';"
	"CREATE INDEX outbound_message_by_campaign ON outbound_message (campaign_id, status);"
	"CREATE INDEX outbound_message_by_work_order ON outbound_message (work_order_id) "
	"WHERE work_order_id IS NOT NULL;}}"
	"{{postgresql:ALTER TABLE outbound_message DROP CONSTRAINT outbound_message_customer_no_fkey,"
	"  DROP CONSTRAINT outbound_message_org_unit_fkey,"
	"  DROP CONSTRAINT outbound_message_pkey;"
	"ALTER TABLE outbound_message ADD CONSTRAINT outbound_message_pkey"
	"  PRIMARY KEY USING INDEX outbound_message_by_id}}";

/*
 * Migration 42: the dialler's calls kept in the store as they happen
 * (lib/outbound/dial_journal.c, docs/outbound.md "Crashes and restarts").
 *
 *   outbound_call          one row per call the dialler placed, written
 *                          before the switch is asked to dial it; `state`
 *                          moves from 'dialling' (placed, not yet answered)
 *                          or 'answered' (the customer is waiting for an
 *                          agent) to an end state in the same transaction
 *                          as the result's attempt row, by a conditional
 *                          update, so each call gets one end result however
 *                          many processes see it.  `dialler_id` is the
 *                          dialler instance that placed it; a later dialler
 *                          of the campaign settles a dead one's open calls
 *                          as 'unknown' (not yet answered) or 'abandoned'.
 *                          The switch clock's milliseconds of the dial and
 *                          of the answer give the predictive pace its ring
 *                          time; no number is stored.
 *   outbound_dialler_lease which dialler instance runs a campaign, until
 *                          when: a second live dialler of the campaign is
 *                          refused, and a dead one's calls are settled only
 *                          after its lease ran out.
 */
const char pcrm__schema_outbound_calls[] =
	"CREATE TABLE outbound_call ("
	"  call_id TEXT PRIMARY KEY,"
	"  campaign_id TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  customer_no TEXT NOT NULL,"
	"  dialler_id TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('dialling', 'answered', 'connected', 'no_answer',"
	"    'busy', 'abandoned', 'unknown')),"
	"  agent_id TEXT,"
	"  dialled_ms BIGINT NOT NULL,"
	"  answered_ms BIGINT,"
	"  updated_at BIGINT NOT NULL"
	");"
	"CREATE INDEX outbound_call_by_campaign ON outbound_call (campaign_id, state);"
	"CREATE TABLE outbound_dialler_lease ("
	"  campaign_id TEXT PRIMARY KEY,"
	"  dialler_id TEXT NOT NULL,"
	"  expires_at BIGINT NOT NULL"
	");";
