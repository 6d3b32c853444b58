/*
 * libpowercrm - IVR self-service helpers.
 *
 * The IVR on the switch plays prompts; the library decides what to say.
 * This header holds the part that needs no store: Chinese number reading
 * for text-to-speech, so that every answer the IVR gives reads amounts,
 * energy and dates the way a Mandarin speaker says them (docs/ivr.md has
 * the rules with examples):
 *
 *   123.45 yuan      -> 一百二十三元四角五分
 *   1005.07 yuan     -> 一千零五元零七分
 *   2700 kWh         -> 两千七百千瓦时
 *   2026-12-07       -> 二零二六年十二月七日
 *
 * Values are exact decimals (pcrm_decimal): nothing is rounded, a value that
 * cannot be read exactly (an amount with a fraction of a fen) is PCRM_EINVAL
 * naming the field.  The functions are pure and thread-safe.  Each writes
 * NUL-terminated UTF-8 into `buf` of `size` bytes, as snprintf does;
 * PCRM_IVR_SPEECH_MAX always suffices.  On failure `buf` holds "" (when
 * size > 0) and pcrm_error_last() names the field: "amount", "energy",
 * "number", "date" or "size".
 *
 * It also identifies the caller (pcrm_ivr_identify_by_phone(),
 * pcrm_ivr_identify_by_id_digits(), pcrm_ivr_identify_by_pin()), with one
 * lockout after repeated wrong digits or PINs; the customer sets a PIN in
 * an authorised call (pcrm_ivr_pin_set(), pcrm_ivr_pin_change()).
 *
 * The answers return the data and the text to speak, each recorded in the
 * caller's contact history: arrears (pcrm_ivr_answer_arrears()), the last
 * bill and payment (pcrm_ivr_answer_last_bill()), work-order progress
 * (pcrm_ivr_answer_workorders()) and the outages of the caller's
 * transformer area (pcrm_ivr_answer_outage(), from the outage list kept
 * with pcrm_ivr_outage_publish()).  pcrm_ivr_report_fault() opens a repair
 * order attached to the area's master outage order; pcrm_ivr_smart_menu()
 * orders the menu from the caller's record.  pcrm_ivr_answer_tier() tells
 * a residential caller's position on this year's energy tiers.
 */
#ifndef POWERCRM_IVR_H
#define POWERCRM_IVR_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/decimal.h>
#include <powercrm/tariff.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room for any text the speak functions write, including the NUL. */
#define PCRM_IVR_SPEECH_MAX 256

/**
 * Reads a number as a Chinese numeral: 一万零五, 十五, 两百, 零点二五,
 * 负三点五.  The integer part is read with 十/百/千 inside groups of four
 * digits and 万/亿/万亿 between them; zeros collapse to one 零 where the
 * reading rules say so; 10..19 at the start read 十.. (not 一十..).  The
 * digits after the point are read one by one after 点, trailing zeros
 * dropped ("12.50" reads 十二点五).  2 reads 两 before 千, as the leading
 * digit before 百, and as a whole group before 万/亿 (两万, 两亿); 二
 * everywhere else (二十, 一千二百, 十二).  PCRM_EINVAL ("number: ...") when
 * the integer part has more than 16 digits (no unit above 万亿 is in use).
 */
PCRM_EXTERN(int) pcrm_ivr_speak_number(pcrm_decimal value, char *buf, size_t size);

/**
 * Reads an amount of money in yuan as 元/角/分: 123.45 reads
 * 一百二十三元四角五分, 1005.07 reads 一千零五元零七分 (a zero 角 before
 * a 分 reads 零), 100.50 reads 一百元五角, 0.05 reads 五分, 0 reads 零元,
 * -3.00 reads 负三元.  A lone 2 before the measure word reads 两 (两元,
 * 两角, 两分).  The value may carry any scale but must be a whole number
 * of fen ("1.230" is fine, "1.235" is PCRM_EINVAL "amount: ... is not a
 * whole number of fen"); at most 16 integer digits.
 */
PCRM_EXTERN(int) pcrm_ivr_speak_amount(pcrm_decimal yuan, char *buf, size_t size);

