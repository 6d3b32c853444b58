/*
 * libpowercrm - complaint tickets (投诉 / 举报 / 意见 / 建议 工单), carried by
 * the workflow engine's work orders.
 *
 * A ticket is what the service centre files when a customer complains,
 * reports (e.g. power theft) or gives an opinion or suggestion: a readable
 * serial number, who accepted it when and over which channel, the caller
 * and the customer (from the archive, or anonymous with a name and a
 * contact), one of the five 95598 categories and a subcategory, the nature,
 * the urgency, the unit responsible for it, the person or phone complained
 * about, the description, a recording reference and the work order that
 * carries it through the shipped `complaint`, `report` or `suggestion`
 * process.  The fields and rules are in docs/complaints.md.
 *
 * Routing, subcategories and the repeat window are one validated JSON
 * document, the complaint configuration (pcrm_complaint_config_set()).
 *
 * Personal data of the ticket (an anonymous caller's name and contact, the
 * person and phone complained about) is sealed at rest with the context's
 * data key, bound to the ticket's serial number, and never written to error
 * messages or the audit log.
 *
 * Permissions: filing needs PCRM_PERM_WORKORDER_HANDLE on the responsible
 * unit (the work order's) and, with a customer, PCRM_PERM_CONTACT_WRITE on
 * the customer's unit; reading needs PCRM_PERM_ARCHIVE_READ on the
 * responsible unit, so an actor sees the tickets of its org subtree and a
 * monitor reads them; merging, replying and recording the return visit need
 * PCRM_PERM_WORKORDER_HANDLE there.  Setting the configuration needs
 * PCRM_PERM_ORG_WRITE on the actor's own unit.  Every change is audited in
 * its transaction; refusals are audited as "permission.denied".
 *
 * Threads: ticket objects are immutable once returned.
 */
#ifndef POWERCRM_COMPLAINT_H
#define POWERCRM_COMPLAINT_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_complaint pcrm_complaint;

/** Default repeat window in days when the configuration does not set one. */
#define PCRM_COMPLAINT_REPEAT_WINDOW_DAYS 30
/** Default failed return-visit attempts that close a ticket unreached (1..10 configurable). */
#define PCRM_COMPLAINT_VISIT_ATTEMPTS 3

/**
 * Stores the complaint configuration, replacing the previous one:
 *
 *   {"default_unit": "37", "repeat_window_days": 30, "return_visit_attempts": 3,
 *    "subcategories": {"service": ["attitude", ...], "business": [...],
 *                      "outage": [...], "supply_quality": [...],
 *                      "grid_construction": [...]},
 *    "rules": [{"category": "service", "subcategory": "attitude",
 *               "org_unit": "3701", "responsible_unit": "3701"}, ...]}
 *
 * Validated completely: unknown keys, unknown categories, subcategories not
 * listed, units that do not exist, a window outside 1..366 are PCRM_EINVAL
 * naming the JSON path (return_visit_attempts must be 1..10) ("rules[2].responsible_unit: unknown org unit
 * \"3799\""); nothing is stored then.  Needs PCRM_PERM_ORG_WRITE; audited
 * ("complaint.config").
 */
PCRM_EXTERN(int) pcrm_complaint_config_set(pcrm_ctx *ctx, const pcrm_actor *actor,
                                           const char *json);

/**
 * Files a ticket from a call or another channel.  `json` holds
 *
 *   channel        required  phone, fax, email, web, sms, counter, app, wechat
 *   caller_number  optional  normalised by pcrm_phone_normalize()
 *   customer_no    optional  the customer; absent with a caller number, the
 *                            screen-pop lookup (pcrm_customer_find_by_phone())
 *                            picks its first customer; none found: anonymous
 *   anonymous      optional  {"name": ..., "contact": ...} for a ticket
 *                            without a customer (required then; sealed)
 *   category       required  service, business, outage, supply_quality,
 *                            grid_construction
 *   subcategory    required  one listed for the category in the configuration
 *   nature         required  complaint, report, opinion, suggestion
 *   urgency        optional  normal (default) or major
 *   target_person, target_phone  optional: who is complained about (sealed)
 *   description    required  1..4000 bytes
 *   recording_ref  optional  1..128 printable bytes
 *   accepted_at    optional  ISO 8601 instant; default the context's clock
 *
 * One transaction: the serial number (accepting unit + local date +
 * sequence, "3701-20261123-00001"), the routing (configuration rules; no
 * rule: the default unit, flagged), the repeat check, the work order
 * (process `complaint`, `report` or `suggestion` by nature, business key the
 * serial, on the responsible unit), the ticket and, with a customer, a
 * contact-history entry linked to the work order.  Errors name the field;
 * nothing is stored on failure.  Free *out with pcrm_complaint_free().
 */
