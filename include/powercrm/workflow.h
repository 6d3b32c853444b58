/*
 * libpowercrm - the workflow engine: data-defined, versioned work-order
 * state machines (工作流 / 工单) with time limits and supervision.
 *
 * A workflow definition is a JSON document (docs/workflow-format.md): states
 * (one initial, one or more final), transitions (event, from, to, guard),
 * time limits per state and for the whole process in calendar or working
 * time, warnings at a percentage of a limit, what happens when a limit
 * passes (flag overdue, escalate to the superior org unit, notify, fire an
 * automatic event) and states in which the process clock pauses.  Storing
 * a definition under a name that exists makes a new version; a work order
 * stays on the version it was opened with.
 *
 * A work order (工单) is one running instance.  Every change appends an
 * entry to its append-only history; replaying the history rebuilds exactly
 * the stored work order (pcrm_workorder_replay()).  Changes that a caller
 * decides on after reading the work order take the version it read
 * (`expected_version`): a stale version gives PCRM_ECONFLICT and changes
 * nothing.
 *
 * Timers (warnings, state and process limits) are rows in the store;
 * pcrm_workorder_tick() processes every timer that is due exactly once,
 * however often and from however many processes it is called.
 *
 * Permissions: defining workflows needs PCRM_PERM_ORG_WRITE (it changes how
 * the organisation works); opening, firing, commenting and linking need
 * PCRM_PERM_WORKORDER_HANDLE, the supervisor actions (remind, escalate,
 * withdraw, reassign, suspend, resume) and tick PCRM_PERM_WORKORDER_SUPERVISE,
 * reading (get, query, history, replay, definitions) PCRM_PERM_ARCHIVE_READ,
 * always on the work order's org unit, which must lie in the actor's
 * subtree.  A transition may name another permission for firing it
 * ("permission": "kb.approve"), checked the same way in place of
 * PCRM_PERM_WORKORDER_HANDLE; its guard may narrow this further.  Every
 * change is audited in the same transaction; refusals are audited as
 * "permission.denied".
 *
 * Threads: workflow, work-order, list and history objects are immutable once
 * returned and may be read from several threads.
 */
#ifndef POWERCRM_WORKFLOW_H
#define POWERCRM_WORKFLOW_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_workflow pcrm_workflow;
typedef struct pcrm_workorder pcrm_workorder;
typedef struct pcrm_workorder_list pcrm_workorder_list;
typedef struct pcrm_workorder_history pcrm_workorder_history;

/* ---- definitions ---- */

/**
 * Validates a definition without any store: `json` the definition,
 * `calendar_json` the business calendar its working-time limits are counted
 * in (NULL when it has none).  PCRM_EINVAL names the JSON path of the first
 * problem ("transitions[2].to: unknown state \"closd\"").
 */
PCRM_EXTERN(int) pcrm_workflow_check(const char *json, const char *calendar_json);

/**
 * Stores a definition as the newest version of its name (the document's
 * "name") and writes that version to *version (may be NULL).  A document
 * identical to the newest version of the same scope (with the same
 * calendar) stores nothing and gives that version.  Needs
 * PCRM_PERM_ORG_WRITE; audited.
 *
 * A name belongs to the org unit of its first definer.  The owner and its
 * ancestors define base versions; an actor of a unit inside the owner's
 * subtree defines an override for its own subtree, only while the newest
 * base version says "overridable": true (docs/workflow-format.md,
 * "Versions"); anyone else is refused with PCRM_EPERM and nothing is stored.
 */
PCRM_EXTERN(int) pcrm_workflow_define(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                                      const char *calendar_json, int *version);

/**
 * Loads version `version` of workflow `name` (0 = the newest base version,
 * not a unit's override).  Needs
 * PCRM_PERM_ARCHIVE_READ.  Free with pcrm_workflow_free().
 */
PCRM_EXTERN(int) pcrm_workflow_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *name,
                                   int version, pcrm_workflow **out);

