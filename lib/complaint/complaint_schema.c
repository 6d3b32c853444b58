/*
 * Schema of complaint tickets (migration 16).  Released migrations are never
 * edited: a change is a new migration.
 *
 * complaint_config holds the one configuration document (routing rules,
 * subcategories, repeat window).  complaint_serial counts the tickets each
 * accepting unit filed on each local day, so a serial number is one upsert
 * away and never reused, even after a rollback elsewhere.
 *
 * The ticket table leads with the responsible unit, the key statistics and
 * permissions filter on.  The repeat check reads one index range: the
 * customer's (or, for anonymous tickets, the caller's) tickets of one
 * category in the window.  The sealed column is an AES-256-GCM cipher (hex)
 * of the ticket's personal fields, bound to the serial number.
 */
const char pcrm__schema_complaint[] =
	"CREATE TABLE complaint_config ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  doc TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  updated_by TEXT NOT NULL,"
	"  updated_at BIGINT NOT NULL"
	");"
	"CREATE TABLE complaint_serial ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  day INTEGER NOT NULL,"
	"  last INTEGER NOT NULL CHECK (last > 0),"
	"  PRIMARY KEY (org_unit, day)"
	");"
	"CREATE TABLE complaint ("
	"  responsible_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  serial TEXT NOT NULL PRIMARY KEY,"
	"  accepting_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  accepted_at BIGINT NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  channel TEXT NOT NULL CHECK (channel IN ('phone', 'fax', 'email', 'web', 'sms',"
	"    'counter', 'app', 'wechat')),"
	"  caller_number TEXT,"
	"  customer_no TEXT REFERENCES customer (customer_no),"
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  category TEXT NOT NULL CHECK (category IN ('service', 'business', 'outage',"
	"    'supply_quality', 'grid_construction')),"
	"  subcategory TEXT NOT NULL,"
	"  nature TEXT NOT NULL CHECK (nature IN ('complaint', 'report', 'opinion', 'suggestion')),"
	"  urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'major')),"
	"  routed_by_default INTEGER NOT NULL CHECK (routed_by_default IN (0, 1)),"
	"  description TEXT NOT NULL CHECK (length(description) > 0),"
	"  recording_ref TEXT,"
	"  sealed TEXT,"
	"  work_order_id TEXT NOT NULL,"
	"  contact_id TEXT,"
	"  repeat_of TEXT REFERENCES complaint (serial),"
	"  status TEXT NOT NULL CHECK (status IN ('open', 'replied', 'closed', 'merged')),"
	"  merged_into TEXT REFERENCES complaint (serial),"
	"  replied_at BIGINT,"
	"  reply_channel TEXT,"
	"  reply_content TEXT,"
	"  customer_opinion TEXT,"
	"  substantiated INTEGER CHECK (substantiated IN (0, 1)),"
	"  visited_at BIGINT,"
	"  visit_result TEXT,"
	"  satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied',"
	"    'dissatisfied')),"
	"  reopened INTEGER NOT NULL DEFAULT 0,"
	"  closed_at BIGINT,"
	"  version INTEGER NOT NULL"
	");"
	"CREATE INDEX complaint_by_customer ON complaint (customer_no, category, accepted_at);"
	"CREATE INDEX complaint_by_caller ON complaint (caller_number, category, accepted_at);"
	"CREATE INDEX complaint_by_unit_time ON complaint (responsible_unit, accepted_at);"
	"CREATE INDEX complaint_by_work_order ON complaint (work_order_id);";

/*
 * Migration 18: failed attempts to reach the customer for the return visit
 * of the current reply (reset by each reply).  When they reach the
 * configuration's return_visit_attempts the ticket closes unreached
 * (pcrm_complaint_visit_failed()).  A column with a constant default: both
 * engines add it without rewriting the table.
 */
const char pcrm__schema_complaint_visit_attempts[] =
	"ALTER TABLE complaint ADD COLUMN visit_attempts INTEGER NOT NULL DEFAULT 0;";

/*
 * Migration 19: what statistics over a month of a million tickets need.
 *
 * reply_due_at is the ticket's reply deadline (its work order's process
 * limit counted from acceptance on the definition version's calendar,
 * fixed at filing), late_seconds the working seconds from that deadline to
 * the latest reply (0 in time), fixed at each reply: so the overdue duration
 * of replied tickets is a sum, and only unreplied tickets need the calendar
 * when the statistics are read.
 *
 * complaint_day sums the tickets of one responsible unit, day and
 * classification: one row per (unit, day on the fixed +08:00 offset,
 * category, nature, channel, org unit), kept by the filing, reply, visit and
 * merge transactions and rebuilt by pcrm_complaint_stats_rebuild().  It
 * holds only what a ticket's own row decides; what depends on the clock
 * (overdue flags, the open tickets' overdue time) is read from the tickets.
 * complaint_unreplied indexes exactly the tickets that can still be open and
 * overdue, so that read does not scan the month.
 */
const char pcrm__schema_complaint_stats[] =
	"ALTER TABLE complaint ADD COLUMN reply_due_at BIGINT;"
	"ALTER TABLE complaint ADD COLUMN late_seconds BIGINT;"
	"CREATE TABLE complaint_day ("
	"  responsible_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  day INTEGER NOT NULL,"
	"  category TEXT NOT NULL,"
	"  nature TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  org_unit TEXT NOT NULL,"
	"  received BIGINT NOT NULL,"
	"  handled BIGINT NOT NULL,"
	"  substantiated BIGINT NOT NULL,"
	"  repeats BIGINT NOT NULL,"
	"  visited BIGINT NOT NULL,"
	"  satisfied BIGINT NOT NULL,"
	"  handling_seconds BIGINT NOT NULL,"
	"  late BIGINT NOT NULL,"
	"  late_seconds BIGINT NOT NULL,"
	"  PRIMARY KEY (responsible_unit, day, category, nature, channel, org_unit)"
	");"
	"CREATE INDEX complaint_unreplied ON complaint (responsible_unit, accepted_at) "
	"WHERE replied_at IS NULL;";

/*
 * Migration 22: how often the supervisor's review returned the handling
 * opinion to handling (退单, pcrm_complaint_review()).  Counted on the ticket
 * because the regulators' checks ask for it per ticket; the history of the
 * work order holds each return with its reason.  A constant default: no
 * table rewrite on either engine.
 */
const char pcrm__schema_complaint_review[] =
	"ALTER TABLE complaint ADD COLUMN review_returns INTEGER NOT NULL DEFAULT 0;";

/*
 * The caller number sealed (migration 24, lib/complaint/complaint_caller.c):
 * caller_number keeps a mask from now on, caller_cipher the number under the
 * identifier key, caller_hash its keyed hash for the repeat check of
 * anonymous tickets.  Existing tickets keep the number in clear (the
 * migration runs without the key) and are still found by it.
 */
const char pcrm__schema_complaint_caller[] =
	"ALTER TABLE complaint ADD COLUMN caller_hash TEXT;"
	"ALTER TABLE complaint ADD COLUMN caller_cipher TEXT;"
	"CREATE INDEX complaint_by_caller_hash ON complaint (caller_hash, category, accepted_at);";
