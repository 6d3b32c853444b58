/* Internal: the parsed workflow definition and the work order, shared by lib/workflow/. */
#ifndef PCRM_WORKFLOW_INTERNAL_H
#define PCRM_WORKFLOW_INTERNAL_H

#include <jansson.h>

#include <powercrm/calendar.h>
#include <powercrm/workflow.h>

#define PCRM__WF_NAME_MAX 64
#define PCRM__WF_KEY_MAX 64
#define PCRM__WF_NOTE_MAX 2000

enum pcrm__wf_unit {
	PCRM__WF_MINUTES,
	PCRM__WF_HOURS,
	PCRM__WF_DAYS,
	PCRM__WF_WORKING_MINUTES,
	PCRM__WF_WORKING_HOURS,
	PCRM__WF_WORKING_DAYS
};

enum pcrm__wf_scope { PCRM__WF_SCOPE_SUBTREE, PCRM__WF_SCOPE_OWN_UNIT, PCRM__WF_SCOPE_OWNER };

/* Severity classes choosing a limit's amount (一般 / 重要 / 重大, VIP customers). */
enum pcrm__wf_class {
	PCRM__WF_CLASS_NORMAL,
	PCRM__WF_CLASS_IMPORTANT,
	PCRM__WF_CLASS_MAJOR,
	PCRM__WF_CLASS_VIP,
	PCRM__WF_CLASS_COUNT
};

#define PCRM__WF_LEVELS_MAX 8
#define PCRM__WF_CLOCKS_MAX 16

/* One escalation level: at `percent` of the limit, its actions, fired once. */
struct pcrm__wf_level {
	int percent; /* strictly increasing within a limit, 1..1000 */
	int flag, escalate, notify;
	const char *notify_unit;     /* the org unit told, or NULL: the work order's */
	const char *notify_operator; /* the operator told, or NULL: the unit's owner */
	const char *notify_role;     /* a role told ("agent"), or NULL; with notify_level */
	int notify_level;            /* the role's level 1..3, 0 = any level */
	int notify_parent;           /* the role in the parent of the work order's unit */
};

/* A time limit: amount of unit, an optional warning, what happens when it passes. */
struct pcrm__wf_limit {
	int set;
	int64_t amount;
	enum pcrm__wf_unit unit;
	int warn_percent; /* 0 = no warning */
	int flag, escalate, notify;
	const char *fire; /* automatic event, or NULL */
	/* by_class: the amount and unit for a class, where class_set[c] */
	int class_set[PCRM__WF_CLASS_COUNT];
	int64_t class_amount[PCRM__WF_CLASS_COUNT];
	enum pcrm__wf_unit class_unit[PCRM__WF_CLASS_COUNT];
	struct pcrm__wf_level levels[PCRM__WF_LEVELS_MAX];
	int nlevels;
};

/* Where a named clock starts or stops. */
enum pcrm__wf_point { PCRM__WF_AT_OPEN, PCRM__WF_AT_STATE, PCRM__WF_AT_EVENT };

/* A named clock: measured from start to stop, its result recorded per work order. */
struct pcrm__wf_clock {
	const char *name;
	enum pcrm__wf_point start, stop;
	const char *start_name, *stop_name; /* the state or event (NULL for the opening) */
	struct pcrm__wf_limit limit;        /* set = 0: measured only, no met / missed */
};

struct pcrm__wf_state {
	const char *name;
	int initial, final, pause;
	struct pcrm__wf_limit limit;
};

struct pcrm__wf_transition {
	const char *event;
	size_t from, to;
	unsigned roles; /* bit (1 << role); 0 = any role */
	int min_level;
	enum pcrm__wf_scope scope;
	const json_t *require; /* array of field names, borrowed from the document */
	const json_t *values;  /* field -> array of the strings it may hold, or NULL (guard_values.c) */
	const char *notify_customer; /* text told the work order's customer, or NULL (customer_notice.c) */
	/* what firing it needs in the work order's org scope (transition_permission.c) */
	pcrm_permission permission;
};

/* How long after closing a work order may be reopened, and where it resumes (reopen.c). */
struct pcrm__wf_reopen {
	int set;
	int64_t amount;
	enum pcrm__wf_unit unit; /* PCRM__WF_DAYS or PCRM__WF_WORKING_DAYS */
	size_t to;               /* the state it re-enters */
};

/* A reason a work order may be suspended for (suspension.c). */
struct pcrm__wf_suspend_reason {
	const char *code;
	int approval_level;        /* 0: applied at once; 1..3: a supervisor of that level approves */
	struct pcrm__wf_limit max; /* the longest suspension (resumed automatically), or unset */
};