/** Frees a definition; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_workflow_free(pcrm_workflow *wf);
/* Accessors: strings live as long as the definition. */
PCRM_EXTERN(const char *) pcrm_workflow_name(const pcrm_workflow *wf);
PCRM_EXTERN(const char *) pcrm_workflow_title(const pcrm_workflow *wf);
PCRM_EXTERN(int) pcrm_workflow_version(const pcrm_workflow *wf);
PCRM_EXTERN(const char *) pcrm_workflow_initial_state(const pcrm_workflow *wf);
PCRM_EXTERN(size_t) pcrm_workflow_state_count(const pcrm_workflow *wf);
/** The i-th state in document order, or NULL when i is out of range. */
PCRM_EXTERN(const char *) pcrm_workflow_state_at(const pcrm_workflow *wf, size_t i);
/** Nonzero when `state` is a final state of the definition. */
PCRM_EXTERN(int) pcrm_workflow_state_is_final(const pcrm_workflow *wf, const char *state);
/** The definition document as stored (canonical JSON). */
PCRM_EXTERN(const char *) pcrm_workflow_json(const pcrm_workflow *wf);

/**
 * The state diagram in Graphviz DOT, generated from the definition so
 * pictures never drift from the data.  *out is NUL-terminated text to free
 * with pcrm_free().
 */
PCRM_EXTERN(int) pcrm_workflow_to_dot(const pcrm_workflow *wf, char **out);

/* ---- work orders ---- */

/** Length of a work-order id (a lowercase UUID) without the NUL. */
#define PCRM_WORKORDER_ID_LEN 36

/**
 * Opens a work order on the newest version of workflow `workflow`, in its
 * initial state.  `business_key` (1..64 printable bytes) is unique among the
 * open work orders of a workflow.  Opening again with a key that is open and
 * the same customer_no, org_unit and data (compared with the work order as it
 * was opened, data after merging; a retried open) returns that work order
 * and writes nothing; any difference is PCRM_EDUPLICATE naming the key, the
 * work order and the first differing field (never a value).  `customer_no` may be NULL;
 * otherwise the customer must belong to the actor's org subtree: a customer
 * of another unit and a number nobody has are refused alike (PCRM_EPERM,
 * one message, audited), so this is no way to learn which customers exist.
 * `org_unit` is the unit that handles
 * it, `data_json` a JSON object (NULL = {}).  The owner starts empty.
 * Audited ("workorder.open").  Free *out with pcrm_workorder_free().
 */
PCRM_EXTERN(int) pcrm_workorder_open(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *workflow, const char *business_key,
                                     const char *customer_no, const char *org_unit,
                                     const char *data_json, pcrm_workorder **out);

/**
 * pcrm_workorder_open() with a severity class: `sla_class` is "normal" (一般),
 * "important" (重要), "major" (重大), "vip" (a VIP customer) or NULL (none:
 * the limits' own amounts, as "normal").  A limit with "by_class"
 * (docs/workflow-format.md) takes that class's amount.  A retried open must
 * give the same class (else PCRM_EDUPLICATE naming "sla_class").
 */
PCRM_EXTERN(int) pcrm_workorder_open_classed(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *workflow, const char *business_key,
                                             const char *customer_no, const char *org_unit,
                                             const char *sla_class, const char *data_json,
                                             pcrm_workorder **out);

/**
 * Changes the severity class of an open work order (a supervisor action:
 * PCRM_PERM_WORKORDER_SUPERVISE; history entry "reclassify", audited as
 * "workorder.reclassify").  Running named clocks take the new class's limit
 * counted from their start (a warning, level or expiry that already fired
 * does not fire again; one the new limit puts in the past fires at the next
 * tick); the limits of states and of the process keep their running due
 * times and use the class from the next time they start.  PCRM_ESTATE while
 * suspended (resume first) or when the class is the current one.
 */
PCRM_EXTERN(int) pcrm_workorder_reclassify(pcrm_ctx *ctx, const pcrm_actor *actor,
                                           const char *id, int expected_version,
                                           const char *sla_class, const char *note,
                                           pcrm_workorder **out);

/**
 * Reads a work order.  An id nobody has is refused like a work order of
 * another unit: PCRM_EPERM, one message (so are the changes below).
 */
PCRM_EXTERN(int) pcrm_workorder_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                    pcrm_workorder **out);

