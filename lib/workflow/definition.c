/*
 * Workflow definitions without any store: parsing and validating the JSON
 * document (docs/workflow-format.md), the graph checks (one initial state,
 * reachability, a path to a final state from every state, no duplicate
 * transitions), time limits, and the Graphviz picture.
 *
 * Every error names the JSON path of what is wrong: "states[2].limit:
 * needs exactly one of minutes, hours, ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/actor.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "workflow_internal.h"

#define MAX_STATES 256
#define MAX_TRANSITIONS 1024
#define MAX_REQUIRE 32
/* about ten years of any unit: a limit beyond that is a typo */
#define MAX_MINUTES (3660LL * 24 * 60)
/* 2026-01-01T00:00:00Z: where a calendar is probed for working time */
#define PROBE_START ((pcrm_time)1767225600)

static const char *const unit_names[] = { "minutes", "hours", "days", "working_minutes",
	                                  "working_hours", "working_days" };
static const int64_t unit_max[] = { MAX_MINUTES, MAX_MINUTES / 60, 3660, MAX_MINUTES,
	                            MAX_MINUTES / 60, 3660 };
#define UNIT_COUNT (sizeof(unit_names) / sizeof(unit_names[0]))

int pcrm__workflow_unit_is_working(enum pcrm__wf_unit unit)
{
	return unit >= PCRM__WF_WORKING_MINUTES;
}

/* ---- small checks ---- */

static int check_keys(const json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (!allowed[i]) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "%s: unknown field \"%s\"", path, q);
		}
	}
	return PCRM_OK;
}

/* Names of states and events: 1..64 of [a-z0-9_], so they are safe in DOT and messages. */
static int check_name(const json_t *v, const char *path, const char **out)
{
	const char *s;
	size_t n;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a string", path);
	s = json_string_value(v);
	n = strlen(s);
	if (n == 0 || n > PCRM__WF_NAME_MAX || n != json_string_length(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d characters", path,
		                   PCRM__WF_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(s, n, q, sizeof(q));
			return pcrm__error(PCRM_EINVAL,
			                   "%s: \"%s\" may hold only a-z, 0-9 and '_'", path, q);
		}
	*out = s;
	return PCRM_OK;
}

static int get_bool(const json_t *obj, const char *key, const char *path, int *out)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v)
		return PCRM_OK;
	if (!json_is_boolean(v))
		return pcrm__error(PCRM_EINVAL, "%s.%s: must be true or false", path, key);
	*out = json_is_true(v);
	return PCRM_OK;
}

static int get_int(const json_t *v, const char *path, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pcrm__error(PCRM_EINVAL, "%s: must be an integer %lld..%lld", path,
		                   (long long)lo, (long long)hi);
	*out = json_integer_value(v);
	return PCRM_OK;
}

/* ---- limits ---- */

static int parse_expiry(const json_t *v, const char *path, struct pcrm__wf_limit *l)
{
	static const char *const keys[] = { "flag", "escalate", "notify", "fire", NULL };
	char sub[160];
	json_t *fire;
	int rc;

	if (!v) {
		l->flag = 1;
		return PCRM_OK;
	}
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(v, path, keys);
	if (rc == PCRM_OK)
		rc = get_bool(v, "flag", path, &l->flag);
	if (rc == PCRM_OK)
		rc = get_bool(v, "escalate", path, &l->escalate);
	if (rc == PCRM_OK)
		rc = get_bool(v, "notify", path, &l->notify);
	fire = json_object_get(v, "fire");
	if (rc == PCRM_OK && fire) {
		snprintf(sub, sizeof(sub), "%.60s.fire", path);
		rc = check_name(fire, sub, &l->fire);
	}
	if (rc == PCRM_OK && !l->flag && !l->escalate && !l->notify && !l->fire)
		rc = pcrm__error(PCRM_EINVAL,
		                 "%s: does nothing (set at least one of flag, escalate, notify, fire)",
		                 path);
	return rc;
}

static const char *const class_names[PCRM__WF_CLASS_COUNT] = { "normal", "important", "major",
	                                                         "vip" };

int pcrm__workflow_class(const char *name)
{
	for (int c = 0; name && c < PCRM__WF_CLASS_COUNT; c++)
		if (strcmp(class_names[c], name) == 0)
			return c;
	return -1;
}

/* Exactly one of the units in `v`: *amount of *unit. */
static int parse_amount(const json_t *v, const char *path, int64_t *amount,
                        enum pcrm__wf_unit *unit)
{
	char sub[160];
	int found = 0, rc = PCRM_OK;
	for (size_t u = 0; rc == PCRM_OK && u < UNIT_COUNT; u++) {
		json_t *a = json_object_get(v, unit_names[u]);
		if (!a)
			continue;
		if (found++)
			return pcrm__error(PCRM_EINVAL, "%s: gives more than one unit", path);
		snprintf(sub, sizeof(sub), "%.100s.%s", path, unit_names[u]);
		rc = get_int(a, sub, 1, unit_max[u], amount);
		*unit = (enum pcrm__wf_unit)u;
	}
	if (rc == PCRM_OK && !found)
		rc = pcrm__error(PCRM_EINVAL,
		                 "%s: needs exactly one of minutes, hours, days, working_minutes, "
		                 "working_hours, working_days",
		                 path);
	return rc;
}