PCRM_EXTERN(int) pcrm_complaint_file(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                                     pcrm_complaint **out);

/**
 * Reads a ticket by serial number.  A serial nobody has is refused like a
 * ticket of another unit: PCRM_EPERM, one message.
 */
PCRM_EXTERN(int) pcrm_complaint_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                    pcrm_complaint **out);

/**
 * Seals the caller numbers of tickets filed before schema 24 (which kept
 * them in clear): at most `batch` tickets (1..10000; 0 = 1000) whose
 * responsible unit is in the actor's subtree, in one transaction, with one
 * "complaint.reseal" audit entry naming them.  Afterwards the row holds a
 * mask, a cipher and a keyed hash, as tickets filed since.  *remaining (may
 * be NULL) receives how many such tickets the subtree still has: call again
 * until it is 0.  Until then the repeat check still finds them by the clear
 * number.  Needs the data key (PCRM_EPERM without) and
 * PCRM_PERM_ARCHIVE_WRITE on the actor's unit.
 */
PCRM_EXTERN(int) pcrm_complaint_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch,
                                       int64_t *remaining);

/**
 * Merges duplicate `serial` into `survivor`: the merged ticket is closed
 * (status "merged") with a reference to the survivor; both histories stay.
 * The duplicate's work order may be in any open state: in acceptance it is
 * withdrawn ("invalid"), later (handling, review, reply, return visit) it
 * closes by "merged" (shipped definitions since schema 22; a work order on
 * an older definition version past acceptance is PCRM_ESTATE).  The
 * duplicate's work order is linked "duplicate_of" to the survivor's.
 * Refused (PCRM_EINVAL naming the field) for tickets of different customers
 * (or callers, when anonymous), a ticket merged with itself, or a ticket
 * already merged; PCRM_ESTATE for a ticket whose work order is closed.  The
 * shipped guards need level 2.  `note` may be NULL.
 */
PCRM_EXTERN(int) pcrm_complaint_merge(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                      const char *survivor, const char *note);

/**
 * The supervisor's review of the handling opinion before the reply goes
 * out (审核 / 退单).  `json` is {"decision": "approve"} or {"decision":
 * "return", "reason": 1..2000 bytes} (a reason may accompany an approval
 * too).  The work order must be in state "review" (after "opinion");
 * approve fires "approve" (to "reply"), return fires "return" (back to
 * "handling", the reason in its history) and counts the ticket's
 * `review_returns`.  Needs PCRM_PERM_WORKORDER_HANDLE; the shipped
 * definitions' guards need level 2 (a team lead or above), PCRM_EPERM
 * otherwise.  Audited ("complaint.review", the decision without the
 * reason).  PCRM_ESTATE naming the state when the work order is elsewhere.
 */
PCRM_EXTERN(int) pcrm_complaint_review(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                       const char *json, pcrm_complaint **out);

/**
 * Records the reply to the customer: `json` is {"channel": one of the
 * channels, "content": 1..4000 bytes, "substantiated": true/false,
 * "opinion": the customer's opinion (optional)}; the reply's time is the
 * context's clock (`replied_at`).  Fires the work order's "replied" event,
 * which stops its "reply" clock (met / missed); the work order must be in
 * state "reply", which the shipped definitions reach only through the
 * supervisor's approval (pcrm_complaint_review()).  A reply is what the
 * statistics count as handled.
 */
PCRM_EXTERN(int) pcrm_complaint_reply(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                      const char *json, pcrm_complaint **out);

/**
 * Records the return visit: {"result": 1..2000 bytes, "satisfaction":
 * "satisfied", "basically_satisfied" or "dissatisfied"}.  Satisfied and
 * basically satisfied close the work order ("visit"); dissatisfied sends it
 * back to handling ("dissatisfied") and the ticket is open again.
 */
PCRM_EXTERN(int) pcrm_complaint_return_visit(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *serial, const char *json,
                                             pcrm_complaint **out);

/**
 * The customer reopens a closed ticket: {"reason": 1..2000 bytes}.  Within
 * the period the ticket's workflow definition allows after closing
 * ("reopen" in data/workflows/complaint.json, report.json, suggestion.json),
 * the same work order re-enters handling (pcrm_workorder_reopen(): a
 * "reopen" history entry, the process limit started afresh) and the ticket
 * is open again with `reopened` + 1 and no closed_at; the earlier reply and
 * return visit stay recorded until new ones replace them.  After the period:
 * PCRM_ESTATE naming its end (file a new ticket; it is then a repeat).
 * PCRM_ESTATE too for a ticket that is not closed or was merged (reopen the
 * survivor).  Needs PCRM_PERM_WORKORDER_HANDLE; audited ("complaint.reopen",
 * without the reason, which may hold personal data).
 */
