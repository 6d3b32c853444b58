/*
 * The voice campaign dialler (dialler.h): progressive dialling paced to the
 * ACD queue's ready agents.
 *
 * Why the delivery pass does the dialling: which message is due, which
 * channel, do-not-contact, quiet hours, the rate limit, the attempt row,
 * the contact history and the audit are the outbound queue's rules
 * (deliver.c); the dialler only sets how many messages a pass may take (the
 * pace) and gives it a voice channel that places the call through the
 * telephony adapter.  What happens to a call afterwards arrives as switch
 * events, possibly on another thread, so the dialler notes results in
 * memory under its lock, and whoever has a store context writes them:
 * pcrm_dialler_event_record() at once, pcrm_dialler_run() at the latest.
 *
 * Why every call is also a row (dial_journal.c): memory dies with the
 * process.  The row is written before the dial and moved with each result,
 * so a dead dialler's calls are found, settled and retried by the next one.
 * A result is written only once the delivery pass has written its call's
 * "accepted" attempt (the call is `accepted`), so the message's states
 * follow in order: dialled, then answered, connected or retried.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/customer.h>
#include <powercrm/dialler.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/text_check.h"
#include "core/uuid.h"
#include "dialler_internal.h"
#include "store/store.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

/* A call placed and not yet connected or ended. */
struct dial_call {
	char call_id[PCRM_TEL_ID_MAX + 1];
	char *message_id, *customer_no;
	int answered;
	int busy;     /* a failed event said busy */
	int accepted; /* its delivery pass ended: its "accepted" attempt is written */
};

struct pcrm_dialler {
	pcrm_acd *acd;
	pcrm_tel *tel;
	char campaign[PCRM__CAMPAIGN_ID_MAX + 1];
	char queue[PCRM_ACD_ID_MAX + 1];
	char device[PCRM_TEL_ID_MAX + 1];
	int pacing_percent, vip_min_level, preferred_wait_s;
	char id[PCRM_UUID_STRING_LEN + 1]; /* this instance, on its calls' rows and lease */

	pthread_mutex_t lock; /* calls, results, the predictive settings and the last pace */
	pthread_mutex_t write_lock; /* one writer of results at a time (run or event_record) */
	int predictive;
	pcrm_dialler_predictive predict;
	pcrm_dialler_pace pace;
	struct dial_call *calls;
	size_t call_count, call_cap;
	struct pcrm__dial_result *results;
	size_t result_count, result_cap;

	/* during pcrm_dialler_run() only: the dial channel reads the archive with these */
	pcrm_ctx *run_ctx;
	const pcrm_actor *run_actor;
	int run_dialled;
};

static int check_options(pcrm_acd *acd, pcrm_tel *tel, const pcrm_dialler_options *o)
{
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	if (!acd || !tel || !o)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", !acd ? "acd" : !tel ? "tel" : "options");
	if (o->version != PCRM_DIALLER_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: must be PCRM_DIALLER_OPTIONS_VERSION");
	if (!o->campaign_id ||
	    pcrm__code_check("options.campaign_id", o->campaign_id, PCRM__CAMPAIGN_ID_MAX))
		return o->campaign_id ? PCRM_EINVAL :
		                        pcrm__error(PCRM_EINVAL, "options.campaign_id: is NULL");
	if (!o->queue_id || strlen(o->queue_id) > PCRM_ACD_ID_MAX ||
	    pcrm_acd_queue_stats_get(acd, o->queue_id, &qs) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "options.queue_id: not a queue of the ACD");
	if (!o->device_id || !o->device_id[0] || strlen(o->device_id) > PCRM_TEL_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "options.device_id: expected 1..%d bytes",
		                   PCRM_TEL_ID_MAX);
	if (o->pacing_percent < 10 || o->pacing_percent > 1000)
		return pcrm__error(PCRM_EINVAL, "options.pacing_percent: %d is not 10..1000",
		                   o->pacing_percent);
	if (o->vip_min_level < 1 || o->vip_min_level > 10)
		return pcrm__error(PCRM_EINVAL, "options.vip_min_level: %d is not 1..10",
		                   o->vip_min_level);
	if (o->preferred_wait_s < 0 || o->preferred_wait_s > 3600)
		return pcrm__error(PCRM_EINVAL, "options.preferred_wait_s: %d is not 0..3600",
		                   o->preferred_wait_s);
	return PCRM_OK;
}

int pcrm_dialler_new(pcrm_dialler **out, pcrm_acd *acd, pcrm_tel *tel,
                     const pcrm_dialler_options *options)
{
	pcrm_dialler *d;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if ((rc = check_options(acd, tel, options)) != PCRM_OK)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d)
		return pcrm__error_oom();
	d->acd = acd;
	d->tel = tel;
	strcpy(d->campaign, options->campaign_id);
	strcpy(d->queue, options->queue_id);
	strcpy(d->device, options->device_id);
	d->pacing_percent = options->pacing_percent;
	d->vip_min_level = options->vip_min_level;
	d->preferred_wait_s = options->preferred_wait_s;
	pcrm__uuid_new(d->id);
	d->pace = (pcrm_dialler_pace)PCRM_DIALLER_PACE_INIT;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->write_lock, NULL);
	*out = d;
	return PCRM_OK;
}