/* by_class: {"major": {"working_days": 2}, ...}, each class a different amount. */
static int parse_by_class(const json_t *v, const char *path, struct pcrm__wf_limit *l)
{
	static const char *const unit_keys[] = { "minutes", "hours", "days", "working_minutes",
		                                 "working_hours", "working_days", NULL };
	const char *key;
	json_t *one;
	char sub[160];
	int rc = PCRM_OK;

	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	json_object_foreach((json_t *)v, key, one) {
		int c = pcrm__workflow_class(key);
		char q[PCRM_QUOTE_SIZE];
		if (c < 0) {
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL,
			                   "%s: unknown class \"%s\" (classes: normal, important, "
			                   "major, vip)",
			                   path, q);
		}
		snprintf(sub, sizeof(sub), "%.100s.%s", path, key);
		if (!json_is_object(one))
			return pcrm__error(PCRM_EINVAL, "%s: must be an object", sub);
		rc = check_keys(one, sub, unit_keys);
		if (rc == PCRM_OK)
			rc = parse_amount(one, sub, &l->class_amount[c], &l->class_unit[c]);
		if (rc != PCRM_OK)
			return rc;
		l->class_set[c] = 1;
	}
	return PCRM_OK;
}

/*
 * A role target: {"role": "agent", "level": 2, "unit": "own" | "parent"}, the
 * team lead of the handling unit or the supervisor of the unit above.  The
 * library has no staff list: the notification names the role, level and
 * unit, and the delivery process finds the people.
 */
static int parse_notify_role(const json_t *v, const char *path, struct pcrm__wf_level *lv)
{
	const json_t *role = json_object_get(v, "role"), *level = json_object_get(v, "level");
	const json_t *unit = json_object_get(v, "unit");
	pcrm_role r;
	if (!json_is_string(role) || pcrm_role_parse(json_string_value(role), &r) != PCRM_OK ||
	    r == PCRM_ROLE_SYSTEM)
		return pcrm__error(PCRM_EINVAL, "%s.role: must be admin, agent, data_clerk or monitor",
		                   path);
	if (level && (!json_is_integer(level) || json_integer_value(level) < 1 ||
	              json_integer_value(level) > PCRM_LEVEL_MAX))
		return pcrm__error(PCRM_EINVAL, "%s.level: must be an integer 1..%d", path,
		                   PCRM_LEVEL_MAX);
	if (unit && (!json_is_string(unit) || (strcmp(json_string_value(unit), "own") != 0 &&
	                                       strcmp(json_string_value(unit), "parent") != 0)))
		return pcrm__error(PCRM_EINVAL, "%s.unit: must be \"own\" or \"parent\"", path);
	lv->notify = 1;
	lv->notify_role = json_string_value(role);
	lv->notify_level = level ? (int)json_integer_value(level) : 0;
	lv->notify_parent = unit && strcmp(json_string_value(unit), "parent") == 0;
	return PCRM_OK;
}

/*
 * A level's notify: true (the work order's unit and owner), {"org_unit"},
 * {"operator"} or {"role", "level"?, "unit"?}.
 */
static int parse_level_notify(const json_t *v, const char *path, struct pcrm__wf_level *lv)
{
	static const char *const keys[] = { "org_unit", "operator", "role", "level", "unit", NULL };
	json_t *unit, *op, *role;
	int rc;
	if (!v)
		return PCRM_OK;
	if (json_is_boolean(v)) {
		lv->notify = json_is_true(v);
		return PCRM_OK;
	}
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL,
		                   "%s: must be true, false, {\"org_unit\": ...}, {\"operator\": ...} "
		                   "or {\"role\": ...}",
		                   path);
	rc = check_keys(v, path, keys);
	if (rc != PCRM_OK)
		return rc;
	unit = json_object_get(v, "org_unit");
	op = json_object_get(v, "operator");
	role = json_object_get(v, "role");
	if ((unit != NULL) + (op != NULL) + (role != NULL) != 1)
		return pcrm__error(PCRM_EINVAL, "%s: needs exactly one of org_unit, operator, role",
		                   path);
	if (!role && (json_object_get(v, "level") || json_object_get(v, "unit")))
		return pcrm__error(PCRM_EINVAL, "%s: level and unit go with role only", path);
	if (role)
		return parse_notify_role(v, path, lv);
	if (unit && (!json_is_string(unit) || json_string_length(unit) == 0 ||
	             json_string_length(unit) > 32 ||
	             strlen(json_string_value(unit)) != json_string_length(unit)))
		return pcrm__error(PCRM_EINVAL, "%s.org_unit: must be an org unit code of 1..32 bytes",
		                   path);
	if (op && (!json_is_string(op) || json_string_length(op) == 0 ||
	           json_string_length(op) > 64 ||
	           strlen(json_string_value(op)) != json_string_length(op)))
		return pcrm__error(PCRM_EINVAL, "%s.operator: must be an operator id of 1..64 bytes",
		                   path);
	lv->notify = 1;
	lv->notify_unit = unit ? json_string_value(unit) : NULL;
	lv->notify_operator = op ? json_string_value(op) : NULL;
	return PCRM_OK;
}