PCRM_EXTERN(int) pcrm_complaint_reopen(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *serial, const char *json,
                                       pcrm_complaint **out);

/**
 * Records a failed attempt to reach the customer for the return visit
 * (回访未果): {"note": 1..2000 bytes}.  The work order must be in
 * "return_visit"; the attempt is a "visit_failed" event in its history and
 * counts in the ticket's `visit_attempts` (reset by each reply).  The
 * attempt that reaches the configuration's return_visit_attempts
 * (PCRM_COMPLAINT_VISIT_ATTEMPTS by default) closes the work order with
 * "unreachable" and the ticket (status "closed", no satisfaction, not
 * counted as visited).  Needs PCRM_PERM_WORKORDER_HANDLE; audited
 * ("complaint.visit_failed", without the note).
 */
PCRM_EXTERN(int) pcrm_complaint_visit_failed(pcrm_ctx *ctx, const pcrm_actor *actor,
                                             const char *serial, const char *json,
                                             pcrm_complaint **out);

/**
 * Closes a master work order (one outage, many callers) and, with it, every
 * complaint ticket whose work order is attached to it
 * (pcrm_workorder_attach()): fires `event` (with `data_json`, NULL = {}) on
 * the master at `expected_version`, which must close it (PCRM_ESTATE
 * otherwise, nothing changed); the attached tickets' work orders close with
 * it (their close_with_master event).  Every attached ticket still open
 * gets `reply_json` ({"channel", "content", "substantiated", "opinion"?}, as
 * pcrm_complaint_reply()) recorded as its reply, so each customer's reply
 * is on record; one already replied keeps its own; all are closed.  One
 * transaction; PCRM_PERM_WORKORDER_HANDLE on each ticket and the master's
 * guard apply.  *replied (may be NULL) receives how many tickets got the
 * reply.  Audited per ticket ("complaint.close_with_master").
 */
PCRM_EXTERN(int) pcrm_complaint_close_with_master(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                  const char *master_id, int expected_version,
                                                  const char *event, const char *data_json,
                                                  const char *reply_json, int *replied);

/** Frees a ticket; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_complaint_free(pcrm_complaint *c);

/* Accessors: strings live as long as the ticket; absent values are NULL. */
PCRM_EXTERN(const char *) pcrm_complaint_serial(const pcrm_complaint *c);
PCRM_EXTERN(const char *) pcrm_complaint_work_order_id(const pcrm_complaint *c);
PCRM_EXTERN(const char *) pcrm_complaint_customer_no(const pcrm_complaint *c);
PCRM_EXTERN(const char *) pcrm_complaint_category(const pcrm_complaint *c);
PCRM_EXTERN(const char *) pcrm_complaint_responsible_unit(const pcrm_complaint *c);
/** Nonzero when no routing rule matched and the default unit got the ticket. */
PCRM_EXTERN(int) pcrm_complaint_routed_by_default(const pcrm_complaint *c);
/** The serial of the earlier ticket this one repeats, or NULL. */
PCRM_EXTERN(const char *) pcrm_complaint_repeat_of(const pcrm_complaint *c);
/** "open", "replied", "closed" or "merged". */
PCRM_EXTERN(const char *) pcrm_complaint_status(const pcrm_complaint *c);
/** The serial of the ticket this one was merged into, or NULL. */
PCRM_EXTERN(const char *) pcrm_complaint_merged_into(const pcrm_complaint *c);
PCRM_EXTERN(pcrm_time) pcrm_complaint_accepted_at(const pcrm_complaint *c);
/**
 * The whole ticket as one JSON object.  Sealed fields appear opened when
 * the context has the data key, otherwise as "sealed": true.
 */
PCRM_EXTERN(const char *) pcrm_complaint_json(const pcrm_complaint *c);

/* ---- statistics ---- */

typedef struct pcrm_complaint_stats pcrm_complaint_stats;

/**
 * One group of the statistics; the definitions are in docs/complaints.md.
 * Rates are exact decimals with 4 digits (half up), 0 when their
 * denominator is 0; strings live as long as the statistics.
 */
