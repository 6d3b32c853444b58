/*
 * Internal: the telephony adapter runtime (docs/adapter-guide.md).
 *
 * Locks: `lock` guards the call table, the device map, the IVR rules and
 * the counters; the ACD is called with it held (the ACD's event callback
 * never takes it: it only queues into `pending`, under `pend_lock`).
 * `sw_lock` (recursive) serialises the switch table's functions and is never
 * taken while `lock` is held, so a table function may feed events.
 * Order: sw_lock -> lock -> pend_lock.
 */
#ifndef PCRM_TELEPHONY_INTERNAL_H
#define PCRM_TELEPHONY_INTERNAL_H

#include <pthread.h>

#include <powercrm/telephony.h>

#include "acd/idmap.h"

#define TEL_ID_SIZE (PCRM_TEL_ID_MAX + 1)
#define TEL_NUMBER_SIZE (PCRM_TEL_NUMBER_MAX + 1)
#define TEL_DIGITS_SIZE (PCRM_TEL_DIGITS_MAX + 1)
#define TEL_PARTIES_MAX 4

/* A device added to a call by a conference (beyond the caller and `device`). */
struct tel_party {
	char device[TEL_ID_SIZE];
	char acd_id[TEL_ID_SIZE]; /* the ACD call its agent answered, "" when none */
};

struct tel_snapshot;

struct tel_call {
	char id[TEL_ID_SIZE]; /* the idmap key */
	pcrm_tel_call_state state;
	char device[TEL_ID_SIZE];  /* alerting at / connected to / held at */
	char origin[TEL_ID_SIZE];  /* the calling device when it is ours (consultation, outbound) */
	char queue_device[TEL_ID_SIZE]; /* the routing point of the queued event */
	char queue[TEL_ID_SIZE];
	char caller[TEL_NUMBER_SIZE];
	char dialled[TEL_NUMBER_SIZE];
	char digits[TEL_DIGITS_SIZE];
	char service[TEL_ID_SIZE];
	char customer_no[TEL_NUMBER_SIZE];
	char related[TEL_ID_SIZE];
	/* the ACD call that stands for this call's agent leg ("" when the ACD has none):
	 * its own id, or after a consultation transfer the consultation call's */
	char acd_id[TEL_ID_SIZE];
	struct tel_party parties[TEL_PARTIES_MAX];
	size_t party_count;
	int recording;
	int outbound;
	/* placed by pcrm_tel_dial(): answered, it queues by this rather than the IVR mapping */
	int dialled_call;
	char dial_queue[TEL_ID_SIZE];
	int dial_min_level, dial_preferred_wait_s, dial_has_customer;
	pcrm_tel_customer dial_customer;
	int since_snapshot; /* offered while a snapshot was open: the snapshot may predate it */
	pcrm_acd_ms last_at;
};

/* Calls cleared lately, to tell an event for a cleared call from one for an unknown call. */
struct tel_cleared {
	char (*ids)[TEL_ID_SIZE];
	size_t cap, next, count;
	struct acd_idmap index; /* keys are the slots of `ids` */
};

/* The agent logged on at a device. */
struct tel_device {
	char id[TEL_ID_SIZE]; /* device id: the key of `devices` */
	char agent[TEL_ID_SIZE];
};

/* An agent's device, the reverse index. */
struct tel_agent {
	char id[TEL_ID_SIZE]; /* agent id: the key of `agents` */
	char device[TEL_ID_SIZE];
};

struct tel_ivr_rule {
	char *dialled, *dialled_prefix, *caller_prefix, *digits, *digits_prefix, *service;
	char queue[TEL_ID_SIZE];
	int min_level;
	int priority;
	struct pcrm_acd_skill skills[PCRM_ACD_CALL_SKILLS_MAX];
	char skill_names[PCRM_ACD_CALL_SKILLS_MAX][TEL_ID_SIZE];
	size_t skill_count;
};

struct tel_ivr {
	struct tel_ivr_rule *rules;
	size_t count;
	char default_queue[TEL_ID_SIZE];
	int vip_priority[6];
	int preferred_wait_s;
};

/* What the IVR mapping and the customer lookup decided for a queued call. */
struct tel_route_plan {
	char queue[TEL_ID_SIZE];
	int min_level, priority;
	struct pcrm_acd_skill skills[PCRM_ACD_CALL_SKILLS_MAX];
	char skill_names[PCRM_ACD_CALL_SKILLS_MAX][TEL_ID_SIZE];
	size_t skill_count;
	char preferred[TEL_ID_SIZE];
	int preferred_wait_s;
	char customer_no[TEL_NUMBER_SIZE];
};

struct pcrm_tel {
	pcrm_acd *acd;
	pcrm_tel_switch sw;
	int clock_from_events;
	int clock_started;         /* the ACD reads the switch's time now */
	char fallback[TEL_NUMBER_SIZE];

	pthread_mutex_t lock;
	struct acd_idmap calls;   /* struct tel_call by id */
	struct acd_idmap devices; /* struct tel_device by device id */
	struct acd_idmap agents;  /* struct tel_agent by agent id */
	struct tel_cleared cleared;
	struct tel_ivr *ivr;      /* NULL until rules are set */
	pcrm_tel_lookup_fn lookup;
	void *lookup_ud;
	pcrm_acd_event_fn forward;
	void *forward_ud;
	pcrm_tel_stats stats;
	pcrm_tel_reject cur_reject; /* set by tel_reject while an event is fed */
	struct tel_snapshot *snapshot; /* open between snapshot_begin and snapshot_end */

