/*
 * The configuration document (docs/acd.md, Configuration): parsed with
 * jansson, every value checked with its JSON path in the message, built into
 * a fresh engine that is thrown away on the first error, so a bad document
 * builds nothing.  Queues are created first and linked (overflow, rules)
 * second, so they may refer to each other in any order.
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acd_internal.h"
#include "core/error.h"
#include "core/json_doc.h"

#define PATH_SIZE 192

/* snprintf into a path buffer: a cut path only shortens a message */
static void PCRM_PRINTF(3, 4) pathf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

static int get_int(const json_t *obj, const char *key, const char *path, long long lo,
                   long long hi, long long *out)
{
	json_t *v = json_object_get(obj, key);
	char field[PATH_SIZE];
	int rc;

	if (!v)
		return PCRM_OK; /* keep the default in *out */
	pathf(field, sizeof(field), "%s%s%s", path, path[0] ? "." : "", key);
	if ((rc = pcrm__json_expect(field, v, JSON_INTEGER, "an integer")) < 0)
		return rc;
	long long x = json_integer_value(v);
	if (x < lo || x > hi)
		return pcrm__error(PCRM_EINVAL, "%s: %lld is not %lld..%lld", field, x, lo, hi);
	*out = x;
	return PCRM_OK;
}

static int get_text(const json_t *obj, const char *key, const char *path, const char **out)
{
	json_t *v = json_object_get(obj, key);
	char field[PATH_SIZE];
	int rc;

	if (!v)
		return PCRM_OK;
	pathf(field, sizeof(field), "%s%s%s", path, path[0] ? "." : "", key);
	if ((rc = pcrm__json_expect(field, v, JSON_STRING, "a string")) < 0)
		return rc;
	*out = json_string_value(v);
	return acd_check_id(field, *out);
}