/**
 * Reads an energy in kWh followed by 千瓦时: 2700 reads 两千七百千瓦时,
 * 12.5 reads 十二点五千瓦时, 2 reads 两千瓦时.  Number rules as
 * pcrm_ivr_speak_number(); errors name "energy".
 */
PCRM_EXTERN(int) pcrm_ivr_speak_energy(pcrm_decimal kwh, char *buf, size_t size);

/**
 * Reads a date as 年月日: the year digit by digit (二零二六年, 二零零零年),
 * month and day as numbers (十二月, 二月, 七日, 二十日, 三十一日).
 * PCRM_EINVAL ("date: ...") for a date that does not exist or a year
 * outside 1..9999.
 */
PCRM_EXTERN(int) pcrm_ivr_speak_date(pcrm_date date, char *buf, size_t size);

/* ---- identifying the caller ---- */

/** What an identification found. */
typedef enum pcrm_ivr_outcome {
	PCRM_IVR_IDENTIFIED = 0, /**< exactly one customer: customer_no is set */
	PCRM_IVR_NOT_IDENTIFIED, /**< no customer has the number, or the digits are wrong */
	PCRM_IVR_AMBIGUOUS,      /**< the caller number is several customers' (ask for the number) */
	PCRM_IVR_LOCKED          /**< too many wrong digits lately: digits not even compared */
} pcrm_ivr_outcome;

/** Room for a customer number in pcrm_ivr_identity, including the NUL. */
#define PCRM_IVR_CUSTOMER_NO_MAX 65

/** How many trailing characters of the ID number a caller keys in. */
#define PCRM_IVR_ID_DIGITS 4

/** A plain value: the result of an identification. */
typedef struct pcrm_ivr_identity {
	pcrm_ivr_outcome outcome;
	char customer_no[PCRM_IVR_CUSTOMER_NO_MAX]; /**< "" unless IDENTIFIED */
	int candidates;          /**< by phone: how many customers the number matched */
	int attempts_left;       /**< by digits: wrong tries left before the lockout */
	pcrm_time locked_until;  /**< LOCKED (or the try that locked): when it ends; else 0 */
} pcrm_ivr_identity;

/**
 * The lockout: `max_failures` wrong tries for one customer within
 * `window_seconds` (and since its last right one) lock identification by
 * digits for that customer until the oldest of them is `window_seconds`
 * old.  1..100 tries, 60..86400 seconds.
 */
typedef struct pcrm_ivr_lockout {
	int max_failures;
	int window_seconds;
} pcrm_ivr_lockout;

/** The default lockout: 3 wrong tries in 15 minutes. */
#define PCRM_IVR_LOCKOUT_DEFAULT { 3, 900 }

/**
 * Screen pop for the IVR: the customers whose phones match the caller
 * number (pcrm_customer_find_by_phone(), so the actor needs
 * PCRM_PERM_ARCHIVE_READ and only its subtree is searched).  One customer:
 * IDENTIFIED; several: AMBIGUOUS (the IVR asks for the customer number;
 * the candidates are not named, a shared phone tells a caller nothing);
 * none: NOT_IDENTIFIED.  A read: nothing is written.  PCRM_EINVAL
 * ("caller_number: ...", never quoting it) for a number that is not a phone
 * number.
 */
PCRM_EXTERN(int) pcrm_ivr_identify_by_phone(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const char *caller_number, pcrm_ivr_identity *out);

/**
 * Identifies a caller who keyed in a customer number and the last
 * PCRM_IVR_ID_DIGITS characters of the customer's ID number (digits; `*`
 * stands for the check character X, which a keypad lacks).  They are
 * compared with the stored mask of the ID number, so the IVR never handles
 * the ID number in clear and needs no PCRM_PERM_PII_READ; the actor needs
 * PCRM_PERM_ARCHIVE_READ on the customer.  `policy` NULL means
 * PCRM_IVR_LOCKOUT_DEFAULT.
 *
 * Every try is recorded (table ivr_attempt, migration 27) and audited
 * ("ivr.identify", the outcome, never the digits) in one transaction; while
 * LOCKED the digits are not compared and the try does not extend the
 * lockout.  A customer without an ID number is never identified this way.
 *
 * PCRM_EINVAL for digits that are not PCRM_IVR_ID_DIGITS of [0-9*]
 * ("digits: ...", never quoting them), a malformed customer number or
 * policy; PCRM_EPERM for a customer number that is unknown or outside the
 * actor's subtree (one message for both, so the IVR is no oracle of which
 * numbers exist); PCRM_ERETRY only inside a transaction of the caller (the
 * call retries its own transaction itself).  On
 * failure *out is unchanged.
 */