static void call_clear(struct dial_call *c)
{
	free(c->message_id);
	free(c->customer_no);
}

void pcrm__dial_result_clear(struct pcrm__dial_result *r)
{
	free(r->message_id);
	free(r->customer_no);
}

void pcrm_dialler_free(pcrm_dialler *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->call_count; i++)
		call_clear(&d->calls[i]);
	for (size_t i = 0; i < d->result_count; i++)
		pcrm__dial_result_clear(&d->results[i]);
	free(d->calls);
	free(d->results);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->write_lock);
	free(d);
}

/* ---- the calls in progress (lock held) ---- */

static struct dial_call *call_find(pcrm_dialler *d, const char *call_id)
{
	for (size_t i = 0; i < d->call_count; i++)
		if (strcmp(d->calls[i].call_id, call_id) == 0)
			return &d->calls[i];
	return NULL;
}

static void call_remove(pcrm_dialler *d, struct dial_call *c)
{
	call_clear(c);
	*c = d->calls[--d->call_count];
}

/*
 * Notes a result for pcrm_dialler_run() to write.  Out of memory loses the
 * result, not the call: the message stays "sent" (the receipt path can
 * still settle it) and the pace no longer counts the call.
 */
static void result_push(pcrm_dialler *d, const struct dial_call *c, enum pcrm__dial_outcome what,
                        const char *agent, int64_t at_ms)
{
	struct pcrm__dial_result *r;
	if (d->result_count == d->result_cap) {
		size_t cap = d->result_cap ? d->result_cap * 2 : 16;
		void *grown = realloc(d->results, cap * sizeof(*d->results));
		if (!grown)
			return;
		d->results = grown;
		d->result_cap = cap;
	}
	r = &d->results[d->result_count];
	memset(r, 0, sizeof(*r));
	r->message_id = strdup(c->message_id);
	r->customer_no = strdup(c->customer_no);
	if (!r->message_id || !r->customer_no) {
		pcrm__dial_result_clear(r);
		return;
	}
	r->outcome = what;
	r->at_ms = at_ms;
	r->writable = c->accepted;
	memcpy(r->call_id, c->call_id, sizeof(r->call_id));
	if (agent)
		strncpy(r->agent_id, agent, sizeof(r->agent_id) - 1);
	d->result_count++;
}

int pcrm_dialler_in_progress(pcrm_dialler *d)
{
	int n;
	if (!d)
		return 0;
	pthread_mutex_lock(&d->lock);
	n = (int)d->call_count;
	pthread_mutex_unlock(&d->lock);
	return n;
}