/**
 * Fires `event` on work order `id` whose version the caller read was
 * `expected_version`.  The actor needs the transition's "permission"
 * (PCRM_PERM_WORKORDER_HANDLE when it names none, when the current state has
 * no such transition, or when the work order is outside the actor's
 * subtree, so that refusal is an unknown id's) on the work order's org unit;
 * the transition for (current state, event) must exist, its guard must
 * admit the actor, and `data_json` (a JSON object, NULL =
 * {}) must hold the fields the guard requires; it is merged into the work
 * order's data (RFC 7386: null removes a key).  `note` may be NULL.
 * Errors: PCRM_ECONFLICT (stale version), PCRM_ESTATE (no such transition
 * from the current state, closed or suspended work order), PCRM_EPERM (guard,
 * audited), PCRM_EINVAL (data).  `out` may be NULL.
 */
PCRM_EXTERN(int) pcrm_workorder_fire(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                     int expected_version, const char *event,
                                     const char *data_json, const char *note,
                                     pcrm_workorder **out);

/** 催办: records a reminder to the owner and counts it (the version changes). */
PCRM_EXTERN(int) pcrm_workorder_remind(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       const char *note, pcrm_workorder **out);

/**
 * 督办: asks the superior org unit to supervise the work order and counts
 * the escalation.  The work order keeps its org unit and owner (the unit
 * handling it goes on firing its events); the history entry's "to" and the
 * notification name the superior unit: the parent of the work order's unit,
 * for each further escalation one unit higher.  PCRM_ESTATE above the top.
 * Ownership moves only by pcrm_workorder_reassign().
 */
PCRM_EXTERN(int) pcrm_workorder_escalate(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                         const char *note, pcrm_workorder **out);

/**
 * 撤销: takes back the last step (back to the state before the newest
 * transition not yet withdrawn, whose time limits start again), or, when no
 * step has completed, cancels the work order (status "cancelled").
 */
PCRM_EXTERN(int) pcrm_workorder_withdraw(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                         int expected_version, const char *note,
                                         pcrm_workorder **out);

/**
 * 改派: gives the work order to another person (`owner`, NULL = nobody)
 * and/or department (`org_unit`, NULL = unchanged; it must lie in the
 * actor's subtree).
 */
PCRM_EXTERN(int) pcrm_workorder_reassign(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                         int expected_version, const char *owner,
                                         const char *org_unit, const char *note,
                                         pcrm_workorder **out);

/**
 * Suspends a work order: no event may be fired and every clock stops (the
 * SLA pause) until pcrm_workorder_resume(), which restarts the clocks with
 * the time that was left.  PCRM_ESTATE when already suspended / not suspended.
 * A definition that lists suspension reasons ("suspension" in
 * docs/workflow-format.md) refuses pcrm_workorder_suspend() with PCRM_EINVAL
 * naming "reason": use pcrm_workorder_suspend_request().  Resuming ends any
 * suspension, with a reason or not, before its automatic end.
 */
PCRM_EXTERN(int) pcrm_workorder_suspend(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                        int expected_version, const char *note,
                                        pcrm_workorder **out);
PCRM_EXTERN(int) pcrm_workorder_resume(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       int expected_version, const char *note,
                                       pcrm_workorder **out);

/**
 * 挂起 with a reason code from the definition's "suspension.reasons"
 * (PCRM_EINVAL naming "reason" when missing or not listed, or when the
 * definition lists none).  `resume_at` (0 = none) is when tick resumes it;
 * without one, the reason's "max" after the suspension begins; a resume
 * time beyond that "max", or not in the future, is PCRM_EINVAL.  A reason
 * without "approval_level" suspends at once (as pcrm_workorder_suspend():
 * needs PCRM_PERM_WORKORDER_SUPERVISE; history "suspend" with the reason as
 * its event); one with an approval level is only requested (needs
 * PCRM_PERM_WORKORDER_HANDLE; history "suspend_request"; the clocks keep
 * running) until pcrm_workorder_suspend_decide().  PCRM_ESTATE when already
 * suspended or a request is pending; PCRM_ECONFLICT for a stale version.
 */
PCRM_EXTERN(int) pcrm_workorder_suspend_request(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                const char *id, int expected_version,
                                                const char *reason, pcrm_time resume_at,
                                                const char *note, pcrm_workorder **out);

