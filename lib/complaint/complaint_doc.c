/*
 * The filing document of a ticket: every field checked, unknown fields and
 * nulls refused, so a typo never becomes a default.  Messages name the
 * field and never echo its (possibly personal) value.
 */
#include <string.h>

#include "complaint_internal.h"
#include "core/error.h"
#include "core/json_doc.h"

#define JSON_MAX 65536
#define SHORT_MAX 128

const char *const pcrm__complaint_channels[] = { "phone", "fax", "email", "web", "sms",
	                                         "counter", "app", "wechat", NULL };
static const char *const natures[] = { "complaint", "report", "opinion", "suggestion", NULL };
static const char *const urgencies[] = { "normal", "major", NULL };

/* An optional string field of 1..max bytes; *out stays NULL when absent. */
static int text_field(const json_t *doc, const char *name, size_t max, int required,
                      const char **out)
{
	const json_t *v = json_object_get(doc, name);
	int rc;
	*out = NULL;
	if (!v && !required)
		return PCRM_OK;
	rc = pcrm__json_expect(name, v, JSON_STRING, "a string");
	if (rc != PCRM_OK)
		return rc;
	if (json_string_length(v) == 0 || json_string_length(v) > max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu bytes", name, max);
	*out = json_string_value(v);
	return PCRM_OK;
}

static int enum_field(const json_t *doc, const char *name, const char *const *allowed,
                      int required, const char **out)
{
	int rc = text_field(doc, name, SHORT_MAX, required, out);
	if (rc == PCRM_OK && *out && !pcrm__complaint_one_of(*out, allowed)) {
		*out = NULL;
		return pcrm__error(PCRM_EINVAL, "%s: unknown value (expected one of the documented "
		                                "values, docs/complaints.md)", name);
	}
	return rc;
}

static int anonymous_field(const json_t *doc, const json_t **out)
{
	static const char *const keys[] = { "name", "contact", NULL };
	const json_t *v = json_object_get(doc, "anonymous");
	const char *s;
	int rc;
	*out = NULL;
	if (!v)
		return PCRM_OK;
	rc = pcrm__json_expect("anonymous", v, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("anonymous", v, keys);
	if (rc == PCRM_OK && text_field(v, "name", SHORT_MAX, 1, &s) != PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "anonymous.name: required, 1..%d bytes", SHORT_MAX);
	if (rc == PCRM_OK && text_field(v, "contact", SHORT_MAX, 1, &s) != PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "anonymous.contact: required, 1..%d bytes", SHORT_MAX);
	if (rc == PCRM_OK)
		*out = v;
	return rc;
}

static int accepted_at_field(const json_t *doc, struct pcrm__complaint_input *in)
{
	const char *s;
	int rc = text_field(doc, "accepted_at", SHORT_MAX, 0, &s);
	if (rc != PCRM_OK || !s)
		return rc;
	rc = pcrm_time_parse(s, &in->accepted_at);
	if (rc != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "accepted_at: not an ISO 8601 instant with offset");
	in->has_accepted_at = 1;
	return PCRM_OK;
}

int pcrm__complaint_parse(const char *json, json_t **doc, struct pcrm__complaint_input *in)
{
	static const char *const keys[] = { "channel", "caller_number", "customer_no", "anonymous",
		                            "category", "subcategory", "nature", "urgency",
		                            "target_person", "target_phone", "description",
		                            "recording_ref", "accepted_at", NULL };
	json_error_t err;
	int rc = PCRM_OK;

	memset(in, 0, sizeof(*in));
	*doc = NULL;
	if (!json || strlen(json) > JSON_MAX)
		return pcrm__error(PCRM_EINVAL, "json: missing or larger than %d bytes", JSON_MAX);
	*doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (!*doc)
		return pcrm__error(PCRM_EINVAL, "json: line %d column %d: not valid JSON", err.line,
		                   err.column);
	rc = pcrm__json_expect("document", *doc, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("", *doc, keys);
	if (rc == PCRM_OK)
		rc = enum_field(*doc, "channel", pcrm__complaint_channels, 1, &in->channel);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "caller_number", SHORT_MAX, 0, &in->caller_number_raw);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "customer_no", 32, 0, &in->customer_no);
	if (rc == PCRM_OK)
		rc = anonymous_field(*doc, &in->anonymous);
	if (rc == PCRM_OK && in->anonymous && in->customer_no)
		rc = pcrm__error(PCRM_EINVAL, "anonymous: not allowed with customer_no");
	if (rc == PCRM_OK)
		rc = enum_field(*doc, "category", pcrm__complaint_categories, 1, &in->category);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "subcategory", 64, 1, &in->subcategory);
	if (rc == PCRM_OK)
		rc = enum_field(*doc, "nature", natures, 1, &in->nature);
	if (rc == PCRM_OK)
		rc = enum_field(*doc, "urgency", urgencies, 0, &in->urgency);
	if (rc == PCRM_OK && !in->urgency)
		in->urgency = "normal";
	if (rc == PCRM_OK)
		rc = text_field(*doc, "target_person", SHORT_MAX, 0, &in->target_person);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "target_phone", SHORT_MAX, 0, &in->target_phone);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "description", PCRM__COMPLAINT_TEXT_MAX, 1, &in->description);
	if (rc == PCRM_OK)
		rc = text_field(*doc, "recording_ref", SHORT_MAX, 0, &in->recording_ref);
	if (rc == PCRM_OK)
		rc = accepted_at_field(*doc, in);
	return rc;
}

int pcrm__complaint_review_parse(const char *json, json_t **doc, const char **decision,
                                 const char **reason)
{
	static const char *const keys[] = { "decision", "reason", NULL };
	static const char *const decisions[] = { "approve", "return", NULL };
	json_error_t err;
	int rc;

	*doc = NULL;
	*decision = *reason = NULL;
	if (!json || strlen(json) > JSON_MAX)
		return pcrm__error(PCRM_EINVAL, "json: missing or larger than %d bytes", JSON_MAX);
	*doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (!*doc)
		return pcrm__error(PCRM_EINVAL, "json: line %d column %d: not valid JSON", err.line,
		                   err.column);
	if (!json_is_object(*doc))
		return pcrm__error(PCRM_EINVAL, "json: expected an object");
	rc = pcrm__json_check_keys("", *doc, keys);
	if (rc == PCRM_OK && !json_object_get(*doc, "decision"))
		rc = pcrm__error(PCRM_EINVAL, "decision: required, \"approve\" or \"return\"");
	if (rc == PCRM_OK)
		rc = enum_field(*doc, "decision", decisions, 1, decision);
	/* a return says why (the handling agent reads it); an approval may add a note */
	if (rc == PCRM_OK)
		rc = text_field(*doc, "reason", 2000, strcmp(*decision, "return") == 0, reason);
	if (rc != PCRM_OK)
		*decision = *reason = NULL;
	return rc;
}
