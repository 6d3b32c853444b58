/*
 * The hotline (95598): the day's calls per half hour forecast from a daily
 * curve, the agents Erlang C requires (staffing.h), a shift plan that
 * covers them, the day played through the simulated switch and the real
 * ACD with that plan (sim.h), and then what the agents did with each
 * answered call, in the store, at the minute it was answered:
 *
 *   bill inquiries      the bill detail query, recorded as a contact
 *   payment questions   the ledger summary, recorded as a contact
 *   fault reports       a repair work order, dispatched, on site, restored
 *   outage callers      the first caller's repair order is the outage's
 *                       master; every further caller's order is attached
 *                       to it and closes with it (docs/demo.md, "The outage")
 *   complaints          a ticket (complaints.c)
 *   new connections     an application that moves through its first steps
 *
 * The calls are drawn here (Poisson per half hour from the seed, plus the
 * burst of the outage that the forecast did not know) and replayed through
 * the simulator as a call log, so each call's purpose and customer are
 * known when its CDR comes back.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

#define AHT_TALK_S 200.0
#define WRAP_UP_S 30
#define TARGET_S 20.0
#define QUEUE "hotline"

struct call {
	double at_s;            /* arrival, seconds after midnight */
	double talk_s;
	int reason;
	int64_t customer;
	pcrm_time answered;     /* 0: not answered */
	int talk;               /* seconds talked */
	char agent[PCRM_ACD_ID_MAX + 1];
};

struct calls {
	struct call *list;
	size_t count;
	size_t *order;          /* answered calls by answer time */
	size_t answered, next;
};

/* ---- the forecast and the plan ---- */

/* Share of a day's calls per half hour at a provincial hotline: quiet at night,
 * the morning peak at 09:00-11:00 and a second one at 14:00-16:00. */
static const double day_shape[HALF_HOURS] = {
	0.4, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7,
	0.9, 1.2, 1.8, 2.6, 3.4, 3.9, 4.2, 4.3, 4.1, 3.9, 3.5, 3.0,
	2.6, 2.5, 2.9, 3.4, 3.7, 3.8, 3.6, 3.2, 2.9, 2.6, 2.3, 2.0,
	1.9, 1.8, 1.7, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45,
};

static int64_t calls_per_day(const struct demo *d)
{
	int64_t n = d->n_customers / 50; /* about 2 % of the customers call on a Monday */
	return n < 400 ? 400 : n;
}