/**
 * Approves (`approve` nonzero: the work order is suspended from now, the
 * clocks stop, the resume time counts from now) or rejects (the request is
 * dropped; `note`, the reason, is required) a pending suspension request.
 * Needs PCRM_PERM_WORKORDER_SUPERVISE and an actor level of at least the
 * reason's approval_level (PCRM_EPERM otherwise, audited as
 * "permission.denied").  PCRM_ESTATE when no request is pending.  History
 * "suspend" or "suspend_reject", the reason as event.
 */
PCRM_EXTERN(int) pcrm_workorder_suspend_decide(pcrm_ctx *ctx, const pcrm_actor *actor,
                                               const char *id, int expected_version,
                                               int approve, const char *note,
                                               pcrm_workorder **out);

/**
 * The work order's current suspension as JSON text {"status": "requested"
 * or "active", "reason", "requested_by", "requested_at", "resume_at" (null
 * when none), "decided_by", "decided_at" (once approved)}; free with
 * pcrm_free().  PCRM_ENOTFOUND when it has none (suspensions without a
 * reason code, by pcrm_workorder_suspend(), have no such record).  Needs
 * PCRM_PERM_ARCHIVE_READ.  An id nobody has is refused like a work order of
 * another unit (PCRM_EPERM).
 */
PCRM_EXTERN(int) pcrm_workorder_suspension_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                               const char *id, char **out);

/**
 * One page of the open, suspended work orders in `org_unit`'s subtree (NULL:
 * the actor's) that nothing will resume: no resume time (a reason without
 * "max" and none requested, or a suspension by pcrm_workorder_suspend()).
 * Oldest first, paged as pcrm_workorder_query().  Needs
 * PCRM_PERM_ARCHIVE_READ on the subtree.
 */
PCRM_EXTERN(int) pcrm_workorder_suspended_unlimited(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                    const char *org_unit, const char *cursor,
                                                    int limit, pcrm_workorder_list **out);

/**
 * Reopens a closed work order (a customer reopening a closed complaint)
 * within the period its definition's "reopen" allows after closing
 * (docs/workflow-format.md): the same work order, status open again, in the
 * definition's "reopen.to" state (its limit starts), the process limit
 * started afresh, the overdue flag cleared, one history entry "reopen".
 * Both edges of the period count.  Errors: PCRM_ESTATE for a work order not
 * closed (open, cancelled), a definition without "reopen", or after the
 * period (the message names its end); PCRM_EDUPLICATE when another open
 * work order of the workflow holds the business key; PCRM_ECONFLICT (stale
 * version).  Needs PCRM_PERM_WORKORDER_HANDLE; audited ("workorder.reopen").
 * `note` (1..2000 bytes) may be NULL; `out` may be NULL.
 */
PCRM_EXTERN(int) pcrm_workorder_reopen(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       int expected_version, const char *note,
                                       pcrm_workorder **out);

/** Appends a comment (1..2000 bytes) to the history; the version does not change. */
PCRM_EXTERN(int) pcrm_workorder_comment(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                        const char *text);

/**
 * Links work order `id` to `other_id` (a complaint spawning a repair):
 * `relation` is 1..32 letters, digits, '_' or '-' ("spawned").  Recorded in
 * the history of both; the versions do not change.  PCRM_EDUPLICATE when
 * that link exists.
 */
PCRM_EXTERN(int) pcrm_workorder_link(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                     const char *other_id, const char *relation);

/* ---- master and child work orders (one outage, many callers) ---- */

/**
 * Attaches work order `id` (a caller's repair call or complaint) to the
 * master `master_id` (the outage): when the master reaches a final state,
 * `id` fires its definition's "close_with_master" event in the same
 * transaction (docs/workflow-format.md), attributed to whoever closed the
 * master; a suspended child is resumed as it closes.  Both must be open;
 * refused with PCRM_EINVAL when `id`'s definition has no close_with_master
 * (the processes cannot close together), when master_id is `id` or lies
 * below it (a cycle); PCRM_EDUPLICATE when `id` already has a master.
 * Needs PCRM_PERM_WORKORDER_HANDLE on both; history "attach" on the child,
 * "attached" on the master (the versions do not change); audited.
 */