	pthread_mutex_t sw_lock;

	pthread_mutex_t pend_lock;
	pcrm_acd_event *pending;
	size_t pend_head, pend_count, pend_cap;
	int draining;
};

/* ---- runtime.c ---- */
void tel_copy(char *dst, size_t size, const char *src); /* NULL -> "" */
int tel_empty(const char *s);
/*
 * An identifier argument of a request or snapshot entry: at most PCRM_TEL_ID_MAX bytes, and
 * present when `required`.  Shared so every entry point words the same error the same way
 * ("<what>: <field>: missing" / "longer than N bytes").
 */
int tel_check_id(const char *what, const char *field, const char *v, int required);
/* Depth of library calls in this thread; requests queued by ACD events are sent at depth 0. */
void tel_enter(void);
void tel_leave(pcrm_tel *tel);
/* Not inside any library call: an ACD event seen now comes from the integrator calling the ACD. */
int tel_depth_is_zero(void);
/* Leaves without draining (the drainer itself). */
void tel_depth_drop(void);

/* ---- calls.c: the call table and the cleared-call memory (lock held) ---- */
struct tel_call *tel_call_find(pcrm_tel *tel, const char *id);
int tel_call_create(pcrm_tel *tel, const char *id, struct tel_call **out);
/* Forgets the call and remembers its id as cleared. */
void tel_call_forget(pcrm_tel *tel, struct tel_call *call);
int tel_cleared_has(const pcrm_tel *tel, const char *id);
int tel_cleared_init(struct tel_cleared *c, size_t cap);
void tel_cleared_free(struct tel_cleared *c);
void tel_calls_free(pcrm_tel *tel);
void tel_call_info_fill(pcrm_tel *tel, const struct tel_call *call, pcrm_tel_call_info *out);

/* ---- devices.c: who is logged on where (lock held) ---- */
const char *tel_device_agent(pcrm_tel *tel, const char *device);
const char *tel_agent_device(pcrm_tel *tel, const char *agent);
int tel_device_bind(pcrm_tel *tel, const char *device, const char *agent);
void tel_device_unbind(pcrm_tel *tel, const char *device);
void tel_devices_free(pcrm_tel *tel);

/* ---- acd_link.c: the ACD side of the calls (lock held) ---- */
/* Nonzero when the ACD holds the call's agent leg. */
int tel_acd_has(const struct tel_call *call);
/* Ends the call's ACD leg (abandon while waiting / ringing, end while talking). */
void tel_acd_end(pcrm_tel *tel, struct tel_call *call);
/* The agent at `device` is reserved for the call in the ACD. */
int tel_acd_offered_to(pcrm_tel *tel, const struct tel_call *call, const char *device,
                       const char **agent);
/* Queues the call with the ACD under the plan; PCRM_OK also when the ACD refused it. */
int tel_acd_queue(pcrm_tel *tel, struct tel_call *call, const struct tel_route_plan *plan);

/* ---- ivr.c ---- */
void tel_ivr_free(struct tel_ivr *ivr);
/* Maps the call's numbers to a queue and requirements (lock held); PCRM_ENOTFOUND when no rule matches. */
int tel_ivr_map(const pcrm_tel *tel, const struct tel_call *call, struct tel_route_plan *plan);
/* Adds the customer found by the lookup (lock held; `found` from tel_lookup_run). */
void tel_ivr_apply_customer(const pcrm_tel *tel, struct tel_route_plan *plan,
                            const pcrm_tel_customer *found);
/* Runs the customer lookup without the lock; 1 when a customer was found. */
int tel_lookup_run(pcrm_tel *tel, const char *caller_number, pcrm_tel_customer *out);

/* ---- dial.c ---- */
/*
 * Tracks an outbound call from `device` and asks the switch to place it
 * (lock NOT held); `dial` NULL for an agent's own call.  Forgets it again
 * when the switch refuses.
 */
int tel_place_call(pcrm_tel *tel, const char *what, const char *call_id, const char *device,
                   const char *destination, const pcrm_tel_dial_spec *dial);
/* The route plan of an answered dialled call (lock held). */
void tel_dial_plan(const pcrm_tel *tel, const struct tel_call *call, struct tel_route_plan *plan);

/* ---- requests.c ---- */
/* Calls one table function under sw_lock (lock NOT held) and counts it; maps the result to a status. */
int tel_request_status(pcrm_tel *tel, const char *what, const char *call_id, const char *device,
                       int result);
int tel_switch_begin(pcrm_tel *tel, int present, const char *what);
void tel_switch_end(pcrm_tel *tel);

/* ---- acd_events.c ---- */
void tel_on_acd_event(void *userdata, const pcrm_acd_event *ev);
void tel_drain(pcrm_tel *tel);

/* ---- feed.c / feed_call.c / feed_agent.c ---- */
int tel_reject(pcrm_tel *tel, pcrm_tel_reject kind, int status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
int tel_feed_call(pcrm_tel *tel, const pcrm_tel_event *ev, const pcrm_tel_customer *customer,
                  int customer_found);
int tel_feed_agent(pcrm_tel *tel, const pcrm_tel_event *ev);
/* Before an event that passed its shape checks is checked against the state (lock held). */
void tel_clock_follow(pcrm_tel *tel, pcrm_acd_ms at);

/* ---- resync.c ---- */
void tel_snapshot_free(pcrm_tel *tel);

#endif