/* levels: [{"percent": 80, "notify": ...}, {"percent": 100, "escalate": true}, ...] */
static int parse_levels(const json_t *v, const char *path, struct pcrm__wf_limit *l)
{
	static const char *const keys[] = { "percent", "flag", "escalate", "notify", NULL };
	char sub[160];
	int rc = PCRM_OK;

	if (!v)
		return PCRM_OK;
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > PCRM__WF_LEVELS_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: must be an array of 1..%d levels", path,
		                   PCRM__WF_LEVELS_MAX);
	for (size_t i = 0; i < json_array_size(v) && rc == PCRM_OK; i++) {
		const json_t *one = json_array_get(v, i);
		struct pcrm__wf_level *lv = &l->levels[i];
		int64_t pct = 0;
		snprintf(sub, sizeof(sub), "%.100s[%zu]", path, i);
		if (!json_is_object(one))
			return pcrm__error(PCRM_EINVAL, "%s: must be an object", sub);
		rc = check_keys(one, sub, keys);
		if (rc == PCRM_OK) {
			char p2[180];
			snprintf(p2, sizeof(p2), "%s.percent", sub);
			rc = get_int(json_object_get(one, "percent"), p2, 1, 1000, &pct);
		}
		lv->percent = (int)pct;
		if (rc == PCRM_OK && i > 0 && lv->percent <= l->levels[i - 1].percent)
			rc = pcrm__error(PCRM_EINVAL,
			                 "%s.percent: %d must be above the previous level's %d "
			                 "(levels increase)",
			                 sub, lv->percent, l->levels[i - 1].percent);
		if (rc == PCRM_OK)
			rc = get_bool(one, "flag", sub, &lv->flag);
		if (rc == PCRM_OK)
			rc = get_bool(one, "escalate", sub, &lv->escalate);
		if (rc == PCRM_OK) {
			char p2[180];
			snprintf(p2, sizeof(p2), "%s.notify", sub);
			rc = parse_level_notify(json_object_get(one, "notify"), p2, lv);
		}
		if (rc == PCRM_OK && !lv->flag && !lv->escalate && !lv->notify)
			rc = pcrm__error(PCRM_EINVAL,
			                 "%s: does nothing (set at least one of flag, escalate, notify)",
			                 sub);
		l->nlevels = (int)i + 1;
	}
	return rc;
}

static int parse_limit(const json_t *v, const char *path, struct pcrm__wf_limit *l)
{
	static const char *const keys[] = { "minutes", "hours", "days", "working_minutes",
		                            "working_hours", "working_days", "warn_percent",
		                            "on_expiry", "by_class", "levels", NULL };
	char sub[160];
	int rc;
	int64_t pct;

	memset(l, 0, sizeof(*l));
	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(v, path, keys);
	if (rc == PCRM_OK)
		rc = parse_amount(v, path, &l->amount, &l->unit);
	if (rc == PCRM_OK) {
		snprintf(sub, sizeof(sub), "%.100s.by_class", path);
		rc = parse_by_class(json_object_get(v, "by_class"), sub, l);
	}
	if (rc == PCRM_OK) {
		snprintf(sub, sizeof(sub), "%.100s.levels", path);
		rc = parse_levels(json_object_get(v, "levels"), sub, l);
	}
	if (rc == PCRM_OK && json_object_get(v, "warn_percent")) {
		snprintf(sub, sizeof(sub), "%.60s.warn_percent", path);
		rc = get_int(json_object_get(v, "warn_percent"), sub, 1, 99, &pct);
		l->warn_percent = (int)pct;
	}
	if (rc == PCRM_OK) {
		snprintf(sub, sizeof(sub), "%.60s.on_expiry", path);
		rc = parse_expiry(json_object_get(v, "on_expiry"), sub, l);
	}
	l->set = rc == PCRM_OK;
	return rc;
}

/* ---- states and transitions ---- */

