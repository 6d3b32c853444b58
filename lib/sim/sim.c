/*
 * The simulation's lifecycle: checks the configuration against the ACD it
 * builds, wires the adapter runtime to the simulated switch and the
 * simulation's clock, runs the agenda to its end and keeps the results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim_internal.h"
#include "core/error.h"
#include "core/out_version.h"

static pcrm_acd_ms sim_clock(void *ud)
{
	return ((const pcrm_sim *)ud)->now;
}

static int keep_cdrs(void *ud, const pcrm_acd_cdr *cdrs, size_t count)
{
	pcrm_sim *s = ud;
	s->stats.cdrs += count;
	if (!s->cfg.keep_cdrs)
		return 0;
	if (s->cdr_count + count > s->cdr_cap) {
		size_t cap = s->cdr_cap ? s->cdr_cap : 1024;
		while (cap < s->cdr_count + count)
			cap *= 2;
		pcrm_acd_cdr *p = realloc(s->cdrs, cap * sizeof(*p));
		if (!p) {
			s->oom = 1;
			return 0; /* counted; pcrm_sim_run reports the loss */
		}
		s->cdrs = p;
		s->cdr_cap = cap;
	}
	memcpy(s->cdrs + s->cdr_count, cdrs, count * sizeof(*cdrs));
	s->cdr_count += count;
	return 0;
}

static int check_probability(double p, const char *name)
{
	if (!(p >= 0.0 && p <= 1.0))
		return pcrm__error(PCRM_EINVAL, "%s: %g is not a probability in [0, 1]", name, p);
	return PCRM_OK;
}

static long queue_index(const pcrm_sim_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->queue_count; i++)
		if (cfg->queues[i].queue_id && strcmp(cfg->queues[i].queue_id, id) == 0)
			return (long)i;
	return -1;
}

static int check_queue(pcrm_sim *s, size_t i)
{
	const pcrm_sim_queue *q = &s->cfg.queues[i];
	char name[64];
	int rc;
	if (q->version != PCRM_SIM_QUEUE_VERSION)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].version: %u is not %d", i, q->version,
		                   PCRM_SIM_QUEUE_VERSION);
	if (!q->queue_id || strlen(q->queue_id) > PCRM_ACD_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].queue_id: missing or too long", i);
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	if (pcrm_acd_queue_stats_get(s->acd, q->queue_id, &st) != PCRM_OK)
		return pcrm__error(PCRM_ENOTFOUND, "queues[%zu].queue_id: \"%s\" is not an ACD queue",
		                   i, q->queue_id);
	if (queue_index(&s->cfg, q->queue_id) != (long)i)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].queue_id: \"%s\" is listed twice", i,
		                   q->queue_id);
	if (q->log_count && !q->log)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].log: NULL with %zu calls", i, q->log_count);
	for (size_t k = 0; q->log && k < q->log_count; k++) {
		const pcrm_sim_call *c = &q->log[k];
		if (!(c->at_s >= (k ? q->log[k - 1].at_s : 0.0) && c->at_s <= 31 * 86400.0))
			return pcrm__error(PCRM_EINVAL, "queues[%zu].log[%zu].at_s: %g is not in arrival "
			                   "order within 31 days", i, k, c->at_s);
		if (!(c->talk_s > 0.0 && c->talk_s <= 86400.0))
			return pcrm__error(PCRM_EINVAL, "queues[%zu].log[%zu].talk_s: %g is not in (0, 86400]",
			                   i, k, c->talk_s);
		if (!(c->patience_s <= 86400.0)) /* NaN too */
			return pcrm__error(PCRM_EINVAL, "queues[%zu].log[%zu].patience_s: %g is more than "
			                   "86400", i, k, c->patience_s);
	}
	if (q->log)
		goto distributions;
	if (!q->calls || q->interval_count == 0)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].calls: no intervals", i);
	if (!(q->interval_s >= 1.0 && q->interval_s <= 86400.0))
		return pcrm__error(PCRM_EINVAL, "queues[%zu].interval_s: %g is not in [1, 86400]", i,
		                   q->interval_s);
	for (size_t k = 0; k < q->interval_count; k++)
		if (!(q->calls[k] >= 0.0 && q->calls[k] <= 1e7))
			return pcrm__error(PCRM_EINVAL, "queues[%zu].calls[%zu]: %g is not in [0, 1e7]",
			                   i, k, q->calls[k]);
