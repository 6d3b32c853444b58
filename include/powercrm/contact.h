/*
 * libpowercrm - the contact history (接触记录) of a customer.
 *
 * Every interaction with a customer is recorded: when it happened, over
 * which channel and in which direction, which agent handled it, the caller
 * number, how long it took, the business code (业务编号), a summary of what
 * was said or done (业务要素记录) and the work order it led to.  The format
 * of the JSON document is in docs/contacts.md.
 *
 * Contacts are append-only: they are never changed or deleted, so the
 * history is what actually happened.  A closed customer's history stays
 * readable, and contacts can still be recorded for it (a former customer
 * calls about a final bill or a deposit).
 *
 * Permissions: recording needs PCRM_PERM_CONTACT_WRITE, reading
 * PCRM_PERM_ARCHIVE_READ, both on the customer's org unit, which must lie in
 * the actor's subtree.  Township stations record contacts (a contact is not
 * a change of the archive); monitors only read.  Every recorded contact is
 * audited ("contact.record") in the same transaction; the entries the ACD's
 * store-backed sink records for answered calls are audited with their
 * batch ("call_record.store", call_record.h).
 *
 * Threads: contact objects and lists are immutable once returned and may be
 * read from several threads.
 */
#ifndef POWERCRM_CONTACT_H
#define POWERCRM_CONTACT_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcrm_contact pcrm_contact;
typedef struct pcrm_contact_list pcrm_contact_list;

/** Length of a contact id (a lowercase UUID) without the NUL. */
#define PCRM_CONTACT_ID_LEN 36

/** Longest summary, in bytes of UTF-8. */
#define PCRM_CONTACT_SUMMARY_MAX 2000

/**
 * A buffer of this many bytes always holds a call-log line of any contact
 * (the worst case: every byte of the summary and the agent escaped).
 */
#define PCRM_CONTACT_LOG_LINE_MAX 8448

/**
 * Records one interaction with customer `customer_no`.  `json` is an object
 * with the fields
 *
 *   at                optional  ISO 8601 instant with offset
 *                               ("2026-11-23T09:00:00+08:00"); default: the
 *                               context's clock (pcrm_ctx_now())
 *   channel           required  "phone", "sms", "wechat", "web", "email",
 *                               "counter", "visit", "ivr" or "letter"
 *   direction         required  "inbound" or "outbound"
 *   agent             optional  operator id (1..64 printable bytes);
 *                               default: the actor's operator_id
 *   caller_number     optional  stored as pcrm_phone_normalize() gives it
 *   duration_seconds  optional  integer 0..86400
 *   business_code     optional  业务编号: 1..32 letters, digits, - _ .
 *   summary           required  1..2000 bytes; line breaks and tabs allowed
 *   work_order_id     optional  1..64 letters, digits, - _ .
 *
 * Unknown fields and null values are rejected.  Errors: PCRM_EINVAL naming
 * the field ("channel: must be one of ..."), PCRM_EPERM (audited) when the
 * customer does not exist or the actor may not record contacts for its org
 * unit (the same message for both: no oracle of customer numbers).  Nothing is written on
 * failure.  `out` may be NULL; otherwise it receives the stored contact
 * (free with pcrm_contact_free()), or NULL on failure.
 */
PCRM_EXTERN(int) pcrm_contact_record(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, const char *json,
                                     pcrm_contact **out);

/**
 * Loads one page of a customer's contact history, newest first (by `at`,
 * then by id, so equal instants keep one stable order), `limit` contacts
 * (1..1000; 0 = 50) at a time.  Reading needs PCRM_PERM_ARCHIVE_READ on the
 * customer's org unit; a closed customer's history stays readable.
 *
 * `cursor` is NULL for the first page, then the
 * pcrm_contact_list_next_cursor() of the previous page: paging is by key,
 * so contacts recorded meanwhile never make a page repeat or skip an older
 * contact.  (The function is not called pcrm_contact_list() because that
 * is the name of the type it returns.)
 *
 * Errors: PCRM_EINVAL (limit, a malformed cursor or actor), PCRM_EPERM
 * (audited; also for a customer number nobody has, with the same message).  On success *out is a list to
 * free with pcrm_contact_list_free(); on failure it is NULL.
 */
PCRM_EXTERN(int) pcrm_contact_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *customer_no, const char *cursor, int limit,
                                        pcrm_contact_list **out);