PCRM_EXTERN(int) pcrm_ivr_identify_by_id_digits(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                const char *customer_no, const char *digits,
                                                const pcrm_ivr_lockout *policy,
                                                pcrm_ivr_identity *out);

/** A PIN is 6 to 8 digits. */
#define PCRM_IVR_PIN_MIN 6
#define PCRM_IVR_PIN_MAX 8

/**
 * Identifies a caller who keyed in a customer number and the customer's
 * PIN.  The PIN is stored only as PBKDF2-HMAC-SHA256 over a random salt
 * (table ivr_pin, migration 29) and compared in constant time; tries share
 * the lockout, the records and the audit of
 * pcrm_ivr_identify_by_id_digits() (method "pin"): wrong PINs and wrong ID
 * digits count together.  A customer without a PIN is never identified
 * this way, and the try counts as a wrong one (the IVR is no oracle of who
 * has a PIN).  PCRM_EINVAL ("pin: ...", never quoting it) for a PIN that is
 * not PCRM_IVR_PIN_MIN..PCRM_IVR_PIN_MAX digits; otherwise as
 * pcrm_ivr_identify_by_id_digits().
 */
PCRM_EXTERN(int) pcrm_ivr_identify_by_pin(pcrm_ctx *ctx, const pcrm_actor *actor,
                                          const char *customer_no, const char *pin,
                                          const pcrm_ivr_lockout *policy,
                                          pcrm_ivr_identity *out);

/**
 * Sets the PIN of a customer who authorises it in the same call with the
 * last PCRM_IVR_ID_DIGITS characters of the ID number (the first PIN, or a
 * forgotten one): a try by digits with the lockout (method
 * "pin_set_by_id_digits"); only when it IDENTIFIED the caller is
 * `new_pin` stored, in the try's transaction, and audited
 * ("ivr.pin_set", never the PIN).  `out` tells the outcome as for
 * pcrm_ivr_identify_by_id_digits(): anything but IDENTIFIED changed no PIN.
 * A PIN that is easy to guess (one digit repeated, a run such as 123456 or
 * 654321) is refused with PCRM_EINVAL ("new_pin: ...") before anything is
 * read.  The actor needs PCRM_PERM_CONTACT_WRITE on the customer as well.
 */
PCRM_EXTERN(int) pcrm_ivr_pin_set(pcrm_ctx *ctx, const pcrm_actor *actor,
                                  const char *customer_no, const char *id_digits,
                                  const char *new_pin, const pcrm_ivr_lockout *policy,
                                  pcrm_ivr_identity *out);

/**
 * Changes the PIN of a customer who authorises it with the current PIN: a
 * try by PIN (method "pin_change") with the lockout, then as
 * pcrm_ivr_pin_set().
 */
PCRM_EXTERN(int) pcrm_ivr_pin_change(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, const char *old_pin,
                                     const char *new_pin, const pcrm_ivr_lockout *policy,
                                     pcrm_ivr_identity *out);

/* ---- the outage list of transformer areas (台区) ---- */

/** What kind of outage. */
typedef enum pcrm_ivr_outage_kind {
	PCRM_IVR_OUTAGE_PLANNED = 0, /**< announced ahead (maintenance, construction) */
	PCRM_IVR_OUTAGE_FAULT        /**< a fault being repaired */
} pcrm_ivr_outage_kind;

/** The longest reason, in bytes, without the NUL. */
#define PCRM_IVR_OUTAGE_REASON_MAX 192

#define PCRM_IVR_OUTAGE_SPEC_VERSION 1

