/*
 * Shared helpers of the telephony tests: an ACD on a virtual clock, a
 * switch table that records every request as a line of text and answers
 * with a result the test chooses per request, and short event builders.
 */
#ifndef PCRM_TEST_TEL_FIXTURE_H
#define PCRM_TEST_TEL_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>

#define T0 ((pcrm_acd_ms)1796601600000LL)

#define OK(expr) \
	do { int rc_ = (expr); cr_assert_eq(rc_, PCRM_OK, "%s: %d (%s)", #expr, rc_, pcrm_error_last()); } while (0)

#define FAILS(expr, status, needle)                                                             \
	do {                                                                                    \
		int rc_ = (expr);                                                               \
		cr_assert_eq(rc_, (status), "%s: %d, want %d (%s)", #expr, rc_, (status),       \
		             pcrm_error_last());                                                \
		cr_assert(strstr(pcrm_error_last(), (needle)) != NULL,                          \
		          "message \"%s\" lacks \"%s\"", pcrm_error_last(), (needle));          \
	} while (0)

/* ---- the recording switch ---- */

#define LOG_MAX 64

struct rec_switch {
	char log[LOG_MAX][160];
	int count;
	/* the result of the next request of each kind ("route", "hold", ...); default done */
	char fail_kind[32];
	int fail_result;
	int fail_times;   /* how many requests of that kind fail; then done again */
	pcrm_tel *tel;    /* for switches that answer snapshots */
	void (*on_snapshot)(struct rec_switch *sw);
};

static inline int rec_result(struct rec_switch *sw, const char *kind)
{
	if (sw->fail_times > 0 && strcmp(sw->fail_kind, kind) == 0) {
		sw->fail_times--;
		return sw->fail_result;
	}
	return PCRM_TEL_DONE;
}

static inline void rec_log(struct rec_switch *sw, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (sw->count < LOG_MAX)
		vsnprintf(sw->log[sw->count++], sizeof(sw->log[0]), fmt, ap);
	va_end(ap);
}

#define S(x) ((x) ? (x) : "-")

static inline int r_route(void *u, const char *c, const char *d, const char *a)
{ rec_log(u, "route %s %s %s", c, d, a); return rec_result(u, "route"); }
static inline int r_answer(void *u, const char *c, const char *d)
{ rec_log(u, "answer %s %s", c, d); return rec_result(u, "answer"); }
static inline int r_hangup(void *u, const char *c, const char *d)
{ rec_log(u, "hangup %s %s", c, S(d)); return rec_result(u, "hangup"); }
static inline int r_hold(void *u, const char *c, const char *d)
{ rec_log(u, "hold %s %s", c, d); return rec_result(u, "hold"); }
static inline int r_retrieve(void *u, const char *c, const char *d)
{ rec_log(u, "retrieve %s %s", c, d); return rec_result(u, "retrieve"); }
static inline int r_transfer(void *u, const char *c, const char *d, const char *to)
{ rec_log(u, "transfer %s %s %s", c, d, to); return rec_result(u, "transfer"); }
static inline int r_consult(void *u, const char *c, const char *d, const char *to)
{ rec_log(u, "consult %s %s %s", c, d, to); return rec_result(u, "consult"); }
static inline int r_ctransfer(void *u, const char *h, const char *c, const char *d)
{ rec_log(u, "consult_transfer %s %s %s", h, c, d); return rec_result(u, "consult_transfer"); }
static inline int r_conference(void *u, const char *h, const char *c, const char *d)
{ rec_log(u, "conference %s %s %s", h, c, d); return rec_result(u, "conference"); }
static inline int r_ccancel(void *u, const char *h, const char *c, const char *d)
{ rec_log(u, "consult_cancel %s %s %s", h, c, d); return rec_result(u, "consult_cancel"); }
static inline int r_deflect(void *u, const char *c, const char *d, const char *to)
{ rec_log(u, "deflect %s %s %s", c, d, to); return rec_result(u, "deflect"); }
static inline int r_supervise(void *u, const char *c, const char *d, const char *sup,
                              const char *sd, pcrm_acd_supervise_mode m)
{ rec_log(u, "supervise %s %s %s %s %s", c, d, sup, S(sd), pcrm_acd_supervise_mode_name(m));
  return rec_result(u, "supervise"); }
static inline int r_rec_start(void *u, const char *c, const char *d)
{ rec_log(u, "record_start %s %s", c, d); return rec_result(u, "record_start"); }
static inline int r_rec_stop(void *u, const char *c, const char *d)
{ rec_log(u, "record_stop %s %s", c, d); return rec_result(u, "record_stop"); }
static inline int r_make_call(void *u, const char *c, const char *d, const char *to)
{ rec_log(u, "make_call %s %s %s", c, d, to); return rec_result(u, "make_call"); }
static inline int r_dtmf(void *u, const char *c, const char *d, const char *digits)
{ rec_log(u, "send_dtmf %s %s %s", c, d, digits); return rec_result(u, "send_dtmf"); }
static inline int r_agent_state(void *u, const char *d, const char *a, pcrm_tel_agent_state s,
                                const char *reason)
{ rec_log(u, "set_agent_state %s %s %s %s", d, a, pcrm_tel_agent_state_name(s), S(reason));
  return rec_result(u, "set_agent_state"); }
static inline int r_snapshot(void *u)
{
	struct rec_switch *sw = u;
	rec_log(u, "snapshot");
	int r = rec_result(u, "snapshot");
	if (r == PCRM_TEL_DONE && sw->on_snapshot)
		sw->on_snapshot(sw);
	return r;
}

static inline pcrm_tel_switch rec_table(struct rec_switch *sw)
{
	pcrm_tel_switch t = PCRM_TEL_SWITCH_INIT;
	t.userdata = sw;
	t.route = r_route; t.answer = r_answer; t.hangup = r_hangup; t.hold = r_hold;
	t.retrieve = r_retrieve; t.transfer = r_transfer; t.consult = r_consult;
	t.consult_transfer = r_ctransfer; t.conference = r_conference;
	t.consult_cancel = r_ccancel; t.deflect = r_deflect; t.supervise = r_supervise;
	t.record_start = r_rec_start; t.record_stop = r_rec_stop; t.make_call = r_make_call;
	t.send_dtmf = r_dtmf; t.set_agent_state = r_agent_state; t.snapshot = r_snapshot;
	return t;
}

/* The last request, "" when none. */
static inline const char *last_req(const struct rec_switch *sw)
{
	return sw->count ? sw->log[sw->count - 1] : "";
}

static inline int has_req(const struct rec_switch *sw, const char *line)
{
	for (int i = 0; i < sw->count; i++)
		if (strcmp(sw->log[i], line) == 0)
			return 1;
	return 0;
}

/* ---- the ACD and the adapter ---- */

struct vclock {
	pcrm_acd_ms now;
};

static inline pcrm_acd_ms vclock_read(void *ud)
{
	return ((struct vclock *)ud)->now;
}

/*
 * Queues billing, repair, general; agents a1 (billing, general), a2
 * (billing 3, general), a3 (repair, minnan); the supervisor "sup" is an
 * agent too so it can log on at a device.
 */
#define TEL_ACD_JSON \
	"{\"version\":1,\"ring_timeout_s\":15,\"max_misses\":2," \
	"\"org_units\":[{\"code\":\"37\"},{\"code\":\"3701\",\"parent\":\"37\"}]," \
	"\"queues\":[{\"id\":\"billing\",\"wrap_up_s\":30,\"org_unit\":\"3701\"}," \
	"{\"id\":\"repair\",\"wrap_up_s\":30},{\"id\":\"general\",\"wrap_up_s\":0}]," \
	"\"agents\":[{\"id\":\"a1\",\"org_unit\":\"3701\",\"skills\":{\"billing\":8,\"general\":5}}," \
	"{\"id\":\"a2\",\"org_unit\":\"3701\",\"skills\":{\"billing\":3,\"general\":5}}," \
	"{\"id\":\"a3\",\"org_unit\":\"3701\",\"skills\":{\"repair\":5,\"minnan\":6}}," \
	"{\"id\":\"sup\",\"org_unit\":\"3701\",\"skills\":{\"general\":1}}]}"

#define TEL_IVR_JSON \
	"{\"rules\":[" \
	"{\"dialled\":\"95598\",\"service\":\"billing\",\"queue\":\"billing\"}," \
	"{\"dialled\":\"95598\",\"digits_prefix\":\"2\",\"queue\":\"repair\",\"min_level\":3," \
	"\"skills\":[{\"skill\":\"minnan\",\"level\":5}],\"priority\":1}]," \
	"\"default_queue\":\"general\"}"

struct tel_fix {
	struct vclock clock;
	pcrm_acd *acd;
	pcrm_tel *tel;
	struct rec_switch sw;
};

static inline void fix_open_with(struct tel_fix *f, const pcrm_tel_options *opts)
{
	memset(f, 0, sizeof(*f));
	f->clock.now = T0;
	int rc = pcrm_acd_new_from_json(&f->acd, TEL_ACD_JSON, vclock_read, &f->clock);
	cr_assert_eq(rc, PCRM_OK, "acd: %s", pcrm_error_last());
	pcrm_tel_switch t = rec_table(&f->sw);
	OK(pcrm_tel_new(&f->tel, f->acd, &t, opts));
	f->sw.tel = f->tel;
	OK(pcrm_tel_set_ivr_rules(f->tel, TEL_IVR_JSON));
}

static inline void fix_open(struct tel_fix *f)
{
	fix_open_with(f, NULL);
}

static inline void fix_close(struct tel_fix *f)
{
	pcrm_tel_free(f->tel);
	pcrm_acd_free(f->acd);
}

/* ---- events ---- */

static inline int feed(struct tel_fix *f, pcrm_tel_event_type type, const char *call,
                       const char *device, pcrm_tel_reject *kind)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = type;
	ev.call_id = call;
	ev.device_id = device;
	ev.at = f->clock.now;
	return pcrm_tel_event_feed(f->tel, &ev, kind);
}

#define FEED(f, type, call, dev) OK(feed((f), (type), (call), (dev), NULL))

static inline void agent_on(struct tel_fix *f, const char *agent, const char *device, int ready)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_AGENT_LOGGED_ON;
	ev.agent_id = agent;
	ev.device_id = device;
	ev.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &ev, NULL));
	if (ready)
		FEED(f, PCRM_TEL_EV_AGENT_READY, NULL, device);
}

/* offered at the routing point "rp" from `caller` to 95598, then queued (with `service`). */
static inline void incoming(struct tel_fix *f, const char *call, const char *caller,
                            const char *service, const char *digits)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = call;
	ev.device_id = "rp";
	ev.caller_number = caller;
	ev.dialled_number = "95598";
	ev.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &ev, NULL));
	pcrm_tel_event q = PCRM_TEL_EVENT_INIT;
	q.type = PCRM_TEL_EV_QUEUED;
	q.call_id = call;
	q.device_id = "rp";
	q.service = service;
	q.digits = digits;
	q.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &q, NULL));
}

static inline pcrm_acd_agent_state acd_state(struct tel_fix *f, const char *agent)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(f->acd, agent, &info));
	return info.state;
}

static inline pcrm_tel_call_state tel_state(struct tel_fix *f, const char *call)
{
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f->tel, call, &info));
	return info.state;
}

static inline uint64_t rejected(struct tel_fix *f, pcrm_tel_reject kind)
{
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f->tel, &st));
	return st.rejected[kind];
}

#endif