int pcrm_dialler_event_feed(pcrm_dialler *d, const pcrm_tel_event *ev, pcrm_tel_reject *rejected)
{
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	struct dial_call *c;
	pcrm_acd_ms now_ms;
	int rc, have_info = 0;

	if (!d) {
		if (rejected)
			*rejected = PCRM_TEL_REJECT_MALFORMED;
		return pcrm__error(PCRM_EINVAL, "dialler: is NULL");
	}
	rc = pcrm_tel_event_feed(d->tel, ev, rejected);
	if (rc != PCRM_OK || !ev->call_id)
		return rc;
	/* which agent took it: asked before the dialler's lock, the adapter has its own */
	if (ev->type == PCRM_TEL_EV_ESTABLISHED)
		have_info = pcrm_tel_call_get(d->tel, ev->call_id, &info) == PCRM_OK;
	now_ms = pcrm_acd_now(d->acd); /* the clock of the dial's row: ring times are differences */
	pthread_mutex_lock(&d->lock);
	c = call_find(d, ev->call_id);
	if (c) {
		switch (ev->type) {
		case PCRM_TEL_EV_FAILED:
			if (!c->answered)
				c->busy = ev->reason && strcmp(ev->reason, "busy") == 0;
			break;
		case PCRM_TEL_EV_QUEUED:
			if (!c->answered) {
				c->answered = 1;
				result_push(d, c, PCRM__DIAL_ANSWERED, NULL, now_ms);
			}
			break;
		case PCRM_TEL_EV_ESTABLISHED:
			/* an agent's device: the answered call reached an agent.  A switch that
			 * routes from inside the queued event's feed gets here first. */
			if (have_info && info.agent_id[0]) {
				if (!c->answered)
					result_push(d, c, PCRM__DIAL_ANSWERED, NULL, now_ms);
				result_push(d, c, PCRM__DIAL_CONNECTED, info.agent_id, now_ms);
				call_remove(d, c); /* the agent has it: no longer the dialler's */
			}
			break;
		case PCRM_TEL_EV_CALL_CLEARED:
			result_push(d, c, c->answered ? PCRM__DIAL_ABANDONED :
			                  c->busy ? PCRM__DIAL_BUSY : PCRM__DIAL_NO_ANSWER, NULL, now_ms);
			call_remove(d, c);
			break;
		default:
			break;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* ---- dialling: the voice channel of the delivery pass ---- */

/* The called customer's VIP level and account manager, for the answered call's routing. */
static int customer_of(pcrm_dialler *d, const char *customer_no, pcrm_tel_customer *out)
{
	pcrm_customer *c = NULL;
	json_t *doc;
	const char *manager;
	int rc = pcrm_customer_get(d->run_ctx, d->run_actor, customer_no, 0, &c);

	memset(out, 0, sizeof(*out));
	if (rc != PCRM_OK)
		return rc;
	strncpy(out->customer_no, customer_no, sizeof(out->customer_no) - 1);
	out->vip_level = pcrm_customer_vip_level(c);
	doc = json_loads(pcrm_customer_json(c), 0, NULL);
	manager = doc ? json_string_value(json_object_get(doc, "account_manager")) : NULL;
	if (manager && strlen(manager) <= PCRM_ACD_ID_MAX)
		strcpy(out->account_manager, manager);
	json_decref(doc);
	pcrm_customer_free(c);
	return PCRM_OK;
}

static int dial_send(void *userdata, const pcrm_outbound_message *m, char *ref, size_t ref_size)
{
	pcrm_dialler *d = userdata;
	pcrm_tel_dial_spec spec = PCRM_TEL_DIAL_SPEC_INIT;
	pcrm_tel_customer who;
	struct dial_call *c;
	char call_id[PCRM_TEL_ID_MAX + 1], uuid[PCRM_UUID_STRING_LEN + 1];
	int rc;

	rc = customer_of(d, m->customer_no, &who);
	if (rc != PCRM_OK)
		return rc == PCRM_EINVAL ? PCRM_EIO : rc; /* not the number's fault: try again later */
	pcrm__uuid_new(uuid);
	strcpy(call_id, "dial-");
	strcat(call_id, uuid);
	/* noted before the request: the switch may report the call from inside it */
	pthread_mutex_lock(&d->lock);
	if (d->call_count == d->call_cap) {
		size_t cap = d->call_cap ? d->call_cap * 2 : 16;
		void *grown = realloc(d->calls, cap * sizeof(*d->calls));
		if (grown) {
			d->calls = grown;
			d->call_cap = cap;
		}
	}
	c = d->call_count < d->call_cap ? &d->calls[d->call_count] : NULL;
	if (c) {
		memset(c, 0, sizeof(*c));
		strcpy(c->call_id, call_id);
		c->message_id = strdup(m->message_id);
		c->customer_no = strdup(m->customer_no);
		if (c->message_id && c->customer_no)
			d->call_count++;
		else
			call_clear(c), c = NULL;
	}
	pthread_mutex_unlock(&d->lock);
	if (!c)
		return pcrm__error_oom();
	/* kept before the dial: a crash from here on leaves a row the next dialler settles */
	rc = pcrm__dial_call_open(d->run_ctx, d->campaign, d->id, m->message_id, m->customer_no,
	                          call_id, pcrm_acd_now(d->acd));
	if (rc != PCRM_OK) {
		pthread_mutex_lock(&d->lock);
		if ((c = call_find(d, call_id)))
			call_remove(d, c);
		pthread_mutex_unlock(&d->lock);
		return rc == PCRM_ENOMEM ? rc : PCRM_EIO; /* the store's trouble: try again later */
	}

	spec.call_id = call_id;
	spec.device_id = d->device;
	spec.destination = m->destination;
	spec.queue_id = d->queue;
	spec.min_level = who.vip_level >= 1 ? d->vip_min_level : 1;
	spec.preferred_wait_s = d->preferred_wait_s;
	spec.customer = &who;
	rc = pcrm_tel_dial(d->tel, &spec);
	if (rc != PCRM_OK) {
		pthread_mutex_lock(&d->lock);
		if ((c = call_find(d, call_id)))
			call_remove(d, c);
		pthread_mutex_unlock(&d->lock);
		/* no call: its row goes (left behind, it would be settled as unknown later) */
		pcrm__dial_call_forget(d->run_ctx, call_id);
		/* a number the switch cannot dial is refused for good; anything else passes */
		return rc == PCRM_EINVAL ? PCRM_EINVAL : rc == PCRM_ENOMEM ? rc : PCRM_EIO;
	}
	d->run_dialled++;
	if (ref_size > strlen(call_id))
		strcpy(ref, call_id);
	return PCRM_OK;
}

/* ---- one run ---- */

static int campaign_unit(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission perm,
                         const char *campaign_id, char **org_unit)
{
	static const char sql[] = "SELECT org_unit FROM outbound_campaign WHERE id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(campaign_id) };
	pcrm_rows *rows = NULL;
	int rc, found = 0;

	*org_unit = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!campaign_id ||
	                      pcrm__code_check("campaign_id", campaign_id, PCRM__CAMPAIGN_ID_MAX)))
		rc = campaign_id ? PCRM_EINVAL : pcrm__error(PCRM_EINVAL, "campaign_id: is NULL");
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		*org_unit = strdup(pcrm__rows_text(rows, 0));
		rc = *org_unit ? PCRM_OK : pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc >= 0)
		rc = pcrm__authorize_found(ctx, actor, perm, "outbound_campaign", campaign_id,
		                           found ? PCRM_OK : PCRM_ENOTFOUND, *org_unit);
	if (rc != PCRM_OK) {
		free(*org_unit);
		*org_unit = NULL;
	}
	return rc;
}

