/*
 * Identifying an IVR caller: by the caller number (the archive's screen
 * pop) or by customer number and the last characters of the ID number, with
 * a lockout after repeated wrong tries (docs/ivr.md, "Identifying the
 * caller").  The digits are compared with the archive's mask of the ID
 * number, which keeps its last four characters: the IVR never needs the ID
 * number in clear, nor the permission to reveal it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/customer.h>
#include <powercrm/ivr.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "org/org_internal.h"
#include "core/error.h"
#include "core/text_check.h"
#include "store/store.h"
#include "ivr_internal.h"

static void identity_init(pcrm_ivr_identity *id, pcrm_ivr_outcome outcome)
{
	memset(id, 0, sizeof(*id));
	id->outcome = outcome;
}

int pcrm_ivr_identify_by_phone(pcrm_ctx *ctx, const pcrm_actor *actor,
                               const char *caller_number, pcrm_ivr_identity *out)
{
	pcrm_customer_list *list = NULL;
	pcrm_ivr_identity id;
	size_t n;
	int rc;

	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	if (caller_number == NULL)
		return pcrm__error(PCRM_EINVAL, "caller_number: missing");
	rc = pcrm_customer_find_by_phone(ctx, actor, caller_number, &list);
	if (rc != PCRM_OK)
		return rc;
	n = pcrm_customer_list_count(list);
	identity_init(&id, n == 0 ? PCRM_IVR_NOT_IDENTIFIED :
	                   n == 1 ? PCRM_IVR_IDENTIFIED : PCRM_IVR_AMBIGUOUS);
	id.candidates = n > 1000 ? 1000 : (int)n;
	if (n == 1) {
		const char *no = pcrm_customer_no(pcrm_customer_list_at(list, 0));

		if (strlen(no) >= sizeof(id.customer_no))
			rc = pcrm__error(PCRM_EOVERFLOW, "customer_no: longer than %d bytes",
			                 PCRM_IVR_CUSTOMER_NO_MAX - 1);
		else
			memcpy(id.customer_no, no, strlen(no) + 1);
	}
	pcrm_customer_list_free(list);
	if (rc == PCRM_OK)
		*out = id;
	return rc;
}

/* The keyed characters: exactly PCRM_IVR_ID_DIGITS of 0-9 and '*' (for X). */
int pcrm__ivr_digits_check(const char *digits)
{
	if (digits == NULL)
		return pcrm__error(PCRM_EINVAL, "digits: missing");
	if (strlen(digits) != PCRM_IVR_ID_DIGITS ||
	    strspn(digits, "0123456789*") != PCRM_IVR_ID_DIGITS)
		return pcrm__error(PCRM_EINVAL, "digits: must be the last %d characters of the ID "
		                   "number, digits and * for X", PCRM_IVR_ID_DIGITS);
	return PCRM_OK;
}

static int check_policy(const pcrm_ivr_lockout *p)
{
	if (p->max_failures < 1 || p->max_failures > 100)
		return pcrm__error(PCRM_EINVAL, "policy.max_failures: %d is outside 1..100",
		                   p->max_failures);
	if (p->window_seconds < 60 || p->window_seconds > 86400)
		return pcrm__error(PCRM_EINVAL, "policy.window_seconds: %d is outside 60..86400",
		                   p->window_seconds);
	return PCRM_OK;
}

/*
 * Whether the keyed characters are the end of the masked ID number, in time
 * that does not depend on where they differ.  No ID number never matches.
 */
int pcrm__ivr_digits_match(const pcrm_customer *c, const char *digits)
{
	json_t *doc = json_loads(pcrm_customer_json(c), 0, NULL);
	const char *masked = json_string_value(json_object_get(doc, "id_number"));
	unsigned diff = 0;
	size_t n;
	int match = 0;

	if (masked != NULL && (n = strlen(masked)) >= 2 * PCRM_IVR_ID_DIGITS) {
		const char *tail = masked + n - PCRM_IVR_ID_DIGITS;

		for (size_t i = 0; i < PCRM_IVR_ID_DIGITS; i++) {
			char want = tail[i] == 'X' || tail[i] == 'x' ? '*' : tail[i];

			diff |= (unsigned char)(want ^ digits[i]);
		}
		match = diff == 0;
	}
	json_decref(doc);
	return match;
}

struct try_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *customer_no, *org_unit, *method;
	pcrm_ivr_lockout policy;
	int match;
	int (*on_identified)(pcrm_ctx *ctx, void *arg);
	void *on_arg;
	pcrm_ivr_identity result;
};

/*
 * The wrong tries that count: in the window and not before the last right
 * one.  Instants are seconds, so a wrong try in the same second as the right
 * one may have come after it: it counts (the cautious reading).  Tries by
 * every method count alike: ID digits and PIN share one lockout.
 */