/**
 * Writes the contact as one line of the call log of the marketing system
 * plan (section 5.8.3, 日志管理):
 *
 *   start time;customer no;caller;agent;duration;business code;summary
 *
 * (呼叫开始时间；客户号；主叫号码；坐席号码；通话时长；业务编号；业务要素记录)
 * with ASCII semicolons and no line terminator.  The start time is
 * formatted by pcrm_time_format() at the UTC offset of the context the
 * contact came from ("2026-11-23T09:00:00+08:00"); the duration is in whole
 * seconds; absent optional fields are empty.  Text fields are escaped so a
 * line never holds a ';' except the six separators and never a line break:
 * '\' becomes "\\", line feed "\n", carriage return "\r", tab "\t", and ';'
 * and every other byte below 0x20 or 0x7F becomes "\xHH" (two uppercase
 * hex digits, ';' is "\x3B").  Other bytes (UTF-8 text, the fullwidth
 * '；') are copied as they are.
 *
 * PCRM_CONTACT_LOG_LINE_MAX bytes always suffice; a shorter buffer that
 * cannot hold the line gives PCRM_EINVAL saying how many bytes it needs,
 * and buf then holds "".
 */
PCRM_EXTERN(int) pcrm_contact_format_log_line(const pcrm_contact *contact, char *buf,
                                              size_t size);

/** Frees a contact from pcrm_contact_record(); NULL is a no-op.  Never free a list item. */
PCRM_EXTERN(void) pcrm_contact_free(pcrm_contact *contact);

/*
 * Accessors.  Strings live as long as the contact (or the list holding it);
 * optional fields that were not recorded give NULL (strings) or -1
 * (duration).
 */

/** The contact's id: PCRM_CONTACT_ID_LEN characters, assigned when recorded. */
PCRM_EXTERN(const char *) pcrm_contact_id(const pcrm_contact *c);
PCRM_EXTERN(const char *) pcrm_contact_customer_no(const pcrm_contact *c);
/** When the interaction started. */
PCRM_EXTERN(pcrm_time) pcrm_contact_at(const pcrm_contact *c);
/** "phone", "sms", "wechat", "web", "email", "counter", "visit", "ivr" or "letter". */
PCRM_EXTERN(const char *) pcrm_contact_channel(const pcrm_contact *c);
/** "inbound" or "outbound". */
PCRM_EXTERN(const char *) pcrm_contact_direction(const pcrm_contact *c);
/** The operator id of the agent who handled it. */
PCRM_EXTERN(const char *) pcrm_contact_agent(const pcrm_contact *c);
/** The normalised caller number, or NULL. */
PCRM_EXTERN(const char *) pcrm_contact_caller_number(const pcrm_contact *c);
/** Seconds, or -1 when not recorded. */
PCRM_EXTERN(int) pcrm_contact_duration_seconds(const pcrm_contact *c);
/** The business code (业务编号), or NULL. */
PCRM_EXTERN(const char *) pcrm_contact_business_code(const pcrm_contact *c);
PCRM_EXTERN(const char *) pcrm_contact_summary(const pcrm_contact *c);
/** The linked work order's id, or NULL. */
PCRM_EXTERN(const char *) pcrm_contact_work_order_id(const pcrm_contact *c);
/** The operator id of the actor who recorded the contact (may differ from the agent). */
PCRM_EXTERN(const char *) pcrm_contact_recorded_by(const pcrm_contact *c);
/** When it was recorded, from the context's clock. */
PCRM_EXTERN(pcrm_time) pcrm_contact_recorded_at(const pcrm_contact *c);

/** Number of contacts on this page (0 for NULL). */
PCRM_EXTERN(size_t) pcrm_contact_list_count(const pcrm_contact_list *list);
/** The i-th contact of the page (newest first), or NULL when i is out of range. */
PCRM_EXTERN(const pcrm_contact *) pcrm_contact_list_at(const pcrm_contact_list *list, size_t i);
/**
 * The cursor for the next page, or NULL on the last page.  Opaque text that
 * lives as long as the list; copy it to keep it.
 */
PCRM_EXTERN(const char *) pcrm_contact_list_next_cursor(const pcrm_contact_list *list);
/** Frees the list and every contact on it; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_contact_list_free(pcrm_contact_list *list);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_CONTACT_H */