/* The first result that may be written, -1 when none (lock held). */
static int writable_result(pcrm_dialler *d)
{
	for (size_t i = 0; i < d->result_count; i++)
		if (d->results[i].writable)
			return (int)i;
	return -1;
}

/*
 * Writes the writable results noted so far, oldest first, each with its
 * call's row.  A failed write keeps that result and those after it for the
 * next writer, so none is lost to a busy store.  Only this function removes
 * results, under write_lock, so the index found stays the result's own.
 */
static int write_results(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_actor *actor,
                         const pcrm_outbound_policy *policy, int *written)
{
	int rc = PCRM_OK;
	pthread_mutex_lock(&d->write_lock);
	for (;;) {
		struct pcrm__dial_result r;
		int i, done = 0;
		pthread_mutex_lock(&d->lock);
		i = writable_result(d);
		if (i >= 0)
			r = d->results[i];
		pthread_mutex_unlock(&d->lock);
		if (i < 0)
			break;
		rc = pcrm__dial_call_settle(ctx, actor, policy, &r, &done);
		if (rc != PCRM_OK)
			break;
		pthread_mutex_lock(&d->lock);
		memmove(&d->results[i], &d->results[i + 1],
		        (d->result_count - (size_t)i - 1) * sizeof(*d->results));
		d->result_count--;
		pthread_mutex_unlock(&d->lock);
		pcrm__dial_result_clear(&r);
		*written += done;
	}
	pthread_mutex_unlock(&d->write_lock);
	return rc;
}