static void forecast_and_staff(struct demo *d, pcrm_shift *shifts, size_t *shift_count, int *counts)
{
	pcrm_forecast_interval fc[HALF_HOURS];
	pcrm_staffing_result need[HALF_HOURS] = { PCRM_STAFFING_RESULT_INIT };
	pcrm_staffing_target target = PCRM_STAFFING_TARGET_INIT;
	double shape = 0.0;
	for (int i = 0; i < HALF_HOURS; i++)
		shape += day_shape[i];
	for (int i = 0; i < HALF_HOURS; i++) {
		fc[i].calls = (double)calls_per_day(d) * day_shape[i] / shape;
		fc[i].aht_s = AHT_TALK_S + WRAP_UP_S;
		d->st.forecast[i] = fc[i].calls;
	}
	target.service_level = 0.80;
	target.target_s = TARGET_S;
	target.max_occupancy = 0.85;
	CHECK(pcrm_decimal_parse("0", &target.shrinkage)); /* the plan counts agents on the phones */
	CHECK(pcrm_staffing_curve(fc, HALF_HOURS, 1800.0, 0.0, &target, need));
	for (int i = 0; i < HALF_HOURS; i++)
		d->st.required[i] = need[i].agents < 1 ? 1 : need[i].agents; /* the line is never unmanned */

	/* Eight-hour shifts on every hour (a night premium from 20:00 to 04:00) and
	 * four-hour part-time shifts for the two peaks. */
	size_t n = 0;
	for (size_t h = 0; h < 24; h++) {
		pcrm_shift s = { 2 * h, 16, NULL, (h >= 20 || h < 4) ? 20 : 16, 0 };
		shifts[n++] = s;
	}
	static const size_t part_time[] = { 8, 9, 10, 13, 14, 15 };
	for (size_t k = 0; k < sizeof(part_time) / sizeof(part_time[0]); k++) {
		pcrm_shift s = { 2 * part_time[k], 8, NULL, 9, 0 };
		shifts[n++] = s;
	}
	*shift_count = n;
	pcrm_shift_problem problem = PCRM_SHIFT_PROBLEM_INIT;
	pcrm_shift_plan plan = PCRM_SHIFT_PLAN_INIT;
	problem.intervals = HALF_HOURS;
	problem.required = d->st.required;
	problem.cyclic = 1;
	problem.shifts = shifts;
	problem.shift_count = n;
	CHECK(pcrm_staffing_shift_plan(&problem, counts, d->st.staffed, &plan));
	d->st.agents = (int)plan.agents;
	d->st.shifts_used = 0;
	for (size_t k = 0; k < n; k++)
		d->st.shifts_used += counts[k] > 0;
	for (int i = 0; i < HALF_HOURS; i++) {
		pcrm_queue q = { fc[i].calls, 1800.0, fc[i].aht_s, 0.0 };
		pcrm_queue_metrics m = PCRM_QUEUE_METRICS_INIT;
		CHECK(pcrm_erlang_c_metrics(&q, d->st.staffed[i], TARGET_S, &m));
		d->st.predicted_sl[i] = m.service_level;
	}
}

/* ---- the day's calls ---- */

static double exp_draw(uint64_t *r, double mean)
{
	return -mean * log(1.0 - rng_unit(r));
}

static int draw_reason(uint64_t *r)
{
	uint64_t u = rng_below(r, 100);
	if (u < 48)
		return REASON_BILL;
	if (u < 70)
		return REASON_PAYMENT;
	if (u < 88)
		return REASON_FAULT;
	if (u < 96)
		return REASON_COMPLAINT;
	return REASON_CONNECTION;
}

static int by_arrival(const void *a, const void *b)
{
	const struct call *x = a, *y = b;
	return x->at_s < y->at_s ? -1 : x->at_s > y->at_s;
}

/* The customers of the outage's transformer area, and the area itself (the largest urban one). */
static int pick_outage_area(struct demo *d)
{
	int *size = xcalloc((size_t)d->ta_count, sizeof(int)), best = 0;
	for (int64_t i = 0; i < d->n_customers; i++)
		if (county_is_urban(d, i))
			size[d->cust[i].ta]++;
	for (int t = 1; t < d->ta_count; t++)
		if (size[t] > size[best])
			best = t;
	free(size);
	return best;
}

static void draw_calls(struct demo *d)
{
	uint64_t r = rng_for(d->seed, 5);
	struct calls *c = xcalloc(1, sizeof(*c));
	size_t cap = (size_t)calls_per_day(d) * 2 + 1000;
	c->list = xcalloc(cap, sizeof(*c->list));
	for (int i = 0; i < HALF_HOURS; i++) {
		/* Poisson arrivals at the forecast rate (the day is 3 % busier than planned) */
		double rate = d->st.forecast[i] * 1.03 / 1800.0, t = exp_draw(&r, 1.0 / rate);
		for (; t < 1800.0 && c->count < cap; t += exp_draw(&r, 1.0 / rate)) {
			struct call *k = &c->list[c->count++];
			k->at_s = i * 1800.0 + t;
			k->talk_s = exp_draw(&r, AHT_TALK_S);
			k->reason = draw_reason(&r);
			k->customer = (int64_t)rng_below(&r, (uint64_t)d->n_customers);
		}
	}
	/* 10:10: transformer area X loses supply; a third of its customers call within the hour */
	int ta = pick_outage_area(d);
	ta_code(d, ta, d->st.outage_ta, sizeof(d->st.outage_ta));
	for (int64_t i = 0; i < d->n_customers && c->count < cap; i++) {
		if (d->cust[i].ta != ta || rng_below(&r, 3) != 0)
			continue;
		struct call *k = &c->list[c->count++];
		k->at_s = 10 * 3600.0 + 600.0 + 60.0 + exp_draw(&r, 900.0);
		if (k->at_s > 12 * 3600.0)
			k->at_s = 12 * 3600.0 - rng_unit(&r) * 600.0;
		k->talk_s = 60.0 + exp_draw(&r, 60.0); /* short: "we know, a crew is on its way" */
		k->reason = REASON_OUTAGE;
		k->customer = i;
	}
	qsort(c->list, c->count, sizeof(*c->list), by_arrival);
	for (size_t k = 0; k < c->count; k++)
		d->st.offered_plan[(int)(c->list[k].at_s / 1800.0)] += 1.0;
	d->calls = c;
}