PCRM_EXTERN(int) pcrm_workorder_attach(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       const char *master_id);
/** Undoes pcrm_workorder_attach(); PCRM_ENOTFOUND when `id` is not attached to master_id. */
PCRM_EXTERN(int) pcrm_workorder_detach(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       const char *master_id);
/**
 * One page of the work orders attached to `master_id` (open and closed)
 * that lie in the actor's subtree, oldest first, paged as
 * pcrm_workorder_query().  Needs PCRM_PERM_ARCHIVE_READ on the master.
 */
PCRM_EXTERN(int) pcrm_workorder_children(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *master_id, const char *cursor, int limit,
                                         pcrm_workorder_list **out);

/**
 * Processes every timer due at or before `now`: warnings, escalation
 * levels, state limits, process limits and named clocks, each exactly once even when tick runs repeatedly or in
 * several processes at once (each timer is claimed by a conditional update
 * in the transaction that applies it).  A timer whose work order changed
 * concurrently is left for the next tick.  Needs
 * PCRM_PERM_WORKORDER_SUPERVISE (typically a PCRM_ROLE_SYSTEM actor); the
 * actions are attributed to that actor.  *processed (may be NULL) receives
 * the number of timers this call processed.
 */
PCRM_EXTERN(int) pcrm_workorder_tick(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now,
                                     int *processed);

/**
 * pcrm_workorder_tick() reporting to `progress` (may be NULL) the number of
 * timers processed so far after every committed batch; when it returns
 * nonzero the tick stops with PCRM_ESTATE, the committed batches staying
 * (the next tick takes the rest).
 */
PCRM_EXTERN(int) pcrm_workorder_tick_ext(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now,
                                         pcrm_progress_fn progress, void *userdata,
                                         int *processed);

/** Frees a work order; NULL is a no-op.  Never free a list item. */
PCRM_EXTERN(void) pcrm_workorder_free(pcrm_workorder *wo);

/* Accessors: strings live as long as the work order (or the list holding it). */
PCRM_EXTERN(const char *) pcrm_workorder_id(const pcrm_workorder *wo);
PCRM_EXTERN(const char *) pcrm_workorder_business_key(const pcrm_workorder *wo);
PCRM_EXTERN(const char *) pcrm_workorder_workflow(const pcrm_workorder *wo);
PCRM_EXTERN(int) pcrm_workorder_workflow_version(const pcrm_workorder *wo);
/** NULL when the work order has no subject customer. */
PCRM_EXTERN(const char *) pcrm_workorder_customer_no(const pcrm_workorder *wo);
PCRM_EXTERN(const char *) pcrm_workorder_org_unit(const pcrm_workorder *wo);
/** The operator the work order is assigned to, or NULL. */
PCRM_EXTERN(const char *) pcrm_workorder_owner(const pcrm_workorder *wo);
PCRM_EXTERN(const char *) pcrm_workorder_state(const pcrm_workorder *wo);
/** "open", "closed" (a final state was reached) or "cancelled" (withdrawn). */
PCRM_EXTERN(const char *) pcrm_workorder_status(const pcrm_workorder *wo);
/** The work order's data as a JSON object (compact, keys sorted). */
PCRM_EXTERN(const char *) pcrm_workorder_data(const pcrm_workorder *wo);
PCRM_EXTERN(int) pcrm_workorder_version(const pcrm_workorder *wo);
PCRM_EXTERN(pcrm_time) pcrm_workorder_opened_at(const pcrm_workorder *wo);
PCRM_EXTERN(pcrm_time) pcrm_workorder_updated_at(const pcrm_workorder *wo);
/** The earliest running limit (state, process or named clock), or 0 when no clock runs. */
PCRM_EXTERN(pcrm_time) pcrm_workorder_due_at(const pcrm_workorder *wo);
/** The severity class ("normal" when none was given). */
PCRM_EXTERN(const char *) pcrm_workorder_sla_class(const pcrm_workorder *wo);
/** When named clock `clock` started, or 0 (not started, or no such clock). */
PCRM_EXTERN(pcrm_time) pcrm_workorder_clock_started_at(const pcrm_workorder *wo,
                                                       const char *clock);