distributions:
	snprintf(name, sizeof(name), "queues[%zu].talk", i);
	if ((rc = sim_dist_check(&q->talk, name)))
		return rc;
	if (q->talk.kind == PCRM_SIM_NONE)
		return pcrm__error(PCRM_EINVAL, "queues[%zu].talk.kind: a call needs a talk time", i);
	snprintf(name, sizeof(name), "queues[%zu].patience", i);
	if ((rc = sim_dist_check(&q->patience, name)))
		return rc;
	snprintf(name, sizeof(name), "queues[%zu].transfer_p", i);
	if ((rc = check_probability(q->transfer_p, name)))
		return rc;
	if (q->transfer_p > 0.0 && (!q->transfer_queue_id ||
	                            queue_index(&s->cfg, q->transfer_queue_id) < 0))
		return pcrm__error(PCRM_EINVAL, "queues[%zu].transfer_queue_id: %s%s%s is not a "
		                   "queue of the simulation", i, q->transfer_queue_id ? "\"" : "",
		                   q->transfer_queue_id ? q->transfer_queue_id : "(none)",
		                   q->transfer_queue_id ? "\"" : "");
	return PCRM_OK;
}

static int check_agent(pcrm_sim *s, size_t i)
{
	const pcrm_sim_agent *a = &s->cfg.agents[i];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (!a->agent_id || strlen(a->agent_id) > PCRM_ACD_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "agents[%zu].agent_id: missing or too long", i);
	if (pcrm_acd_agent_get(s->acd, a->agent_id, &info) != PCRM_OK)
		return pcrm__error(PCRM_ENOTFOUND, "agents[%zu].agent_id: \"%s\" is not an ACD agent",
		                   i, a->agent_id);
	if (a->shift_count && !a->shifts)
		return pcrm__error(PCRM_EINVAL, "agents[%zu].shifts: NULL with %zu shifts", i,
		                   a->shift_count);
	double prev_end = 0.0;
	for (size_t k = 0; k < a->shift_count; k++) {
		const pcrm_sim_shift *sh = &a->shifts[k];
		if (!(sh->start_s >= prev_end && sh->end_s > sh->start_s && sh->end_s <= 31 * 86400.0))
			return pcrm__error(PCRM_EINVAL, "agents[%zu].shifts[%zu]: [%g, %g) is not after "
			                   "the previous shift, non-empty and within 31 days", i, k,
			                   sh->start_s, sh->end_s);
		prev_end = sh->end_s;
	}
	return PCRM_OK;
}

static int check_config(pcrm_sim *s)
{
	const pcrm_sim_config *c = &s->cfg;
	int rc;
	if (c->queue_count == 0 || !c->queues)
		return pcrm__error(PCRM_EINVAL, "config.queues: at least one queue is needed");
	if (c->agent_count && !c->agents)
		return pcrm__error(PCRM_EINVAL, "config.agents: NULL with %zu agents", c->agent_count);
	if (c->queue_count > UINT32_MAX || c->agent_count > UINT32_MAX)
		return pcrm__error(PCRM_EINVAL, "config: too many queues or agents");
	if (c->start < 0)
		return pcrm__error(PCRM_EINVAL, "config.start: %lld is before the epoch", (long long)c->start);
	if ((rc = sim_dist_check(&c->answer_delay, "config.answer_delay")) ||
	    (rc = sim_dist_check(&c->wrap_up, "config.wrap_up")) ||
	    (rc = check_probability(c->no_answer_p, "config.no_answer_p")))
		return rc;
	if (c->no_answer_p > 0.0 && !(c->no_answer_s > 0.0 && c->no_answer_s <= 3600.0))
		return pcrm__error(PCRM_EINVAL, "config.no_answer_s: %g is not in (0, 3600]", c->no_answer_s);
	if (c->tick_ms < 1 || c->tick_ms > 60000)
		return pcrm__error(PCRM_EINVAL, "config.tick_ms: %d is not 1..60000", c->tick_ms);
	for (size_t i = 0; i < c->queue_count; i++)
		if ((rc = check_queue(s, i)))
			return rc;
	for (size_t i = 0; i < c->agent_count; i++)
		if ((rc = check_agent(s, i)))
			return rc;
	return PCRM_OK;
}

/* IVR rules: the service "<queue id>" goes to that queue. */
static int set_ivr_rules(pcrm_sim *s)
{
	json_t *doc = json_object(), *rules = json_array();
	int rc = PCRM_ENOMEM;
	if (!doc || !rules)
		goto out;
	for (size_t i = 0; i < s->queue_count; i++) {
		json_t *r = json_pack("{s:s, s:s}", "service", s->queues[i].id,
		                      "queue", s->queues[i].id);
		if (!r || json_array_append_new(rules, r))
			goto out;
	}
	json_object_set_new(doc, "rules", rules);
	rules = NULL;
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		goto out;
	rc = pcrm_tel_set_ivr_rules(s->tel, text);
	free(text);
out:
	json_decref(rules);
	json_decref(doc);
	return rc == PCRM_ENOMEM ? pcrm__error_oom() : rc;
}

