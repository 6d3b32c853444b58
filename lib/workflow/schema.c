/*
 * Schema of the workflow engine (migration 5).  Released migrations are
 * never edited: a change is a new migration.
 *
 * workflow_def keeps every version of every definition with the calendar
 * its working-time limits use, so a work order can always be explained with
 * the version it ran on.  work_order holds the current state (the columns
 * queries filter on, data as JSON); work_order_history is append-only and
 * rebuilds it.  open_key is the business key while the work order is open
 * and NULL afterwards, so the key is unique among open work orders only
 * (both engines let a unique index hold many NULLs).  Timers are rows: a
 * restart loses none, and a conditional UPDATE of done claims each one
 * exactly once.  A paused timer has no due_at and keeps the time it had
 * left in remaining (working seconds when working = 1).
 */
const char pcrm__schema_workflow[] =
	"CREATE TABLE workflow_def ("
	"  name TEXT NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  doc TEXT NOT NULL,"
	"  calendar TEXT,"
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (name, version)"
	");"
	"CREATE TABLE work_order ("
	"  id TEXT PRIMARY KEY CHECK (length(id) = 36),"
	"  workflow TEXT NOT NULL,"
	"  workflow_version INTEGER NOT NULL,"
	"  business_key TEXT NOT NULL,"
	"  open_key TEXT,"
	"  customer_no TEXT REFERENCES customer (customer_no),"
	"  org_unit TEXT NOT NULL REFERENCES org_unit (code),"
	"  owner TEXT,"
	"  state TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),"
	"  data TEXT NOT NULL,"
	"  opened_by TEXT NOT NULL,"
	"  opened_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  due_at BIGINT,"
	"  overdue INTEGER NOT NULL CHECK (overdue IN (0, 1)),"
	"  suspended INTEGER NOT NULL CHECK (suspended IN (0, 1)),"
	"  reminders INTEGER NOT NULL,"
	"  escalations INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  steps INTEGER NOT NULL,"
	"  FOREIGN KEY (workflow, workflow_version) REFERENCES workflow_def (name, version)"
	");"
	"CREATE UNIQUE INDEX work_order_open_key ON work_order (workflow, open_key);"
	"CREATE INDEX work_order_by_org ON work_order (org_unit, status, opened_at, id);"
	"CREATE INDEX work_order_by_customer ON work_order (customer_no, opened_at);"
	"CREATE INDEX work_order_by_owner ON work_order (owner, status);"
	"CREATE INDEX work_order_by_due ON work_order (status, due_at);"
	"CREATE TABLE work_order_history ("
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  at BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  operator_id TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  actor_org TEXT NOT NULL,"
	"  event TEXT,"
	"  from_state TEXT,"
	"  to_state TEXT,"
	"  note TEXT,"
	"  delta TEXT NOT NULL,"
	"  PRIMARY KEY (work_order_id, seq)"
	");"
	"CREATE TABLE work_order_timer ("
	"  id {{id}},"
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  scope TEXT NOT NULL CHECK (scope IN ('state', 'process')),"
	"  kind TEXT NOT NULL CHECK (kind IN ('warn', 'due')),"
	"  working INTEGER NOT NULL CHECK (working IN (0, 1)),"
	"  due_at BIGINT,"
	"  remaining BIGINT,"
	"  done INTEGER NOT NULL CHECK (done IN (0, 1)),"
	"  fired_at BIGINT"
	");"
	"CREATE INDEX work_order_timer_due ON work_order_timer (done, due_at);"
	"CREATE INDEX work_order_timer_by_order ON work_order_timer (work_order_id, done);"
	"CREATE TABLE work_order_link ("
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  other_id TEXT NOT NULL REFERENCES work_order (id),"
	"  relation TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (work_order_id, other_id, relation)"
	");";

/*
 * Migration 10: a simple timer's tick changes no indexed column of
 * work_order, so PostgreSQL can update the row in place (a HOT update: no
 * new entry in any of the table's indexes).  due_at was the one such column
 * (in work_order_by_due, with status); the queries "overdue" and "due within
 * N minutes" find their candidates through work_order_timer's (done, due_at)
 * index instead, whose running due timers are exactly what work_order.due_at
 * is the earliest of.  A fillfactor below 100 leaves room in each page for
 * the new versions of its rows (60: at 70 a burst of due work orders opened
 * together, and so sharing pages, got 56 % of its updates HOT); SQLite has
 * no such setting.  Tick also claims timers by deleting them now instead of
 * setting done (lib/workflow/tick.c): done = 1 marks only rows claimed before.
 */