/**
 * The deadline of named clock `clock` while it runs, or 0 (not started,
 * stopped, suspended, no limit, no such clock, work order closed or
 * cancelled).  Past deadlines stay until the clock stops.
 */
PCRM_EXTERN(pcrm_time) pcrm_workorder_clock_due_at(const pcrm_workorder *wo, const char *clock);
/**
 * The result of a stopped named clock with a limit: "met" or "missed", or
 * NULL (running, not started, no limit, no such clock).  *seconds (may be
 * NULL) receives how early (> 0 or 0, met) or late (< 0, missed) it stopped,
 * in the limit's unit's time: working seconds for working units.
 */
PCRM_EXTERN(const char *) pcrm_workorder_clock_result(const pcrm_workorder *wo,
                                                      const char *clock, int64_t *seconds);
PCRM_EXTERN(int) pcrm_workorder_is_overdue(const pcrm_workorder *wo);
PCRM_EXTERN(int) pcrm_workorder_is_suspended(const pcrm_workorder *wo);
PCRM_EXTERN(int) pcrm_workorder_reminders(const pcrm_workorder *wo);
PCRM_EXTERN(int) pcrm_workorder_escalations(const pcrm_workorder *wo);
/**
 * The whole work order as one JSON object (every field above, "data" as an
 * object); lives as long as the work order.  Two work orders are equal
 * exactly when these texts are.
 */
PCRM_EXTERN(const char *) pcrm_workorder_json(const pcrm_workorder *wo);

/* ---- queries ---- */

#define PCRM_WORKORDER_FILTER_VERSION 1

/**
 * What pcrm_workorder_query() selects: every field set is a condition, all
 * must hold.  Initialise with PCRM_WORKORDER_FILTER_INIT.
 */
typedef struct pcrm_workorder_filter {
	unsigned int version;    /**< PCRM_WORKORDER_FILTER_VERSION */
	const char *workflow;    /**< workflow name, or NULL */
	const char *state;       /**< current state, or NULL */
	const char *owner;       /**< owner operator id, or NULL */
	const char *org_unit;    /**< org unit and its subtree, or NULL (the actor's subtree) */
	const char *customer_no; /**< subject customer, or NULL */
	int overdue_only;        /**< nonzero: only overdue work orders */
	int due_within_minutes;  /**< >= 0: only those whose due time is within that many
	                              minutes of the context's clock (overdue ones included);
	                              -1: no condition */
	int include_closed;      /**< nonzero: closed and cancelled ones too */
} pcrm_workorder_filter;

#define PCRM_WORKORDER_FILTER_INIT \
	{ PCRM_WORKORDER_FILTER_VERSION, NULL, NULL, NULL, NULL, NULL, 0, -1, 0 }

/**
 * One page of the work orders that `filter` selects (NULL = every open one
 * the actor may see), oldest first, `limit` (1..1000; 0 = 50) at a time.
 * `cursor` is NULL, then the previous page's pcrm_workorder_list_next_cursor();
 * anything else is PCRM_EINVAL naming the cursor.  Free with
 * pcrm_workorder_list_free().
 */
PCRM_EXTERN(int) pcrm_workorder_query(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const pcrm_workorder_filter *filter, const char *cursor,
                                      int limit, pcrm_workorder_list **out);

PCRM_EXTERN(size_t) pcrm_workorder_list_count(const pcrm_workorder_list *list);
PCRM_EXTERN(const pcrm_workorder *) pcrm_workorder_list_at(const pcrm_workorder_list *list,
                                                           size_t i);
/** The cursor for the next page, or NULL on the last page (lives as long as the list). */
PCRM_EXTERN(const char *) pcrm_workorder_list_next_cursor(const pcrm_workorder_list *list);
PCRM_EXTERN(void) pcrm_workorder_list_free(pcrm_workorder_list *list);

/* ---- history ---- */