size_t pcrm__workflow_state_index(const pcrm_workflow *wf, const char *name)
{
	for (size_t i = 0; i < wf->nstates; i++)
		if (strcmp(wf->states[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

const struct pcrm__wf_transition *pcrm__workflow_transition(const pcrm_workflow *wf,
                                                           size_t from, const char *event)
{
	for (size_t i = 0; i < wf->ntransitions; i++)
		if (wf->transitions[i].from == from && strcmp(wf->transitions[i].event, event) == 0)
			return &wf->transitions[i];
	return NULL;
}

static int parse_state(pcrm_workflow *wf, const json_t *v, size_t i)
{
	static const char *const keys[] = { "name", "title", "initial", "final", "pause", "limit",
		                            NULL };
	struct pcrm__wf_state *s = &wf->states[i];
	char path[64], sub[96];
	int rc;

	snprintf(path, sizeof(path), "states[%zu]", i);
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(v, path, keys);
	snprintf(sub, sizeof(sub), "%.60s.name", path);
	if (rc == PCRM_OK)
		rc = check_name(json_object_get(v, "name"), sub, &s->name);
	if (rc == PCRM_OK && json_object_get(v, "title") && !json_is_string(json_object_get(v, "title")))
		rc = pcrm__error(PCRM_EINVAL, "%s.title: must be a string", path);
	if (rc == PCRM_OK)
		rc = get_bool(v, "initial", path, &s->initial);
	if (rc == PCRM_OK)
		rc = get_bool(v, "final", path, &s->final);
	if (rc == PCRM_OK)
		rc = get_bool(v, "pause", path, &s->pause);
	snprintf(sub, sizeof(sub), "%.60s.limit", path);
	if (rc == PCRM_OK)
		rc = parse_limit(json_object_get(v, "limit"), sub, &s->limit);
	if (rc != PCRM_OK)
		return rc;
	if (s->final && (s->initial || s->limit.set || s->pause))
		return pcrm__error(PCRM_EINVAL,
		                   "%s: a final state cannot be initial, paused or have a limit", path);
	for (size_t j = 0; j < i; j++)
		if (strcmp(wf->states[j].name, s->name) == 0)
			return pcrm__error(PCRM_EINVAL, "%s.name: \"%s\" is already states[%zu]", path,
			                   s->name, j);
	return PCRM_OK;
}

static int state_ref(const pcrm_workflow *wf, const json_t *v, const char *path, size_t *out)
{
	const char *name;
	int rc = check_name(v, path, &name);
	if (rc != PCRM_OK)
		return rc;
	*out = pcrm__workflow_state_index(wf, name);
	if (*out == (size_t)-1)
		return pcrm__error(PCRM_EINVAL, "%s: unknown state \"%s\"", path, name);
	return PCRM_OK;
}

static int parse_guard(const json_t *g, const char *path, struct pcrm__wf_transition *t)
{
	static const char *const keys[] = { "roles", "min_level", "scope", "require", "values",
		                            NULL };
	static const char *const scopes[] = { "subtree", "own_unit", "owner" };
	char sub[128];
	json_t *v;
	size_t i;
	int64_t level;
	int rc;

	t->min_level = PCRM_LEVEL_MIN;
	if (!g)
		return PCRM_OK;
	if (!json_is_object(g))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(g, path, keys);
	if (rc == PCRM_OK && (v = json_object_get(g, "roles")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) == 0)
			return pcrm__error(PCRM_EINVAL, "%s.roles: must be a non-empty array", path);
		for (i = 0; i < json_array_size(v); i++) {
			json_t *r = json_array_get(v, i);
			pcrm_role role;
			if (!json_is_string(r) ||
			    pcrm_role_parse(json_string_value(r), &role) != PCRM_OK) {
				pcrm_error_clear();
				return pcrm__error(PCRM_EINVAL,
				                   "%s.roles[%zu]: must be one of admin, agent, data_clerk, "
				                   "monitor, system",
				                   path, i);
			}
			t->roles |= 1u << role;
		}
	}
	if (rc == PCRM_OK && (v = json_object_get(g, "min_level")) != NULL) {
		snprintf(sub, sizeof(sub), "%.60s.min_level", path);
		rc = get_int(v, sub, PCRM_LEVEL_MIN, PCRM_LEVEL_MAX, &level);
		t->min_level = (int)level;
	}
	if (rc == PCRM_OK && (v = json_object_get(g, "scope")) != NULL) {
		for (i = 0; i < 3; i++)
			if (json_is_string(v) && strcmp(json_string_value(v), scopes[i]) == 0)
				break;
		if (i == 3)
			return pcrm__error(PCRM_EINVAL,
			                   "%s.scope: must be one of subtree, own_unit, owner", path);
		t->scope = (enum pcrm__wf_scope)i;
	}
	if (rc == PCRM_OK && (v = json_object_get(g, "require")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) > MAX_REQUIRE)
			return pcrm__error(PCRM_EINVAL, "%s.require: must be an array of up to %d names",
			                   path, MAX_REQUIRE);
		for (i = 0; i < json_array_size(v) && rc == PCRM_OK; i++) {
			const char *name;
			snprintf(sub, sizeof(sub), "%.60s.require[%zu]", path, i);
			rc = check_name(json_array_get(v, i), sub, &name);
		}
		t->require = v;
	}
	if (rc == PCRM_OK && (v = json_object_get(g, "values")) != NULL)
		rc = pcrm__workflow_parse_values(v, path, t);
	return rc;
}

static int parse_transition(pcrm_workflow *wf, const json_t *v, size_t i)
{
	static const char *const keys[] = { "event", "from", "to", "guard", "title",
		                            "notify_customer", "permission", NULL };
	struct pcrm__wf_transition *t = &wf->transitions[i];
	char path[64], sub[96];
	int rc;

	snprintf(path, sizeof(path), "transitions[%zu]", i);
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(v, path, keys);
	snprintf(sub, sizeof(sub), "%.60s.event", path);
	if (rc == PCRM_OK)
		rc = check_name(json_object_get(v, "event"), sub, &t->event);
	snprintf(sub, sizeof(sub), "%.60s.from", path);
	if (rc == PCRM_OK)
		rc = state_ref(wf, json_object_get(v, "from"), sub, &t->from);
	snprintf(sub, sizeof(sub), "%.60s.to", path);
	if (rc == PCRM_OK)
		rc = state_ref(wf, json_object_get(v, "to"), sub, &t->to);
	if (rc == PCRM_OK && json_object_get(v, "title") && !json_is_string(json_object_get(v, "title")))
		rc = pcrm__error(PCRM_EINVAL, "%s.title: must be a string", path);
	snprintf(sub, sizeof(sub), "%.60s.guard", path);
	if (rc == PCRM_OK)
		rc = parse_guard(json_object_get(v, "guard"), sub, t);
	snprintf(sub, sizeof(sub), "%.60s.notify_customer", path);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse_customer_notice(json_object_get(v, "notify_customer"), sub, t);
	snprintf(sub, sizeof(sub), "%.60s.permission", path);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse_permission(json_object_get(v, "permission"), sub, t);
	if (rc != PCRM_OK)
		return rc;
	if (wf->states[t->from].final)
		return pcrm__error(PCRM_EINVAL, "%s.from: \"%s\" is a final state", path,
		                   wf->states[t->from].name);
	for (size_t j = 0; j < i; j++)
		if (wf->transitions[j].from == t->from && strcmp(wf->transitions[j].event, t->event) == 0)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: duplicates transitions[%zu] (event \"%s\" from \"%s\")",
			                   path, j, t->event, wf->states[t->from].name);
	return PCRM_OK;
}

/* ---- named clocks ---- */

static int event_exists(const pcrm_workflow *wf, const char *event)
{
	for (size_t i = 0; i < wf->ntransitions; i++)
		if (strcmp(wf->transitions[i].event, event) == 0)
			return 1;
	return 0;
}

/*
 * A clock's start or stop: "opened" (the work order's opening, i.e. the
 * customer's call; start only), {"state": s} (entering s) or {"event": e}
 * (firing e).
 */
static int parse_point(const pcrm_workflow *wf, const json_t *v, const char *path, int may_open,
                       enum pcrm__wf_point *kind, const char **name)
{
	static const char *const keys[] = { "state", "event", NULL };
	json_t *st, *ev;
	char sub[160];
	int rc;

	*name = NULL;
	if (may_open && json_is_string(v) && strcmp(json_string_value(v), "opened") == 0) {
		*kind = PCRM__WF_AT_OPEN;
		return PCRM_OK;
	}
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be %s{\"state\": ...} or {\"event\": ...}",
		                   path, may_open ? "\"opened\", " : "");
	rc = check_keys(v, path, keys);
	st = json_object_get(v, "state");
	ev = json_object_get(v, "event");
	if (rc == PCRM_OK && (st != NULL) == (ev != NULL))
		rc = pcrm__error(PCRM_EINVAL, "%s: needs exactly one of state, event", path);
	if (rc != PCRM_OK)
		return rc;
	snprintf(sub, sizeof(sub), "%.100s.%s", path, st ? "state" : "event");
	rc = check_name(st ? st : ev, sub, name);
	if (rc != PCRM_OK)
		return rc;
	if (st) {
		*kind = PCRM__WF_AT_STATE;
		if (pcrm__workflow_state_index(wf, *name) == (size_t)-1)
			return pcrm__error(PCRM_EINVAL, "%s: unknown state \"%s\"", sub, *name);
	} else {
		*kind = PCRM__WF_AT_EVENT;
		if (!event_exists(wf, *name))
			return pcrm__error(PCRM_EINVAL, "%s: unknown event \"%s\"", sub, *name);
	}
	return PCRM_OK;
}

static int parse_clock(pcrm_workflow *wf, const json_t *v, size_t i)
{
	static const char *const keys[] = { "name", "title", "start", "stop", "limit", NULL };
	struct pcrm__wf_clock *c = &wf->clocks[i];
	char path[64], sub[96];
	int rc;

	snprintf(path, sizeof(path), "clocks[%zu]", i);
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	rc = check_keys(v, path, keys);
	snprintf(sub, sizeof(sub), "%.60s.name", path);
	if (rc == PCRM_OK)
		rc = check_name(json_object_get(v, "name"), sub, &c->name);
	if (rc == PCRM_OK && json_object_get(v, "title") && !json_is_string(json_object_get(v, "title")))
		rc = pcrm__error(PCRM_EINVAL, "%s.title: must be a string", path);
	for (size_t j = 0; rc == PCRM_OK && j < i; j++)
		if (strcmp(wf->clocks[j].name, c->name) == 0)
			rc = pcrm__error(PCRM_EINVAL, "%s.name: \"%s\" duplicates clocks[%zu]", path,
			                 c->name, j);
	snprintf(sub, sizeof(sub), "%.60s.start", path);
	if (rc == PCRM_OK)
		rc = parse_point(wf, json_object_get(v, "start"), sub, 1, &c->start, &c->start_name);
	snprintf(sub, sizeof(sub), "%.60s.stop", path);
	if (rc == PCRM_OK)
		rc = parse_point(wf, json_object_get(v, "stop"), sub, 0, &c->stop, &c->stop_name);
	snprintf(sub, sizeof(sub), "%.60s.limit", path);
	if (rc == PCRM_OK)
		rc = parse_limit(json_object_get(v, "limit"), sub, &c->limit);
	if (rc == PCRM_OK && c->limit.fire)
		rc = pcrm__error(PCRM_EINVAL, "%s.on_expiry.fire: a clock fires no event (it "
		                              "measures; the states' limits act)",
		                 sub);
	return rc;
}

static int parse_clocks(pcrm_workflow *wf, const json_t *v)
{
	int rc = PCRM_OK;
	if (!v)
		return PCRM_OK;
	if (!json_is_array(v) || json_array_size(v) > PCRM__WF_CLOCKS_MAX)
		return pcrm__error(PCRM_EINVAL, "clocks: must be an array of up to %d clocks",
		                   PCRM__WF_CLOCKS_MAX);
	for (size_t i = 0; i < json_array_size(v) && rc == PCRM_OK; i++, wf->nclocks++)
		rc = parse_clock(wf, json_array_get(v, i), i);
	return rc;
}

const struct pcrm__wf_clock *pcrm__workflow_clock(const pcrm_workflow *wf, const char *name)
{
	for (size_t i = 0; name && i < wf->nclocks; i++)
		if (strcmp(wf->clocks[i].name, name) == 0)
			return &wf->clocks[i];
	return NULL;
}

/* ---- graph checks ---- */

/* Marks every state reachable from `start` (forward) or that reaches a marked one (backward). */
static void mark(const pcrm_workflow *wf, unsigned char *seen, int forward)
{
	int changed = 1;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < wf->ntransitions; i++) {
			size_t a = forward ? wf->transitions[i].from : wf->transitions[i].to;
			size_t b = forward ? wf->transitions[i].to : wf->transitions[i].from;
			if (seen[a] && !seen[b]) {
				seen[b] = 1;
				changed = 1;
			}
		}
	}
}