static int parse_options(const json_t *doc, pcrm_acd_options *o)
{
	long long v;
	int rc;
#define OPT(key, lo, hi)                                                          \
	v = (long long)o->key;                                                    \
	if ((rc = get_int(doc, #key, "", lo, hi, &v)) < 0)                        \
		return rc;                                                        \
	o->key = (__typeof__(o->key))v;
	OPT(ring_timeout_s, 1, 600)
	OPT(max_misses, 1, 100)
	OPT(short_abandon_s, 0, 600)
	OPT(interval_minutes, 15, 60)
	OPT(seed, 0, INT64_MAX)
	OPT(event_queue_capacity, 0, 1048576)
	OPT(cdr_batch_size, 1, 100000)
	OPT(cdr_max_pending, 1, 100000000)
#undef OPT
	json_t *b = json_object_get(doc, "queue_stats_events");
	if (b) {
		if (!json_is_boolean(b))
			return pcrm__error(PCRM_EINVAL, "queue_stats_events: expected true or false, got %s",
			                   pcrm__json_type_name(b));
		o->queue_stats_events = json_is_true(b);
	}
	return acd_options_check(o, "");
}

static int parse_strategy(const json_t *q, const char *path, pcrm_acd_strategy *out)
{
	const char *text = NULL;
	char field[PATH_SIZE];
	int rc;
	if ((rc = get_text(q, "strategy", path, &text)) < 0 || !text)
		return rc;
	if (pcrm_acd_strategy_parse(text, out) < 0) {
		pathf(field, sizeof(field), "%s.strategy", path);
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not longest_idle, fewest_calls, "
		                   "least_talk, highest_skill, round_robin, random or ring_all",
		                   field, text);
	}
	return PCRM_OK;
}

static int parse_no_agent(const json_t *q, const char *path, pcrm_acd_no_agent *out)
{
	static const char *const names[] = { "wait", "refuse", "overflow" };
	const char *text = NULL;
	int rc;
	if ((rc = get_text(q, "no_agent", path, &text)) < 0 || !text)
		return rc;
	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (pcrm_acd_no_agent)i;
			return PCRM_OK;
		}
	return pcrm__error(PCRM_EINVAL, "%s.no_agent: \"%s\" is not wait, refuse or overflow", path,
	                   text);
}

static int parse_rule(const json_t *r, const char *path, pcrm_acd_rule *out)
{
	static const char *const keys[] = { "after_s", "lower_min_level", "add_queue", "min_level",
		                            "raise_priority", NULL };
	long long v;
	int rc, actions = 0;

	if ((rc = pcrm__json_expect(path, r, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys(path, r, keys)) < 0)
		return rc;
	if (!json_object_get(r, "after_s"))
		return pcrm__error(PCRM_EINVAL, "%s.after_s: missing", path);
	v = 0;
	if ((rc = get_int(r, "after_s", path, 0, 86400, &v)) < 0)
		return rc;
	out->after_s = (int)v;
	out->queue_id = NULL;
	if (json_object_get(r, "lower_min_level")) {
		actions++;
		out->action = PCRM_ACD_RULE_LOWER_MIN_LEVEL;
		if ((rc = get_int(r, "lower_min_level", path, 1, 10, &v)) < 0)
			return rc;
		out->value = (int)v;
	}
	if (json_object_get(r, "raise_priority")) {
		actions++;
		out->action = PCRM_ACD_RULE_RAISE_PRIORITY;
		if ((rc = get_int(r, "raise_priority", path, 1, 9, &v)) < 0)
			return rc;
		out->value = (int)v;
	}
	if (json_object_get(r, "add_queue")) {
		actions++;
		out->action = PCRM_ACD_RULE_ADD_QUEUE;
		if ((rc = get_text(r, "add_queue", path, &out->queue_id)) < 0)
			return rc;
		v = 1;
		if ((rc = get_int(r, "min_level", path, 1, 10, &v)) < 0)
			return rc;
		out->value = (int)v;
	} else if (json_object_get(r, "min_level")) {
		return pcrm__error(PCRM_EINVAL, "%s.min_level: only goes with add_queue", path);
	}
	if (actions != 1)
		return pcrm__error(PCRM_EINVAL, "%s: expected exactly one of lower_min_level, "
		                                "add_queue, raise_priority (got %d)", path, actions);
	return PCRM_OK;
}

static int parse_queue(const json_t *q, const char *path, pcrm_acd_queue_config *c,
                       pcrm_acd_rule *rules)
{
	static const char *const keys[] = { "id", "strategy", "service_level", "max_waiting",
		                            "max_wait_s", "no_agent", "overflow", "wrap_up_s",
		                            "ring_timeout_s", "rules", "org_unit", NULL };
	static const char *const sl_keys[] = { "percent", "target_s", NULL };
	static const pcrm_acd_queue_config init = PCRM_ACD_QUEUE_CONFIG_INIT;
	char sub[PATH_SIZE];
	long long v;
	int rc;

	*c = init;
	if ((rc = pcrm__json_expect(path, q, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys(path, q, keys)) < 0)
		return rc;
	if (!json_object_get(q, "id"))
		return pcrm__error(PCRM_EINVAL, "%s.id: missing", path);
	if ((rc = get_text(q, "id", path, &c->id)) < 0 || (rc = parse_strategy(q, path, &c->strategy)) < 0 ||
	    (rc = parse_no_agent(q, path, &c->no_agent)) < 0 ||
	    (rc = get_text(q, "overflow", path, &c->overflow_queue_id)) < 0 ||
	    (rc = get_text(q, "org_unit", path, &c->org_unit)) < 0)
		return rc;
#define INT(key, field, lo, hi)                                 \
	v = c->field;                                           \
	if ((rc = get_int(q, key, path, lo, hi, &v)) < 0)       \
		return rc;                                      \
	c->field = (int)v;
	INT("max_waiting", max_waiting, 0, 1000000)
	INT("max_wait_s", max_wait_s, 0, 86400)
	INT("wrap_up_s", wrap_up_s, 0, 3600)
	INT("ring_timeout_s", ring_timeout_s, 0, 600)
#undef INT
	json_t *sl = json_object_get(q, "service_level");
	if (sl) {
		pathf(sub, sizeof(sub), "%s.service_level", path);
		if ((rc = pcrm__json_expect(sub, sl, JSON_OBJECT, "an object")) < 0 ||
		    (rc = pcrm__json_check_keys(sub, sl, sl_keys)) < 0)
			return rc;
		v = c->sl_percent;
		if ((rc = get_int(sl, "percent", sub, 1, 100, &v)) < 0)
			return rc;
		c->sl_percent = (int)v;
		v = c->sl_target_s;
		if ((rc = get_int(sl, "target_s", sub, 1, 3600, &v)) < 0)
			return rc;
		c->sl_target_s = (int)v;
	}
	json_t *rs = json_object_get(q, "rules");
	if (rs) {
		pathf(sub, sizeof(sub), "%s.rules", path);
		if ((rc = pcrm__json_expect(sub, rs, JSON_ARRAY, "an array")) < 0)
			return rc;
		if (json_array_size(rs) > ACD_RULES_MAX)
			return pcrm__error(PCRM_EINVAL, "%s: %zu rules, at most %d", sub,
			                   json_array_size(rs), ACD_RULES_MAX);
		for (size_t i = 0; i < json_array_size(rs); i++) {
			pathf(sub, sizeof(sub), "%s.rules[%zu]", path, i);
			if ((rc = parse_rule(json_array_get(rs, i), sub, &rules[i])) < 0)
				return rc;
		}
		c->rules = rules;
		c->rule_count = json_array_size(rs);
	}
	return PCRM_OK;
}

static int parse_agent(pcrm_acd *acd, const json_t *a, const char *path)
{
	static const char *const keys[] = { "id", "org_unit", "skills", NULL };
	pcrm_acd_skill skills[64];
	const char *id = NULL, *org = NULL, *name;
	char sub[PATH_SIZE];
	json_t *level;
	size_t n = 0;
	int rc;

	if ((rc = pcrm__json_expect(path, a, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys(path, a, keys)) < 0)
		return rc;
	if (!json_object_get(a, "id"))
		return pcrm__error(PCRM_EINVAL, "%s.id: missing", path);
	if ((rc = get_text(a, "id", path, &id)) < 0 || (rc = get_text(a, "org_unit", path, &org)) < 0)
		return rc;
	json_t *s = json_object_get(a, "skills");
	if (s) {
		pathf(sub, sizeof(sub), "%s.skills", path);
		if ((rc = pcrm__json_expect(sub, s, JSON_OBJECT, "an object of skill: level")) < 0)
			return rc;
		if (json_object_size(s) > 64)
			return pcrm__error(PCRM_EINVAL, "%s: %zu skills, at most 64", sub,
			                   json_object_size(s));
		json_object_foreach(s, name, level) {
			pathf(sub, sizeof(sub), "%s.skills.%s", path, name);
			if ((rc = acd_check_id(sub, name)) < 0 ||
			    (rc = pcrm__json_expect(sub, level, JSON_INTEGER, "an integer")) < 0)
				return rc;
			if (json_integer_value(level) < 1 || json_integer_value(level) > 10)
				return pcrm__error(PCRM_EINVAL, "%s: %lld is not 1..10", sub,
				                   (long long)json_integer_value(level));
			skills[n].skill = name;
			skills[n++].level = (int)json_integer_value(level);
		}
	}
	return acd_agent_add_locked(acd, id, org, skills, n, path);
}

static int build(pcrm_acd *acd, const json_t *doc)
{
	char path[PATH_SIZE];
	const char *text;
	json_t *v;
	int rc;

	if ((v = json_object_get(doc, "not_ready_reasons"))) {
		if ((rc = pcrm__json_expect("not_ready_reasons", v, JSON_ARRAY, "an array")) < 0)
			return rc;
		for (size_t i = 0; i < json_array_size(v); i++) {
			pathf(path, sizeof(path), "not_ready_reasons[%zu]", i);
			json_t *r = json_array_get(v, i);
			if ((rc = pcrm__json_expect(path, r, JSON_STRING, "a string")) < 0)
				return rc;
			text = json_string_value(r);
			/* "missed" and "login" exist already; listing them is harmless */
			if (!acd_reason_known(acd, text) && (rc = acd_reason_add_locked(acd, text, path)) < 0)
				return rc;
		}
	}
	if ((v = json_object_get(doc, "org_units"))) {
		static const char *const keys[] = { "code", "parent", NULL };
		if ((rc = pcrm__json_expect("org_units", v, JSON_ARRAY, "an array")) < 0)
			return rc;
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *code = NULL, *parent = NULL;
			json_t *o = json_array_get(v, i);
			pathf(path, sizeof(path), "org_units[%zu]", i);
			if ((rc = pcrm__json_expect(path, o, JSON_OBJECT, "an object")) < 0 ||
			    (rc = pcrm__json_check_keys(path, o, keys)) < 0 ||
			    (rc = get_text(o, "code", path, &code)) < 0 ||
			    (rc = get_text(o, "parent", path, &parent)) < 0)
				return rc;
			if (!code)
				return pcrm__error(PCRM_EINVAL, "%s.code: missing", path);
			if ((rc = acd_org_add(acd, code, parent)) < 0) {
				pcrm__error_prefix("%s", path);
				return rc;
			}
		}
	}
	json_t *queues = json_object_get(doc, "queues");
	if (queues) {
		size_t n = json_array_size(queues);
		if ((rc = pcrm__json_expect("queues", queues, JSON_ARRAY, "an array")) < 0)
			return rc;
		pcrm_acd_queue_config *cfg = calloc(n ? n : 1, sizeof(*cfg));
		pcrm_acd_rule *rules = calloc((n ? n : 1) * ACD_RULES_MAX, sizeof(*rules));
		rc = cfg && rules ? PCRM_OK : pcrm__error_oom();
		for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
			pathf(path, sizeof(path), "queues[%zu]", i);
			if ((rc = parse_queue(json_array_get(queues, i), path, &cfg[i],
			                      rules + i * ACD_RULES_MAX)) == PCRM_OK)
				rc = acd_queue_create_unlinked(acd, &cfg[i], path);
		}
		for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
			pathf(path, sizeof(path), "queues[%zu]", i);
			rc = acd_queue_link(acd, &cfg[i], path);
		}
		free(cfg);
		free(rules);
		if (rc < 0)
			return rc;
	}
	json_t *agents = json_object_get(doc, "agents");
	if (agents) {
		if ((rc = pcrm__json_expect("agents", agents, JSON_ARRAY, "an array")) < 0)
			return rc;
		for (size_t i = 0; i < json_array_size(agents); i++) {
			pathf(path, sizeof(path), "agents[%zu]", i);
			if ((rc = parse_agent(acd, json_array_get(agents, i), path)) < 0)
				return rc;
		}
	}
	return PCRM_OK;
}

int pcrm_acd_new_from_json(pcrm_acd **out, const char *json, pcrm_acd_clock_fn clock,
                           void *clock_userdata)
{
	static const char *const keys[] = {
		"version", "ring_timeout_s", "max_misses", "short_abandon_s", "interval_minutes",
		"seed", "event_queue_capacity", "cdr_batch_size", "cdr_max_pending",
		"queue_stats_events", "not_ready_reasons", "org_units", "queues", "agents", NULL,
	};
	pcrm_acd_options opt = PCRM_ACD_OPTIONS_INIT;
	json_error_t jerr;
	json_t *doc;
	pcrm_acd *acd = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	if (!json)
		return pcrm__error(PCRM_EINVAL, "json: missing");
	if (!(doc = json_loads(json, JSON_REJECT_DUPLICATES, &jerr)))
		return pcrm__error(PCRM_EINVAL, "document: line %d column %d: %s", jerr.line,
		                   jerr.column, jerr.text);
	long long version = 0;
	if ((rc = pcrm__json_expect("document", doc, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("", doc, keys)) < 0)
		goto done;
	if (!json_object_get(doc, "version")) {
		rc = pcrm__error(PCRM_EINVAL, "version: missing (expected 1)");
		goto done;
	}
	if ((rc = get_int(doc, "version", "", 1, 1, &version)) < 0 ||
	    (rc = parse_options(doc, &opt)) < 0 || (rc = pcrm_acd_new(&acd, &opt)) < 0)
		goto done;
	if (clock && (rc = pcrm_acd_set_clock(acd, clock, clock_userdata)) < 0)
		goto done;
	pthread_mutex_lock(&acd->lock);
	rc = build(acd, doc);
	pthread_mutex_unlock(&acd->lock);
done:
	json_decref(doc);
	if (rc < 0) {
		pcrm_acd_free(acd);
		return rc;
	}
	*out = acd;
	return PCRM_OK;
}