static int recent_failures(struct try_arg *a, pcrm_time now, int64_t *count, pcrm_time *oldest)
{
	static const char sql[] =
		"SELECT at FROM ivr_attempt WHERE customer_no = $1 AND ok = 0 AND at > $2"
		" AND at >= COALESCE((SELECT MAX(at) FROM ivr_attempt"
		"                    WHERE customer_no = $1 AND ok = 1), $2)"
		" ORDER BY at DESC";
	pcrm_sql_value p[2] = { PCRM_SQL_S(a->customer_no),
		                PCRM_SQL_I(now - a->policy.window_seconds) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(a->ctx->store, sql, p, 2, &rows);

	*count = 0;
	*oldest = 0;
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		/* the oldest of the newest max_failures tries decides when a lockout ends */
		if (*count < a->policy.max_failures)
			*oldest = pcrm__rows_int(rows, 0);
		(*count)++;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int try_body(void *arg)
{
	struct try_arg *a = arg;
	pcrm_time now = pcrm_ctx_now(a->ctx);
	pcrm_time oldest;
	int64_t failures;
	json_t *summary;
	const char *outcome;
	int rc = recent_failures(a, now, &failures, &oldest);

	if (rc != PCRM_OK)
		return rc;
	identity_init(&a->result, PCRM_IVR_NOT_IDENTIFIED);
	if (failures >= a->policy.max_failures) {
		a->result.outcome = PCRM_IVR_LOCKED;
		a->result.locked_until = oldest + a->policy.window_seconds;
		outcome = "locked";
	} else {
		pcrm_sql_value p[4] = { PCRM_SQL_S(a->org_unit), PCRM_SQL_S(a->customer_no),
			                PCRM_SQL_I(now), PCRM_SQL_I(a->match ? 1 : 0) };

		rc = pcrm__store_exec(a->ctx->store,
		                      "INSERT INTO ivr_attempt (org_unit, customer_no, at, ok)"
		                      " VALUES ($1, $2, $3, $4)", p, 4, NULL);
		if (rc != PCRM_OK)
			return rc;
		if (a->match) {
			a->result.outcome = PCRM_IVR_IDENTIFIED;
			a->result.attempts_left = a->policy.max_failures;
			memcpy(a->result.customer_no, a->customer_no, strlen(a->customer_no) + 1);
			outcome = "identified";
		} else {
			a->result.attempts_left = a->policy.max_failures - (int)failures - 1;
			if (a->result.attempts_left == 0)
				a->result.locked_until = (failures == 0 ? now : oldest) +
				                         a->policy.window_seconds;
			outcome = "not_identified";
		}
	}
	summary = json_pack("{s:s, s:s}", "method", a->method, "outcome", outcome);
	if (summary == NULL)
		return pcrm__error_oom();
	rc = pcrm__audit_append(a->ctx, a->actor, "ivr.identify", "customer", a->customer_no,
	                        summary);
	json_decref(summary);
	if (rc == PCRM_OK && a->match && a->result.outcome == PCRM_IVR_IDENTIFIED &&
	    a->on_identified != NULL)
		rc = a->on_identified(a->ctx, a->on_arg);
	return rc;
}

int pcrm__ivr_try(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__ivr_try *t,
                  pcrm_ivr_identity *out)
{
	static const pcrm_ivr_lockout default_policy = PCRM_IVR_LOCKOUT_DEFAULT;
	struct try_arg a = { .ctx = ctx, .actor = actor, .method = t->method,
		             .on_identified = t->on_identified, .on_arg = t->arg };
	pcrm_customer *c = NULL;
	pcrm_time oldest;
	int64_t failures;
	int rc;

	a.policy = t->policy ? *t->policy : default_policy;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_check("customer_no", t->customer_no, PCRM_IVR_CUSTOMER_NO_MAX - 1);
	if (rc == PCRM_OK)
		rc = t->check(t->arg);
	if (rc == PCRM_OK)
		rc = check_policy(&a.policy);
	/* scope and existence: one refusal for unknown and out-of-subtree numbers */
	if (rc == PCRM_OK)
		rc = pcrm_customer_get(ctx, actor, t->customer_no, 0, &c);
	if (rc == PCRM_OK && t->write)
		rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_CONTACT_WRITE, "customer",
		                            t->customer_no, pcrm_customer_org_unit(c));
	if (rc == PCRM_OK) {
		a.customer_no = pcrm_customer_no(c);
		a.org_unit = pcrm_customer_org_unit(c);
		/*
		 * While locked nothing is compared (the transaction finds the lock
		 * again and ignores `match`); a slow comparison (a PIN's KDF) runs
		 * outside the write transaction.
		 */
		rc = recent_failures(&a, pcrm_ctx_now(ctx), &failures, &oldest);
		if (rc == PCRM_OK && failures < a.policy.max_failures)
			rc = t->match(ctx, c, t->arg, &a.match);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, try_body, &a);
	if (rc == PCRM_OK)
		*out = a.result;
	pcrm_customer_free(c);
	return rc;
}

static int digits_check(void *arg)
{
	return pcrm__ivr_digits_check(arg);
}

static int digits_compare(pcrm_ctx *ctx, const pcrm_customer *c, void *arg, int *match)
{
	(void)ctx;
	*match = pcrm__ivr_digits_match(c, arg);
	return PCRM_OK;
}

int pcrm_ivr_identify_by_id_digits(pcrm_ctx *ctx, const pcrm_actor *actor,
                                   const char *customer_no, const char *digits,
                                   const pcrm_ivr_lockout *policy, pcrm_ivr_identity *out)
{
	struct pcrm__ivr_try t = { .customer_no = customer_no, .method = "id_digits",
		                   .policy = policy, .check = digits_check,
		                   .match = digits_compare, .arg = (void *)(uintptr_t)digits };

	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	return pcrm__ivr_try(ctx, actor, &t, out);
}
