/*
 * Schema of the work-order notification outbox (migration 11).  Released
 * migrations are never edited: a change is a new migration.
 *
 *   work_order_notification  one row per history entry that tells somebody
 *                            something (notify, remind, escalate,
 *                            reassign), written in the transaction of the
 *                            entry; id "<work order id>/<seq>" names the
 *                            entry, so a row can never be written twice.
 *                            A delivery process claims rows for a lease
 *                            (claimed_until) and acknowledges each one it
 *                            delivered (delivered_at); a claim whose lease
 *                            ran out is handed out again, so delivery is at
 *                            least once and never silently lost.
 *
 * The row starts with the org unit it is addressed to, so it shards with
 * the organisation.  The partial index holds only what is still to be
 * delivered, so it stays small however long the outbox grows.
 */
const char pcrm__schema_workflow_notification[] =
	"CREATE TABLE work_order_notification ("
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  id TEXT NOT NULL,"
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('notify', 'remind', 'escalate', 'reassign')),"
	"  recipient TEXT,"
	"  note TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  claimed_by TEXT,"
	"  claimed_until BIGINT,"
	"  attempts INTEGER NOT NULL,"
	"  delivered_at BIGINT,"
	"  delivered_by TEXT,"
	"  PRIMARY KEY (org_unit, id)"
	");"
	"CREATE UNIQUE INDEX work_order_notification_by_id ON work_order_notification (id);"
	"CREATE INDEX work_order_notification_pending ON work_order_notification "
	"(created_at, id) WHERE delivered_at IS NULL;";

/*
 * Migration 22: a notification may be addressed to a role (and level) in
 * an org unit instead of one operator: an escalation level saying "the team
 * lead of the handling unit" or "the duty supervisor of the unit above"
 * (docs/workflow-format.md, "Escalation levels").  The library knows no
 * staff list; the delivery process resolves the role to people.
 */
const char pcrm__schema_workflow_notification_roles[] =
	"ALTER TABLE work_order_notification ADD COLUMN recipient_role TEXT;"
	"ALTER TABLE work_order_notification ADD COLUMN recipient_level INTEGER;";

/*
 * Migration 37: a notification may be addressed to the work order's
 * customer (a transition's "notify_customer", lib/workflow/customer_notice.c):
 * customer_no set, no recipient.  Operators' claims skip these rows; the
 * outbound hand-over (lib/outbound/handover.c) turns each into one outbound
 * message and marks it delivered in the same transaction.  The pending
 * index (created_at, id) WHERE delivered_at IS NULL serves both readers.
 */
const char pcrm__schema_workflow_customer_notices[] =
	"ALTER TABLE work_order_notification ADD COLUMN customer_no TEXT;";

/*
 * Migration 41: a work order's audit digest (lib/audit/cover.c,
 * "work_order" revision 3) covers its notifications, read by work order on
 * every change of it: without this index each read scanned the table.
 */
const char pcrm__schema_workflow_notification_by_order[] =
	"CREATE INDEX work_order_notification_by_order ON work_order_notification "
	"(work_order_id, seq);";