/* ---- the simulation ---- */

static char *acd_config(int agents)
{
	size_t cap = 512 + (size_t)agents * 64, len;
	char *doc = xmalloc(cap);
	len = (size_t)snprintf(doc, cap,
	                       "{\"version\": 1, \"interval_minutes\": 30, \"queue_stats_events\": false,"
	                       " \"event_queue_capacity\": 0, \"queues\": [{\"id\": \"" QUEUE "\","
	                       " \"service_level\": {\"percent\": 80, \"target_s\": 20},"
	                       " \"wrap_up_s\": %d}], \"agents\": [", WRAP_UP_S);
	for (int a = 0; a < agents; a++)
		len += (size_t)snprintf(doc + len, cap - len, "%s{\"id\": \"G%04d\", \"skills\": {\"" QUEUE "\": 5}}",
		                        a ? ", " : "", a + 1);
	snprintf(doc + len, cap - len, "]}");
	return doc;
}

static void simulate(struct demo *d, const pcrm_shift *shifts, size_t shift_count, const int *counts)
{
	struct calls *c = d->calls;
	pcrm_sim_call *log_calls = xcalloc(c->count, sizeof(*log_calls));
	pcrm_sim_agent *agents = xcalloc((size_t)d->st.agents, sizeof(*agents));
	pcrm_sim_shift *stretches = xcalloc((size_t)d->st.agents * 2, sizeof(*stretches));
	char (*ids)[16] = xcalloc((size_t)d->st.agents, sizeof(*ids));
	pcrm_time day = civil(2026, 11, 23, 0, 0, 0);
	size_t a = 0;
	for (size_t k = 0; k < c->count; k++) {
		log_calls[k].at_s = c->list[k].at_s;
		log_calls[k].talk_s = c->list[k].talk_s;
		log_calls[k].patience_s = -1.0; /* the queue's patience */
	}
	for (size_t s = 0; s < shift_count; s++) {
		for (int n = 0; n < counts[s]; n++, a++) {
			size_t got;
			snprintf(ids[a], sizeof(ids[a]), "G%04zu", a + 1);
			CHECK(pcrm_sim_shift_stretches(&shifts[s], HALF_HOURS, 1, 1800.0, &stretches[2 * a], 2,
			                               &got));
			agents[a].agent_id = ids[a];
			agents[a].shifts = &stretches[2 * a];
			agents[a].shift_count = got;
		}
	}
	pcrm_sim_queue q = PCRM_SIM_QUEUE_INIT;
	q.queue_id = QUEUE;
	q.log = log_calls;
	q.log_count = c->count;
	q.patience.kind = PCRM_SIM_EXPONENTIAL; /* callers give up after 3 minutes on average */
	q.patience.mean_s = 180.0;
	pcrm_sim_config cfg = PCRM_SIM_CONFIG_INIT;
	cfg.seed = d->seed;
	cfg.start = (pcrm_acd_ms)day * 1000;
	cfg.queues = &q;
	cfg.queue_count = 1;
	cfg.agents = agents;
	cfg.agent_count = a;
	cfg.keep_cdrs = 1;
	char *doc = acd_config(d->st.agents);
	pcrm_sim *sim;
	CHECK(pcrm_sim_new(&sim, doc, &cfg));
	CHECK(pcrm_sim_run(sim));

	int64_t in_target[HALF_HOURS] = { 0 };
	for (size_t k = 0; k < pcrm_sim_cdr_count(sim); k++) {
		const pcrm_acd_cdr *cdr = pcrm_sim_cdr_at(sim, k);
		size_t idx = (size_t)strtoull(cdr->call_id + 1, NULL, 10);
		if (cdr->call_id[0] != 'c' || idx >= c->count) {
			fprintf(stderr, "demo: unexpected call id %s\n", cdr->call_id);
			exit(1);
		}
		struct call *call = &c->list[idx];
		int slot = (int)(call->at_s / 1800.0);
		d->st.offered[slot]++;
		if (cdr->outcome == PCRM_ACD_OUTCOME_ANSWERED) {
			d->st.answered[slot]++;
			in_target[slot] += cdr->wait_ms <= (int64_t)(TARGET_S * 1000);
			call->answered = (pcrm_time)(cdr->answered_at / 1000);
			call->talk = (int)(cdr->talk_ms / 1000);
			snprintf(call->agent, sizeof(call->agent), "%s", cdr->agent_id);
		} else {
			d->st.abandoned[slot]++;
		}
	}
	for (int i = 0; i < HALF_HOURS; i++) {
		d->st.calls_offered += d->st.offered[i];
		d->st.calls_answered += d->st.answered[i];
		d->st.calls_abandoned += d->st.abandoned[i];
		d->st.measured_sl[i] = d->st.offered[i] ? (double)in_target[i] / (double)d->st.offered[i] : 1.0;
	}
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	CHECK(pcrm_acd_queue_stats_get(pcrm_sim_acd(sim), QUEUE, &qs));
	d->st.sl_day = qs.total.service_level;
	d->st.asa_day = qs.total.asa_s;
	pcrm_sim_free(sim);
	free(doc);
	free(log_calls);
	free(agents);
	free(stretches);
	free(ids);

	/* the agents' work, in the order they answered */
	c->order = xcalloc(c->count, sizeof(size_t));
	for (size_t k = 0; k < c->count; k++)
		if (c->list[k].answered)
			c->order[c->answered++] = k;
	for (size_t i = 1; i < c->answered; i++) { /* insertion sort: nearly sorted already */
		size_t v = c->order[i], j = i;
		while (j > 0 && c->list[c->order[j - 1]].answered > c->list[v].answered) {
			c->order[j] = c->order[j - 1];
			j--;
		}
		c->order[j] = v;
	}
}