/** An outage to publish.  Initialise with PCRM_IVR_OUTAGE_SPEC_INIT. */
typedef struct pcrm_ivr_outage_spec {
	unsigned int version;          /**< PCRM_IVR_OUTAGE_SPEC_VERSION */
	const char *org_unit;          /**< the unit that announces it */
	const char *transformer_area;  /**< the archive's transformer_area (1..64 of a-z A-Z 0-9 - _ .) */
	pcrm_ivr_outage_kind kind;
	pcrm_time starts_at;           /**< the outage starts (a fault: when it began) */
	pcrm_time ends_at;             /**< planned end / estimated restoration, after starts_at */
	const char *reason;            /**< spoken as it is: "线路检修", "变压器故障" */
	const char *master_workorder;  /**< a fault's master work order (repair calls attach to it), or NULL */
} pcrm_ivr_outage_spec;

#define PCRM_IVR_OUTAGE_SPEC_INIT \
	{ PCRM_IVR_OUTAGE_SPEC_VERSION, NULL, NULL, PCRM_IVR_OUTAGE_PLANNED, 0, 0, NULL, NULL }

/**
 * Publishes an outage of a transformer area (table outage, migration 29),
 * which pcrm_ivr_answer_outage() tells the area's callers and
 * pcrm_ivr_report_fault() attaches repair calls to.  Needs
 * PCRM_PERM_WORKORDER_HANDLE on `org_unit`; a master work order must be
 * open and one the actor may read.  Audited ("ivr.outage_publish").
 * PCRM_EINVAL names the field (spec.transformer_area, spec.ends_at, ...);
 * on success *out receives the new outage's id (free with pcrm_free()).
 */
PCRM_EXTERN(int) pcrm_ivr_outage_publish(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const pcrm_ivr_outage_spec *spec, char **out);

/**
 * Revises the planned end / estimated restoration of outage `id` (a repair
 * that takes longer).  PCRM_ESTATE once the outage has ended; PCRM_EPERM
 * for an id nobody has or one outside the actor's subtree (one message).
 * Audited ("ivr.outage_revise").
 */
PCRM_EXTERN(int) pcrm_ivr_outage_revise(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                        pcrm_time ends_at);

/**
 * Ends outage `id` now (supply restored, or a planned outage called off):
 * the IVR no longer tells it.  An outage with a master work order also
 * ends, without this call, when that work order closes.  PCRM_ESTATE when
 * it has ended already; otherwise as pcrm_ivr_outage_revise().  Audited
 * ("ivr.outage_end").
 */
PCRM_EXTERN(int) pcrm_ivr_outage_end(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id);

/* ---- answers ---- */

/** Room for the text of an answer, including the NUL. */
#define PCRM_IVR_ANSWER_MAX 1024