/* The delivery pass is over: its calls' "accepted" attempts are written, their results may be. */
static void calls_accepted(pcrm_dialler *d)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->call_count; i++)
		d->calls[i].accepted = 1;
	for (size_t i = 0; i < d->result_count; i++)
		d->results[i].writable = 1;
	pthread_mutex_unlock(&d->lock);
}

/* Ringing and answered-and-waiting calls among those in progress. */
static void calls_in_progress(pcrm_dialler *d, int *ringing, int *waiting)
{
	*ringing = *waiting = 0;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->call_count; i++)
		(*(d->calls[i].answered ? waiting : ringing))++;
	pthread_mutex_unlock(&d->lock);
}

/*
 * How many calls this pass may dial: progressive (ready agents times
 * pacing_percent, less the calls in progress), or, with the predictive pace
 * set and enough of the campaign's calls settled, the model's number
 * (dial_pacing.c).  The observed abandoned share above the target puts the
 * pass back on progressive until it falls again.
 */
static int pace(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_acd_queue_stats *qs,
                pcrm_dialler_pass *counts, pcrm_dialler_pace *out)
{
	struct pcrm__dial_observed obs;
	struct pcrm__pace_inputs in;
	struct pcrm__pace_estimate est;
	pcrm_dialler_predictive cfg;
	int64_t allowed;
	int predictive, ringing, waiting, rc;

	*out = (pcrm_dialler_pace)PCRM_DIALLER_PACE_INIT;
	counts->ready_agents = (int)qs->agents_ready;
	counts->in_progress = pcrm_dialler_in_progress(d);
	/* whole calls only: 3 ready agents at 150 % allow 4 */
	allowed = (int64_t)qs->agents_ready * d->pacing_percent / 100 - counts->in_progress;
	counts->capacity = allowed > 0 ? (int)(allowed < 1000 ? allowed : 1000) : 0;
	out->mode = PCRM_DIALLER_PROGRESSIVE;
	out->capacity = counts->capacity;
	pthread_mutex_lock(&d->lock);
	predictive = d->predictive;
	cfg = d->predict;
	pthread_mutex_unlock(&d->lock);
	if (!predictive)
		return PCRM_OK;
	if ((rc = pcrm__dial_observe(ctx, d->campaign, &obs)) != PCRM_OK)
		return rc;
	out->observations = obs.calls;
	if (obs.calls > 0)
		out->answer_rate = (double)obs.answered / (double)obs.calls;
	if (obs.answered > 0) {
		out->ring_s = (double)obs.ring_ms / (double)obs.answered / 1000.0;
		out->observed_abandon = (double)obs.abandoned / (double)obs.answered;
	}
	if (qs->total.handled > 0)
		out->handle_s = qs->total.aht_s;
	if (obs.calls < cfg.min_observations ||
	    out->observed_abandon * 1000.0 > cfg.target_abandon_permille)
		return PCRM_OK;
	calls_in_progress(d, &ringing, &waiting);
	memset(&in, 0, sizeof(in));
	in.ready = (int)qs->agents_ready;
	in.busy = (int)qs->agents_busy;
	in.waiting = waiting;
	in.ringing = ringing;
	allowed = ((int64_t)qs->agents_ready + (int64_t)qs->agents_busy) * cfg.max_percent / 100 -
	          ringing - waiting;
	in.max_new = allowed > 0 ? (int)(allowed < 1000 ? allowed : 1000) : 0;
	in.answer_rate = out->answer_rate;
	in.ring_s = out->ring_s;
	in.handle_s = out->handle_s;
	in.target = cfg.target_abandon_permille / 1000.0;
	if ((rc = pcrm__pace_predict(&in, &est)) != PCRM_OK)
		return rc;
	out->mode = PCRM_DIALLER_PREDICTIVE;
	out->agents_soon = est.agents_soon;
	out->predicted_abandon = est.abandon_share;
	out->capacity = counts->capacity = est.calls;
	return PCRM_OK;
}