/**
 * Loads the whole history of a work order, oldest first.  Each entry is a
 * JSON object: "seq", "at", "kind" (open, fire, remind, escalate, withdraw,
 * cancel, reassign, suspend, resume, warning, expire, notify, comment,
 * link, linked, level, reclassify, reopen, suspend_request, suspend_reject,
 * attach, attached, detach, detached), "operator_id", "role", "actor_org", and where they apply
 * "event", "from", "to" (a state; for "escalate" the superior org unit),
 * "note" and "delta" (the fields that changed; "data" in it is an RFC 7386
 * merge patch).  Free with pcrm_workorder_history_free().
 */
PCRM_EXTERN(int) pcrm_workorder_history_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *id, pcrm_workorder_history **out);
PCRM_EXTERN(size_t) pcrm_workorder_history_count(const pcrm_workorder_history *h);
/** The i-th entry as JSON text, or NULL out of range; lives as long as the history. */
PCRM_EXTERN(const char *) pcrm_workorder_history_at(const pcrm_workorder_history *h, size_t i);
PCRM_EXTERN(void) pcrm_workorder_history_free(pcrm_workorder_history *h);

/**
 * Rebuilds a work order from its history alone (applying every delta in
 * order).  For an untampered store the result equals pcrm_workorder_get()'s
 * (compare pcrm_workorder_json()).
 */
PCRM_EXTERN(int) pcrm_workorder_replay(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                       pcrm_workorder **out);

/* ---- notifications (the outbox) ---- */

/**
 * A notification: a history entry that tells somebody something, waiting
 * in the outbox until a delivery process (SMS gateway, agent desktop,
 * e-mail) acknowledges it.  Written in the transaction of its entry, so a
 * committed entry always has its notification and a rolled-back one none.
 * Kinds: "notify" (a limit whose on_expiry says notify), "remind" (催办, to
 * the owner), "escalate" (督办, to the superior unit), "reassign" (改派,
 * to the new owner or department).
 */
typedef struct pcrm_notification {
	const char *id;            /**< "<work order id>/<seq>": names its history entry */
	const char *work_order_id;
	int seq;                   /**< the history entry it announces */
	const char *kind;          /**< notify, remind, escalate, reassign */
	const char *org_unit;      /**< the org unit addressed (the work order's, after the entry) */
	const char *recipient;     /**< the owner's operator id after the entry, or NULL: the unit */
	const char *note;          /**< the entry's note, or NULL */
	pcrm_time created_at;
	int attempts;              /**< how often it was claimed, this claim included */
	/** The role addressed in org_unit ("agent", "admin", "data_clerk", "monitor"; an
	    escalation level's {"role"} target), or NULL; recipient is NULL then. */
	const char *recipient_role;
	int recipient_level;       /**< that role's level 1..3, or 0: any level */
} pcrm_notification;

typedef struct pcrm_notification_list pcrm_notification_list;

/**
 * Claims up to `limit` (1..1000) undelivered notifications addressed to
 * `org_unit`'s subtree (NULL: the actor's own unit), oldest first, for
 * `lease_seconds` (1..86400): until the lease runs out no other claim gets
 * them.  Acknowledge each one delivered with pcrm_notification_ack(); one
 * not acknowledged in time is handed out again (delivery is at least once,
 * so deliver idempotently by id).  Two processes claiming at once get
 * different notifications.  Needs PCRM_PERM_WORKORDER_HANDLE over the
 * subtree; one "notification.claim" audit entry lists what was claimed.
 * Free the list with pcrm_notification_list_free().
 */
PCRM_EXTERN(int) pcrm_notification_claim(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *org_unit, int limit, int lease_seconds,
                                         pcrm_notification_list **out);
/**
 * Marks a notification delivered; acknowledging it again is a no-op
 * (PCRM_OK).  An unknown id is refused like one of another unit (PCRM_EPERM); needs
 * PCRM_PERM_WORKORDER_HANDLE over its org unit.  Audited as
 * "notification.ack".
 */
PCRM_EXTERN(int) pcrm_notification_ack(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id);
PCRM_EXTERN(size_t) pcrm_notification_list_count(const pcrm_notification_list *list);
/** The i-th notification, or NULL out of range; lives as long as the list. */
PCRM_EXTERN(const pcrm_notification *) pcrm_notification_list_at(const pcrm_notification_list *list,
                                                                 size_t i);
PCRM_EXTERN(void) pcrm_notification_list_free(pcrm_notification_list *list);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_WORKFLOW_H */
