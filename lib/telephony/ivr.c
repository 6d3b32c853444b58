/*
 * IVR hand-off (docs/adapter-guide.md, IVR mapping): the rules document,
 * matching a call's numbers against it, and the customer found by the
 * lookup (priority from the VIP level, the account manager as preferred
 * agent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tel_internal.h"
#include "core/error.h"
#include "core/json_doc.h"

#define MAX_RULES 10000

void tel_ivr_free(struct tel_ivr *ivr)
{
	if (!ivr)
		return;
	for (size_t i = 0; i < ivr->count; i++) {
		struct tel_ivr_rule *r = &ivr->rules[i];
		free(r->dialled);
		free(r->dialled_prefix);
		free(r->caller_prefix);
		free(r->digits);
		free(r->digits_prefix);
		free(r->service);
	}
	free(ivr->rules);
	free(ivr);
}

static int queue_exists(pcrm_tel *tel, const char *path, const char *id)
{
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	char q[PCRM_QUOTE_SIZE];
	if (pcrm_acd_queue_stats_get(tel->acd, id, &st) == PCRM_OK)
		return PCRM_OK;
	pcrm__quote(id, strlen(id), q, sizeof(q));
	return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a queue", path, q);
}

/* A string condition or name of at most `max` bytes; NULL when absent. */
static int opt_text(const json_t *obj, const char *key, const char *at, size_t max, char **out)
{
	char path[96];
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v)
		return PCRM_OK;
	snprintf(path, sizeof(path), "%s.%s", at, key);
	int rc = pcrm__json_expect(path, v, JSON_STRING, "a string");
	if (rc)
		return rc;
	size_t n = json_string_length(v);
	if (n == 0 || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: length %zu is not 1..%zu", path, n, max);
	if (!(*out = strdup(json_string_value(v))))
		return pcrm__error_oom();
	return PCRM_OK;
}

static int int_in(const json_t *obj, const char *key, const char *at, int lo, int hi, int *out)
{
	char path[96];
	json_t *v = json_object_get(obj, key);
	if (!v)
		return PCRM_OK;
	snprintf(path, sizeof(path), "%s%s%s", at, at[0] ? "." : "", key);
	int rc = pcrm__json_expect(path, v, JSON_INTEGER, "an integer");
	if (rc)
		return rc;
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi)
		return pcrm__error(PCRM_EINVAL, "%s: %lld is not %d..%d", path, (long long)x, lo, hi);
	*out = (int)x;
	return PCRM_OK;
}

static int parse_skills(const json_t *arr, const char *at, struct tel_ivr_rule *r)
{
	char path[128];
	snprintf(path, sizeof(path), "%s.skills", at);
	int rc = pcrm__json_expect(path, arr, JSON_ARRAY, "an array");
	if (rc)
		return rc;
	if (json_array_size(arr) > PCRM_ACD_CALL_SKILLS_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: more than %d skills", path,
		                   PCRM_ACD_CALL_SKILLS_MAX);
	static const char *const keys[] = { "skill", "level", NULL };
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *s = json_array_get(arr, i);
		char sp[160];
		snprintf(sp, sizeof(sp), "%s[%zu]", path, i);
		if ((rc = pcrm__json_expect(sp, s, JSON_OBJECT, "an object")) ||
		    (rc = pcrm__json_check_keys(sp, s, keys)))
			return rc;
		char *name = NULL;
		int level = 1;
		if ((rc = opt_text(s, "skill", sp, PCRM_ACD_ID_MAX, &name)) ||
		    (rc = int_in(s, "level", sp, PCRM_ACD_LEVEL_MIN, PCRM_ACD_LEVEL_MAX, &level))) {
			free(name);
			return rc;
		}
		if (!name)
			return pcrm__error(PCRM_EINVAL, "%s.skill: missing (expected a string)", sp);
		tel_copy(r->skill_names[i], TEL_ID_SIZE, name);
		free(name);
		r->skills[i].level = level;
		r->skill_count = i + 1;
	}
	return PCRM_OK;
}