int pcrm_dialler_run(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_actor *actor,
                     const pcrm_outbound_policy *policy, pcrm_dialler_pass *pass)
{
	pcrm_dialler_pass counts = PCRM_DIALLER_PASS_INIT;
	pcrm_outbound_pass dpass = PCRM_OUTBOUND_PASS_INIT;
	pcrm_outbound_channels ch = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
	pcrm_dialler_pace paced = PCRM_DIALLER_PACE_INIT;
	char *org_unit = NULL;
	int rc, recovered = 0;

	if (!d || !ctx)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", d ? "ctx" : "dialler");
	if (pass && (rc = PCRM__OUT_VERSION_CHECK("pass", pass, PCRM_DIALLER_PASS)) != PCRM_OK)
		return rc;
	ch.userdata = d;
	ch.voice = dial_send;
	rc = pcrm__outbound_check_policy(&ch, policy);
	if (rc == PCRM_OK)
		rc = campaign_unit(ctx, actor, PCRM_PERM_CONTACT_WRITE, d->campaign, &org_unit);
	if (rc == PCRM_OK)
		rc = pcrm__dial_lease_take(ctx, d->campaign, d->id);
	/* a dead dialler's open calls first: their messages' retries are due before new calls */
	if (rc == PCRM_OK)
		rc = pcrm__dial_recover(ctx, actor, policy, d->campaign, d->id, pcrm_acd_now(d->acd),
		                        &recovered);
	counts.results += recovered;
	if (rc == PCRM_OK)
		rc = write_results(d, ctx, actor, policy, &counts.results);
	if (rc == PCRM_OK)
		rc = pcrm_acd_queue_stats_get(d->acd, d->queue, &qs);
	if (rc == PCRM_OK) {
		rc = pace(d, ctx, &qs, &counts, &paced);
		pthread_mutex_lock(&d->lock);
		d->pace = paced;
		pthread_mutex_unlock(&d->lock);
	}
	if (rc == PCRM_OK && counts.capacity > 0) {
		d->run_ctx = ctx;
		d->run_actor = actor;
		d->run_dialled = 0;
		rc = pcrm__outbound_deliver_campaign(ctx, actor, org_unit, d->campaign, &ch, policy,
		                                     counts.capacity, &dpass);
		counts.dialled = d->run_dialled;
		d->run_ctx = NULL;
		d->run_actor = NULL;
		counts.retried = dpass.retried;
		counts.deferred = dpass.deferred;
		counts.failed = dpass.failed;
		counts.suppressed = dpass.suppressed;
	}
	calls_accepted(d);
	/* calls the switch settled at once (busy from inside make_call) are written now */
	if (rc == PCRM_OK)
		rc = write_results(d, ctx, actor, policy, &counts.results);
	free(org_unit);
	if (pass)
		*pass = counts;
	return rc;
}

/* The campaign's voice attempt rows counted by result; `unknown` those a dead dialler left. */
static int call_counts(pcrm_ctx *ctx, const pcrm_actor *actor, const char *campaign_id,
                       pcrm_campaign_call_stats *s, int64_t *unknown)
{
	static const char sql[] =
		"SELECT a.result, COUNT(*) FROM outbound_attempt a "
		"JOIN outbound_message m ON m.id = a.message_id AND m.customer_no = a.customer_no "
		"WHERE m.campaign_id = $1 AND a.channel = 'voice' GROUP BY a.result";
	pcrm_sql_value p[1] = { PCRM_SQL_S(campaign_id) };
	pcrm_rows *rows = NULL;
	char *org_unit = NULL;
	int rc;

	*unknown = 0;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = campaign_unit(ctx, actor, PCRM_PERM_ARCHIVE_READ, campaign_id, &org_unit);
	free(org_unit);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	while (rc >= 0 && rows && (rc = pcrm__rows_next(rows)) == 1) {
		const char *r = pcrm__rows_text(rows, 0);
		int64_t n = pcrm__rows_int(rows, 1);
		if (strcmp(r, "accepted") == 0)
			s->dialled += n;
		else if (strcmp(r, "no_answer") == 0)
			s->no_answer += n;
		else if (strcmp(r, "busy") == 0)
			s->busy += n;
		else if (strcmp(r, "answered") == 0)
			s->answered += n;
		else if (strcmp(r, "connected") == 0)
			s->connected += n;
		else if (strcmp(r, "abandoned") == 0)
			s->abandoned += n;
		else if (strcmp(r, "unknown") == 0)
			*unknown += n;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm_campaign_call_stats_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *campaign_id,
                                 pcrm_campaign_call_stats *out)
{
	pcrm_campaign_call_stats s = PCRM_CAMPAIGN_CALL_STATS_INIT;
	int64_t unknown;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_CAMPAIGN_CALL_STATS)) != PCRM_OK)
		return rc;
	if ((rc = call_counts(ctx, actor, campaign_id, &s, &unknown)) == PCRM_OK)
		*out = s;
	return rc;
}

