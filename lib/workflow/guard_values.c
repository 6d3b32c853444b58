/*
 * A guard's "values": the strings an event's data field may hold.  A
 * return visit's satisfaction is a fixed scale (satisfied,
 * basically_satisfied, dissatisfied), not free text: a definition that says
 * so makes the engine refuse anything else, whoever fires the event (the
 * complaint module, an integrator calling pcrm_workorder_fire()).
 *
 *   "guard": {"require": ["satisfaction"],
 *             "values": {"satisfaction": ["satisfied", "basically_satisfied"]}}
 *
 * A listed field that is absent is left to "require"; present, it must be a
 * string equal to one of the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text_check.h"
#include "workflow_internal.h"

#define MAX_FIELDS 32
#define MAX_ALLOWED 64
#define ALLOWED_MAX_BYTES 64

/* Field names follow the names of states and events: 1..64 of [a-z0-9_]. */
static int is_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > PCRM__WF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int pcrm__workflow_parse_values(const json_t *v, const char *path, struct pcrm__wf_transition *t)
{
	const char *field;
	json_t *list;

	if (!json_is_object(v) || json_object_size(v) == 0 || json_object_size(v) > MAX_FIELDS)
		return pcrm__error(PCRM_EINVAL, "%s.values: must be an object of 1..%d fields", path,
		                   MAX_FIELDS);
	json_object_foreach((json_t *)v, field, list) {
		if (!is_name(field)) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(field, strlen(field), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL,
			                   "%s.values: field \"%s\" must be 1..%d of a-z, 0-9 and '_'",
			                   path, q, PCRM__WF_NAME_MAX);
		}
		if (!json_is_array(list) || json_array_size(list) == 0 ||
		    json_array_size(list) > MAX_ALLOWED)
			return pcrm__error(PCRM_EINVAL,
			                   "%s.values.%s: must be an array of 1..%d strings", path,
			                   field, MAX_ALLOWED);
		for (size_t i = 0; i < json_array_size(list); i++) {
			const json_t *s = json_array_get(list, i);
			if (!json_is_string(s) || json_string_length(s) == 0 ||
			    json_string_length(s) > ALLOWED_MAX_BYTES ||
			    strlen(json_string_value(s)) != json_string_length(s))
				return pcrm__error(PCRM_EINVAL,
				                   "%s.values.%s[%zu]: must be a string of 1..%d bytes",
				                   path, field, i, ALLOWED_MAX_BYTES);
			{
				char sub[160];
				snprintf(sub, sizeof(sub), "%.60s.values.%s[%zu]", path, field, i);
				if (pcrm__text_check(sub, json_string_value(s), json_string_length(s), 0) !=
				    PCRM_OK)
					return PCRM_EINVAL;
			}
			for (size_t j = 0; j < i; j++)
				if (json_equal(json_array_get(list, j), (json_t *)s))
					return pcrm__error(PCRM_EINVAL,
					                   "%s.values.%s[%zu]: repeats [%zu]", path,
					                   field, i, j);
		}
	}
	t->values = v;
	return PCRM_OK;
}

static int allowed(const json_t *list, const char *s)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
			return 1;
	return 0;
}

int pcrm__workflow_check_values(const struct pcrm__wf_transition *t, const json_t *patch)
{
	const char *field;
	json_t *list;

	if (!t->values)
		return PCRM_OK;
	json_object_foreach((json_t *)t->values, field, list) {
		const json_t *v = json_object_get(patch, field);
		struct pcrm__strbuf b = { NULL, 0, 0, 0 };
		int rc;
		if (!v || json_is_null(v) || (json_is_string(v) && allowed(list, json_string_value(v))))
			continue;
		/* the value given is outside text: the message lists what is allowed, never it */
		for (size_t i = 0; i < json_array_size(list); i++)
			pcrm__strbuf_add(&b, "%s%s", i ? ", " : "",
			                 json_string_value(json_array_get(list, i)));
		rc = b.failed ? pcrm__error_oom() :
		                pcrm__error(PCRM_EINVAL, "data.%s: must be one of %s for event \"%s\"",
		                            field, b.p, t->event);
		free(b.p);
		return rc;
	}
	return PCRM_OK;
}