const char pcrm__schema_workflow_due[] =
	"DROP INDEX work_order_by_due;"
	"{{postgresql:ALTER TABLE work_order SET (fillfactor = 60)}};";

/*
 * Migration 12 (SQLite only; PostgreSQL keeps its layout): the history is a
 * WITHOUT ROWID table, stored in its primary key (work_order_id, seq).  As a
 * rowid table with that key it was two b-trees, the rows plus an automatic
 * index, so every appended entry wrote a page of each to the WAL; now one.
 * Every read of the history is "one work order's entries in seq order",
 * which is now one contiguous range of the table itself.  SQLite cannot
 * change a table's primary key in place: the table is rebuilt and its rows
 * copied, inside the migration's transaction.  The audit log's part of this
 * migration is in lib/store/migrations.c, with the rest of its schema.
 */
const char pcrm__schema_workflow_history_keyed[] =
	"{{sqlite:CREATE TABLE work_order_history_v12 ("
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  at BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  operator_id TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  actor_org TEXT NOT NULL,"
	"  event TEXT,"
	"  from_state TEXT,"
	"  to_state TEXT,"
	"  note TEXT,"
	"  delta TEXT NOT NULL,"
	"  PRIMARY KEY (work_order_id, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO work_order_history_v12 (work_order_id, seq, at, kind, operator_id, role, "
	"actor_org, event, from_state, to_state, note, delta) "
	"SELECT work_order_id, seq, at, kind, operator_id, role, actor_org, event, from_state, "
	"to_state, note, delta FROM work_order_history;"
	"DROP TABLE work_order_history;"
	"ALTER TABLE work_order_history_v12 RENAME TO work_order_history;}}";

/*
 * Migration 14 (PostgreSQL only; SQLite keeps its column CHECKs): the value
 * checks of work_order and work_order_timer move from table CHECK
 * constraints to domains, with the same conditions.  PostgreSQL evaluates a
 * table's CHECK constraints on every row an UPDATE writes, whichever
 * columns it sets, and reads each one's expression from its stored text and
 * plans it again for every statement: for a work-order transition (one
 * UPDATE of the work order, one of its timer) that was eight constraints,
 * about a tenth of the backend's CPU.  A domain's check runs only where a
 * value of the domain is written (an INSERT, COPY, or an UPDATE that sets
 * that column), and its expression is kept by the session's type cache.
 * Every value a CHECK refused, the domain refuses.
 *
 * The order keeps the migration cheap on a large database: the CHECKs are
 * dropped, the columns change to domains that have no constraint yet (the
 * same storage, so no rewrite of the table and its indexes are kept), and
 * only then do the domains get their constraints, which validates every
 * existing row in one scan per table; all in the migration's transaction.
 * work_order.id keeps its CHECK (length 36): other tables' foreign keys
 * reference it, and changing its type would rebuild and revalidate them.
 */
const char pcrm__schema_workflow_domains[] =
	"{{postgresql:"
	"ALTER TABLE work_order DROP CONSTRAINT work_order_status_check,"
	"  DROP CONSTRAINT work_order_overdue_check, DROP CONSTRAINT work_order_suspended_check;"
	"ALTER TABLE work_order_timer DROP CONSTRAINT work_order_timer_scope_check,"
	"  DROP CONSTRAINT work_order_timer_kind_check,"
	"  DROP CONSTRAINT work_order_timer_working_check,"
	"  DROP CONSTRAINT work_order_timer_done_check;"
	"CREATE DOMAIN work_order_status AS TEXT;"
	"CREATE DOMAIN work_order_flag AS INTEGER;"
	"CREATE DOMAIN work_order_timer_scope AS TEXT;"
	"CREATE DOMAIN work_order_timer_kind AS TEXT;"
	"ALTER TABLE work_order ALTER COLUMN status TYPE work_order_status,"
	"  ALTER COLUMN overdue TYPE work_order_flag, ALTER COLUMN suspended TYPE work_order_flag;"
	"ALTER TABLE work_order_timer ALTER COLUMN scope TYPE work_order_timer_scope,"
	"  ALTER COLUMN kind TYPE work_order_timer_kind,"
	"  ALTER COLUMN working TYPE work_order_flag, ALTER COLUMN done TYPE work_order_flag;"
	"ALTER DOMAIN work_order_status ADD CONSTRAINT work_order_status_check"
	"  CHECK (VALUE IN ('open', 'closed', 'cancelled'));"
	"ALTER DOMAIN work_order_flag ADD CONSTRAINT work_order_flag_check CHECK (VALUE IN (0, 1));"
	"ALTER DOMAIN work_order_timer_scope ADD CONSTRAINT work_order_timer_scope_check"
	"  CHECK (VALUE IN ('state', 'process'));"
	"ALTER DOMAIN work_order_timer_kind ADD CONSTRAINT work_order_timer_kind_check"
	"  CHECK (VALUE IN ('warn', 'due'))}}";