static int copy_model(pcrm_sim *s)
{
	const pcrm_sim_config *c = &s->cfg;
	s->queue_count = c->queue_count;
	s->agent_count = c->agent_count;
	s->queues = calloc(c->queue_count, sizeof(*s->queues));
	s->agents = calloc(c->agent_count ? c->agent_count : 1, sizeof(*s->agents));
	if (!s->queues || !s->agents)
		return PCRM_ENOMEM;
	for (size_t i = 0; i < c->queue_count; i++) {
		const pcrm_sim_queue *in = &c->queues[i];
		struct sim_queue *q = &s->queues[i];
		snprintf(q->id, sizeof(q->id), "%s", in->queue_id);
		if (in->log) {
			q->log = malloc((in->log_count ? in->log_count : 1) * sizeof(*q->log));
			if (!q->log)
				return PCRM_ENOMEM;
			memcpy(q->log, in->log, in->log_count * sizeof(*q->log));
			q->log_count = in->log_count;
		} else {
			q->calls = malloc(in->interval_count * sizeof(double));
			if (!q->calls)
				return PCRM_ENOMEM;
			memcpy(q->calls, in->calls, in->interval_count * sizeof(double));
			q->interval_count = in->interval_count;
		}
		q->interval_s = in->interval_s;
		q->talk = in->talk;
		q->patience = in->patience;
		q->transfer_p = in->transfer_p;
		q->transfer_queue = in->transfer_p > 0.0
		                    ? (uint32_t)queue_index(c, in->transfer_queue_id) : (uint32_t)i;
		sim_rng_seed(&q->rng, c->seed, i + 1);
	}
	for (size_t i = 0; i < c->agent_count; i++) {
		const pcrm_sim_agent *in = &c->agents[i];
		struct sim_agent *a = &s->agents[i];
		snprintf(a->id, sizeof(a->id), "%s", in->agent_id);
		snprintf(a->device, sizeof(a->device), "d%zu", i);
		if (in->shift_count) {
			a->shifts = malloc(in->shift_count * sizeof(*a->shifts));
			if (!a->shifts)
				return PCRM_ENOMEM;
			memcpy(a->shifts, in->shifts, in->shift_count * sizeof(*a->shifts));
			a->shift_count = in->shift_count;
		}
	}
	sim_rng_seed(&s->agent_rng, c->seed, 0);
	/* the caller's arrays need not outlive pcrm_sim_new */
	s->cfg.queues = NULL;
	s->cfg.agents = NULL;
	return PCRM_OK;
}

int pcrm_sim_new(pcrm_sim **out, const char *acd_json, const pcrm_sim_config *config)
{
	if (!out || !acd_json || !config)
		return pcrm__error(PCRM_EINVAL, "pcrm_sim_new: out, acd_json and config are required");
	*out = NULL;
	if (config->version != PCRM_SIM_CONFIG_VERSION)
		return pcrm__error(PCRM_EINVAL, "config.version: %u is not %d", config->version,
		                   PCRM_SIM_CONFIG_VERSION);
	pcrm_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return pcrm__error_oom();
	s->cfg = *config;
	s->now = config->start;
	int rc = pcrm_acd_new_from_json(&s->acd, acd_json, sim_clock, s);
	if (rc == PCRM_OK)
		rc = check_config(s);
	if (rc == PCRM_OK && (rc = copy_model(s)) == PCRM_ENOMEM)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		pcrm_tel_switch table = sim_switch_table(s);
		rc = pcrm_tel_new(&s->tel, s->acd, &table, NULL);
	}
	if (rc == PCRM_OK)
		rc = set_ivr_rules(s);
	if (rc == PCRM_OK)
		rc = pcrm_acd_set_cdr_sink(s->acd, keep_cdrs, s);
	if (rc) {
		pcrm_sim_free(s);
		return rc;
	}
	*out = s;
	return PCRM_OK;
}

void pcrm_sim_free(pcrm_sim *s)
{
	if (!s)
		return;
	pcrm_tel_free(s->tel);
	pcrm_acd_free(s->acd);
	sim_agenda_free(&s->agenda);
	for (size_t i = 0; s->queues && i < s->queue_count; i++)
	{
		free(s->queues[i].calls);
		free(s->queues[i].log);
	}
	for (size_t i = 0; s->agents && i < s->agent_count; i++)
		free(s->agents[i].shifts);
	free(s->queues);
	free(s->agents);
	free(s->calls);
	free(s->cdrs);
	free(s);
}

