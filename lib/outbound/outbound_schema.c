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
 * Migration 36: a voice campaign's dialled call connected to an agent
 * (lib/outbound/dialler.c) names the agent on its "connected" attempt row,
 * so the campaign's calls can be counted per agent; NULL on every other row.
 */
const char pcrm__schema_outbound_dialler[] = "ALTER TABLE outbound_attempt ADD COLUMN agent_id TEXT;";