/*
 * Migration 17: escalation levels, named clocks and severity classes.
 *
 * A timer's scope may be 'clock' (a named clock of the definition, named in
 * `clock`) and its kind 'level' (an escalation level, `level` its index in
 * the limit's levels): each is a row like the others, so a level fires
 * exactly once and survives a restart.  work_order gets `sla_class` (the
 * severity class choosing the limits; NULL = normal) and `clocks` (a JSON
 * object: per clock its start, due time, and once stopped its result); both
 * NULL for work orders that have neither, so their JSON is unchanged.
 * SQLite cannot change a CHECK in place: the timer table is rebuilt and its
 * rows copied (ids kept) in the migration's transaction; PostgreSQL changes
 * the domains' constraints (schema 14), which validates the rows once.
 */
const char pcrm__schema_workflow_clocks[] =
	"ALTER TABLE work_order ADD COLUMN sla_class TEXT;"
	"ALTER TABLE work_order ADD COLUMN clocks TEXT;"
	"{{sqlite:CREATE TABLE work_order_timer_v17 ("
	"  id INTEGER PRIMARY KEY,"
	"  work_order_id TEXT NOT NULL REFERENCES work_order (id),"
	"  scope TEXT NOT NULL CHECK (scope IN ('state', 'process', 'clock')),"
	"  kind TEXT NOT NULL CHECK (kind IN ('warn', 'due', 'level')),"
	"  working INTEGER NOT NULL CHECK (working IN (0, 1)),"
	"  due_at BIGINT,"
	"  remaining BIGINT,"
	"  done INTEGER NOT NULL CHECK (done IN (0, 1)),"
	"  fired_at BIGINT,"
	"  clock TEXT,"
	"  level INTEGER"
	");"
	"INSERT INTO work_order_timer_v17 (id, work_order_id, scope, kind, working, due_at, "
	"remaining, done, fired_at) SELECT id, work_order_id, scope, kind, working, due_at, "
	"remaining, done, fired_at FROM work_order_timer;"
	"DROP TABLE work_order_timer;"
	"ALTER TABLE work_order_timer_v17 RENAME TO work_order_timer;"
	"CREATE INDEX work_order_timer_due ON work_order_timer (done, due_at);"
	"CREATE INDEX work_order_timer_by_order ON work_order_timer (work_order_id, done);}}"
	"{{postgresql:"
	"ALTER TABLE work_order_timer ADD COLUMN clock TEXT, ADD COLUMN level INTEGER;"
	"ALTER DOMAIN work_order_timer_scope DROP CONSTRAINT work_order_timer_scope_check;"
	"ALTER DOMAIN work_order_timer_kind DROP CONSTRAINT work_order_timer_kind_check;"
	"ALTER DOMAIN work_order_timer_scope ADD CONSTRAINT work_order_timer_scope_check"
	"  CHECK (VALUE IN ('state', 'process', 'clock'));"
	"ALTER DOMAIN work_order_timer_kind ADD CONSTRAINT work_order_timer_kind_check"
	"  CHECK (VALUE IN ('warn', 'due', 'level'))}}";

/*
 * Migration 18's workflow part: the current suspension of a work order
 * (lib/workflow/suspension.c), requested (waiting for approval; the clocks
 * run) or active (the work order is suspended; resume_at, when set, is when
 * tick resumes it).  One row per work order at most; it is deleted when the
 * suspension ends or is rejected (the history keeps the record).  The index
 * serves tick's "active and due" and the report of active suspensions
 * without an end.
 */
const char pcrm__schema_workflow_suspension[] =
	"CREATE TABLE work_order_suspension ("
	"  work_order_id TEXT PRIMARY KEY REFERENCES work_order (id),"
	"  status TEXT NOT NULL CHECK (status IN ('requested', 'active')),"
	"  reason TEXT NOT NULL,"
	"  requested_by TEXT NOT NULL,"
	"  requested_at BIGINT NOT NULL,"
	"  resume_at BIGINT,"
	"  decided_by TEXT,"
	"  decided_at BIGINT"
	");"
	"CREATE INDEX work_order_suspension_due ON work_order_suspension (status, resume_at);";