void calls_plan_and_simulate(struct demo *d)
{
	pcrm_shift shifts[32];
	int counts[32];
	size_t shift_count;
	forecast_and_staff(d, shifts, &shift_count, counts);
	progress_done(d, "forecast, Erlang C, shift plan", "%lld calls forecast, %d agents on %d shifts",
	              (long long)calls_per_day(d), d->st.agents, d->st.shifts_used);
	draw_calls(d);
	simulate(d, shifts, shift_count, counts);
	progress_done(d, "the day on the simulated switch", "%lld offered, %lld answered, %lld abandoned, SL %.1f %%",
	              (long long)d->st.calls_offered, (long long)d->st.calls_answered,
	              (long long)d->st.calls_abandoned, 100.0 * d->st.sl_day);
}

/* ---- work orders and their later steps (the follow-up agenda) ---- */

struct followup {
	pcrm_time at;
	int kind;
	int seq;
	char id[PCRM_WORKORDER_ID_LEN + 1]; /* work order, or complaint serial */
};

struct followups {
	struct followup *heap;
	size_t count, cap;
	int seq;
};

static int fu_before(const struct followup *a, const struct followup *b)
{
	return a->at != b->at ? a->at < b->at : a->seq < b->seq;
}

void followup_add(struct demo *d, pcrm_time at, int kind, const char *id)
{
	struct followups *f = d->fu;
	if (!f) {
		f = d->fu = xcalloc(1, sizeof(*f));
	}
	if (f->count == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->heap = xrealloc(f->heap, f->cap * sizeof(*f->heap));
	}
	struct followup x = { at, kind, ++f->seq, "" };
	snprintf(x.id, sizeof(x.id), "%s", id ? id : "");
	size_t i = f->count++;
	while (i > 0 && fu_before(&x, &f->heap[(i - 1) / 2])) {
		f->heap[i] = f->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	f->heap[i] = x;
}

pcrm_time followups_next(const struct demo *d)
{
	return d->fu && d->fu->count ? d->fu->heap[0].at : 0;
}

static struct followup followup_pop(struct followups *f)
{
	struct followup top = f->heap[0], last = f->heap[--f->count];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < f->count && fu_before(&f->heap[l], &last))
			m = l;
		if (l + 1 < f->count && fu_before(&f->heap[l + 1], m == i ? &last : &f->heap[l]))
			m = l + 1;
		if (m == i)
			break;
		f->heap[i] = f->heap[m];
		i = m;
	}
	if (f->count)
		f->heap[i] = last;
	return top;
}

