/*
 * The demo's shared pieces: the options, the synthetic supply area, the
 * actors, the virtual clock, and what each step hands on to the report.
 *
 * The demo is a model of how to use libpowercrm: it includes only the
 * public header <powercrm.h>.  Each file does one step of the day:
 *
 *   area.c         the org tree, tariffs, workflows, calendars, and the
 *                  customers with their accounts, meters and readings
 *   billing_day.c  the month's billing run and posting, the day's payments,
 *                  the bank collection file and its reconciliation
 *   calls.c        the forecast, Erlang C staffing, the shift plan, the day
 *                  on the simulated switch, and what agents do with each call
 *   complaints.c   complaint tickets: backlog, filing, handling, statistics
 *   report.c       the terminal summary, summary.json, data files, charts
 *   util.c         random numbers, the clock, progress lines, small helpers
 *
 * Money and energy are pcrm_decimal throughout; doubles appear only in the
 * traffic model (calls per half hour, service levels) and the charts.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>
#include <stdio.h>

#include <powercrm.h>

#define HALF_HOURS 48

/* Exits with the library's message when a call fails: the demo has no recovery to show. */
#define CHECK(call) demo_check((call), #call, __FILE__, __LINE__)

/* ---- usage classes of the supply area ---- */
enum demo_class {
	CLASS_RESIDENTIAL_TOU = 0, /* residential in the city districts: peak / valley meters */
	CLASS_RESIDENTIAL_TIERED,  /* residential in the rural counties: one total register */
	CLASS_LOW_INCOME,          /* residential households with the low-income allowance */
	CLASS_COMMERCIAL,          /* general commercial and industrial, single-part */
	CLASS_LARGE_INDUSTRY,      /* two-part tariff with demand and power factor */
	CLASS_COUNT
};

struct demo_customer {
	int county;             /* index into the area's counties */
	int station;            /* township station within the county */
	int ta;                 /* transformer area, global index */
	unsigned char klass;    /* enum demo_class */
	unsigned char bank;     /* 0: pays cash/online; 1: bank collection (ICBC) */
	unsigned char vip;      /* 0..5 */
	int64_t bill_fen;       /* the October bill, in fen (filled by billing_day.c) */
};

struct demo_county {
	const char *code;
	const char *name;
	int urban;              /* city district: TOU residential tariff, urban repair limits */
};

/* What the day's calls were about. */
enum demo_reason {
	REASON_BILL = 0,        /* bill inquiry: answered from the bill detail query */
	REASON_PAYMENT,         /* payment / arrears question: the ledger summary */
	REASON_FAULT,           /* a fault report: a repair work order */
	REASON_OUTAGE,          /* a caller of the transformer-area outage */
	REASON_COMPLAINT,       /* a complaint, report or suggestion ticket */
	REASON_CONNECTION,      /* a new-connection application (业扩报装) */
	REASON_COUNT
};

struct demo_stats {
	/* area */
	int64_t customers, accounts, meters, readings;
	int64_t class_customers[CLASS_COUNT];
	int64_t vips;
	/* billing */
	int64_t bills, bills_zero;
	int64_t class_bills[CLASS_COUNT];
	pcrm_decimal class_revenue[CLASS_COUNT];
	pcrm_decimal class_energy[CLASS_COUNT];
	pcrm_decimal billed_total, posted_total;
	int64_t posted;
	/* payments */
	int64_t pay_counter, pay_online, pay_bank;
	pcrm_decimal paid_counter, paid_online, paid_bank;
	/* reconciliation */
	int64_t recon_lines, recon_matched, recon_mismatch, recon_missing_ours, recon_missing_bank;
	char planted[3][48];    /* transaction ids planted: amount mismatch, missing ours, missing bank */
	char found[3][48];      /* what the reconciliation reported for each kind ("" none, "*" several) */
	/* calls */
	double forecast[HALF_HOURS];
	double offered_plan[HALF_HOURS];   /* the calls the day actually brought (forecast + outage) */
	int required[HALF_HOURS], staffed[HALF_HOURS];
	double predicted_sl[HALF_HOURS];   /* Erlang C with the staffed agents and the forecast */
	int64_t offered[HALF_HOURS], answered[HALF_HOURS], abandoned[HALF_HOURS];
	double measured_sl[HALF_HOURS];
	int agents, shifts_used;
	int64_t calls_offered, calls_answered, calls_abandoned;
	double sl_day, asa_day;
	int64_t reason_calls[REASON_COUNT];
	int64_t contacts;
	int64_t repair_orders, connections, connection_steps;
	/* the outage: the first caller's repair order is the master, the others' are attached to it */
	char outage_master[PCRM_WORKORDER_ID_LEN + 1];
	char outage_ta[32];
	char outage_master_status[16];     /* read back at the end of the day */
	int64_t outage_attached;           /* callers' orders attached while the master was open */
	int64_t outage_late;               /* callers after the master closed: ordinary repair orders */
	int64_t outage_children;           /* pcrm_workorder_children() of the master at the end */
	int64_t outage_children_closed;    /* ... of them closed (with the master) */
	int64_t ticks, timers;
	int64_t overdue_orders;
	char overdue_workflow[8][40];      /* overdue work orders by workflow */
	int64_t overdue_count[8];
	/* complaints */
	int64_t tickets_backlog, tickets_filed, tickets_replied, tickets_visited, tickets_escalated;
	int64_t tickets_open, tickets_closed;
	/* audit */
	int64_t audit_entries;
	int audit_ok;
};

