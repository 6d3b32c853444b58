/* Internal: the work-order operation shared by lib/workflow's files. */
#ifndef PCRM_WORKORDER_INTERNAL_H
#define PCRM_WORKORDER_INTERNAL_H

#include "store/store.h"
#include "workflow_store.h"

#define PCRM__WO_COLUMNS 21

/* The stored columns in the order of pcrm__workorder_from_row, then the step count. */
#define PCRM__WO_SELECT                                                                        \
	"w.id, w.workflow, w.workflow_version, w.business_key, w.customer_no, w.org_unit, "     \
	"w.owner, w.state, w.status, w.data, w.opened_by, w.opened_at, w.updated_at, w.due_at, " \
	"w.overdue, w.suspended, w.reminders, w.escalations, w.version, w.sla_class, w.clocks, "  \
	"w.steps"

/** One change of one work order in progress. */
struct pcrm__wo_op {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	pcrm_workflow *wf; /* the version the work order runs on */
	json_t *wo;        /* the work order being changed */
	json_t *delta;     /* what changed since the last history entry */
	const char *id;    /* borrowed from wo */
	int steps;         /* history entries so far */
	int stored_steps;  /* the step count the stored row has (differs while staged) */
	pcrm_time now;
	int oom;
	const char *unbatched; /* staged: a column the batch's row write does not set was changed */
	struct pcrm__wo_batch *batch; /* when set, commits are staged in it (tick) */
	pcrm_time next_due;           /* staged: due_at once the claimed timers are gone */
	int fresh; /* opened by this operation: it has no timer rows to reschedule yet */
	char superior[40]; /* set by pcrm__wo_escalate: the org unit now supervising */
	/* the operator the next entry's notification goes to (an escalation level's); NULL: as
	   the entry's address says */
	const char *recipient;
	/* or the role (and level, 0 = any) the next entry's notification goes to, in its
	   address (an escalation level's {"role"} target) */
	const char *recipient_role;
	int recipient_level;
	/* the text the next entry tells the work order's customer through the outbox (a
	   transition's "notify_customer"), or NULL; cleared once written */
	const char *customer_notice;
};

/** A history entry to append: kind, and where they apply event, states and note. */
struct pcrm__wo_entry {
	const char *kind;
	const char *event, *from, *to, *note;
	int bump; /* the version changes */
	const char *address; /* the org unit its notification goes to; NULL: the work order's */
};

/** Reads a row (PCRM__WO_SELECT) into a work-order object and its step count. */
int pcrm__workorder_from_row(pcrm_rows *rows, json_t **out, int *steps);
int pcrm__workorder_read(pcrm_ctx *ctx, const char *id, json_t **obj, int *steps);
int pcrm__workorder_insert(pcrm_ctx *ctx, const json_t *obj);

const char *pcrm__wo_str(const json_t *obj, const char *key);
int64_t pcrm__wo_int(const json_t *obj, const char *key);

/** Reads the work order and its definition (no permission check). */
int pcrm__wo_op_load(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                     const char *id, pcrm_time now);
struct pcrm_org_unit;
/**
 * pcrm__wo_op_load() that also reads the actor's org unit into *home in the
 * same statement (home->code NULL when it does not exist; the caller clears
 * it with pcrm__org_clear()).
 */
int pcrm__wo_op_load_home(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                          const char *id, pcrm_time now, struct pcrm_org_unit *home);
void pcrm__wo_op_clear(struct pcrm__wo_op *op);

/* Field changes: recorded in the object and the delta (v is stolen). */
void pcrm__wo_set(struct pcrm__wo_op *op, const char *key, json_t *v);
void pcrm__wo_set_str(struct pcrm__wo_op *op, const char *key, const char *s);
void pcrm__wo_set_int(struct pcrm__wo_op *op, const char *key, int64_t v);
int pcrm__wo_patch_data(struct pcrm__wo_op *op, const json_t *patch);

/**
 * Writes the row (conditional on the step count), the history entry and the
 * audit entry; with op->batch set, only stages the history entry and the
 * audit item in the batch and leaves the row to pcrm__wo_flush().
 */