/* Fires an event on the work order as it is now (the version read just before). */
void fire(struct demo *d, const pcrm_actor *who, const char *id, const char *event,
                 const char *data, const char *note)
{
	pcrm_workorder *wo;
	CHECK(pcrm_workorder_get(d->ctx, who, id, &wo));
	CHECK(pcrm_workorder_fire(d->ctx, who, id, pcrm_workorder_version(wo), event, data, note, NULL));
	pcrm_workorder_free(wo);
}

void followups_run_next(struct demo *d)
{
	struct followup f = followup_pop(d->fu);
	uint64_t r = rng_for(d->seed, 100 + (uint64_t)f.seq);
	char data[160];
	switch (f.kind) {
	case FU_DISPATCH:
		snprintf(data, sizeof(data), "{\"crew\": \"抢修%02d班\"}", (int)rng_below(&r, 12) + 1);
		fire(d, &ACT_AGENT, f.id, "dispatch", data, NULL);
		/* most crews arrive within the 45 minutes (urban) / 90 (rural); some do not */
		followup_add(d, d->now + 900 + (pcrm_time)rng_below(&r, 4500), FU_ARRIVE, f.id);
		break;
	case FU_ARRIVE:
		fire(d, &ACT_AGENT, f.id, "arrive", NULL, "抢修人员到达现场");
		followup_add(d, d->now + 1200 + (pcrm_time)rng_below(&r, 7200), FU_RESTORE, f.id);
		break;
	case FU_RESTORE:
		fire(d, &ACT_AGENT, f.id, "restore", "{\"cause\": \"低压线路故障\"}", "已恢复送电");
		followup_add(d, d->now + 3600, FU_VISIT, f.id);
		break;
	case FU_VISIT:
		fire(d, &ACT_AGENT, f.id, "visit", "{\"satisfaction\": \"satisfied\"}", "回访: 满意");
		break;
	case FU_SURVEY:
		fire(d, &ACT_AGENT, f.id, "survey_done", "{\"survey_report\": \"现场具备供电条件\"}", NULL);
		d->st.connection_steps++;
		if (rng_below(&r, 2) == 0)
			followup_add(d, d->now + 7200, FU_PLAN, f.id);
		break;
	case FU_PLAN:
		fire(d, &ACT_AGENT, f.id, "plan_replied", "{\"supply_plan\": \"由就近台区低压接入\"}", NULL);
		d->st.connection_steps++;
		break;
	case FU_COMPLAINT_CONTACT:
		fire(d, &ACT_AGENT, f.id, "contact", "{\"contact_note\": \"已电话联系客户, 说明处理安排\"}", NULL);
		break;
	case FU_COMPLAINT_OPINION:
		complaint_opinion(d, f.id);
		break;
	case FU_COMPLAINT_MORNING:
		complaints_morning_work(d);
		break;
	}
}

