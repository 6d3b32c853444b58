/*
 * ACD stress test (issue 15): four threads drive one engine at once with
 * call arrivals, agent state churn (login, ready, not ready, answer,
 * decline, ring-outs, hold, hang-up, wrap-up, logout), skill changes,
 * supervisor actions, wallboard reads, CDR flushes and random invalid requests, on a virtual
 * clock they all advance.  Invariants are checked throughout:
 *
 *  - in the event stream (the poll queue, read in `seq` order by a checker
 *    thread): no sequence gap (no event lost), no call offered to two
 *    agents at once except under ring-all, no agent offered a call while
 *    it holds one or is not ready, no call answered twice or offered after
 *    it ended, every agent_state event's `previous` is the state the
 *    stream last gave, and only transitions of the state machine occur;
 *  - in the callback (concurrent, unordered) and the API's own results: a
 *    call answered at most once, ended at most once, one CDR per call;
 *  - at checkpoints (every thread paused, the checker caught up) and at the
 *    end: the engine's counters, every queue's and agent's statistics and
 *    every live call's and agent's snapshot agree with what the events and
 *    the API results say, and the statistics add up (docs/acd.md,
 *    Statistics; the completed intervals plus the current one sum to the
 *    totals while none has left the kept history); at the end every call
 *    that arrived has ended exactly once and left exactly one CDR.
 *
 * Usage: stress_acd [CALLS [SEED]]; PCRM_ACD_STRESS_CALLS and
 * PCRM_ACD_STRESS_SEED do the same (the sanitizer passes of `make test` use
 * a smaller count).  The seed is printed; thread interleavings still vary
 * from run to run, so a failure prints the seed and the event concerned.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

#define THREADS 4
#define AGENTS 96
#define LIVE_MAX 300       /* calls live at once (the switch's trunk) */
#define RECENT 256         /* call numbers each thread remembers for hang-ups */
#define CHECKPOINTS 20     /* quiescent checks spread over the run */
#define EVENT_CAPACITY 65536
#define T0 1795395600000LL /* 2026-11-23T09:00:00+08:00 */

/* ---- configuration ---- */

enum { Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9, QPIN, NQUEUES };
static const char *const queue_ids[NQUEUES] = { "q0", "q1", "q2", "q3", "q4", "q5",
                                                "q6", "q7", "q8", "q9", "qpin" };
static const pcrm_acd_strategy queue_strategy[NQUEUES] = {
	PCRM_ACD_LONGEST_IDLE, PCRM_ACD_FEWEST_CALLS, PCRM_ACD_LEAST_TALK, PCRM_ACD_HIGHEST_SKILL,
	PCRM_ACD_ROUND_ROBIN,  PCRM_ACD_RANDOM,       PCRM_ACD_RING_ALL,  PCRM_ACD_LONGEST_IDLE,
	PCRM_ACD_FEWEST_CALLS, PCRM_ACD_RING_ALL,     PCRM_ACD_LONGEST_IDLE,
};
/* never the target of an overflow, a move or an add_queue rule, so a call's own queue tells */
static int ring_all(int q) { return q == Q6 || q == Q9; }

static const char *const reasons[] = { "break", "meal", "coaching" }; /* the last one added */

static const pcrm_actor supervisor = { "sup-1", PCRM_ROLE_MONITOR, 1, "P1" };
static const pcrm_actor clerk = { "clerk-1", PCRM_ROLE_DATA_CLERK, 1, "P1" };

/*
 * Agent skills, for queue membership in the checks.  Only worker 0 changes them
 * (pcrm_acd_agent_set_skill), so the engine applies the changes in the order they
 * are recorded here; main reads them while the workers are paused.
 */
static int agent_level[AGENTS][NQUEUES];

/* ---- shared state ---- */

static pcrm_acd *acd;
static uint64_t seed;
static size_t ncalls;          /* call numbers 0..ncalls-1; ncalls is the pinned call */
static _Atomic int64_t vclock; /* the engine's virtual clock */
static _Atomic size_t next_call;
static _Atomic int failures;
static _Atomic int stop_workers, stop_checker;

/* from the API's results (any thread) */
static _Atomic uint8_t *arrived, *answer_ok;
static _Atomic uint64_t arrived_total;
static _Atomic uint64_t rc_notfound, rc_state, rc_input, rc_other;
static _Atomic uint64_t ops_total;

/* from the callback (any thread, unordered) */
static _Atomic uint8_t *cb_answered, *cb_ended;
static _Atomic uint8_t *cb_end_type;
static _Atomic uint64_t cb_ended_total, cb_max_seq;

/* from the CDR sink (flushes are serialised, but run in any thread) */
static _Atomic uint8_t *cdr_seen, *cdr_outcome;
static _Atomic uint64_t cdr_total;

/* from the poll queue, in seq order: the checker thread's model */
struct call_model {
	uint8_t noff;     /* offers ringing now */
	uint8_t answered; /* call_answered seen */
	uint8_t ended;    /* call_ended / abandoned / refused / timed_out seen */
	int8_t queue;     /* own queue, from call_queued / overflowed / moved events */
};
struct agent_model {
	pcrm_acd_agent_state state;
	long call; /* the call it holds (offered, talking, held, wrap-up), -1 */
};
static struct call_model *cm;
static struct agent_model am[AGENTS];
static struct {
	uint64_t offered, answered, ended, abandoned, refused, timed_out, withdrawn, missed,
		overflowed, moved, events;
} ev_count;
static _Atomic uint64_t processed_seq;

/* checkpoints: workers pause between two barrier waits while main checks */
static pthread_barrier_t pause_barrier;
static _Atomic unsigned pause_gen;