int pcrm__wo_commit(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e);

/**
 * Queues the outbox row that tells the work order's customer `text`, for
 * history entry `seq` (customer_notice.c); nothing when the work order has
 * no customer.  In the caller's transaction.
 */
int pcrm__wo_customer_notice_write(struct pcrm__wo_op *op, int64_t seq, const char *text);

struct pcrm_org_unit;

/**
 * The permission firing `event` on the loaded work order needs
 * (transition_permission.c): into *perm (the default, workorder.handle, on
 * entry) the transition's "permission" when the work order's state has that
 * transition and its org unit lies in the subtree of the actor's unit
 * `home`; otherwise *perm stays, so a work order out of reach is refused
 * like an id nobody has.  Store errors only.
 */
int pcrm__wo_fire_permission(const struct pcrm__wo_op *op, const struct pcrm_org_unit *home,
                             const char *event, pcrm_permission *perm);

/**
 * Writes the rows of n staged operations in one statement, each only if its
 * step count is still the one read; the ids of the rows written are set in
 * `written`.  The statement sets the columns that warnings, overdue flags
 * and notifications change (updated_at, due_at, overdue, version) and the
 * step count; a staged operation that changes any other column fails its
 * commit with PCRM_ESTATE instead of losing the change.
 */
int pcrm__wo_flush_many(pcrm_ctx *ctx, struct pcrm__wo_op *const *ops, int n, json_t *written);

/*
 * A tick batch: history entries staged by many operations, written through
 * the bulk path (COPY on PostgreSQL) with one audit entry "workorder.tick"
 * whose summary lists every entry (work order, seq, kind, state, version).
 */
struct pcrm__wo_batch;
int pcrm__wo_batch_new(struct pcrm__wo_batch **out);
void pcrm__wo_batch_free(struct pcrm__wo_batch *b);
/**
 * Drops what was staged for work orders not in `written` (their rows changed
 * meanwhile) and keeps what the row write of the n operations `ops` set in
 * the others, for the digests the batch's entry lists.
 */
int pcrm__wo_batch_keep(struct pcrm__wo_batch *b, const json_t *written,
                        struct pcrm__wo_op *const *ops, int n);
/** Writes the staged history entries and the batch's audit entry (no-op when empty). */
int pcrm__wo_batch_write(pcrm_ctx *ctx, const pcrm_actor *actor, struct pcrm__wo_batch *b,
                         pcrm_time now);

/* Timers. */
/**
 * Sets a limit's timers, rescheduling pending ones of the same scope and kind
 * in place; with `may_warn`, a pending warning the limit does not have is
 * deleted.  *due_out (may be NULL) receives its due time (0 = none).
 */
int pcrm__wo_schedule(struct pcrm__wo_op *op, const char *scope,
                      const struct pcrm__wf_limit *limit, int may_warn, pcrm_time *due_out);
/** Deletes the pending timers of one scope ("state", "process") or all (NULL). */
int pcrm__wo_cancel_timers(struct pcrm__wo_op *op, const char *scope);
/** Pauses or restarts timers after suspension or pause state changed; updates due_at. */
int pcrm__wo_sync_timers(struct pcrm__wo_op *op);
/** Sets the state, restarts its limit, closes the work order in a final state. */
int pcrm__wo_enter_state(struct pcrm__wo_op *op, size_t state);

/* Named clocks and escalation levels (clocks.c). */
/** A limit with the amount of the work order's severity class. */
struct pcrm__wf_limit pcrm__wo_limit(const struct pcrm__wo_op *op,
                                     const struct pcrm__wf_limit *limit);
/** Deletes the pending level timers of a scope ("state", "process"). */
int pcrm__wo_drop_levels(struct pcrm__wo_op *op, const char *scope);
/** Inserts one timer per level of a limit running from start to due (clock NULL: none). */
int pcrm__wo_schedule_levels(struct pcrm__wo_op *op, const char *scope, const char *clock,
                             const struct pcrm__wf_limit *limit, pcrm_time start, pcrm_time due);