static int check_graph(pcrm_workflow *wf)
{
	unsigned char *seen;
	size_t initials = 0, finals = 0, i;
	int rc = PCRM_OK;

	for (i = 0; i < wf->nstates; i++) {
		if (wf->states[i].initial) {
			wf->initial = i;
			initials++;
		}
		finals += (size_t)wf->states[i].final;
	}
	if (initials != 1)
		return pcrm__error(PCRM_EINVAL, "states: need exactly one initial state, not %zu",
		                   initials);
	if (finals == 0)
		return pcrm__error(PCRM_EINVAL, "states: need at least one final state");
	seen = calloc(wf->nstates, 1);
	if (!seen)
		return pcrm__error_oom();
	seen[wf->initial] = 1;
	mark(wf, seen, 1);
	for (i = 0; i < wf->nstates && rc == PCRM_OK; i++)
		if (!seen[i])
			rc = pcrm__error(PCRM_EINVAL, "states[%zu]: \"%s\" is unreachable from \"%s\"",
			                 i, wf->states[i].name, wf->states[wf->initial].name);
	for (i = 0; i < wf->nstates; i++)
		seen[i] = (unsigned char)wf->states[i].final;
	mark(wf, seen, 0);
	for (i = 0; i < wf->nstates && rc == PCRM_OK; i++)
		if (!seen[i])
			rc = pcrm__error(PCRM_EINVAL, "states[%zu]: \"%s\" has no path to a final state",
			                 i, wf->states[i].name);
	free(seen);
	return rc;
}