int pcrm_campaign_calls_unknown(pcrm_ctx *ctx, const pcrm_actor *actor, const char *campaign_id,
                                int64_t *out)
{
	pcrm_campaign_call_stats s = PCRM_CAMPAIGN_CALL_STATS_INIT;
	int64_t unknown;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	if ((rc = call_counts(ctx, actor, campaign_id, &s, &unknown)) == PCRM_OK)
		*out = unknown;
	return rc;
}

int pcrm_dialler_set_predictive(pcrm_dialler *d, const pcrm_dialler_predictive *p)
{
	if (!d)
		return pcrm__error(PCRM_EINVAL, "dialler: is NULL");
	if (p) {
		int rc = PCRM__OUT_VERSION_CHECK("predictive", p, PCRM_DIALLER_PREDICTIVE);
		if (rc != PCRM_OK)
			return rc;
		if (p->target_abandon_permille < 1 || p->target_abandon_permille > 200)
			return pcrm__error(PCRM_EINVAL,
			                   "predictive.target_abandon_permille: %d is not 1..200",
			                   p->target_abandon_permille);
		if (p->min_observations < 1 || p->min_observations > 1000000)
			return pcrm__error(PCRM_EINVAL,
			                   "predictive.min_observations: %d is not 1..1000000",
			                   p->min_observations);
		if (p->max_percent < 100 || p->max_percent > 1000)
			return pcrm__error(PCRM_EINVAL, "predictive.max_percent: %d is not 100..1000",
			                   p->max_percent);
	}
	pthread_mutex_lock(&d->lock);
	d->predictive = p != NULL;
	if (p)
		d->predict = *p;
	pthread_mutex_unlock(&d->lock);
	return PCRM_OK;
}

int pcrm_dialler_pace_get(pcrm_dialler *d, pcrm_dialler_pace *out)
{
	int rc;
	if (!d || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", d ? "out" : "dialler");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_DIALLER_PACE)) != PCRM_OK)
		return rc;
	pthread_mutex_lock(&d->lock);
	*out = d->pace;
	pthread_mutex_unlock(&d->lock);
	return PCRM_OK;
}

int pcrm_dialler_event_record(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_actor *actor,
                              const pcrm_outbound_policy *policy, const pcrm_tel_event *event,
                              pcrm_tel_reject *rejected)
{
	pcrm_outbound_channels ch = PCRM_OUTBOUND_CHANNELS_INIT;
	char *org_unit = NULL;
	int rc, written = 0;

	if (!d || !ctx) {
		if (rejected)
			*rejected = PCRM_TEL_REJECT_MALFORMED;
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", d ? "ctx" : "dialler");
	}
	/* checked before the event is fed: a refused caller changes nothing */
	ch.userdata = d;
	ch.voice = dial_send;
	rc = pcrm__outbound_check_policy(&ch, policy);
	if (rc == PCRM_OK)
		rc = campaign_unit(ctx, actor, PCRM_PERM_CONTACT_WRITE, d->campaign, &org_unit);
	free(org_unit);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm_dialler_event_feed(d, event, rejected);
	if (rc != PCRM_OK)
		return rc;
	return write_results(d, ctx, actor, policy, &written);
}