/* ---- the agents' work on each answered call ---- */

pcrm_time calls_next(const struct demo *d)
{
	const struct calls *c = d->calls;
	return c->next < c->answered ? c->list[c->order[c->next]].answered : 0;
}

static void contact(struct demo *d, const struct call *k, const char *no, const char *code,
                    const char *summary, const char *work_order)
{
	char doc[1024], wo[80], when[40];
	wo[0] = '\0';
	if (work_order)
		snprintf(wo, sizeof(wo), ", \"work_order_id\": \"%s\"", work_order);
	CHECK(pcrm_time_format(k->answered, PCRM_UTC_OFFSET_CHINA, when, sizeof(when)));
	snprintf(doc, sizeof(doc),
	         "{\"at\": \"%s\", \"channel\": \"phone\", \"direction\": \"inbound\", \"agent\": \"%s\","
	         " \"duration_seconds\": %d, \"business_code\": \"%s\", \"summary\": \"%s\"%s}",
	         when, k->agent, k->talk, code, summary, wo);
	CHECK(pcrm_contact_record(d->ctx, &ACT_AGENT, no, doc, NULL));
	d->st.contacts++;
}

static void repair_order(struct demo *d, const struct call *k, size_t index, const char *no,
                         uint64_t *r)
{
	pcrm_workorder *wo;
	char key[64], data[160];
	const char *county = d->counties[d->cust[k->customer].county].code;
	snprintf(key, sizeof(key), "FR-20261123-%05zu", index);
	snprintf(data, sizeof(data), "{\"fault\": \"%s\", \"call\": \"c%zu\"}",
	         rng_below(r, 2) ? "no_power" : "low_voltage", index);
	CHECK(pcrm_workorder_open(d->ctx, &ACT_AGENT,
	                          county_is_urban(d, k->customer) ? "fault_repair_urban" : "fault_repair_rural",
	                          key, no, county, data, &wo));
	contact(d, k, no, "REPAIR", "故障报修: 已派工单", pcrm_workorder_id(wo));
	followup_add(d, d->now + 300 + (pcrm_time)rng_below(r, 900), FU_DISPATCH, pcrm_workorder_id(wo));
	d->st.repair_orders++;
	pcrm_workorder_free(wo);
}

/*
 * The outage: the first caller's repair order becomes the master work order
 * of the transformer area's outage and is worked like any repair (one crew,
 * one order); every further caller gets a repair order of their own, so the
 * contact history and the repair statistics see every caller, attached to
 * the master (pcrm_workorder_attach): when the master closes, the library
 * closes the callers' orders with it ("master_closed").  A caller who rings
 * after the master closed cannot be attached (its order is worked on its
 * own, as a fault that may not be the outage's).
 */
static int master_open(struct demo *d)
{
	pcrm_workorder *m;
	CHECK(pcrm_workorder_get(d->ctx, &ACT_AGENT, d->st.outage_master, &m));
	int open = strcmp(pcrm_workorder_status(m), "open") == 0;
	pcrm_workorder_free(m);
	return open;
}