struct demo {
	/* options */
	int64_t n_customers;
	uint64_t seed;
	const char *store_uri;
	const char *out_dir;
	const char *data_dir;
	int quiet;

	pcrm_ctx *ctx;
	pcrm_time now;                     /* the virtual clock every call sees */

	int county_count;
	const struct demo_county *counties;
	int ta_count;
	struct demo_customer *cust;        /* n_customers, index i is customer number no(i) */

	struct payments *pay;              /* billing_day.c: the day's payments, in time order */
	struct calls *calls;               /* calls.c: the simulated day's calls */
	struct followups *fu;              /* calls.c: work-order steps due later in the day */
	struct complaint_work *cw;         /* complaints.c: tickets and their statistics */

	struct demo_stats st;
	FILE *progress;                    /* stdout, or NULL with --quiet */
};

/* The actors of the service centre. */
extern const pcrm_actor ACT_PROVINCE_ADMIN, ACT_CITY_ADMIN, ACT_CITY_CLERK, ACT_PRICING,
	ACT_AGENT, ACT_SUPERVISOR, ACT_SYSTEM, ACT_AUDITOR, ACT_CASHIER, ACT_BANK_DESK;
#define CITY "3701"

/* util.c */
void demo_check(int rc, const char *what, const char *file, int line);
uint64_t rng_next(uint64_t *state);
double rng_unit(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);
uint64_t rng_for(uint64_t seed, uint64_t stream);
pcrm_time demo_clock(void *userdata);
pcrm_time civil(int y, int mo, int d, int h, int mi, int s);
void customer_no(int64_t i, char *buf, size_t size);
void account_no(int64_t i, char *buf, size_t size);
char *read_text(const char *path);
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
void progress(struct demo *d, const char *step, int64_t done, int64_t total);
void progress_clock_start(void);
double cpu_seconds(void);
void progress_done(struct demo *d, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *money(pcrm_decimal v, char *buf, size_t size);
pcrm_decimal dec_add(pcrm_decimal a, pcrm_decimal b);
const char *class_name(int klass);
const char *class_label(int klass);
const char *reason_name(int reason);

/* area.c */
void area_build(struct demo *d);
void station_code(const struct demo *d, int64_t i, char *buf, size_t size);
void ta_code(const struct demo *d, int ta, char *buf, size_t size);
int county_is_urban(const struct demo *d, int64_t i);

/* billing_day.c */
void billing_run_and_post(struct demo *d);
void payments_prepare(struct demo *d);
pcrm_time payments_next(const struct demo *d);  /* 0 when none is left */
void payments_post_next(struct demo *d);
void bank_reconcile(struct demo *d);
void payments_free(struct demo *d);

/* calls.c */
void calls_plan_and_simulate(struct demo *d);
pcrm_time calls_next(const struct demo *d);     /* 0 when none is left */
void calls_handle_next(struct demo *d);
pcrm_time followups_next(const struct demo *d);
void followups_run_next(struct demo *d);
void work_orders_summary(struct demo *d);
void calls_free(struct demo *d);
/* Steps that happen later than the call that caused them (a crew's arrival, a contact). */
enum fu_kind { FU_DISPATCH, FU_ARRIVE, FU_RESTORE, FU_VISIT, FU_SURVEY, FU_PLAN,
	       FU_COMPLAINT_CONTACT, FU_COMPLAINT_OPINION, FU_COMPLAINT_MORNING };
void followup_add(struct demo *d, pcrm_time at, int kind, const char *id);
void fire(struct demo *d, const pcrm_actor *who, const char *id, const char *event,
          const char *data, const char *note);

/* complaints.c */
void complaints_setup(struct demo *d);
void complaints_backlog(struct demo *d);
void complaint_from_call(struct demo *d, int64_t customer, int call_index);
void complaints_morning_work(struct demo *d);
void complaint_opinion(struct demo *d, const char *work_order);
void complaints_stats(struct demo *d);
void complaints_free(struct demo *d);
void complaints_json(const struct demo *d, FILE *f);
void complaints_print(const struct demo *d, FILE *f);
void complaints_chart_data(const struct demo *d, FILE *f);

/* report.c */
void report_write(struct demo *d, double seconds);

#endif
