/*
 * Internal: the simulated switch's state, shared by its files.
 *   rng.c     the generators and the distributions
 *   agenda.c  the future event list (a binary heap on (time, arming order))
 *   sim.c     lifecycle, configuration checks, the run loop, results
 *   switch.c  the switch table the adapter calls (route, deflect, hangup)
 *   model.c   what each simulated event does (arrivals, answers, shifts, ...)
 */
#ifndef PCRM_SIM_INTERNAL_H
#define PCRM_SIM_INTERNAL_H

#include <stdint.h>

#include <powercrm/sim.h>

/* ---- random numbers ---- */

/** xoshiro256**, seeded through splitmix64: fast, and the same sequence everywhere. */
struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
/** A double uniform in [0, 1), from the top 53 bits. */
double sim_rng_unit(struct sim_rng *r);
/** A draw of `d` in whole milliseconds (rounded to nearest, at most a year); 0 for kind none. */
int64_t sim_draw_ms(struct sim_rng *r, const pcrm_sim_dist *d);
/** An exponential gap in seconds with the given rate per second (> 0). */
double sim_draw_exp_s(struct sim_rng *r, double rate);
/** Checks a distribution; `name` prefixes the message. */
int sim_dist_check(const pcrm_sim_dist *d, const char *name);

/* ---- the agenda ---- */

enum sim_ev_kind {
	SIM_EV_ARRIVAL,     /* obj = queue */
	SIM_EV_ABANDON,     /* obj = call, aux = leg (1 after a transfer) */
	SIM_EV_DELIVER,     /* obj = call, gen */
	SIM_EV_ANSWER,      /* obj = call, gen */
	SIM_EV_NO_ANSWER,   /* obj = call, gen */
	SIM_EV_DIVERT,      /* obj = call, aux = agent the call left */
	SIM_EV_CLEAR,       /* obj = call: the switch hangs up (adapter's request) */
	SIM_EV_TALK_END,    /* obj = call, gen */
	SIM_EV_WRAP_END,    /* obj = agent, aux = call */
	SIM_EV_SHIFT_START, /* obj = agent */
	SIM_EV_SHIFT_END,   /* obj = agent */
	SIM_EV_LOGOFF,      /* obj = agent: log off once idle */
	SIM_EV_TICK         /* run the ACD's timers, flush CDRs */
};

struct sim_ev {
	int64_t at;
	uint64_t seq;
	uint32_t kind, obj, aux, gen;
};

struct sim_agenda {
	struct sim_ev *items;
	size_t count, cap;
	uint64_t seq;
};

int sim_agenda_push(struct sim_agenda *a, int64_t at, uint32_t kind, uint32_t obj, uint32_t aux,
                    uint32_t gen);
/** Removes the earliest event into *out; 0 when empty. */
int sim_agenda_pop(struct sim_agenda *a, struct sim_ev *out);
void sim_agenda_free(struct sim_agenda *a);

/* ---- the model ---- */

enum sim_call_state { SIM_CALL_WAITING, SIM_CALL_ALERTING, SIM_CALL_TALKING, SIM_CALL_DONE };

struct sim_call {
	int64_t talk_ms, transfer_talk_ms, transfer_patience_ms;
	uint32_t queue, agent, gen, transfer_queue;
	uint8_t state, will_transfer, transferred;
};

struct sim_queue {
	char id[PCRM_ACD_ID_MAX + 1];
	double *calls;
	size_t interval_count;
	double interval_s;
	pcrm_sim_dist talk, patience;
	double transfer_p;
	uint32_t transfer_queue;
	struct sim_rng rng;
	double next_s;      /* next arrival, seconds from the start; < 0 when none */
	pcrm_sim_call *log; /* a replayed call log, or NULL */
	size_t log_count, log_next;
};

struct sim_agent {
	char id[PCRM_ACD_ID_MAX + 1];
	char device[24];
	pcrm_sim_shift *shifts;
	size_t shift_count, next_shift;
	int on_duty, leaving;
};

/* a log2 histogram with 4 sub-buckets per octave, in ns */
#define SIM_HIST_BUCKETS 256

struct pcrm_sim {
	pcrm_sim_config cfg;
	pcrm_acd *acd;
	pcrm_tel *tel;
	int ran;
	int64_t now, last_progress;
	struct sim_agenda agenda;
	struct sim_queue *queues;
	size_t queue_count;
	struct sim_agent *agents;
	size_t agent_count;
	struct sim_call *calls;
	size_t call_count, call_cap, live;
	struct sim_rng agent_rng;
	pcrm_acd_cdr *cdrs;
	size_t cdr_count, cdr_cap;
	int oom;                 /* a CDR could not be kept */
	pcrm_sim_stats stats;
	char first_reject[256];  /* why the adapter rejected the first rejected event */
	double feed_ns_sum;
	uint64_t hist[SIM_HIST_BUCKETS];
	uint64_t queued_fed;
};

/** Feeds one event at the current virtual time (the adapter's rejections are counted). */
int sim_feed(pcrm_sim *s, pcrm_tel_event *ev);
/** Arms queue qi's first arrival / agent ai's next shift start. */
int sim_arm_first_arrival(pcrm_sim *s, size_t qi);
int sim_arm_shift(pcrm_sim *s, size_t ai);
/** Handles one popped event. */
int sim_handle(pcrm_sim *s, const struct sim_ev *ev);
/** The switch table of the simulated switch. */
pcrm_tel_switch sim_switch_table(pcrm_sim *s);
/** "c<index>" / "d<index>" -> index; -1 when malformed or out of range. */
long sim_parse_index(const char *id, char prefix, size_t limit);
void sim_call_id(char *buf, size_t size, size_t index);

#define SIM_ROUTING_POINT "rp"
#define SIM_DIALLED "95598"

#endif