static void outage_call(struct demo *d, const struct call *k, size_t index, const char *no)
{
	pcrm_workorder *wo;
	char key[64], data[192];
	const char *county = d->counties[d->cust[k->customer].county].code;
	snprintf(key, sizeof(key), "FR-20261123-%05zu", index);
	snprintf(data, sizeof(data), "{\"fault\": \"no_power\", \"transformer_area\": \"%s\", \"call\": \"c%zu\"}",
	         d->st.outage_ta, index);
	CHECK(pcrm_workorder_open(d->ctx, &ACT_AGENT, "fault_repair_urban", key, no, county, data, &wo));
	d->st.repair_orders++;
	if (!d->st.outage_master[0]) {
		snprintf(d->st.outage_master, sizeof(d->st.outage_master), "%s", pcrm_workorder_id(wo));
		followup_add(d, d->now + 300, FU_DISPATCH, d->st.outage_master);
		contact(d, k, no, "OUTAGE", "台区停电报修: 已派抢修主单", d->st.outage_master);
	} else if (master_open(d)) {
		CHECK(pcrm_workorder_attach(d->ctx, &ACT_AGENT, pcrm_workorder_id(wo), d->st.outage_master));
		d->st.outage_attached++;
		contact(d, k, no, "OUTAGE", "台区停电报修: 并入抢修主单, 告知抢修进度", pcrm_workorder_id(wo));
	} else {
		followup_add(d, d->now + 300, FU_DISPATCH, pcrm_workorder_id(wo));
		d->st.outage_late++;
		contact(d, k, no, "OUTAGE", "停电报修: 台区已复电, 另派工单", pcrm_workorder_id(wo));
	}
	pcrm_workorder_free(wo);
}

