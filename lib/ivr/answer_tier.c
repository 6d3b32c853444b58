/*
 * The IVR's tier answer: where a residential caller stands on this year's
 * energy tiers (本年度已用电量两千七百千瓦时，处于第一档), said in Chinese and
 * recorded in the contact history (docs/ivr.md, "Answers").  Built on the
 * public API only: pcrm_tier_position_get() for the data (the billing
 * engine's own thresholds and year-to-date energy), the speak functions for
 * the text, pcrm_contact_record() for the record.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/billing.h>
#include <powercrm/ivr.h>

#include "core/error.h"
#include "ivr_internal.h"

/* "第一档" ... "第八档" */
static int say_tier(int tier, char *buf, size_t size)
{
	char n[PCRM_IVR_SPEECH_MAX];
	int rc = pcrm_ivr_speak_number(pcrm_decimal_from_int(tier), n, sizeof(n));

	if (rc == PCRM_OK && (size_t)snprintf(buf, size, "第%s档", n) >= size)
		rc = pcrm__error(PCRM_EOVERFLOW, "text: the tier does not fit in %zu bytes", size);
	return rc;
}

static int say_position(const pcrm_tier_position *p, char *text, size_t size, size_t *len)
{
	char energy[PCRM_IVR_SPEECH_MAX], tier[PCRM_IVR_SPEECH_MAX], next[PCRM_IVR_SPEECH_MAX],
	     left[PCRM_IVR_SPEECH_MAX], upper[PCRM_IVR_SPEECH_MAX];
	int rc;

	if ((rc = pcrm_ivr_speak_energy(p->energy, energy, sizeof(energy))) != PCRM_OK ||
	    (rc = say_tier(p->tier, tier, sizeof(tier))) != PCRM_OK)
		return rc;
	if (p->last_tier)
		return pcrm__ivr_say(text, size, len, "本年度已用电量%s，处于%s，即最高一档。", energy,
		                     tier);
	if ((rc = say_tier(p->tier + 1, next, sizeof(next))) != PCRM_OK ||
	    (rc = pcrm_ivr_speak_energy(p->remaining, left, sizeof(left))) != PCRM_OK ||
	    (rc = pcrm_ivr_speak_energy(p->upper, upper, sizeof(upper))) != PCRM_OK)
		return rc;
	return pcrm__ivr_say(text, size, len,
	                     "本年度已用电量%s，处于%s，%s上限为%s，再用%s将进入%s。", energy, tier,
	                     tier, upper, left, next);
}

static int compose(const pcrm_tier_position *p, char *text, size_t size)
{
	size_t len = 0;

	text[0] = '\0';
	switch (p->status) {
	case PCRM_TIER_POSITIONED:
		return say_position(p, text, size, &len);
	case PCRM_TIER_NOT_RESIDENTIAL:
		return pcrm__ivr_say(text, size, &len, "您的用电类别不执行居民阶梯电价，没有阶梯档位。");
	case PCRM_TIER_NO_TIERS:
		return pcrm__ivr_say(text, size, &len, "您执行的电价不分阶梯，没有阶梯档位。");
	case PCRM_TIER_NOT_ANNUAL:
		return pcrm__ivr_say(text, size, &len,
		                     "您执行的电价按每期账单计算阶梯，没有年度累计档位。");
	case PCRM_TIER_NO_BILL:
		return pcrm__ivr_say(text, size, &len, "您目前还没有电费账单，暂时无法查询阶梯档位。");
	}
	return pcrm__error(PCRM_ESTATE, "position.status: %d is unknown", (int)p->status);
}

int pcrm_ivr_answer_tier(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                         pcrm_ivr_tier_answer *out)
{
	struct pcrm__ivr_answer ans;
	pcrm_ivr_tier_answer *a;
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 1, &ans);

	if (rc != PCRM_OK)
		return rc;
	a = ans.data;
	a->position = (pcrm_tier_position)PCRM_TIER_POSITION_INIT;
	rc = pcrm_tier_position_get(ctx, actor, customer_no, NULL, pcrm__ivr_today(ctx),
	                            &a->position);
	if (rc == PCRM_OK)
		rc = compose(&a->position, a->text, sizeof(a->text));
	return pcrm__ivr_answer_end(&ans, rc, a->text);
}