/* An automatic event must leave the state whose limit fires it (anywhere, for the process). */
static int check_fire(const pcrm_workflow *wf)
{
	for (size_t i = 0; i < wf->nstates; i++) {
		const char *ev = wf->states[i].limit.fire;
		if (ev && !pcrm__workflow_transition(wf, i, ev))
			return pcrm__error(PCRM_EINVAL,
			                   "states[%zu].limit.on_expiry.fire: unknown event \"%s\" "
			                   "(no transition from \"%s\")",
			                   i, ev, wf->states[i].name);
	}
	if (wf->process.fire) {
		for (size_t i = 0; i < wf->ntransitions; i++)
			if (strcmp(wf->transitions[i].event, wf->process.fire) == 0)
				return PCRM_OK;
		return pcrm__error(PCRM_EINVAL, "limit.on_expiry.fire: unknown event \"%s\"",
		                   wf->process.fire);
	}
	return PCRM_OK;
}

static int limit_is_working(const struct pcrm__wf_limit *l)
{
	if (!l->set)
		return 0;
	if (pcrm__workflow_unit_is_working(l->unit))
		return 1;
	for (int c = 0; c < PCRM__WF_CLASS_COUNT; c++)
		if (l->class_set[c] && pcrm__workflow_unit_is_working(l->class_unit[c]))
			return 1;
	return 0;
}

static int uses_working_time(const pcrm_workflow *wf)
{
	if (limit_is_working(&wf->process))
		return 1;
	if (wf->reopen.set && pcrm__workflow_unit_is_working(wf->reopen.unit))
		return 1;
	for (size_t i = 0; i < wf->nsuspend_reasons; i++)
		if (wf->suspend_reasons[i].max.set &&
		    pcrm__workflow_unit_is_working(wf->suspend_reasons[i].max.unit))
			return 1;
	for (size_t i = 0; i < wf->nstates; i++)
		if (limit_is_working(&wf->states[i].limit))
			return 1;
	for (size_t i = 0; i < wf->nclocks; i++)
		if (limit_is_working(&wf->clocks[i].limit))
			return 1;
	return 0;
}

static int parse_calendar(pcrm_workflow *wf, const char *calendar_json)
{
	json_t *doc;
	int rc;
	if (!calendar_json)
		return uses_working_time(wf) ?
		               pcrm__error(PCRM_EINVAL, "calendar: working-time limits need a "
		                                        "business calendar") :
		               PCRM_OK;
	rc = pcrm_calendar_load(&wf->calendar, calendar_json);
	if (rc != PCRM_OK) {
		pcrm__error_prefix("calendar");
		return rc;
	}
	if (uses_working_time(wf)) {
		/* a calendar without working time would only fail later, when a work order opens */
		pcrm_time probe;
		if (pcrm_calendar_add_working_seconds(wf->calendar, PROBE_START, 1, &probe) != PCRM_OK)
			return pcrm__error(PCRM_EINVAL, "calendar: has no working time within ten years "
			                                "of 2026-01-01 for the working-time limits");
	}
	doc = json_loads(calendar_json, 0, NULL);
	wf->calendar_text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	return wf->calendar_text ? PCRM_OK : pcrm__error_oom();
}

/* Where the limits come from: an array of citations. */
static int check_sources(const json_t *v)
{
	if (!v)
		return PCRM_OK;
	if (!json_is_array(v))
		return pcrm__error(PCRM_EINVAL, "sources: must be an array of strings");
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return pcrm__error(PCRM_EINVAL, "sources[%zu]: must be a string", i);
	return PCRM_OK;
}