static int parse_rule(pcrm_tel *tel, const json_t *obj, size_t index, struct tel_ivr_rule *r)
{
	static const char *const keys[] = { "dialled", "dialled_prefix", "caller_prefix", "digits",
		                            "digits_prefix", "service", "queue", "min_level",
		                            "priority", "skills", NULL };
	char at[48];
	int rc;
	snprintf(at, sizeof(at), "rules[%zu]", index);
	if ((rc = pcrm__json_expect(at, obj, JSON_OBJECT, "an object")) ||
	    (rc = pcrm__json_check_keys(at, obj, keys)))
		return rc;
	r->min_level = 1;
	char *queue = NULL;
	if ((rc = opt_text(obj, "dialled", at, PCRM_TEL_NUMBER_MAX, &r->dialled)) ||
	    (rc = opt_text(obj, "dialled_prefix", at, PCRM_TEL_NUMBER_MAX, &r->dialled_prefix)) ||
	    (rc = opt_text(obj, "caller_prefix", at, PCRM_TEL_NUMBER_MAX, &r->caller_prefix)) ||
	    (rc = opt_text(obj, "digits", at, PCRM_TEL_DIGITS_MAX, &r->digits)) ||
	    (rc = opt_text(obj, "digits_prefix", at, PCRM_TEL_DIGITS_MAX, &r->digits_prefix)) ||
	    (rc = opt_text(obj, "service", at, PCRM_ACD_ID_MAX, &r->service)) ||
	    (rc = opt_text(obj, "queue", at, PCRM_ACD_ID_MAX, &queue)) ||
	    (rc = int_in(obj, "min_level", at, PCRM_ACD_LEVEL_MIN, PCRM_ACD_LEVEL_MAX, &r->min_level)) ||
	    (rc = int_in(obj, "priority", at, 0, PCRM_ACD_PRIORITY_MAX, &r->priority))) {
		free(queue);
		return rc;
	}
	if (!queue)
		return pcrm__error(PCRM_EINVAL, "%s.queue: missing (expected a string)", at);
	tel_copy(r->queue, sizeof(r->queue), queue);
	free(queue);
	char qp[64];
	snprintf(qp, sizeof(qp), "%s.queue", at);
	if ((rc = queue_exists(tel, qp, r->queue)))
		return rc;
	if (!r->dialled && !r->dialled_prefix && !r->caller_prefix && !r->digits &&
	    !r->digits_prefix && !r->service)
		return pcrm__error(PCRM_EINVAL, "%s: no condition (dialled, dialled_prefix, "
		                   "caller_prefix, digits, digits_prefix or service); use default_queue",
		                   at);
	const json_t *skills = json_object_get(obj, "skills");
	return skills ? parse_skills(skills, at, r) : PCRM_OK;
}

static int parse_doc(pcrm_tel *tel, const json_t *doc, struct tel_ivr *ivr)
{
	static const char *const keys[] = { "rules", "default_queue", "vip_priority",
		                            "preferred_wait_s", NULL };
	int rc;
	if ((rc = pcrm__json_expect("document", doc, JSON_OBJECT, "an object")) ||
	    (rc = pcrm__json_check_keys("", doc, keys)))
		return rc;
	for (int v = 0; v < 6; v++)
		ivr->vip_priority[v] = v;
	ivr->preferred_wait_s = 30;
	const json_t *rules = json_object_get(doc, "rules");
	if ((rc = pcrm__json_expect("rules", rules, JSON_ARRAY, "an array")))
		return rc;
	if (json_array_size(rules) > MAX_RULES)
		return pcrm__error(PCRM_EINVAL, "rules: more than %d", MAX_RULES);
	ivr->rules = calloc(json_array_size(rules) + 1, sizeof(*ivr->rules));
	if (!ivr->rules)
		return pcrm__error_oom();
	for (size_t i = 0; i < json_array_size(rules); i++) {
		ivr->count = i + 1; /* so a failure frees what this rule allocated */
		if ((rc = parse_rule(tel, json_array_get(rules, i), i, &ivr->rules[i])))
			return rc;
	}
	char *dq = NULL;
	if ((rc = opt_text(doc, "default_queue", "document", PCRM_ACD_ID_MAX, &dq)))
		return rc;
	if (dq) {
		tel_copy(ivr->default_queue, sizeof(ivr->default_queue), dq);
		free(dq);
		if ((rc = queue_exists(tel, "default_queue", ivr->default_queue)))
			return rc;
	}
	const json_t *vp = json_object_get(doc, "vip_priority");
	if (vp) {
		if ((rc = pcrm__json_expect("vip_priority", vp, JSON_ARRAY, "an array")))
			return rc;
		if (json_array_size(vp) != 6)
			return pcrm__error(PCRM_EINVAL, "vip_priority: %zu entries, expected 6 (VIP levels 0..5)",
			                   json_array_size(vp));
		for (size_t v = 0; v < 6; v++) {
			const json_t *x = json_array_get(vp, v);
			char p[32];
			snprintf(p, sizeof(p), "vip_priority[%zu]", v);
			if ((rc = pcrm__json_expect(p, x, JSON_INTEGER, "an integer")))
				return rc;
			json_int_t n = json_integer_value(x);
			if (n < 0 || n > PCRM_ACD_PRIORITY_MAX)
				return pcrm__error(PCRM_EINVAL, "%s: %lld is not 0..%d", p, (long long)n,
				                   PCRM_ACD_PRIORITY_MAX);
			ivr->vip_priority[v] = (int)n;
		}
	}
	return int_in(doc, "preferred_wait_s", "", 0, 3600, &ivr->preferred_wait_s);
}

