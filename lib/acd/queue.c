/*
 * Queues (skill groups) and the other configuration made through the API:
 * validation of a pcrm_acd_queue_config, creation (existing agents holding
 * the queue's skill become members), overflow and rule links, reason codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_internal.h"
#include "core/error.h"

static int range(const char *path, const char *field, long long v, long long lo, long long hi)
{
	if (v < lo || v > hi)
		return pcrm__error(PCRM_EINVAL, "%s.%s: %lld is not %lld..%lld", path, field, v, lo, hi);
	return PCRM_OK;
}

static int check_basic(pcrm_acd *acd, const pcrm_acd_queue_config *c, const char *path)
{
	char field[160];
	int rc;

	if (!c)
		return pcrm__error(PCRM_EINVAL, "%s: missing", path);
	if (c->version != PCRM_ACD_QUEUE_CONFIG_VERSION)
		return pcrm__error(PCRM_EINVAL, "%s.version: %u is not %d", path, c->version,
		                   PCRM_ACD_QUEUE_CONFIG_VERSION);
	snprintf(field, sizeof(field), "%s.id", path);
	if ((rc = acd_check_id(field, c->id)) < 0)
		return rc;
	if (acd_idmap_get(&acd->queue_map, c->id))
		return pcrm__error(PCRM_EDUPLICATE, "%s.id: \"%s\" is already a queue", path, c->id);
	if (!pcrm_acd_strategy_name(c->strategy))
		return pcrm__error(PCRM_EINVAL, "%s.strategy: %d is not a strategy", path,
		                   (int)c->strategy);
	if ((rc = range(path, "sl_percent", c->sl_percent, 1, 100)) < 0 ||
	    (rc = range(path, "sl_target_s", c->sl_target_s, 1, 3600)) < 0 ||
	    (rc = range(path, "max_waiting", c->max_waiting, 0, 1000000)) < 0 ||
	    (rc = range(path, "max_wait_s", c->max_wait_s, 0, 86400)) < 0 ||
	    (rc = range(path, "no_agent", c->no_agent, 0, 2)) < 0 ||
	    (rc = range(path, "wrap_up_s", c->wrap_up_s, 0, 3600)) < 0 ||
	    (rc = range(path, "ring_timeout_s", c->ring_timeout_s, 0, 600)) < 0 ||
	    (rc = range(path, "rule_count", (long long)c->rule_count, 0, ACD_RULES_MAX)) < 0)
		return rc;
	if (c->org_unit) {
		snprintf(field, sizeof(field), "%s.org_unit", path);
		if ((rc = acd_check_id(field, c->org_unit)) < 0)
			return rc;
	}
	if (c->rule_count && !c->rules)
		return pcrm__error(PCRM_EINVAL, "%s.rules: missing", path);
	for (size_t i = 0; i < c->rule_count; i++) {
		const pcrm_acd_rule *r = &c->rules[i];
		snprintf(field, sizeof(field), "%s.rules[%zu]", path, i);
		if ((rc = range(field, "after_s", r->after_s, 0, 86400)) < 0 ||
		    (rc = range(field, "action", r->action, 0, 2)) < 0)
			return rc;
		if (r->action == PCRM_ACD_RULE_RAISE_PRIORITY)
			rc = range(field, "value", r->value, 1, PCRM_ACD_PRIORITY_MAX);
		else
			rc = range(field, "value", r->value, 1, PCRM_ACD_LEVEL_MAX);
		if (rc < 0)
			return rc;
	}
	return PCRM_OK;
}

/* The queues a config links to must exist and the overflow chain must not loop. */
static int check_links(pcrm_acd *acd, const pcrm_acd_queue_config *c, const struct acd_queue *self,
                       const char *path)
{
	char field[160];
	int rc;

	if (c->no_agent == PCRM_ACD_NO_AGENT_OVERFLOW && !c->overflow_queue_id)
		return pcrm__error(PCRM_EINVAL, "%s.overflow_queue_id: missing (no_agent is overflow)",
		                   path);
	if (c->overflow_queue_id) {
		snprintf(field, sizeof(field), "%s.overflow_queue_id", path);
		if ((rc = acd_check_id(field, c->overflow_queue_id)) < 0)
			return rc;
		const struct acd_queue *t = acd_idmap_get(&acd->queue_map, c->overflow_queue_id);
		if (!t)
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a queue", field,
			                   c->overflow_queue_id);
		for (size_t hops = 0; t; t = t->overflow, hops++)
			if (t == self || strcmp(t->id, c->id) == 0 || hops > acd->nqueues)
				return pcrm__error(PCRM_EINVAL, "%s: \"%s\" overflows back into queue %s",
				                   field, c->overflow_queue_id, c->id);
	}
	for (size_t i = 0; i < c->rule_count; i++) {
		const pcrm_acd_rule *r = &c->rules[i];
		if (r->action != PCRM_ACD_RULE_ADD_QUEUE)
			continue;
		snprintf(field, sizeof(field), "%s.rules[%zu].queue_id", path, i);
		if ((rc = acd_check_id(field, r->queue_id)) < 0)
			return rc;
		if (strcmp(r->queue_id, c->id) == 0)
			return pcrm__error(PCRM_EINVAL, "%s: a queue cannot add itself", field);
		if (!acd_idmap_get(&acd->queue_map, r->queue_id))
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a queue", field, r->queue_id);
	}
	return PCRM_OK;
}