struct pcrm_workflow {
	int refs;      /* the definition cache and every operation using it hold one */
	json_t *doc;   /* owns every borrowed string */
	char *text;    /* canonical JSON of doc */
	char *calendar_text; /* canonical JSON of the calendar, or NULL */
	pcrm_calendar *calendar;
	const char *name, *title;
	int version;
	struct pcrm__wf_state *states;
	size_t nstates;
	struct pcrm__wf_transition *transitions;
	size_t ntransitions;
	struct pcrm__wf_limit process; /* the whole work order's limit */
	size_t initial;
	struct pcrm__wf_clock clocks[PCRM__WF_CLOCKS_MAX];
	size_t nclocks;
	struct pcrm__wf_reopen reopen;
	struct pcrm__wf_suspend_reason *suspend_reasons; /* NULL: suspension without a reason code */
	size_t nsuspend_reasons;
	const char *close_with_master; /* the event that closes it with its master, or NULL */
	int overridable; /* "overridable": true: units of the owner's subtree may define their own */
};

/**
 * Parses and validates a definition (and its calendar, which may be NULL)
 * without any store.  PCRM_EINVAL names the JSON path; *out is NULL on failure.
 */
int pcrm__workflow_parse(const char *json, const char *calendar_json, pcrm_workflow **out);

/** Index of a state by name, or (size_t)-1. */
size_t pcrm__workflow_state_index(const pcrm_workflow *wf, const char *name);

/** The transition for (state, event), or NULL. */
const struct pcrm__wf_transition *pcrm__workflow_transition(const pcrm_workflow *wf,
                                                           size_t from, const char *event);

/**
 * When a limit started at `start` passes (*due) and when its warning falls
 * (*warn, 0 when none).  Working units use the definition's calendar.
 */
int pcrm__workflow_limit_due(const pcrm_workflow *wf, const struct pcrm__wf_limit *limit,
                             pcrm_time start, pcrm_time *due, pcrm_time *warn);

/**
 * The class's amount and unit of a limit (its own where by_class does not
 * name the class); everything else copied.  `cls` may be NULL (normal).
 */
struct pcrm__wf_limit pcrm__workflow_limit_for(const struct pcrm__wf_limit *limit,
                                               const char *cls);

/** The class named `name` (normal, important, major, vip), or -1. */
int pcrm__workflow_class(const char *name);

/**
 * The moment `percent` (1..1000) of a limit started at `start` and due at
 * `due` has passed: that share of the working time for working units.
 */
int pcrm__workflow_limit_share(const pcrm_workflow *wf, enum pcrm__wf_unit unit,
                               pcrm_time start, pcrm_time due, int percent, pcrm_time *at);

/** The clock named `name`, or NULL. */
const struct pcrm__wf_clock *pcrm__workflow_clock(const pcrm_workflow *wf, const char *name);

/**
 * Parses the top-level "reopen" of a definition whose states are parsed
 * (reopen.c); PCRM_EINVAL names the JSON path.
 */
int pcrm__workflow_parse_reopen(pcrm_workflow *wf);

/** Parses the top-level "close_with_master" of a definition (master.c). */
int pcrm__workflow_parse_close_with_master(pcrm_workflow *wf);

/** Parses the top-level "suspension" of a definition (suspension.c). */
int pcrm__workflow_parse_suspension(pcrm_workflow *wf);
/** The reason of that code, or NULL. */
const struct pcrm__wf_suspend_reason *pcrm__workflow_suspend_reason(const pcrm_workflow *wf,
                                                                   const char *code);

/** Parses a guard's "values" (guard_values.c); `path` is the guard's JSON path. */
int pcrm__workflow_parse_values(const json_t *v, const char *path,
                                struct pcrm__wf_transition *t);

/**
 * Checks the event data against the transition's "values": a listed field
 * present (not null) in `patch` must be one of its strings.  PCRM_EINVAL
 * names the field and the allowed strings, never the value given.
 */
int pcrm__workflow_check_values(const struct pcrm__wf_transition *t, const json_t *patch);

/**
 * Parses a transition's "notify_customer" (customer_notice.c): absent, or
 * 1..500 bytes of text; PCRM_EINVAL names `path`.
 */
int pcrm__workflow_parse_customer_notice(const json_t *v, const char *path,
                                         struct pcrm__wf_transition *t);

/**
 * Parses a transition's "permission" (transition_permission.c): absent
 * (workorder.handle) or a permission's name; PCRM_EINVAL names `path`.
 */
int pcrm__workflow_parse_permission(const json_t *v, const char *path,
                                    struct pcrm__wf_transition *t);

/** Nonzero for the working-time units. */
int pcrm__workflow_unit_is_working(enum pcrm__wf_unit unit);

/* ---- work orders (workorder.c) ---- */

/*
 * A work order is held as one JSON object whose keys are the stored
 * columns ("data" an object); history deltas apply to it key by key.
 */
struct pcrm_workorder {
	json_t *obj;
	char *text; /* canonical JSON of obj, built on demand by pcrm__workorder_new */
	char *data_text;
	int steps;  /* history entries so far (not part of the object) */
};

/** Wraps obj (reference taken over) into a work order; builds the texts. */
int pcrm__workorder_new(json_t *obj, int steps, pcrm_workorder **out);

/** Applies one history delta to a work-order object (RFC 7386 for "data"). */
int pcrm__workorder_apply_delta(json_t *obj, const json_t *delta);

/** RFC 7386 merge patch of target by patch (target must be an object). */
int pcrm__json_merge_patch(json_t *target, const json_t *patch);

#endif