static int arm_start(pcrm_sim *s)
{
	int rc = PCRM_OK;
	for (size_t i = 0; rc == PCRM_OK && i < s->agent_count; i++)
		rc = s->agents[i].shift_count
		     ? sim_arm_shift(s, i)
		     : sim_agenda_push(&s->agenda, s->now, SIM_EV_SHIFT_START, (uint32_t)i, 0, 0);
	for (size_t i = 0; rc == PCRM_OK && i < s->queue_count; i++)
		rc = sim_arm_first_arrival(s, i);
	if (rc == PCRM_OK)
		rc = sim_agenda_push(&s->agenda, s->now + s->cfg.tick_ms, SIM_EV_TICK, 0, 0, 0);
	return rc;
}

/* A day of virtual time without progress while calls wait (nobody can take them): stop. */
#define SIM_STALL_MS (86400 * 1000LL)

/*
 * Hands the ACD's pending CDRs to keep_cdrs.  Only when some are pending:
 * the ACD's flush copies from its buffer before looking at the count, and
 * that buffer does not exist before the first CDR (UBSan: memcpy from NULL).
 */
static int flush_cdrs(pcrm_sim *s)
{
	pcrm_acd_engine_stats es = PCRM_ACD_ENGINE_STATS_INIT;
	int rc = pcrm_acd_engine_stats_get(s->acd, &es);
	if (rc == PCRM_OK && es.cdrs_pending)
		rc = pcrm_acd_cdr_flush(s->acd, NULL);
	return rc;
}

int pcrm_sim_run(pcrm_sim *s)
{
	if (!s)
		return pcrm__error(PCRM_EINVAL, "pcrm_sim_run: sim is NULL");
	if (s->ran)
		return pcrm__error(PCRM_ESTATE, "pcrm_sim_run: this simulation has run already");
	s->ran = 1;
	int rc = arm_start(s);
	struct sim_ev ev;
	while (rc == PCRM_OK && sim_agenda_pop(&s->agenda, &ev)) {
		s->now = ev.at;
		if (ev.kind != SIM_EV_TICK) {
			s->last_progress = s->now;
			rc = sim_handle(s, &ev);
			continue;
		}
		if ((rc = pcrm_acd_tick(s->acd)) || (rc = flush_cdrs(s)))
			break;
		/* the ticks go on while anything else is due, or calls still wait */
		if (s->agenda.count || (s->live && s->now - s->last_progress < SIM_STALL_MS))
			rc = sim_agenda_push(&s->agenda, s->now + s->cfg.tick_ms, SIM_EV_TICK, 0, 0, 0);
	}
	if (rc == PCRM_ENOMEM)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = flush_cdrs(s);
	s->stats.ended_at = s->now;
	if (rc == PCRM_OK && s->oom)
		rc = pcrm__error(PCRM_ENOMEM, "pcrm_sim_run: out of memory keeping CDRs (%zu kept)",
		                 s->cdr_count);
	return rc;
}

pcrm_acd *pcrm_sim_acd(pcrm_sim *s)
{
	return s ? s->acd : NULL;
}

pcrm_tel *pcrm_sim_tel(pcrm_sim *s)
{
	return s ? s->tel : NULL;
}

static double hist_quantile(const pcrm_sim *s, double q)
{
	uint64_t want = (uint64_t)(q * (double)s->queued_fed), seen = 0;
	for (size_t b = 0; b < SIM_HIST_BUCKETS; b++) {
		seen += s->hist[b];
		if (seen > want) {
			/* the upper edge of the bucket: 2^(b/4) with 4 sub-steps per octave */
			size_t msb = b / 4, sub = b % 4;
			if (msb < 2)
				return 4.0;
			return (double)(((uint64_t)(4 + sub + 1)) << (msb - 2));
		}
	}
	return 0.0;
}

int pcrm_sim_stats_get(const pcrm_sim *s, pcrm_sim_stats *out)
{
	if (!s || !out)
		return pcrm__error(PCRM_EINVAL, "pcrm_sim_stats_get: sim and out are required");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_SIM_STATS);
	if (rc)
		return rc;
	*out = s->stats;
	out->version = PCRM_SIM_STATS_VERSION;
	if (s->cfg.measure_latency && s->stats.events_fed) {
		out->feed_ns_mean = s->feed_ns_sum / (double)s->stats.events_fed;
		out->queued_ns_p50 = hist_quantile(s, 0.50);
		out->queued_ns_p99 = hist_quantile(s, 0.99);
	}
	return PCRM_OK;
}

size_t pcrm_sim_cdr_count(const pcrm_sim *s)
{
	return s ? s->cdr_count : 0;
}

const pcrm_acd_cdr *pcrm_sim_cdr_at(const pcrm_sim *s, size_t i)
{
	return s && i < s->cdr_count ? &s->cdrs[i] : NULL;
}