typedef struct pcrm_complaint_stat {
	const char *key1;          /**< the value of the first grouping key */
	const char *key2;          /**< the value of the second, or NULL with one key */
	int64_t received;          /**< accepted in the period, merged duplicates left out */
	int64_t handled;           /**< of those, replied to */
	int64_t overdue_open;      /**< of those, not replied to and their work order overdue */
	int64_t substantiated;     /**< replied to as substantiated (属实/成立) */
	int64_t repeat;            /**< marked repeat */
	int64_t visited;           /**< return visit recorded */
	int64_t satisfied;         /**< last visit satisfied or basically satisfied */
	pcrm_decimal reply_rate;         /**< handled / received */
	pcrm_decimal return_visit_rate;  /**< visited / handled */
	pcrm_decimal satisfaction_rate;  /**< satisfied / visited */
	int64_t avg_handling_seconds;    /**< mean of reply - acceptance (calendar seconds, rounded
	                                      down) over the handled; -1 when none */
	int64_t overdue;             /**< past their reply deadline: replied late, or not replied
	                                  to and the deadline before now */
	int64_t overdue_seconds;     /**< their total working seconds past the deadline (to the
	                                  latest reply, or to now) */
	int64_t avg_overdue_seconds; /**< overdue_seconds / overdue, rounded down; -1 when none */
} pcrm_complaint_stat;

/**
 * Statistics of the tickets accepted in [from, to) whose responsible unit
 * lies in `org_unit`'s subtree (NULL: the actor's unit), grouped by
 * `group_by`: one key or two separated by a comma, each of
 * responsible_unit, category, nature, channel, org_unit (the customer's,
 * or the accepting unit's for anonymous tickets).  Groups are ordered by
 * their keys.  Needs PCRM_PERM_ARCHIVE_READ on `org_unit`.  PCRM_EINVAL
 * for an inverted or empty period ("to: not after from") or an unknown
 * key ("group_by: ...").  Free with pcrm_complaint_stats_free().
 *
 * What the tickets' rows decide is read from the per-day summary for the
 * whole summary days (+08:00) inside the period and from the tickets for
 * the partial days at its edges, so any period is exact; the overdue flags
 * and the overdue time of tickets not yet replied to are read from those
 * tickets, counted up to the context's clock (pcrm_ctx_now()).
 */
PCRM_EXTERN(int) pcrm_complaint_stats_compute(pcrm_ctx *ctx, const pcrm_actor *actor,
                                              const char *org_unit, pcrm_time from, pcrm_time to,
                                              const char *group_by, pcrm_complaint_stats **out);

/**
 * The same statistics as pcrm_complaint_stats_compute(), computed from the
 * ticket rows alone without the per-day summary: slower over long periods;
 * for checking the summary (after a bulk import, say) and as a benchmark's
 * baseline.  Same arguments, checks and errors.
 */
PCRM_EXTERN(int) pcrm_complaint_stats_compute_direct(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                     const char *org_unit, pcrm_time from,
                                                     pcrm_time to, const char *group_by,
                                                     pcrm_complaint_stats **out);

/**
 * Rebuilds the per-day summary of the tickets whose responsible unit lies
 * in `org_unit`'s subtree (NULL: the actor's unit) from their rows, in one
 * transaction: for operators after tickets were written around the library
 * (a bulk import) or to repair the summary.  Filing, replies, visits and
 * merges keep it up to date themselves.  Needs PCRM_PERM_ORG_WRITE on the
 * unit; audited ("complaint.stats_rebuild").
 */
PCRM_EXTERN(int) pcrm_complaint_stats_rebuild(pcrm_ctx *ctx, const pcrm_actor *actor,
                                              const char *org_unit);
PCRM_EXTERN(size_t) pcrm_complaint_stats_count(const pcrm_complaint_stats *stats);
/** The i-th group, or NULL out of range. */
PCRM_EXTERN(const pcrm_complaint_stat *) pcrm_complaint_stats_at(const pcrm_complaint_stats *stats,
                                                                 size_t i);
/**
 * Everything as one JSON object {"from", "to", "now", "group_by", "rows":
 * [...]}; lives as long as stats.
 */
PCRM_EXTERN(const char *) pcrm_complaint_stats_json(const pcrm_complaint_stats *stats);
/**
 * The groups as CSV (RFC 4180, a header line, CRLF line ends) for
 * spreadsheets.  *out is text to free with pcrm_free().
 */
PCRM_EXTERN(int) pcrm_complaint_stats_csv(const pcrm_complaint_stats *stats, char **out);
PCRM_EXTERN(void) pcrm_complaint_stats_free(pcrm_complaint_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_COMPLAINT_H */