/**
 * Stops, then starts, the clocks whose stop / start is `at` (the opening,
 * entering state `what`, firing event `what`), recording their results.
 */
int pcrm__wo_clocks_at(struct pcrm__wo_op *op, enum pcrm__wf_point at, const char *what);
/** Reschedules the running clocks after a change of the severity class. */
int pcrm__wo_clocks_reclassify(struct pcrm__wo_op *op);
/** Records in the clock's record that its due timer was paused (remaining) or restarted (due). */
int pcrm__wo_clock_timer_moved(struct pcrm__wo_op *op, const char *name, int running,
                               pcrm_time due, int64_t remaining);

/**
 * Applies a transition (state, data patch, timers) and stages its
 * "notify_customer" notice for the next entry; the caller commits that
 * entry (its "fire" entry) next, whoever fired: an agent, the tick, a master.
 */
int pcrm__wo_transition(struct pcrm__wo_op *op, const struct pcrm__wf_transition *t,
                        const json_t *patch);

/**
 * 督办: counts an escalation and sets op->superior to the unit that now
 * supervises (one above the previous escalation's, first the parent of the
 * work order's unit; PCRM_ESTATE above the top).  The work order keeps its
 * org unit and owner: the superior supervises through its subtree.
 */
int pcrm__wo_escalate(struct pcrm__wo_op *op);

/*
 * The frame of a public change kept in its own file (reopen.c): begin
 * (input checked, transaction begun, work order loaded, `perm` checked on its
 * org unit; a refusal ends the transaction), refuse (a check after begin
 * failed: clears op, ends the transaction keeping a denial's audit entry,
 * returns rc) and finish (commits entry e when rc is PCRM_OK, hands a copy
 * out, clears op).
 */
int pcrm__wo_begin_change(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                          const char *id, pcrm_permission perm);
int pcrm__wo_refuse(struct pcrm__wo_op *op, int rc);
int pcrm__wo_finish_change(struct pcrm__wo_op *op, int rc, const struct pcrm__wo_entry *e,
                           pcrm_workorder **out);
/** A note of 1..2000 bytes of text, or NULL; PCRM_EINVAL names `field`. */
int pcrm__wo_check_note(const char *field, const char *note);

/* ---- suspension discipline (suspension.c) ---- */

/** Deletes the work order's suspension row (requested or active), if any. */
int pcrm__wo_suspension_end(struct pcrm__wo_op *op);
/** PCRM_EINVAL when the definition lists suspension reasons (a reason-less suspend). */
int pcrm__wo_suspension_required(const struct pcrm__wo_op *op);
/**
 * Resumes every active suspension whose resume time is at or before `now`,
 * each in its own transaction, the clocks restarting at its resume time;
 * *resumed receives how many (tick).
 */
int pcrm__wo_resume_due(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now, int *resumed);

/* ---- master and child work orders (master.c) ---- */

/**
 * Fires the close_with_master event of every open child of the work order
 * (it just entered a final state), each in the caller's transaction and
 * attributed to op's actor; a child's own children follow it.
 */
int pcrm__wo_close_children(struct pcrm__wo_op *op);

/** Wraps a copy of the operation's work order for the caller. */
int pcrm__wo_result(const struct pcrm__wo_op *op, pcrm_workorder **out);

/* ---- the notification outbox (notification.c) ---- */

/** Nonzero for the history kinds that tell somebody something (notify, remind, escalate, reassign). */
int pcrm__wo_kind_notifies(const char *kind);
/**
 * Queues the outbox row of history entry `seq` of a work order, addressed to
 * `address` (an org unit) or, when NULL, as the work order's row stands once
 * its queued write is applied; `recipient` (NULL: the owner when address is
 * NULL, else nobody) names an operator; `role` (NULL: none) and `level`
 * (0: any) name a role of the addressed unit instead; inside the caller's
 * transaction, after that write.
 */
int pcrm__wo_notification_write(pcrm_ctx *ctx, const char *work_order_id, int64_t seq,
                                const char *kind, const char *note, pcrm_time at,
                                const char *address, const char *recipient, const char *role,
                                int level);

#endif