static int rule_order(const void *a, const void *b)
{
	const struct acd_rule *x = a, *y = b;
	return (x->after_s > y->after_s) - (x->after_s < y->after_s);
}

/* Sets overflow and rules of a created queue; check_links() passed. */
static void set_links(pcrm_acd *acd, struct acd_queue *q, const pcrm_acd_queue_config *c)
{
	q->overflow = c->overflow_queue_id ? acd_idmap_get(&acd->queue_map, c->overflow_queue_id)
	                                   : NULL;
	q->nrules = c->rule_count;
	for (size_t i = 0; i < c->rule_count; i++) {
		q->rules[i].after_s = c->rules[i].after_s;
		q->rules[i].action = c->rules[i].action;
		q->rules[i].value = c->rules[i].value;
		q->rules[i].queue = c->rules[i].action == PCRM_ACD_RULE_ADD_QUEUE
		                            ? acd_idmap_get(&acd->queue_map, c->rules[i].queue_id)
		                            : NULL;
	}
	/* stable for equal after_s: insertion sort keeps the configured order */
	for (size_t i = 1; i < q->nrules; i++)
		for (size_t j = i; j > 0 && rule_order(&q->rules[j - 1], &q->rules[j]) > 0; j--) {
			struct acd_rule t = q->rules[j];
			q->rules[j] = q->rules[j - 1];
			q->rules[j - 1] = t;
		}
}

static void queue_free_empty(struct acd_queue *q)
{
	for (size_t l = 0; l < ACD_LEVELS; l++)
		acd_heap_free(&q->idle[l]);
	free(q->members);
	free(q);
}

