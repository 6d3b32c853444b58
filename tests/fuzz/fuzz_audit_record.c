/*
 * Fuzz target for what an integrator hands pcrm_audit_record(): the input
 * is "action\nobject_type\nobject_id\nsummary" (missing parts are NULL).
 * A refused entry has a negative status, a message, and appends nothing.
 * An accepted one appends exactly one entry carrying the given action,
 * object type and id, the summary in canonical form (sorted keys, compact;
 * "{}" for none), and the chain still verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct last_entry {
	int64_t seq;
	char *action, *object_type, *object_id, *summary;
};

static int keep_last(const pcrm_audit_entry *e, void *userdata)
{
	struct last_entry *last = userdata;
	free(last->action);
	free(last->object_type);
	free(last->object_id);
	free(last->summary);
	last->seq = e->seq;
	last->action = strdup(e->action);
	last->object_type = strdup(e->object_type);
	last->object_id = strdup(e->object_id);
	last->summary = strdup(e->summary);
	return 0;
}

static void read_last(pcrm_ctx *ctx, struct last_entry *last)
{
	memset(last, 0, sizeof(*last));
	fuzz_require(pcrm_audit_list(ctx, &fuzz_admin, 0, 0, keep_last, last) == PCRM_OK);
}

static void free_last(struct last_entry *last)
{
	free(last->action);
	free(last->object_type);
	free(last->object_id);
	free(last->summary);
}

/* Cuts the next '\n'-terminated part off *rest; NULL when there is none. */
static char *next_part(char **rest)
{
	char *part = *rest, *nl;
	if (!part)
		return NULL;
	nl = strchr(part, '\n');
	if (nl) {
		*nl = '\0';
		*rest = nl + 1;
	} else {
		*rest = NULL;
	}
	return part;
}

static void check_accepted(pcrm_ctx *ctx, const struct last_entry *before, const char *action,
                           const char *object_type, const char *object_id, const char *summary)
{
	struct last_entry after;
	char *canonical;
	int64_t checked = 0;

	read_last(ctx, &after);
	fuzz_require(after.seq == before->seq + 1);
	fuzz_require(strcmp(after.action, action) == 0);
	fuzz_require(strcmp(after.object_type, object_type) == 0);
	fuzz_require(strcmp(after.object_id, object_id ? object_id : "") == 0);
	if (summary) {
		json_t *doc = json_loads(summary, JSON_REJECT_DUPLICATES, NULL);
		fuzz_require(json_is_object(doc));
		canonical = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(doc);
	} else {
		canonical = strdup("{}");
	}
	fuzz_require(canonical && strcmp(after.summary, canonical) == 0);
	free(canonical);
	fuzz_require(pcrm_audit_verify(ctx, &fuzz_admin, &checked, NULL) == PCRM_OK);
	fuzz_require(checked == after.seq);
	free_last(&after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcrm_ctx *ctx = fuzz_world();
	char *text = fuzz_text(data, size), *rest = text;
	char *action = next_part(&rest), *object_type = next_part(&rest);
	char *object_id = next_part(&rest), *summary = rest;
	struct last_entry before;
	fuzz_counts counts;
	int rc;

	fuzz_begin();
	fuzz_count(&counts);
	read_last(ctx, &before);
	rc = pcrm_audit_record(ctx, &fuzz_admin, action, object_type, object_id, summary);
	if (rc != PCRM_OK) {
		fuzz_require_refusal(rc, "pcrm_audit_record");
		fuzz_require_unchanged(&counts, "pcrm_audit_record");
	} else {
		check_accepted(ctx, &before, action, object_type, object_id, summary);
	}
	free_last(&before);
	fuzz_rollback();
	free(text);
	return 0;
}