static void fail(const char *fmt, ...)
{
	va_list ap;
	if (atomic_fetch_add(&failures, 1) >= 20)
		return; /* the first twenty say enough */
	va_start(ap, fmt);
	fprintf(stderr, "stress_acd (seed %llu): ", (unsigned long long)seed);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t next_random(uint64_t *s)
{
	/* xorshift64*: per thread, seeded from the run's seed */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static unsigned pick(uint64_t *s, unsigned n) { return (unsigned)(next_random(s) % n); }

static pcrm_acd_ms clock_fn(void *ud)
{
	(void)ud;
	return atomic_load_explicit(&vclock, memory_order_relaxed);
}

/* Every engine call's status goes through here: the engine must have counted the same refusals. */
static int api(int rc)
{
	if (rc == PCRM_ENOTFOUND)
		atomic_fetch_add(&rc_notfound, 1);
	else if (rc == PCRM_ESTATE)
		atomic_fetch_add(&rc_state, 1);
	else if (rc == PCRM_EINVAL || rc == PCRM_EDUPLICATE || rc == PCRM_EPERM)
		atomic_fetch_add(&rc_input, 1);
	else if (rc < 0)
		atomic_fetch_add(&rc_other, 1);
	return rc;
}

/* A refusal that does not depend on any race must come back with exactly this status. */
static void expect(int rc, int want, const char *what)
{
	if (api(rc) != want)
		fail("%s: status %d, expected %d (%s)", what, rc, want, pcrm_error_last());
}

static long id_number(const char *id, char prefix)
{
	if (id[0] != prefix || !id[1])
		return -1;
	char *end;
	long n = strtol(id + 1, &end, 10);
	return *end ? -1 : n;
}

static long call_index(const char *id)
{
	long n = id_number(id, 'c');
	if (n < 0 || (size_t)n > ncalls) {
		fail("call id \"%s\" is not one of the test's calls", id);
		return -1;
	}
	return n;
}

static int queue_index(const char *id)
{
	for (int q = 0; q < NQUEUES; q++)
		if (strcmp(id, queue_ids[q]) == 0)
			return q;
	fail("queue id \"%s\" is not one of the test's queues", id);
	return -1;
}

static void call_id(char *buf, size_t n, size_t number) { snprintf(buf, n, "c%zu", number); }
static void agent_id(char *buf, size_t n, unsigned number) { snprintf(buf, n, "a%u", number); }

/* ---- callback and sink ---- */

static int is_end(pcrm_acd_event_type t)
{
	return t == PCRM_ACD_EV_CALL_ENDED || t == PCRM_ACD_EV_CALL_ABANDONED ||
	       t == PCRM_ACD_EV_CALL_REFUSED || t == PCRM_ACD_EV_CALL_TIMED_OUT;
}

static void on_event(void *ud, const pcrm_acd_event *ev)
{
	(void)ud;
	uint64_t seen = atomic_load(&cb_max_seq);
	while (ev->seq > seen && !atomic_compare_exchange_weak(&cb_max_seq, &seen, ev->seq))
		;
	if (ev->type == PCRM_ACD_EV_CALL_ANSWERED) {
		long c = call_index(ev->call_id);
		if (c >= 0 && atomic_fetch_add(&cb_answered[c], 1) != 0)
			fail("callback: call %s answered twice (seq %llu)", ev->call_id,
			     (unsigned long long)ev->seq);
	} else if (is_end(ev->type)) {
		long c = call_index(ev->call_id);
		if (c < 0)
			return;
		if (atomic_fetch_add(&cb_ended[c], 1) != 0)
			fail("callback: call %s ended twice (%s, seq %llu)", ev->call_id,
			     pcrm_acd_event_type_name(ev->type), (unsigned long long)ev->seq);
		atomic_store(&cb_end_type[c], (uint8_t)ev->type);
		atomic_fetch_add(&cb_ended_total, 1);
	}
}

static int on_cdrs(void *ud, const pcrm_acd_cdr *cdrs, size_t count)
{
	(void)ud;
	for (size_t i = 0; i < count; i++) {
		const pcrm_acd_cdr *r = &cdrs[i];
		long c = call_index(r->call_id);
		if (c < 0)
			continue;
		if (atomic_fetch_add(&cdr_seen[c], 1) != 0)
			fail("CDR: call %s has a second record", r->call_id);
		atomic_store(&cdr_outcome[c], (uint8_t)r->outcome);
		if ((r->outcome == PCRM_ACD_OUTCOME_ANSWERED) != (r->agent_id[0] != '\0') ||
		    (r->outcome == PCRM_ACD_OUTCOME_ANSWERED) != (r->answered_at != 0))
			fail("CDR: call %s, outcome %s with agent \"%s\" answered at %lld", r->call_id,
			     pcrm_acd_outcome_name(r->outcome), r->agent_id, (long long)r->answered_at);
		if (r->arrived_at < T0 || (r->answered_at && r->wait_ms != r->answered_at - r->arrived_at))
			fail("CDR: call %s, wait %lld ms does not match arrival %lld and answer %lld",
			     r->call_id, (long long)r->wait_ms, (long long)r->arrived_at,
			     (long long)r->answered_at);
		atomic_fetch_add(&cdr_total, 1);
	}
	return 0;
}

/* ---- the checker: the event stream in seq order ---- */

static int allowed(pcrm_acd_agent_state from, pcrm_acd_agent_state to)
{
	enum { LO = 1 << PCRM_ACD_LOGGED_OUT, RD = 1 << PCRM_ACD_READY, NR = 1 << PCRM_ACD_NOT_READY,
	       RS = 1 << PCRM_ACD_RESERVED, TK = 1 << PCRM_ACD_TALKING, HD = 1 << PCRM_ACD_HELD,
	       WU = 1 << PCRM_ACD_WRAP_UP };
	static const unsigned next[PCRM_ACD_STATE_COUNT] = {
		[PCRM_ACD_LOGGED_OUT] = LO | NR | RD,
		[PCRM_ACD_READY] = RS | NR | LO,
		[PCRM_ACD_NOT_READY] = RD | NR | LO,
		[PCRM_ACD_RESERVED] = TK | RD | NR | LO,
		[PCRM_ACD_TALKING] = HD | WU,
		[PCRM_ACD_HELD] = TK | WU,
		[PCRM_ACD_WRAP_UP] = RD | NR | LO,
	};
	return (unsigned)from < PCRM_ACD_STATE_COUNT && (unsigned)to < PCRM_ACD_STATE_COUNT &&
	       (next[from] & (1u << to));
}

static int holds_call(pcrm_acd_agent_state s)
{
	return s == PCRM_ACD_RESERVED || s == PCRM_ACD_TALKING || s == PCRM_ACD_HELD ||
	       s == PCRM_ACD_WRAP_UP;
}

static void check_agent_state(const pcrm_acd_event *ev, long a)
{
	struct agent_model *m = &am[a];
	long c = ev->call_id[0] ? call_index(ev->call_id) : -1;
	if (ev->previous != m->state || !allowed(m->state, ev->state))
		fail("seq %llu: agent %s went %s -> %s, but the stream had it %s",
		     (unsigned long long)ev->seq, ev->agent_id, pcrm_acd_agent_state_name(ev->previous),
		     pcrm_acd_agent_state_name(ev->state), pcrm_acd_agent_state_name(m->state));
	if (ev->state == PCRM_ACD_RESERVED) {
		if (m->call >= 0)
			fail("seq %llu: agent %s reserved for call %s while it holds call c%ld",
			     (unsigned long long)ev->seq, ev->agent_id, ev->call_id, m->call);
		m->call = c;
	} else if (holds_call(ev->state)) {
		if (c != m->call || c < 0)
			fail("seq %llu: agent %s %s with call \"%s\", the stream gave it c%ld",
			     (unsigned long long)ev->seq, ev->agent_id, pcrm_acd_agent_state_name(ev->state),
			     ev->call_id, m->call);
	} else {
		if (c >= 0)
			fail("seq %llu: agent %s %s still names call %s", (unsigned long long)ev->seq,
			     ev->agent_id, pcrm_acd_agent_state_name(ev->state), ev->call_id);
		if (m->call >= 0 && m->state != PCRM_ACD_WRAP_UP)
			fail("seq %llu: agent %s left %s for %s with call c%ld neither withdrawn nor missed",
			     (unsigned long long)ev->seq, ev->agent_id, pcrm_acd_agent_state_name(m->state),
			     pcrm_acd_agent_state_name(ev->state), m->call);
		if (m->call >= 0 && m->state == PCRM_ACD_WRAP_UP && !cm[m->call].ended)
			fail("seq %llu: agent %s ended wrap-up of call c%ld that never ended",
			     (unsigned long long)ev->seq, ev->agent_id, m->call);
		m->call = -1;
	}
	m->state = ev->state;
}

static void offer_ends(const pcrm_acd_event *ev, long c, long a, const char *how)
{
	if (cm[c].noff == 0 || am[a].call != c)
		fail("seq %llu: offer of %s to %s %s, but it was not ringing there",
		     (unsigned long long)ev->seq, ev->call_id, ev->agent_id, how);
	else
		cm[c].noff--;
	am[a].call = -1;
}

static void check_event(const pcrm_acd_event *ev)
{
	long c = -1, a = -1;
	if (ev->call_id[0] && (c = call_index(ev->call_id)) < 0)
		return;
	if (ev->agent_id[0] && ((a = id_number(ev->agent_id, 'a')) < 0 || a >= AGENTS)) {
		fail("seq %llu: unknown agent \"%s\"", (unsigned long long)ev->seq, ev->agent_id);
		return;
	}
	ev_count.events++;
	switch (ev->type) {
	case PCRM_ACD_EV_CALL_QUEUED:
		cm[c].queue = (int8_t)queue_index(ev->queue_id);
		break;
	case PCRM_ACD_EV_CALL_OVERFLOWED:
	case PCRM_ACD_EV_CALL_MOVED:
		/* an overflow on arrival comes before call_queued */
		if (cm[c].queue >= 0 && cm[c].queue != queue_index(ev->queue_id))
			fail("seq %llu: call %s left %s, but it waited in %s", (unsigned long long)ev->seq,
			     ev->call_id, ev->queue_id, cm[c].queue >= 0 ? queue_ids[cm[c].queue] : "none");
		cm[c].queue = (int8_t)queue_index(ev->target_id);
		if (ev->type == PCRM_ACD_EV_CALL_MOVED)
			ev_count.moved++;
		else
			ev_count.overflowed++;
		break;
	case PCRM_ACD_EV_CALL_OFFERED:
		ev_count.offered++;
		if (cm[c].ended || cm[c].answered)
			fail("seq %llu: call %s offered to %s after it was %s", (unsigned long long)ev->seq,
			     ev->call_id, ev->agent_id, cm[c].ended ? "ended" : "answered");
		if (am[a].state != PCRM_ACD_RESERVED || am[a].call != c)
			fail("seq %llu: call %s offered to %s, which is %s with call c%ld",
			     (unsigned long long)ev->seq, ev->call_id, ev->agent_id,
			     pcrm_acd_agent_state_name(am[a].state), am[a].call);
		if (++cm[c].noff > 1 && !ring_all(queue_index(ev->queue_id)))
			fail("seq %llu: call %s of %s (not ring-all) ringing at %u agents at once",
			     (unsigned long long)ev->seq, ev->call_id, ev->queue_id, cm[c].noff);
		if (cm[c].queue != queue_index(ev->queue_id))
			fail("seq %llu: call %s offered as of %s, but it waits in %s",
			     (unsigned long long)ev->seq, ev->call_id, ev->queue_id,
			     cm[c].queue >= 0 ? queue_ids[cm[c].queue] : "none");
		break;
	case PCRM_ACD_EV_OFFER_WITHDRAWN:
		ev_count.withdrawn++;
		offer_ends(ev, c, a, "withdrawn");
		break;
	case PCRM_ACD_EV_OFFER_MISSED:
		ev_count.missed++;
		offer_ends(ev, c, a, "missed");
		break;
	case PCRM_ACD_EV_CALL_ANSWERED:
		ev_count.answered++;
		if (cm[c].answered++)
			fail("seq %llu: call %s answered twice", (unsigned long long)ev->seq, ev->call_id);
		if (am[a].state != PCRM_ACD_TALKING || am[a].call != c || cm[c].noff == 0)
			fail("seq %llu: call %s answered by %s, which is %s with call c%ld",
			     (unsigned long long)ev->seq, ev->call_id, ev->agent_id,
			     pcrm_acd_agent_state_name(am[a].state), am[a].call);
		else
			cm[c].noff--;
		break;
	case PCRM_ACD_EV_CALL_ENDED:
	case PCRM_ACD_EV_CALL_ABANDONED:
	case PCRM_ACD_EV_CALL_REFUSED:
	case PCRM_ACD_EV_CALL_TIMED_OUT:
		if (cm[c].ended++)
			fail("seq %llu: call %s ended twice (%s)", (unsigned long long)ev->seq,
			     ev->call_id, pcrm_acd_event_type_name(ev->type));
		if ((ev->type == PCRM_ACD_EV_CALL_ENDED) != (cm[c].answered != 0))
			fail("seq %llu: call %s %s, answered %d", (unsigned long long)ev->seq, ev->call_id,
			     pcrm_acd_event_type_name(ev->type), cm[c].answered);
		if (ev->type != PCRM_ACD_EV_CALL_ABANDONED && cm[c].noff)
			fail("seq %llu: call %s %s while ringing at %u agents", (unsigned long long)ev->seq,
			     ev->call_id, pcrm_acd_event_type_name(ev->type), cm[c].noff);
		ev_count.ended += ev->type == PCRM_ACD_EV_CALL_ENDED;
		ev_count.abandoned += ev->type == PCRM_ACD_EV_CALL_ABANDONED;
		ev_count.refused += ev->type == PCRM_ACD_EV_CALL_REFUSED;
		ev_count.timed_out += ev->type == PCRM_ACD_EV_CALL_TIMED_OUT;
		break;
	case PCRM_ACD_EV_AGENT_STATE:
		check_agent_state(ev, a);
		break;
	case PCRM_ACD_EV_EVENTS_LOST:
	case PCRM_ACD_EV_CDRS_LOST:
		fail("seq %llu: %s, count %llu", (unsigned long long)ev->seq,
		     pcrm_acd_event_type_name(ev->type), (unsigned long long)ev->count);
		break;
	default:
		break;
	}
}

static void *checker_main(void *arg)
{
	static pcrm_acd_event buf[1024] = { PCRM_ACD_EVENT_INIT };
	uint64_t last = 0;
	(void)arg;
	for (;;) {
		size_t n = 0;
		int stopping = atomic_load(&stop_checker);
		if (api(pcrm_acd_events_poll(acd, buf, 1024, &n, 20)) < 0) {
			fail("events_poll: %s", pcrm_error_last());
			break;
		}
		for (size_t i = 0; i < n; i++) {
			if (buf[i].seq != last + 1)
				fail("event seq %llu follows %llu: events lost or out of order",
				     (unsigned long long)buf[i].seq, (unsigned long long)last);
			last = buf[i].seq;
			check_event(&buf[i]);
		}
		atomic_store_explicit(&processed_seq, last, memory_order_release);
		if (n == 0 && stopping)
			break;
	}
	return NULL;
}

/* ---- the workers ---- */

struct worker {
	int index;
	uint64_t rng;
	size_t recent[RECENT];
	size_t nrecent;
	pthread_t thread;
};

/* A slow checker must not make the poll queue overflow: the workers wait for it. */
static void keep_pace(void)
{
	/* signed: the checker may be ahead of the callbacks, which run after the engine lock */
	while ((int64_t)(atomic_load(&cb_max_seq) - atomic_load(&processed_seq)) > EVENT_CAPACITY / 2)
		sched_yield();
}

static void maybe_pause(unsigned *gen)
{
	unsigned want = atomic_load(&pause_gen);
	if (*gen == want)
		return;
	*gen = want;
	pthread_barrier_wait(&pause_barrier); /* all paused: main checks */
	pthread_barrier_wait(&pause_barrier); /* main done */
}

static size_t live_estimate(void)
{
	return (size_t)(atomic_load(&arrived_total) - atomic_load(&cb_ended_total));
}

static void arrive(struct worker *w)
{
	size_t n = atomic_fetch_add(&next_call, 1);
	if (n >= ncalls)
		return;
	char id[32], caller[32], preferred[32];
	pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_skill lang = { "lang_en", 1 + (int)pick(&w->rng, 3) };
	pcrm_acd_disposition disp;
	unsigned r = pick(&w->rng, 100);

	call_id(id, sizeof(id), n);
	snprintf(caller, sizeof(caller), "138%08u", pick(&w->rng, 100000000));
	spec.call_id = id;
	spec.queue_id = queue_ids[pick(&w->rng, QPIN)];
	spec.priority = r < 70 ? 0 : (int)pick(&w->rng, PCRM_ACD_PRIORITY_MAX + 1);
	spec.min_level = r % 4 == 0 ? 1 + (int)pick(&w->rng, 4) : 1;
	spec.caller_number = caller;
	spec.customer_no = r % 2 ? "3300012345" : NULL;
	if (pick(&w->rng, 10) == 0) {
		spec.skills = &lang;
		spec.skill_count = 1;
	}
	if (pick(&w->rng, 20) == 0) {
		agent_id(preferred, sizeof(preferred), pick(&w->rng, AGENTS));
		spec.preferred_agent_id = preferred;
		spec.preferred_wait_s = 3 + (int)pick(&w->rng, 20);
	}
	atomic_store(&arrived[n], 1); /* before the call exists, so the checker may see its events */
	int rc = api(pcrm_acd_call_arrive(acd, &spec, &disp));
	if (rc != PCRM_OK) {
		atomic_store(&arrived[n], 0);
		fail("arrival of %s: status %d (%s)", id, rc, pcrm_error_last());
		return;
	}
	atomic_fetch_add(&arrived_total, 1);
	w->recent[w->nrecent++ % RECENT] = n;
}

static void answer(const char *call, const char *agent)
{
	if (api(pcrm_acd_call_answer(acd, call, agent)) == PCRM_OK) {
		long c = call_index(call);
		if (c >= 0 && atomic_fetch_add(&answer_ok[c], 1) != 0)
			fail("call %s: a second answer succeeded (by %s)", call, agent);
	}
}

/* One desktop action on a random agent, chosen by the state it is in now. */
static void agent_action(struct worker *w)
{
	char id[32];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	unsigned r = pick(&w->rng, 100);
	const char *reason = reasons[pick(&w->rng, 3)];

	agent_id(id, sizeof(id), pick(&w->rng, AGENTS));
	if (api(pcrm_acd_agent_get(acd, id, &info)) != PCRM_OK) {
		fail("agent_get %s: %s", id, pcrm_error_last());
		return;
	}
	switch (info.state) {
	case PCRM_ACD_LOGGED_OUT:
		if (r < 60)
			api(pcrm_acd_agent_login(acd, id));
		break;
	case PCRM_ACD_NOT_READY:
		if (r < 85)
			api(pcrm_acd_agent_ready(acd, id));
		else if (r < 90)
			api(pcrm_acd_agent_logout(acd, id));
		else
			api(pcrm_acd_agent_not_ready(acd, id, reason));
		break;
	case PCRM_ACD_READY:
		if (r < 4)
			api(pcrm_acd_agent_not_ready(acd, id, reason));
		else if (r < 5)
			api(pcrm_acd_agent_logout(acd, id));
		break;
	case PCRM_ACD_RESERVED:
		if (r < 80) {
			answer(info.call_id, id);
		} else if (r < 87) {
			api(pcrm_acd_call_decline(acd, info.call_id, id));
		} else if (r < 90) { /* another agent answers: refused unless ring-all offered it there too */
			char other[32];
			agent_id(other, sizeof(other), pick(&w->rng, AGENTS));
			answer(info.call_id, other);
		} /* else it rings on, maybe out */
		break;
	case PCRM_ACD_TALKING:
		if (r < 45)
			api(pcrm_acd_call_hangup(acd, info.call_id));
		else if (r < 60)
			api(pcrm_acd_call_hold(acd, info.call_id));
		else if (r < 63)
			api(pcrm_acd_agent_ready(acd, id)); /* ready while talking: refused */
		else if (r < 65)
			api(pcrm_acd_agent_logout(acd, id)); /* refused as well */
		break;
	case PCRM_ACD_HELD:
		if (r < 60)
			api(pcrm_acd_call_unhold(acd, info.call_id));
		else if (r < 80)
			api(pcrm_acd_call_hangup(acd, info.call_id));
		break;
	case PCRM_ACD_WRAP_UP:
		if (r < 40)
			api(pcrm_acd_agent_end_wrap_up(acd, id));
		else if (r < 45)
			api(pcrm_acd_agent_not_ready(acd, id, reason));
		else if (r < 47)
			api(pcrm_acd_agent_logout(acd, id));
		break;
	}
}

static const char *recent_call(struct worker *w, char *buf, size_t n)
{
	if (w->nrecent == 0)
		return NULL;
	size_t have = w->nrecent < RECENT ? w->nrecent : RECENT;
	call_id(buf, n, w->recent[pick(&w->rng, (unsigned)have)]);
	return buf;
}

/* The caller hangs up: abandons while waiting or ringing, ends a conversation. */
static void caller_hangup(struct worker *w)
{
	char id[32];
	if (recent_call(w, id, sizeof(id)))
		api(pcrm_acd_call_hangup(acd, id)); /* ENOTFOUND when it already ended */
}

/*
 * A skill added, changed or removed while the agent may be ready, ringing or
 * talking.  Only the common queues: q7 and q8 keep their few members and qpin
 * none; every agent keeps 2-4 of the common queues, as set up.
 */
static void skill_change(struct worker *w)
{
	static const int common[] = { Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q9 };
	char agent[32];
	unsigned a = pick(&w->rng, AGENTS);
	int q = common[pick(&w->rng, 8)], held = 0, level;
	for (int i = 0; i < 8; i++)
		held += agent_level[a][common[i]] > 0;
	if (agent_level[a][q] == 0)
		level = held < 4 ? 1 + (int)pick(&w->rng, PCRM_ACD_LEVEL_MAX) : 0;
	else
		level = held > 2 && pick(&w->rng, 3) == 0 ? 0 : 1 + (int)pick(&w->rng, PCRM_ACD_LEVEL_MAX);
	if (level == agent_level[a][q])
		return;
	agent_id(agent, sizeof(agent), a);
	if (api(pcrm_acd_agent_set_skill(acd, agent, queue_ids[q], level)) == PCRM_OK)
		agent_level[a][q] = level;
	else
		fail("set_skill %s %s %d: %s", agent, queue_ids[q], level, pcrm_error_last());
}

static void supervisor_action(struct worker *w)
{
	char agent[32], call[32];
	unsigned r = pick(&w->rng, 4);
	agent_id(agent, sizeof(agent), pick(&w->rng, AGENTS));
	if (r == 0) {
		static const pcrm_acd_agent_state to[] = { PCRM_ACD_READY, PCRM_ACD_NOT_READY,
		                                           PCRM_ACD_LOGGED_OUT };
		api(pcrm_acd_agent_force_state(acd, &supervisor, agent, to[pick(&w->rng, 3)], "coaching"));
	} else if (r == 1 && recent_call(w, call, sizeof(call))) {
		static const int targets[] = { Q0, Q1, Q2, Q4, Q5 };
		api(pcrm_acd_call_move(acd, &supervisor, call, queue_ids[targets[pick(&w->rng, 5)]]));
	} else if (r == 2) {
		api(pcrm_acd_supervise(acd, &supervisor, agent, (pcrm_acd_supervise_mode)pick(&w->rng, 3)));
	} else {
		api(pcrm_acd_tick(acd));
	}
}

/* Requests refused whatever the other threads do, each with its one status. */
static void invalid_request(struct worker *w)
{
	char id[48];
	pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	switch (pick(&w->rng, 10)) {
	case 0:
		snprintf(id, sizeof(id), "x%u", pick(&w->rng, 1000));
		expect(pcrm_acd_call_answer(acd, id, "a1"), PCRM_ENOTFOUND, "answer of an unknown call");
		break;
	case 1:
		expect(pcrm_acd_agent_ready(acd, "nobody"), PCRM_ENOTFOUND, "ready of an unknown agent");
		break;
	case 2:
		expect(pcrm_acd_agent_not_ready(acd, "a2", "nap"), PCRM_EINVAL, "an unknown reason");
		break;
	case 3:
		snprintf(id, sizeof(id), "bad%u", pick(&w->rng, 1000));
		spec.call_id = id;
		spec.queue_id = "q0";
		spec.priority = 42;
		expect(pcrm_acd_call_arrive(acd, &spec, NULL), PCRM_EINVAL, "priority 42");
		expect(pcrm_acd_call_get(acd, id, &(pcrm_acd_call_info)PCRM_ACD_CALL_INFO_INIT), PCRM_ENOTFOUND,
		       "the refused call");
		break;
	case 4:
		snprintf(id, sizeof(id), "bad%u", pick(&w->rng, 1000));
		spec.call_id = id;
		spec.queue_id = "no-such-queue";
		expect(pcrm_acd_call_arrive(acd, &spec, NULL), PCRM_ENOTFOUND, "an unknown queue");
		break;
	case 5:
		expect(pcrm_acd_call_hold(acd, "x1"), PCRM_ENOTFOUND, "hold of an unknown call");
		break;
	case 6:
		expect(pcrm_acd_agent_login(acd, "a 1"), PCRM_EINVAL, "an agent id with a space");
		break;
	case 7:
		expect(pcrm_acd_agent_force_logout(acd, &clerk, "a3"), PCRM_EPERM,
		       "a data clerk forcing a logout");
		break;
	case 8: /* the pinned call never ends before the run does */
		call_id(id, sizeof(id), ncalls);
		spec.call_id = id;
		spec.queue_id = "q1";
		expect(pcrm_acd_call_arrive(acd, &spec, NULL), PCRM_EDUPLICATE, "a live call id again");
		expect(pcrm_acd_set_clock(acd, clock_fn, NULL), PCRM_ESTATE,
		       "a new clock while calls are live");
		break;
	default:
		expect(pcrm_acd_queue_stats_get(acd, "nope", &qs), PCRM_ENOTFOUND,
		       "statistics of an unknown queue");
		break;
	}
}

/* What a wallboard reads at any moment must hold together on its own. */
static void wallboard(struct worker *w)
{
	pcrm_acd_queue_stats s = PCRM_ACD_QUEUE_STATS_INIT;
	int q = (int)pick(&w->rng, NQUEUES);
	if (api(pcrm_acd_queue_stats_get(acd, queue_ids[q], &s)) != PCRM_OK) {
		fail("queue_stats_get %s: %s", queue_ids[q], pcrm_error_last());
		return;
	}
	const pcrm_acd_queue_counts *t = &s.total;
	uint64_t out = t->answered + t->abandoned + t->refused + t->overflowed_out + t->moved_out +
	               t->timed_out;
	if (s.agents_ready + s.agents_busy > s.agents_logged_in || out + s.waiting > t->offered ||
	    t->answered_in_target > t->answered || t->short_abandoned > t->abandoned ||
	    t->handled > t->answered || s.interval.offered > t->offered ||
	    s.interval.answered > t->answered || t->service_level < 0 || t->service_level > 1 ||
	    t->service_level_excl < t->service_level - 1e-12 || t->service_level_excl > 1)
		fail("queue %s statistics do not hold together: offered %llu, out %llu, waiting %zu, "
		     "agents %zu/%zu/%zu, answered %llu in target %llu, handled %llu, SL %.3f/%.3f",
		     queue_ids[q], (unsigned long long)t->offered, (unsigned long long)out, s.waiting,
		     s.agents_logged_in, s.agents_ready, s.agents_busy, (unsigned long long)t->answered,
		     (unsigned long long)t->answered_in_target, (unsigned long long)t->handled,
		     t->service_level, t->service_level_excl);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned gen = 0;
	while (!atomic_load(&stop_workers)) {
		maybe_pause(&gen);
		keep_pace();
		atomic_fetch_add(&vclock, (int64_t)pick(&w->rng, 40));
		atomic_fetch_add(&ops_total, 1);
		unsigned r = pick(&w->rng, 1000);
		if (r < 300) {
			if (live_estimate() < LIVE_MAX && atomic_load(&next_call) < ncalls)
				arrive(w);
			else
				agent_action(w);
		} else if (r < 800) {
			agent_action(w);
		} else if (r < 870) {
			caller_hangup(w);
		} else if (r < 890) {
			supervisor_action(w);
		} else if (r < 893 && w->index == 0) {
			skill_change(w);
		} else if (r < 950) {
			invalid_request(w);
		} else if (r < 990) {
			wallboard(w);
		} else {
			if (api(pcrm_acd_cdr_flush(acd, NULL)) != PCRM_OK)
				fail("cdr_flush: %s", pcrm_error_last());
		}
	}
	maybe_pause(&gen); /* main may have asked for a pause as we stopped */
	return NULL;
}

/* ---- checkpoints ---- */

/* Waits until the checker has read every event emitted so far. */
static void checker_catch_up(void)
{
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	if (api(pcrm_acd_engine_stats_get(acd, &es)) != PCRM_OK)
		fail("engine_stats_get: %s", pcrm_error_last());
	if (es.events_dropped) { /* the last seq may never reach the checker: do not wait for it */
		fail("%llu events dropped from the poll queue", (unsigned long long)es.events_dropped);
		return;
	}
	while (atomic_load_explicit(&processed_seq, memory_order_acquire) < es.events_emitted)
		sched_yield();
}

#define SAME(what, a, b)                                                                     \
	do {                                                                                 \
		if ((uint64_t)(a) != (uint64_t)(b))                                          \
			fail("%s: %s: %llu, but %llu", where, what, (unsigned long long)(a), \
			     (unsigned long long)(b));                                       \
	} while (0)

static int member(unsigned agent, int q) { return agent_level[agent][q] > 0; }

#define QUEUE_COUNTERS(X)                                                                      \
	X(offered) X(answered) X(abandoned) X(short_abandoned) X(answered_in_target) X(refused) \
	X(overflowed_out) X(moved_out) X(timed_out) X(handled) X(wait_answered_ms) X(talk_ms)   \
	X(hold_ms) X(wrap_up_ms)
#define AGENT_COUNTERS(X) X(offered) X(answered) X(missed) X(handled) X(talk_ms) X(hold_ms) X(wrap_up_ms)

/*
 * The completed intervals plus the current one must add up to the totals, counter by counter,
 * as long as no interval has fallen out of the kept history.
 */
static void check_queue_intervals(const char *where, const pcrm_acd_queue_stats *st)
{
	pcrm_acd_queue_counts sum = st->interval, c = PCRM_ACD_QUEUE_COUNTS_INIT;
	pcrm_acd_ms start;
	size_t i = 0;
	while (i < PCRM_ACD_INTERVALS_KEPT &&
	       api(pcrm_acd_queue_interval_get(acd, st->queue_id, i, &start, &c)) == PCRM_OK) {
#define ADD(f) sum.f += c.f;
		QUEUE_COUNTERS(ADD)
		i++;
	}
	if (i == PCRM_ACD_INTERVALS_KEPT)
		return;
#define SAME_TOTAL(f) SAME("a queue's intervals and its total: " #f, sum.f, st->total.f);
	QUEUE_COUNTERS(SAME_TOTAL)
}

static void check_agent_intervals(const char *where, const pcrm_acd_agent_stats *st)
{
	pcrm_acd_agent_counts sum = st->interval, c = PCRM_ACD_AGENT_COUNTS_INIT;
	pcrm_acd_ms start;
	size_t i = 0;
	while (i < PCRM_ACD_INTERVALS_KEPT &&
	       api(pcrm_acd_agent_interval_get(acd, st->agent_id, i, &start, &c)) == PCRM_OK) {
		AGENT_COUNTERS(ADD)
		for (int k = 0; k < PCRM_ACD_STATE_COUNT; k++)
			sum.state_ms[k] += c.state_ms[k];
		i++;
	}
	if (i == PCRM_ACD_INTERVALS_KEPT)
		return;
	AGENT_COUNTERS(SAME_TOTAL)
	for (int k = 0; k < PCRM_ACD_STATE_COUNT; k++)
		SAME("an agent's intervals and its total: time in a state", sum.state_ms[k],
		     st->total.state_ms[k]);
}
#undef ADD
#undef SAME_TOTAL

/* Everything must agree while nothing moves.  `final`: every call has ended. */
static void check_quiet(const char *where, int final)
{
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	pcrm_acd_queue_stats qs[NQUEUES];
	size_t live_in[NQUEUES] = { 0 }, waiting_in[NQUEUES] = { 0 };
	size_t live = 0, busy_with_answered = 0;
	pcrm_acd_agent_state state[AGENTS];
	uint64_t agent_offered = 0, agent_answered = 0, agent_missed = 0, agent_handled = 0;
	pcrm_acd_ms now;
	char id[32];

	if (api(pcrm_acd_cdr_flush(acd, NULL)) != PCRM_OK)
		fail("%s: cdr_flush: %s", where, pcrm_error_last());
	checker_catch_up();
	now = pcrm_acd_now(acd);

	/* the calls: every one that arrived and has not ended, seen by the API */
	for (size_t n = 0; n <= ncalls; n++) {
		if (!atomic_load(&arrived[n]))
			continue;
		struct call_model *m = &cm[n];
		if ((uint64_t)atomic_load(&cb_ended[n]) != m->ended)
			fail("%s: call c%zu ended %u times by the callback, %u by the stream", where, n,
			     atomic_load(&cb_ended[n]), m->ended);
		if (atomic_load(&answer_ok[n]) != m->answered || atomic_load(&cb_answered[n]) != m->answered)
			fail("%s: call c%zu answered %u times by the API, %u by the callback, %u by the "
			     "stream", where, n, atomic_load(&answer_ok[n]), atomic_load(&cb_answered[n]),
			     m->answered);
		uint8_t cdr = atomic_load(&cdr_seen[n]);
		if (cdr && (!m->ended || (atomic_load(&cdr_outcome[n]) == PCRM_ACD_OUTCOME_ANSWERED) !=
		                                  (m->answered != 0)))
			fail("%s: call c%zu has a CDR (%s) but ended %u, answered %u", where, n,
			     pcrm_acd_outcome_name(atomic_load(&cdr_outcome[n])), m->ended, m->answered);
		if (m->ended && !m->answered && !cdr)
			fail("%s: call c%zu ended unanswered without a CDR", where, n);
		if (m->ended) {
			if (m->noff)
				fail("%s: call c%zu ended but rings at %u agents", where, n, m->noff);
			if (final && !cdr)
				fail("%s: call c%zu has no CDR", where, n);
			continue;
		}
		if (final)
			fail("%s: call c%zu never ended", where, n);
		pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
		call_id(id, sizeof(id), n);
		if (api(pcrm_acd_call_get(acd, id, &ci)) != PCRM_OK) {
			fail("%s: live call %s: %s", where, id, pcrm_error_last());
			continue;
		}
		live++;
		int q = queue_index(ci.queue_id);
		if (q != m->queue)
			fail("%s: call %s is in %s, the stream says %s", where, id, ci.queue_id,
			     m->queue >= 0 ? queue_ids[m->queue] : "none");
		int answered = ci.state == PCRM_ACD_CALL_TALKING || ci.state == PCRM_ACD_CALL_HELD;
		if (answered != (m->answered != 0) || (ci.state == PCRM_ACD_CALL_OFFERED) != (m->noff != 0))
			fail("%s: call %s is %s, the stream says answered %u, ringing at %u", where, id,
			     pcrm_acd_call_state_name(ci.state), m->answered, m->noff);
		if (!answered && q >= 0)
			live_in[q]++;
		if (ci.state == PCRM_ACD_CALL_WAITING && q >= 0)
			waiting_in[q]++;
	}

	/* the agents */
	for (unsigned a = 0; a < AGENTS; a++) {
		pcrm_acd_agent_info ai = PCRM_ACD_AGENT_INFO_INIT;
		pcrm_acd_agent_stats st = PCRM_ACD_AGENT_STATS_INIT;
		agent_id(id, sizeof(id), a);
		if (api(pcrm_acd_agent_get(acd, id, &ai)) != PCRM_OK ||
		    api(pcrm_acd_agent_stats_get(acd, id, &st)) != PCRM_OK) {
			fail("%s: agent %s: %s", where, id, pcrm_error_last());
			continue;
		}
		state[a] = ai.state;
		long c = ai.call_id[0] ? call_index(ai.call_id) : -1;
		if (ai.state != am[a].state || c != am[a].call)
			fail("%s: agent %s is %s with call \"%s\", the stream says %s with c%ld", where,
			     id, pcrm_acd_agent_state_name(ai.state), ai.call_id,
			     pcrm_acd_agent_state_name(am[a].state), am[a].call);
		if (ai.state == PCRM_ACD_TALKING || ai.state == PCRM_ACD_HELD ||
		    ai.state == PCRM_ACD_WRAP_UP)
			busy_with_answered++;
		int64_t in_states = 0;
		for (int s = 0; s < PCRM_ACD_STATE_COUNT; s++)
			in_states += st.total.state_ms[s];
		SAME("an agent's time in its states since the start", in_states, now - T0);
		check_agent_intervals(where, &st);
		agent_offered += st.total.offered;
		agent_answered += st.total.answered;
		agent_missed += st.total.missed;
		agent_handled += st.total.handled;
	}

	/* the queues */
	pcrm_acd_queue_counts sum = { 0 };
	for (int q = 0; q < NQUEUES; q++) {
		qs[q] = (pcrm_acd_queue_stats)PCRM_ACD_QUEUE_STATS_INIT;
		if (api(pcrm_acd_queue_stats_get(acd, queue_ids[q], &qs[q])) != PCRM_OK) {
			fail("%s: queue %s: %s", where, queue_ids[q], pcrm_error_last());
			return;
		}
		const pcrm_acd_queue_counts *t = &qs[q].total;
		uint64_t out = t->answered + t->abandoned + t->refused + t->overflowed_out +
		               t->moved_out + t->timed_out;
		SAME("a queue's offered calls minus those that left it, and its live unanswered calls",
		     t->offered - out, live_in[q]);
		SAME("a queue's waiting calls", qs[q].waiting, waiting_in[q]);
		check_queue_intervals(where, &qs[q]);
		size_t in = 0, ready = 0, busy = 0;
		for (unsigned a = 0; a < AGENTS; a++) {
			if (!member(a, q))
				continue;
			in += state[a] != PCRM_ACD_LOGGED_OUT;
			ready += state[a] == PCRM_ACD_READY;
			busy += holds_call(state[a]);
		}
		SAME("a queue's members logged in", qs[q].agents_logged_in, in);
		SAME("a queue's members ready", qs[q].agents_ready, ready);
		SAME("a queue's members busy", qs[q].agents_busy, busy);
		sum.answered += t->answered;
		sum.abandoned += t->abandoned;
		sum.refused += t->refused;
		sum.timed_out += t->timed_out;
		sum.overflowed_out += t->overflowed_out;
		sum.moved_out += t->moved_out;
		sum.handled += t->handled;
	}
	SAME("answered calls in the queues, and call_answered events", sum.answered, ev_count.answered);
	SAME("answered calls of the agents, and call_answered events", agent_answered,
	     ev_count.answered);
	SAME("abandoned calls in the queues, and call_abandoned events", sum.abandoned,
	     ev_count.abandoned);
	SAME("refused calls in the queues, and call_refused events", sum.refused, ev_count.refused);
	SAME("timed-out calls in the queues, and call_timed_out events", sum.timed_out,
	     ev_count.timed_out);
	SAME("overflows out of the queues, and call_overflowed events", sum.overflowed_out,
	     ev_count.overflowed);
	SAME("moves out of the queues, and call_moved events", sum.moved_out, ev_count.moved);
	SAME("handled calls of the queues and of the agents", sum.handled, agent_handled);
	SAME("answered calls not yet handled, and agents talking, holding or in wrap-up",
	     sum.answered - sum.handled, busy_with_answered);
	SAME("offers to the agents, and call_offered events", agent_offered, ev_count.offered);
	SAME("misses of the agents, and offer_missed events", agent_missed, ev_count.missed);

	/* the engine */
	if (api(pcrm_acd_engine_stats_get(acd, &es)) != PCRM_OK)
		fail("%s: engine_stats_get: %s", where, pcrm_error_last());
	SAME("calls arrived", es.calls_arrived, atomic_load(&arrived_total));
	SAME("calls live", es.calls_live, live);
	SAME("calls live, and arrived minus ended", es.calls_live,
	     atomic_load(&arrived_total) - atomic_load(&cb_ended_total));
	size_t waiting = 0;
	for (int q = 0; q < NQUEUES; q++)
		waiting += waiting_in[q];
	SAME("calls waiting", es.calls_waiting, waiting);
	SAME("routing decisions, and call_offered events", es.routing_decisions, ev_count.offered);
	SAME("refused requests with ENOTFOUND", es.invalid_unknown_id, atomic_load(&rc_notfound));
	SAME("refused requests with ESTATE", es.invalid_transition, atomic_load(&rc_state));
	SAME("refused requests with EINVAL, EDUPLICATE or EPERM", es.invalid_input,
	     atomic_load(&rc_input));
	SAME("refused requests", es.invalid_requests,
	     atomic_load(&rc_notfound) + atomic_load(&rc_state) + atomic_load(&rc_input) +
	             atomic_load(&rc_other));
	SAME("events dropped", es.events_dropped, 0);
	SAME("CDRs dropped", es.cdrs_dropped, 0);
	SAME("CDRs pending after a flush", es.cdrs_pending, 0);
	SAME("CDRs emitted, and CDRs the sink received", es.cdrs_emitted, atomic_load(&cdr_total));
	SAME("CDRs flushed, and CDRs the sink received", es.cdrs_flushed, atomic_load(&cdr_total));
	SAME("calls ended unanswered plus answered calls handled, and CDRs",
	     ev_count.abandoned + ev_count.refused + ev_count.timed_out + sum.handled,
	     atomic_load(&cdr_total));
	if (atomic_load(&rc_other))
		fail("%s: %llu requests failed with an unexpected status", where,
		     (unsigned long long)atomic_load(&rc_other));
}

/* ---- setup and the end ---- */

static void setup(uint64_t *rng)
{
	pcrm_acd_options opt = PCRM_ACD_OPTIONS_INIT;
	opt.ring_timeout_s = 8;
	opt.max_misses = 2;
	opt.seed = seed;
	opt.event_queue_capacity = EVENT_CAPACITY;
	opt.cdr_batch_size = 256;
	atomic_store(&vclock, T0);
	if (pcrm_acd_new(&acd, &opt) != PCRM_OK || pcrm_acd_set_clock(acd, clock_fn, NULL) != PCRM_OK ||
	    pcrm_acd_set_event_callback(acd, on_event, NULL) != PCRM_OK ||
	    pcrm_acd_set_cdr_sink(acd, on_cdrs, NULL) != PCRM_OK) {
		fprintf(stderr, "stress_acd: engine: %s\n", pcrm_error_last());
		exit(1);
	}
	if (pcrm_acd_reason_add(acd, reasons[2]) != PCRM_OK) {
		fprintf(stderr, "stress_acd: reason %s: %s\n", reasons[2], pcrm_error_last());
		exit(1);
	}

	const pcrm_acd_rule q1_rules[] = { { 20, PCRM_ACD_RULE_LOWER_MIN_LEVEL, 1, NULL } };
	const pcrm_acd_rule q2_rules[] = { { 10, PCRM_ACD_RULE_ADD_QUEUE, 1, "q0" },
		                           { 30, PCRM_ACD_RULE_RAISE_PRIORITY, 2, NULL } };
	/* added in an order where every overflow and rule target exists first */
	static const int order[NQUEUES] = { Q0, Q1, Q2, Q4, Q3, Q5, Q6, Q7, Q8, Q9, QPIN };
	for (int i = 0; i < NQUEUES; i++) {
		int q = order[i];
		pcrm_acd_queue_config c = PCRM_ACD_QUEUE_CONFIG_INIT;
		c.id = queue_ids[q];
		c.strategy = queue_strategy[q];
		c.wrap_up_s = q % 3 == 0 ? 0 : 2 + q;
		switch (q) {
		case Q1: c.rules = q1_rules; c.rule_count = 1; break;
		case Q2: c.rules = q2_rules; c.rule_count = 2; break;
		case Q3: c.max_waiting = 20; c.overflow_queue_id = "q4"; break;
		case Q4: c.max_wait_s = 60; c.overflow_queue_id = "q0"; break;
		case Q5: c.max_wait_s = 90; break;
		case Q7: c.no_agent = PCRM_ACD_NO_AGENT_REFUSE; c.max_waiting = 10; break;
		case Q8: c.no_agent = PCRM_ACD_NO_AGENT_OVERFLOW; c.overflow_queue_id = "q1"; break;
		case Q9: c.max_wait_s = 40; break;
		default: break;
		}
		if (pcrm_acd_queue_add(acd, &c) != PCRM_OK) {
			fprintf(stderr, "stress_acd: queue %s: %s\n", c.id, pcrm_error_last());
			exit(1);
		}
	}
	/* agents: 2-4 of q0..q9 (q7 and q8 only for a few, so they run out of agents) */
	for (unsigned a = 0; a < AGENTS; a++) {
		pcrm_acd_skill skills[NQUEUES + 1];
		size_t n = 0;
		char id[32];
		if (a < 3)
			agent_level[a][Q7] = 1 + (int)pick(rng, 10);
		if (a >= 3 && a < 6)
			agent_level[a][Q8] = 1 + (int)pick(rng, 10);
		for (unsigned k = 2 + pick(rng, 3); k > 0; k--) {
			int q = (int)pick(rng, Q7);
			q = q == Q7 ? Q9 : q;
			agent_level[a][q] = 1 + (int)pick(rng, 10);
		}
		for (int q = 0; q < NQUEUES; q++)
			if (agent_level[a][q])
				skills[n++] = (pcrm_acd_skill){ queue_ids[q], agent_level[a][q] };
		if (pick(rng, 10) < 3)
			skills[n++] = (pcrm_acd_skill){ "lang_en", 1 + (int)pick(rng, 5) };
		agent_id(id, sizeof(id), a);
		if (pcrm_acd_agent_add(acd, id, NULL, skills, n) != PCRM_OK) {
			fprintf(stderr, "stress_acd: agent %s: %s\n", id, pcrm_error_last());
			exit(1);
		}
		am[a].state = PCRM_ACD_LOGGED_OUT;
		am[a].call = -1;
	}
	for (size_t n = 0; n <= ncalls; n++)
		cm[n].queue = -1;
}

/* Hangs up what is left and ends every wrap-up, so every call ends and leaves its CDR. */
static void wind_down(void)
{
	char id[32];
	atomic_fetch_add(&vclock, 1000);
	for (size_t n = 0; n <= ncalls; n++) {
		if (!atomic_load(&arrived[n]) || atomic_load(&cb_ended[n]))
			continue;
		call_id(id, sizeof(id), n);
		api(pcrm_acd_call_hangup(acd, id)); /* ENOTFOUND if a timer ended it just now */
	}
	for (unsigned a = 0; a < AGENTS; a++) {
		agent_id(id, sizeof(id), a);
		api(pcrm_acd_agent_force_logout(acd, &supervisor, id));
	}
}

static size_t arg_size(int argc, char **argv, int i, const char *env, size_t dflt)
{
	const char *text = argc > i ? argv[i] : getenv(env);
	return text && *text ? (size_t)strtoull(text, NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
	struct worker workers[THREADS];
	pthread_t checker;
	uint64_t rng;
	struct timespec t0, t1;

	ncalls = arg_size(argc, argv, 1, "PCRM_ACD_STRESS_CALLS", 1000000);
	seed = arg_size(argc, argv, 2, "PCRM_ACD_STRESS_SEED", (uint64_t)time(NULL));
	if (ncalls == 0 || seed == 0) {
		fprintf(stderr, "usage: stress_acd [CALLS [SEED]] (both above 0)\n");
		return 2;
	}
	printf("stress_acd: %zu calls, %d threads, seed %llu\n", ncalls, THREADS,
	       (unsigned long long)seed);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	arrived = calloc(ncalls + 1, 1);
	answer_ok = calloc(ncalls + 1, 1);
	cb_answered = calloc(ncalls + 1, 1);
	cb_ended = calloc(ncalls + 1, 1);
	cb_end_type = calloc(ncalls + 1, 1);
	cdr_seen = calloc(ncalls + 1, 1);
	cdr_outcome = calloc(ncalls + 1, 1);
	cm = calloc(ncalls + 1, sizeof(*cm));
	if (!arrived || !answer_ok || !cb_answered || !cb_ended || !cb_end_type || !cdr_seen ||
	    !cdr_outcome || !cm) {
		fprintf(stderr, "stress_acd: out of memory\n");
		return 1;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	setup(&rng);
	pthread_barrier_init(&pause_barrier, NULL, THREADS + 1);
	pthread_create(&checker, NULL, checker_main, NULL);

	/* the pinned call: waits in qpin (no members) for the whole run */
	{
		char id[32];
		pcrm_acd_call_spec spec = PCRM_ACD_CALL_SPEC_INIT;
		call_id(id, sizeof(id), ncalls);
		spec.call_id = id;
		spec.queue_id = "qpin";
		atomic_store(&arrived[ncalls], 1);
		if (api(pcrm_acd_call_arrive(acd, &spec, NULL)) != PCRM_OK)
			fail("the pinned call: %s", pcrm_error_last());
		atomic_fetch_add(&arrived_total, 1);
	}

	for (int i = 0; i < THREADS; i++) {
		workers[i].index = i;
		workers[i].rng = (seed + (uint64_t)i + 1) * 0xbf58476d1ce4e5b9ULL | 1;
		workers[i].nrecent = 0;
		pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
	}

	/* checkpoints as the calls go by, then the end */
	for (int k = 1; k <= CHECKPOINTS && atomic_load(&failures) == 0; k++) {
		size_t at = ncalls / CHECKPOINTS * (size_t)k;
		while (atomic_load(&next_call) < at)
			nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		/* pause first: a worker that sees the stop still sees this pause on its way out */
		atomic_fetch_add(&pause_gen, 1);
		if (k == CHECKPOINTS)
			atomic_store(&stop_workers, 1);
		pthread_barrier_wait(&pause_barrier);
		char where[48];
		snprintf(where, sizeof(where), "checkpoint %d", k);
		check_quiet(where, 0);
		pthread_barrier_wait(&pause_barrier);
	}
	atomic_store(&stop_workers, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(workers[i].thread, NULL);

	wind_down();
	check_quiet("end", 1);
	atomic_store(&stop_checker, 1);
	pthread_join(checker, NULL);

	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	pcrm_acd_engine_stats_get(acd, &es);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("stress_acd: %llu calls arrived, %llu answered, %llu abandoned, %llu refused, "
	       "%llu timed out; %llu offers, %llu misses, %llu overflows, %llu moves; "
	       "%llu requests, %llu refused (%llu unknown id, %llu state, %llu input); "
	       "%llu events; %.1f s of virtual time; %.1f s\n",
	       (unsigned long long)es.calls_arrived, (unsigned long long)ev_count.answered,
	       (unsigned long long)ev_count.abandoned, (unsigned long long)ev_count.refused,
	       (unsigned long long)ev_count.timed_out, (unsigned long long)ev_count.offered,
	       (unsigned long long)ev_count.missed, (unsigned long long)ev_count.overflowed,
	       (unsigned long long)ev_count.moved, (unsigned long long)atomic_load(&ops_total),
	       (unsigned long long)es.invalid_requests, (unsigned long long)es.invalid_unknown_id,
	       (unsigned long long)es.invalid_transition, (unsigned long long)es.invalid_input,
	       (unsigned long long)ev_count.events, (double)(atomic_load(&vclock) - T0) / 1000.0,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	pcrm_acd_free(acd);
	pthread_barrier_destroy(&pause_barrier);
	free((void *)arrived);
	free((void *)answer_ok);
	free((void *)cb_answered);
	free((void *)cb_ended);
	free((void *)cb_end_type);
	free((void *)cdr_seen);
	free((void *)cdr_outcome);
	free(cm);
	if (atomic_load(&failures)) {
		fprintf(stderr, "stress_acd: %d invariant violations (seed %llu)\n",
		        atomic_load(&failures), (unsigned long long)seed);
		return 1;
	}
	printf("stress_acd: every invariant held (seed %llu)\n", (unsigned long long)seed);
	return 0;
}