/* Creates the queue (no links yet) and makes holders of its skill members. */
static int create(pcrm_acd *acd, const pcrm_acd_queue_config *c, struct acd_queue **out)
{
	struct acd_queue *q;

	if (acd->nqueues == acd->queues_cap) {
		size_t cap = acd->queues_cap ? acd->queues_cap * 2 : 16;
		struct acd_queue **grown = realloc(acd->queues, cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		acd->queues = grown;
		acd->queues_cap = cap;
	}
	if (acd_idmap_reserve(&acd->queue_map, 1) < 0 || !(q = calloc(1, sizeof(*q))))
		return pcrm__error_oom();
	acd_copy_id(q->id, c->id);
	acd_copy_id(q->org, c->org_unit ? c->org_unit : "");
	q->strategy = c->strategy;
	q->sl_percent = c->sl_percent;
	q->sl_target_s = c->sl_target_s;
	q->max_waiting = c->max_waiting;
	q->max_wait_s = c->max_wait_s;
	q->no_agent = c->no_agent;
	q->wrap_up_s = c->wrap_up_s;
	q->ring_timeout_s = c->ring_timeout_s;
	q->interval_of = acd->interval_start;
	for (size_t l = 0; l < ACD_LEVELS; l++)
		acd_heap_init(&q->idle[l], offsetof(struct acd_member, pos));
	acd_heap_init(&q->waiting, offsetof(struct acd_call, wpos));
	for (size_t i = 0; i < acd->nagents; i++) {
		struct acd_agent *a = acd->agents[i];
		int level = acd_agent_skill(a, q->id);
		if (level > 0 && acd_member_add(acd, a, q, level) < 0) {
			/* undo the memberships made so far */
			for (size_t k = 0; k <= i; k++) {
				struct acd_agent *b = acd->agents[k];
				for (size_t m = 0; m < b->nmembers; m++)
					if (b->members[m]->queue == q) {
						struct acd_member *mm = b->members[m];
						if (mm->pos != ACD_HEAP_NONE)
							acd_heap_remove(&q->idle[mm->level - 1], mm);
						if (b->state != PCRM_ACD_LOGGED_OUT)
							q->logged_in--;
						b->members[m] = b->members[--b->nmembers];
						free(mm);
						break;
					}
			}
			queue_free_empty(q);
			return PCRM_ENOMEM;
		}
	}
	acd->queues[acd->nqueues++] = q;
	acd_idmap_put(&acd->queue_map, q);
	*out = q;
	return PCRM_OK;
}

int acd_queue_add_locked(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path)
{
	struct acd_queue *q;
	int rc;
	if ((rc = check_basic(acd, cfg, path)) < 0 || (rc = check_links(acd, cfg, NULL, path)) < 0 ||
	    (rc = create(acd, cfg, &q)) < 0)
		return rc;
	set_links(acd, q, cfg);
	for (size_t i = 0; i < q->nmembers; i++)
		acd_dispatch_agent(acd, q->members[i]->agent);
	return PCRM_OK;
}

/* For a whole configuration document: every queue is created first, then linked. */
int acd_queue_create_unlinked(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path)
{
	struct acd_queue *q;
	int rc;
	if ((rc = check_basic(acd, cfg, path)) < 0)
		return rc;
	return create(acd, cfg, &q);
}

int acd_queue_link(pcrm_acd *acd, const pcrm_acd_queue_config *cfg, const char *path)
{
	struct acd_queue *q = acd_idmap_get(&acd->queue_map, cfg->id);
	int rc;
	if ((rc = check_links(acd, cfg, q, path)) < 0)
		return rc;
	set_links(acd, q, cfg);
	return PCRM_OK;
}

int pcrm_acd_queue_add(pcrm_acd *acd, const pcrm_acd_queue_config *config)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	return acd_leave(acd, acd_queue_add_locked(acd, config, "queue"));
}

int acd_reason_add_locked(pcrm_acd *acd, const char *reason, const char *path)
{
	int rc;
	if ((rc = acd_check_id(path, reason)) < 0)
		return rc;
	if (acd_reason_known(acd, reason))
		return pcrm__error(PCRM_EDUPLICATE, "%s: \"%s\" is already a reason code", path, reason);
	if (acd->nreasons == acd->reasons_cap) {
		size_t cap = acd->reasons_cap ? acd->reasons_cap * 2 : 8;
		char(*grown)[ACD_ID_SIZE] = realloc(acd->reasons, cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		acd->reasons = grown;
		acd->reasons_cap = cap;
	}
	acd_copy_id(acd->reasons[acd->nreasons++], reason);
	return PCRM_OK;
}

int pcrm_acd_reason_add(pcrm_acd *acd, const char *reason)
{
	if (!acd)
		return pcrm__error(PCRM_EINVAL, "acd: missing");
	acd_enter(acd);
	return acd_leave(acd, acd_reason_add_locked(acd, reason, "reason"));
}