static int parse_top(pcrm_workflow *wf)
{
	static const char *const keys[] = { "name", "title", "description", "sources", "limit",
		                            "states", "transitions", "clocks", "reopen", "suspension",
		                            "close_with_master", "overridable", NULL };
	json_t *states, *trs, *title;
	int rc = check_keys(wf->doc, "definition", keys);

	if (rc == PCRM_OK)
		rc = check_name(json_object_get(wf->doc, "name"), "name", &wf->name);
	title = json_object_get(wf->doc, "title");
	if (rc == PCRM_OK && title && !json_is_string(title))
		rc = pcrm__error(PCRM_EINVAL, "title: must be a string");
	wf->title = title ? json_string_value(title) : wf->name;
	if (rc == PCRM_OK && json_object_get(wf->doc, "description") &&
	    !json_is_string(json_object_get(wf->doc, "description")))
		rc = pcrm__error(PCRM_EINVAL, "description: must be a string");
	if (rc == PCRM_OK)
		rc = check_sources(json_object_get(wf->doc, "sources"));
	if (rc == PCRM_OK)
		rc = get_bool(wf->doc, "overridable", "overridable", &wf->overridable);
	if (rc == PCRM_OK)
		rc = parse_limit(json_object_get(wf->doc, "limit"), "limit", &wf->process);
	if (rc != PCRM_OK)
		return rc;
	states = json_object_get(wf->doc, "states");
	trs = json_object_get(wf->doc, "transitions");
	if (!json_is_array(states) || json_array_size(states) == 0 ||
	    json_array_size(states) > MAX_STATES)
		return pcrm__error(PCRM_EINVAL, "states: must be an array of 1..%d states", MAX_STATES);
	if (!json_is_array(trs) || json_array_size(trs) > MAX_TRANSITIONS)
		return pcrm__error(PCRM_EINVAL, "transitions: must be an array of up to %d transitions",
		                   MAX_TRANSITIONS);
	wf->states = calloc(json_array_size(states), sizeof(*wf->states));
	wf->transitions = calloc(json_array_size(trs) + 1, sizeof(*wf->transitions));
	if (!wf->states || !wf->transitions)
		return pcrm__error_oom();
	for (size_t i = 0; i < json_array_size(states) && rc == PCRM_OK; i++, wf->nstates++)
		rc = parse_state(wf, json_array_get(states, i), i);
	for (size_t i = 0; i < json_array_size(trs) && rc == PCRM_OK; i++, wf->ntransitions++)
		rc = parse_transition(wf, json_array_get(trs, i), i);
	if (rc == PCRM_OK)
		rc = parse_clocks(wf, json_object_get(wf->doc, "clocks"));
	if (rc == PCRM_OK)
		rc = check_graph(wf);
	if (rc == PCRM_OK)
		rc = check_fire(wf);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse_reopen(wf);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse_suspension(wf);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse_close_with_master(wf);
	return rc;
}

int pcrm__workflow_parse(const char *json, const char *calendar_json, pcrm_workflow **out)
{
	pcrm_workflow *wf;
	json_error_t err;
	int rc;

	*out = NULL;
	if (!json)
		return pcrm__error(PCRM_EINVAL, "definition: missing");
	wf = calloc(1, sizeof(*wf));
	if (!wf)
		return pcrm__error_oom();
	wf->refs = 1;
	wf->doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (!wf->doc)
		rc = pcrm__error(PCRM_EINVAL, "definition: line %d column %d: %s", err.line,
		                 err.column, err.text);
	else if (!json_is_object(wf->doc))
		rc = pcrm__error(PCRM_EINVAL, "definition: must be a JSON object");
	else
		rc = parse_top(wf);
	if (rc == PCRM_OK)
		rc = parse_calendar(wf, calendar_json);
	if (rc == PCRM_OK) {
		wf->text = json_dumps(wf->doc, JSON_COMPACT | JSON_SORT_KEYS);
		if (!wf->text)
			rc = pcrm__error_oom();
	}
	if (rc != PCRM_OK) {
		pcrm_workflow_free(wf);
		return rc;
	}
	*out = wf;
	return PCRM_OK;
}

int pcrm_workflow_check(const char *json, const char *calendar_json)
{
	pcrm_workflow *wf;
	int rc = pcrm__workflow_parse(json, calendar_json, &wf);
	pcrm_workflow_free(wf);
	return rc;
}

void pcrm_workflow_free(pcrm_workflow *wf)
{
	if (!wf || --wf->refs > 0)
		return;
	json_decref(wf->doc);
	free(wf->text);
	free(wf->calendar_text);
	pcrm_calendar_free(wf->calendar);
	free(wf->states);
	free(wf->transitions);
	free(wf->suspend_reasons);
	free(wf);
}

/* ---- due times ---- */

static int64_t unit_seconds(enum pcrm__wf_unit u)
{
	switch (u) {
	case PCRM__WF_MINUTES:
	case PCRM__WF_WORKING_MINUTES:
		return 60;
	case PCRM__WF_HOURS:
	case PCRM__WF_WORKING_HOURS:
		return 3600;
	default:
		return 86400;
	}
}