/** A plain value: what a caller owes, and what to say. */
typedef struct pcrm_ivr_arrears_answer {
	pcrm_decimal total;         /**< the sum of the open amounts (0.00 when none) */
	int items;                  /**< open bills and debit adjustments */
	pcrm_date oldest_due_date;  /**< the oldest open item's due date (zeros when none) */
	int days_past_due;          /**< of the oldest open item, today (0 when not yet due) */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_arrears_answer;

/**
 * The arrears of customer `customer_no` today (the context's clock, in its
 * UTC offset), over all its accounts (pcrm_arrears_load()), with the text
 * to speak:
 *
 *   您目前没有欠费。
 *   您目前欠费共计一百二十三元四角五分，共两笔，最早一笔的缴费截止日期为
 *   二零二六年十一月十五日，已逾期八天。
 *
 * The answer is recorded in the customer's contact history (channel "ivr",
 * direction "inbound", the text as the summary, sealed like every contact
 * summary), so the actor needs PCRM_PERM_ARCHIVE_READ and
 * PCRM_PERM_CONTACT_WRITE on the customer.  PCRM_EPERM for a customer
 * number that is unknown or outside the actor's subtree (one message for
 * both); PCRM_EINVAL for a malformed customer number.  On failure *out is
 * unchanged and nothing is recorded.
 */
PCRM_EXTERN(int) pcrm_ivr_answer_arrears(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *customer_no,
                                         pcrm_ivr_arrears_answer *out);

/** A plain value: the caller's last bill and last payment, and what to say. */
typedef struct pcrm_ivr_bill_answer {
	int has_bill;               /**< 0: no bill posted yet (the bill fields are zero) */
	char bill_no[PCRM_IVR_CUSTOMER_NO_MAX];
	char period[8];             /**< "2026-10" */
	pcrm_decimal amount;        /**< the bill's amount */
	pcrm_decimal open_amount;   /**< what is still owed on it (0.00 when settled) */
	pcrm_date issue_date;
	pcrm_date due_date;
	int has_payment;            /**< 0: no payment yet (the payment fields are zero) */
	pcrm_decimal payment_amount;
	pcrm_date payment_date;
	char payment_channel[16];   /**< "counter", "bank" or "online" */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_bill_answer;

/**
 * The newest bill of customer `customer_no` over all its accounts (the
 * ledger's newest bill by issue date that is not void) with what is still
 * owed on it, and the newest payment, with the text to speak:
 *
 *   您最近一期账单为二零二六年十月电费，金额一百元，缴费截止日期为
 *   二零二六年十一月十五日，尚欠一百元。您最近一次缴费在
 *   二零二六年十一月二十三日，金额五十元。
 *
 * ("已结清。" for a settled bill; "您目前没有电费账单。" and
 * "您还没有缴费记录。" when there is none.)  Recorded, scoped and refused
 * as pcrm_ivr_answer_arrears().
 */
PCRM_EXTERN(int) pcrm_ivr_answer_last_bill(pcrm_ctx *ctx, const pcrm_actor *actor,
                                           const char *customer_no, pcrm_ivr_bill_answer *out);

/** What kind of business a work order is, by its workflow's name. */
typedef enum pcrm_ivr_workorder_kind {
	PCRM_IVR_WO_OTHER = 0,          /**< any other workflow */
	PCRM_IVR_WO_NEW_CONNECTION,     /**< a workflow named new_connection* (业扩报装) */
	PCRM_IVR_WO_REPAIR,             /**< a workflow named fault_repair* (故障报修) */
	PCRM_IVR_WO_COMPLAINT           /**< a workflow named complaint* (投诉) */
} pcrm_ivr_workorder_kind;

/** The most work orders one progress answer lists (and speaks). */
#define PCRM_IVR_WORKORDERS_MAX 3

/** One open work order in a progress answer. */
typedef struct pcrm_ivr_workorder_progress {
	char id[37];                /**< the work order's id */
	char workflow[65];
	pcrm_ivr_workorder_kind kind;
	char state[65];             /**< the current state's name */
	char next_state[65];        /**< the state the main path goes to next, "" when none */
	pcrm_time opened_at;
	pcrm_time due_at;           /**< the earliest running deadline (pcrm_workorder_due_at()), 0 when none */
	int suspended;              /**< nonzero: suspended (waiting, clock stopped) */
} pcrm_ivr_workorder_progress;

/** A plain value: the caller's open work orders, and what to say. */
typedef struct pcrm_ivr_workorders_answer {
	int open;                   /**< all open work orders of the customer the actor sees */
	int listed;                 /**< how many `items` holds: min(open, PCRM_IVR_WORKORDERS_MAX) */
	pcrm_ivr_workorder_progress items[PCRM_IVR_WORKORDERS_MAX]; /**< newest first */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_workorders_answer;

/**
 * The progress of the open work orders of customer `customer_no`
 * (new connections, repairs, complaints and any other), the newest
 * PCRM_IVR_WORKORDERS_MAX of them in words: the workflow's title, the
 * current state's title and what comes next (the target of the state's
 * first transition in the definition that leads elsewhere, i.e. the main
 * path; "master_closed" and other side exits are listed later in the
 * shipped definitions):
 *
 *   您有一张故障报修（城区）工单，当前进度：已派工，下一步：到达现场，抢修中。
 *   您目前没有正在办理的业务。
 *
 * Recorded, scoped and refused as pcrm_ivr_answer_arrears(); only work
 * orders in the actor's subtree are seen.
 */
PCRM_EXTERN(int) pcrm_ivr_answer_workorders(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const char *customer_no,
                                            pcrm_ivr_workorders_answer *out);

/** The most outages one outage answer lists (and speaks). */
#define PCRM_IVR_OUTAGES_MAX 3

/** How far ahead a planned outage is told, in days. */
#define PCRM_IVR_OUTAGE_HORIZON_DAYS 7

/** One outage in an outage answer. */
typedef struct pcrm_ivr_outage_info {
	char id[37];
	pcrm_ivr_outage_kind kind;
	pcrm_time starts_at;
	pcrm_time ends_at;           /**< planned end / estimated restoration */
	int in_progress;             /**< nonzero: started already */
	char reason[PCRM_IVR_OUTAGE_REASON_MAX + 1];
	char master_workorder[37];   /**< "" when none */
} pcrm_ivr_outage_info;

/** A plain value: the outages of the caller's transformer area, and what to say. */
typedef struct pcrm_ivr_outage_answer {
	char transformer_area[65];   /**< "" when the archive has none for the customer */
	int outages;                 /**< current ones and those starting within the horizon */
	int listed;                  /**< how many `items` holds */
	pcrm_ivr_outage_info items[PCRM_IVR_OUTAGES_MAX]; /**< current first, then by start */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_outage_answer;

/**
 * The outages of the transformer area of customer `customer_no` (the
 * archive's transformer_area): those going on now and planned ones that
 * start within PCRM_IVR_OUTAGE_HORIZON_DAYS, not ended, whose master work
 * order (when they name one) is still open.  Times are read in the
 * context's UTC offset:
 *
 *   您所在台区因变压器故障停电，正在抢修，预计二零二六年十一月二十三日
 *   十四时三十分恢复供电。
 *   您所在台区计划于二零二六年十一月二十五日八时至十八时停电，原因：线路检修。
 *   您所在台区目前没有停电信息。
 *
 * A customer without an area hears that the archive has none.  Recorded,
 * scoped and refused as pcrm_ivr_answer_arrears().
 */
PCRM_EXTERN(int) pcrm_ivr_answer_outage(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *customer_no, pcrm_ivr_outage_answer *out);

/** A plain value: the result of a self-service fault report, and what to say. */
typedef struct pcrm_ivr_fault_report {
	char workorder_id[37];       /**< the repair work order (new or the one already open) */
	int opened;                  /**< 1: opened now; 0: the customer's repair was open already */
	char outage_id[37];          /**< the area's fault outage it was attached under, "" when none */
	char master_workorder[37];   /**< the master work order it was attached to, "" when none */
	pcrm_time restore_estimate;  /**< that outage's estimated restoration, 0 when none */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_fault_report;

/**
 * A caller reports "no power" (or another fault) through the IVR: opens a
 * repair work order of workflow `workflow` (e.g. "fault_repair_urban"; the
 * IVR knows which process the area follows) for customer `customer_no`,
 * handled by `org_unit` (NULL: the customer's unit), with data
 * {"source": "ivr", "fault": "no_power", "transformer_area": ...}.  When
 * the area has a fault outage with an open master work order, the new order
 * is attached to it (pcrm_workorder_attach(): it closes with the master;
 * the workflow must have close_with_master) and the caller hears the
 * estimated restoration.  A customer whose repair order (a workflow named
 * fault_repair*) is still open gets that one back and nothing is opened:
 *
 *   您的故障报修已受理。您所在台区的故障正在抢修，预计...恢复供电，请您耐心等待。
 *   您的故障报修已受理，我们将尽快安排抢修人员与您联系。
 *   您已报修，抢修工单正在办理中，无需重复报修。
 *
 * Opening, attaching and recording the contact are one transaction.  The
 * actor needs PCRM_PERM_ARCHIVE_READ, PCRM_PERM_CONTACT_WRITE and
 * PCRM_PERM_WORKORDER_HANDLE (on `org_unit` and the master).  Errors as
 * pcrm_ivr_answer_arrears(), and those of pcrm_workorder_open() (an
 * unknown workflow is PCRM_ENOTFOUND) and pcrm_workorder_attach().
 */
PCRM_EXTERN(int) pcrm_ivr_report_fault(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *customer_no, const char *workflow,
                                       const char *org_unit, pcrm_ivr_fault_report *out);

/** A plain value: the caller's tier position this year, and what to say. */
typedef struct pcrm_ivr_tier_answer {
	pcrm_tier_position position;    /**< as pcrm_tier_position_get() gives it (the library's version) */
	char text[PCRM_IVR_ANSWER_MAX]; /**< the answer to speak, UTF-8 */
} pcrm_ivr_tier_answer;

/**
 * Where residential customer `customer_no` stands on this year's energy
 * tiers today (the context's clock, in its UTC offset):
 * pcrm_tier_position_get() for the customer's account with the newest bill,
 * with the text to speak:
 *
 *   本年度已用电量两千七百千瓦时，处于第一档，第一档上限为两千七百六十千瓦时，
 *   再用六十千瓦时将进入第二档。
 *   本年度已用电量五千千瓦时，处于第三档，即最高一档。
 *
 * and, where no tier applies, a clear answer instead of silence:
 *
 *   您的用电类别不执行居民阶梯电价，没有阶梯档位。      (not residential)
 *   您执行的电价不分阶梯，没有阶梯档位。                (a tariff without tiers)
 *   您执行的电价按每期账单计算阶梯，没有年度累计档位。  (monthly or daily tiers)
 *   您目前还没有电费账单，暂时无法查询阶梯档位。        (no bill yet)
 *
 * Recorded, scoped and refused as pcrm_ivr_answer_arrears().
 */
PCRM_EXTERN(int) pcrm_ivr_answer_tier(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const char *customer_no, pcrm_ivr_tier_answer *out);

/* ---- smart menus ---- */

/** The self-service menu items the library knows. */
typedef enum pcrm_ivr_menu_item {
	PCRM_IVR_MENU_OUTAGE = 0,    /**< 停电信息: pcrm_ivr_answer_outage() */
	PCRM_IVR_MENU_ARREARS,       /**< 欠费查询: pcrm_ivr_answer_arrears() */
	PCRM_IVR_MENU_WORKORDERS,    /**< 业务进度: pcrm_ivr_answer_workorders() */
	PCRM_IVR_MENU_LAST_BILL,     /**< 电费账单: pcrm_ivr_answer_last_bill() */
	PCRM_IVR_MENU_FAULT_REPORT,  /**< 故障报修: pcrm_ivr_report_fault() */
	PCRM_IVR_MENU_AGENT          /**< 人工服务: transfer to an agent */
} pcrm_ivr_menu_item;

/** How many menu items there are: every menu lists each once. */
#define PCRM_IVR_MENU_ITEMS 6

/** One menu item in its place. */
typedef struct pcrm_ivr_menu_entry {
	pcrm_ivr_menu_item item;
	int promoted;        /**< nonzero: moved ahead because of the caller's record */
	char reason[32];     /**< "outage_in_area", "in_arrears", "open_workorders" or "default" */
	char title[32];      /**< the item's name to speak, "停电信息" ... */
} pcrm_ivr_menu_entry;

/** A plain value: every menu item once, in the order to offer them. */
typedef struct pcrm_ivr_menu {
	int count;                                    /**< PCRM_IVR_MENU_ITEMS */
	pcrm_ivr_menu_entry items[PCRM_IVR_MENU_ITEMS];
} pcrm_ivr_menu;

/**
 * "Smart menus": the order in which to offer the menu items to the caller
 * `customer_no`, from the caller's record.  Promoted first, in this order:
 * outage information when the caller's transformer area has an outage the
 * IVR would tell (reason "outage_in_area"), the arrears when the customer
 * has open items (reason "in_arrears"), the progress of work orders when
 * one is open (reason "open_workorders"); then the others in the default
 * order last bill, fault report, outage, arrears, work orders, agent
 * (reason "default").  A read: nothing is recorded (the answers the caller
 * then chooses are).  Needs PCRM_PERM_ARCHIVE_READ; errors as
 * pcrm_ivr_answer_arrears().
 */
PCRM_EXTERN(int) pcrm_ivr_smart_menu(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, pcrm_ivr_menu *out);

#ifdef __cplusplus
}
#endif

#endif