int pcrm_tel_set_ivr_rules(pcrm_tel *tel, const char *json)
{
	if (!tel || !json)
		return pcrm__error(PCRM_EINVAL, "%s: missing", tel ? "json" : "tel");
	json_error_t jerr;
	json_t *doc = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return pcrm__error(PCRM_EINVAL, "IVR rules: line %d: %s", jerr.line, jerr.text);
	struct tel_ivr *ivr = calloc(1, sizeof(*ivr));
	if (!ivr) {
		json_decref(doc);
		return pcrm__error_oom();
	}
	int rc = parse_doc(tel, doc, ivr);
	json_decref(doc);
	if (rc) {
		tel_ivr_free(ivr);
		return rc;
	}
	for (size_t i = 0; i < ivr->count; i++)
		for (size_t s = 0; s < ivr->rules[i].skill_count; s++)
			ivr->rules[i].skills[s].skill = ivr->rules[i].skill_names[s];
	pthread_mutex_lock(&tel->lock);
	struct tel_ivr *old = tel->ivr;
	tel->ivr = ivr;
	pthread_mutex_unlock(&tel->lock);
	tel_ivr_free(old);
	pcrm_error_clear();
	return PCRM_OK;
}

static int prefixed(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static int rule_matches(const struct tel_ivr_rule *r, const struct tel_call *c)
{
	return (!r->dialled || strcmp(c->dialled, r->dialled) == 0) &&
	       (!r->dialled_prefix || prefixed(c->dialled, r->dialled_prefix)) &&
	       (!r->caller_prefix || prefixed(c->caller, r->caller_prefix)) &&
	       (!r->digits || strcmp(c->digits, r->digits) == 0) &&
	       (!r->digits_prefix || prefixed(c->digits, r->digits_prefix)) &&
	       (!r->service || strcmp(c->service, r->service) == 0);
}

int tel_ivr_map(const pcrm_tel *tel, const struct tel_call *call, struct tel_route_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->min_level = 1;
	const struct tel_ivr *ivr = tel->ivr;
	if (!ivr)
		return pcrm__error(PCRM_ENOTFOUND, "call %s: no IVR rules are set "
		                   "(pcrm_tel_set_ivr_rules)", call->id);
	for (size_t i = 0; i < ivr->count; i++) {
		const struct tel_ivr_rule *r = &ivr->rules[i];
		if (!rule_matches(r, call))
			continue;
		tel_copy(plan->queue, sizeof(plan->queue), r->queue);
		plan->min_level = r->min_level;
		plan->priority = r->priority;
		plan->skill_count = r->skill_count;
		for (size_t s = 0; s < r->skill_count; s++) {
			tel_copy(plan->skill_names[s], TEL_ID_SIZE, r->skill_names[s]);
			plan->skills[s].skill = plan->skill_names[s];
			plan->skills[s].level = r->skills[s].level;
		}
		return PCRM_OK;
	}
	if (tel_empty(ivr->default_queue))
		return pcrm__error(PCRM_ENOTFOUND, "call %s: no IVR rule matches and there is no "
		                   "default_queue", call->id);
	tel_copy(plan->queue, sizeof(plan->queue), ivr->default_queue);
	return PCRM_OK;
}

void tel_ivr_apply_customer(const pcrm_tel *tel, struct tel_route_plan *plan,
                            const pcrm_tel_customer *found)
{
	const struct tel_ivr *ivr = tel->ivr;
	tel_copy(plan->customer_no, sizeof(plan->customer_no), found->customer_no);
	int vip = found->vip_level < 0 ? 0 : found->vip_level > 5 ? 5 : found->vip_level;
	if (ivr && ivr->vip_priority[vip] > plan->priority)
		plan->priority = ivr->vip_priority[vip];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	/* an account manager who is not an agent of this ACD cannot be waited for */
	if (ivr && ivr->preferred_wait_s > 0 && !tel_empty(found->account_manager) &&
	    pcrm_acd_agent_get(tel->acd, found->account_manager, &info) == PCRM_OK) {
		tel_copy(plan->preferred, sizeof(plan->preferred), found->account_manager);
		plan->preferred_wait_s = ivr->preferred_wait_s;
	}
}

int tel_lookup_run(pcrm_tel *tel, const char *caller_number, pcrm_tel_customer *out)
{
	pthread_mutex_lock(&tel->lock);
	pcrm_tel_lookup_fn fn = tel->lookup;
	void *ud = tel->lookup_ud;
	pthread_mutex_unlock(&tel->lock);
	if (!fn || tel_empty(caller_number))
		return 0;
	memset(out, 0, sizeof(*out));
	int rc = fn(ud, caller_number, out);
	if (rc == PCRM_OK) {
		out->customer_no[sizeof(out->customer_no) - 1] = '\0';
		out->account_manager[sizeof(out->account_manager) - 1] = '\0';
		return 1;
	}
	if (rc != PCRM_ENOTFOUND) {
		pthread_mutex_lock(&tel->lock);
		tel->stats.lookup_errors++;
		pthread_mutex_unlock(&tel->lock);
	}
	return 0;
}