int pcrm__workflow_limit_due(const pcrm_workflow *wf, const struct pcrm__wf_limit *limit,
                             pcrm_time start, pcrm_time *due, pcrm_time *warn)
{
	int rc = PCRM_OK;

	*warn = 0;
	if (limit->unit == PCRM__WF_WORKING_DAYS)
		rc = pcrm_calendar_add_working_days(wf->calendar, start, (int)limit->amount, due);
	else if (pcrm__workflow_unit_is_working(limit->unit))
		rc = pcrm_calendar_add_working_seconds(wf->calendar, start,
		                                       limit->amount * unit_seconds(limit->unit), due);
	else
		*due = start + limit->amount * unit_seconds(limit->unit);
	if (rc != PCRM_OK || !limit->warn_percent)
		return rc;
	return pcrm__workflow_limit_share(wf, limit->unit, start, *due, limit->warn_percent, warn);
}

int pcrm__workflow_limit_share(const pcrm_workflow *wf, enum pcrm__wf_unit unit,
                               pcrm_time start, pcrm_time due, int percent, pcrm_time *at)
{
	int64_t total;
	int rc;
	if (!pcrm__workflow_unit_is_working(unit)) {
		*at = start + (due - start) * percent / 100;
		return PCRM_OK;
	}
	rc = pcrm_calendar_working_seconds_between(wf->calendar, start, due, &total);
	if (rc == PCRM_OK)
		rc = pcrm_calendar_add_working_seconds(wf->calendar, start, total * percent / 100, at);
	return rc;
}

struct pcrm__wf_limit pcrm__workflow_limit_for(const struct pcrm__wf_limit *limit,
                                               const char *cls)
{
	struct pcrm__wf_limit l = *limit;
	int c = pcrm__workflow_class(cls);
	if (c >= 0 && limit->class_set[c]) {
		l.amount = limit->class_amount[c];
		l.unit = limit->class_unit[c];
	}
	return l;
}

/* ---- accessors ---- */

const char *pcrm_workflow_name(const pcrm_workflow *wf) { return wf ? wf->name : NULL; }
const char *pcrm_workflow_title(const pcrm_workflow *wf) { return wf ? wf->title : NULL; }
int pcrm_workflow_version(const pcrm_workflow *wf) { return wf ? wf->version : 0; }
const char *pcrm_workflow_json(const pcrm_workflow *wf) { return wf ? wf->text : NULL; }
size_t pcrm_workflow_state_count(const pcrm_workflow *wf) { return wf ? wf->nstates : 0; }

const char *pcrm_workflow_initial_state(const pcrm_workflow *wf)
{
	return wf ? wf->states[wf->initial].name : NULL;
}

const char *pcrm_workflow_state_at(const pcrm_workflow *wf, size_t i)
{
	return wf && i < wf->nstates ? wf->states[i].name : NULL;
}

int pcrm_workflow_state_is_final(const pcrm_workflow *wf, const char *state)
{
	size_t i;
	if (!wf || !state)
		return 0;
	i = pcrm__workflow_state_index(wf, state);
	return i != (size_t)-1 && wf->states[i].final;
}

/* ---- the picture ---- */

static void put_limit(struct pcrm__strbuf *b, const struct pcrm__wf_limit *l)
{
	if (l->set)
		pcrm__strbuf_add(b, "\\n(%lld %s)", (long long)l->amount, unit_names[l->unit]);
}

int pcrm_workflow_to_dot(const pcrm_workflow *wf, char **out)
{
	struct pcrm__strbuf b = { NULL, 0, 0, 0 };

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!wf)
		return pcrm__error(PCRM_EINVAL, "workflow: is NULL");
	pcrm__strbuf_add(&b, "digraph %s {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n",
	                 wf->name);
	pcrm__strbuf_add(&b, "  label=\"%s v%d", wf->name, wf->version);
	put_limit(&b, &wf->process);
	pcrm__strbuf_add(&b, "\";\n  start [shape=point];\n");
	for (size_t i = 0; i < wf->nstates; i++) {
		const struct pcrm__wf_state *s = &wf->states[i];
		pcrm__strbuf_add(&b, "  %s [label=\"%s", s->name, s->name);
		put_limit(&b, &s->limit);
		pcrm__strbuf_add(&b, "%s\"%s];\n", s->pause ? "\\n(clock paused)" : "",
		                 s->final ? ", shape=doublecircle" : "");
	}
	pcrm__strbuf_add(&b, "  start -> %s;\n", wf->states[wf->initial].name);
	for (size_t i = 0; i < wf->ntransitions; i++)
		pcrm__strbuf_add(&b, "  %s -> %s [label=\"%s\"];\n",
		                 wf->states[wf->transitions[i].from].name,
		                 wf->states[wf->transitions[i].to].name, wf->transitions[i].event);
	for (size_t i = 0; i < wf->nstates; i++)
		if (wf->states[i].limit.fire)
			pcrm__strbuf_add(
				&b, "  %s -> %s [label=\"timeout: %s\", style=dashed];\n",
				wf->states[i].name,
				wf->states[pcrm__workflow_transition(wf, i, wf->states[i].limit.fire)->to]
					.name,
				wf->states[i].limit.fire);
	for (size_t i = 0; wf->reopen.set && i < wf->nstates; i++)
		if (wf->states[i].final)
			pcrm__strbuf_add(&b, "  %s -> %s [label=\"reopen (%lld %s)\", style=dotted];\n",
			                 wf->states[i].name, wf->states[wf->reopen.to].name,
			                 (long long)wf->reopen.amount, unit_names[wf->reopen.unit]);
	pcrm__strbuf_add(&b, "}\n");
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	*out = b.p;
	return PCRM_OK;
}