static void new_connection(struct demo *d, const struct call *k, size_t index, const char *no,
                           uint64_t *r)
{
	pcrm_workorder *wo;
	char key[64], data[160], station[16];
	int commercial = rng_below(r, 4) == 0;
	station_code(d, k->customer, station, sizeof(station));
	snprintf(key, sizeof(key), "NC-20261123-%05zu", index);
	snprintf(data, sizeof(data), "{\"applicant\": \"%s\", \"capacity_kva\": \"%s\"}", no,
	         commercial ? "50" : "8");
	CHECK(pcrm_workorder_open(d->ctx, &ACT_AGENT,
	                          commercial ? "new_connection_lv_nonresidential" : "new_connection_lv_residential",
	                          key, NULL, d->counties[d->cust[k->customer].county].code, data, &wo));
	CHECK(pcrm_workorder_fire(d->ctx, &ACT_AGENT, pcrm_workorder_id(wo), pcrm_workorder_version(wo),
	                          "accept", NULL, "资料齐全, 受理", NULL));
	d->st.connections++;
	d->st.connection_steps++;
	contact(d, k, no, "NEWCONN", "业扩报装: 已受理新装申请", pcrm_workorder_id(wo));
	if (rng_below(r, 2) == 0)
		followup_add(d, d->now + 3600 + (pcrm_time)rng_below(r, 3 * 3600), FU_SURVEY, pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

void calls_handle_next(struct demo *d)
{
	struct calls *c = d->calls;
	size_t index = c->order[c->next++];
	const struct call *k = &c->list[index];
	uint64_t r = rng_for(d->seed, 1000000 + index);
	char no[24], acct[24], summary[256], total[PCRM_DECIMAL_STRING_MAX];
	customer_no(k->customer, no, sizeof(no));
	account_no(k->customer, acct, sizeof(acct));
	d->st.reason_calls[k->reason]++;
	switch (k->reason) {
	case REASON_BILL: {
		pcrm_bill_list *bills;
		CHECK(pcrm_bill_list_load(d->ctx, &ACT_AGENT, no, "2026-01", "2026-12", &bills));
		if (pcrm_bill_list_count(bills) > 0) {
			const pcrm_bill_record *b = pcrm_bill_list_at(bills, 0);
			snprintf(summary, sizeof(summary), "电费查询: %s 账单 %s 元, 到期 %04d-%02d-%02d", b->period,
			         money(b->total, total, sizeof(total)), b->due_date.year, b->due_date.month,
			         b->due_date.day);
		} else {
			snprintf(summary, sizeof(summary), "电费查询: 本年无账单");
		}
		pcrm_bill_list_free(bills);
		contact(d, k, no, "BILL", summary, NULL);
		break;
	}
	case REASON_PAYMENT: {
		pcrm_ledger_summary s = PCRM_LEDGER_SUMMARY_INIT;
		CHECK(pcrm_ledger_summary_load(d->ctx, &ACT_AGENT, acct, &s));
		snprintf(summary, sizeof(summary), "缴费/欠费查询: 账户余额 %s 元",
		         money(s.balance, total, sizeof(total)));
		contact(d, k, no, "PAYMENT", summary, NULL);
		break;
	}
	case REASON_FAULT:
		repair_order(d, k, index, no, &r);
		break;
	case REASON_OUTAGE:
		outage_call(d, k, index, no);
		break;
	case REASON_COMPLAINT:
		complaint_from_call(d, k->customer, (int)index);
		break;
	case REASON_CONNECTION:
		new_connection(d, k, index, no, &r);
		break;
	}
}

void calls_free(struct demo *d)
{
	if (d->calls) {
		free(d->calls->list);
		free(d->calls->order);
	}
	free(d->calls);
	if (d->fu)
		free(d->fu->heap);
	free(d->fu);
	d->calls = NULL;
	d->fu = NULL;
}

/* The outage master's children and their statuses at the end of the day, as the library keeps them. */
static void outage_summary(struct demo *d)
{
	char *cursor = NULL;
	pcrm_workorder *m;
	d->st.outage_children = d->st.outage_children_closed = 0;
	if (!d->st.outage_master[0])
		return;
	CHECK(pcrm_workorder_get(d->ctx, &ACT_SUPERVISOR, d->st.outage_master, &m));
	snprintf(d->st.outage_master_status, sizeof(d->st.outage_master_status), "%s", pcrm_workorder_status(m));
	pcrm_workorder_free(m);
	for (;;) {
		pcrm_workorder_list *list;
		CHECK(pcrm_workorder_children(d->ctx, &ACT_SUPERVISOR, d->st.outage_master, cursor, 500, &list));
		for (size_t i = 0; i < pcrm_workorder_list_count(list); i++) {
			d->st.outage_children++;
			if (strcmp(pcrm_workorder_status(pcrm_workorder_list_at(list, i)), "closed") == 0)
				d->st.outage_children_closed++;
		}
		free(cursor);
		cursor = pcrm_workorder_list_next_cursor(list) ? xstrdup(pcrm_workorder_list_next_cursor(list)) : NULL;
		pcrm_workorder_list_free(list);
		if (!cursor)
			break;
	}
}

/* Open work orders past their limit at the end of the day, by the library's own query; the outage. */
void work_orders_summary(struct demo *d)
{
	outage_summary(d);
	pcrm_workorder_filter filter = PCRM_WORKORDER_FILTER_INIT;
	char *cursor = NULL;
	filter.overdue_only = 1;
	d->st.overdue_orders = 0;
	for (;;) {
		pcrm_workorder_list *list;
		CHECK(pcrm_workorder_query(d->ctx, &ACT_SUPERVISOR, &filter, cursor, 1000, &list));
		d->st.overdue_orders += (int64_t)pcrm_workorder_list_count(list);
		for (size_t i = 0; i < pcrm_workorder_list_count(list); i++) {
			const char *wf = pcrm_workorder_workflow(pcrm_workorder_list_at(list, i));
			int k = 0;
			while (k < 8 && d->st.overdue_workflow[k][0] && strcmp(d->st.overdue_workflow[k], wf) != 0)
				k++;
			if (k == 8)
				continue;
			snprintf(d->st.overdue_workflow[k], sizeof(d->st.overdue_workflow[k]), "%s", wf);
			d->st.overdue_count[k]++;
		}
		free(cursor);
		cursor = pcrm_workorder_list_next_cursor(list) ? xstrdup(pcrm_workorder_list_next_cursor(list)) : NULL;
		pcrm_workorder_list_free(list);
		if (!cursor)
			break;
	}
}
