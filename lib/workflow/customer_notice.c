/*
 * Customer notices: a transition that tells the work order's customer
 * something ("notify_customer" in the definition: "您报修的故障已派工").
 *
 * Why through the outbox and not straight into the outbound queue: the
 * workflow engine knows nothing of channels, do-not-contact or quiet hours
 * (lib/outbound does, and depends on the workflow, never the reverse).  The
 * notice becomes a row of work_order_notification in the transition's own
 * transaction, addressed to the customer (customer_no) rather than to an
 * operator or a role, so a committed transition always has its notice and a
 * rolled-back one none.  lib/outbound/handover.c turns each such row into
 * exactly one outbound message; pcrm_notification_claim() never hands one
 * to an operators' delivery process.
 */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "workorder_internal.h"
#include "workflow_internal.h"

#define NOTICE_MAX 500

int pcrm__workflow_parse_customer_notice(const json_t *v, const char *path,
                                         struct pcrm__wf_transition *t)
{
	size_t n;

	t->notify_customer = NULL;
	if (!v)
		return PCRM_OK;
	if (!json_is_string(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be a string", path);
	n = json_string_length(v);
	if (n < 1 || n > NOTICE_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%d bytes", path, NOTICE_MAX);
	if (pcrm__text_check(path, json_string_value(v), n, PCRM__TEXT_LINES) != PCRM_OK)
		return PCRM_EINVAL;
	t->notify_customer = json_string_value(v);
	return PCRM_OK;
}

int pcrm__wo_customer_notice_write(struct pcrm__wo_op *op, int64_t seq, const char *text)
{
	static const char sql[] =
		"INSERT INTO work_order_notification (org_unit, id, work_order_id, seq, kind, "
		"recipient, note, created_at, attempts, customer_no) "
		"VALUES ($1, $2, $3, $4, 'notify', NULL, $5, $6, 0, $7)";
	const char *customer = pcrm__wo_str(op->wo, "customer_no");
	char id[PCRM_WORKORDER_ID_LEN + 24];
	pcrm_sql_value p[7];

	/* a work order of nobody in the archive (an anonymous ticket) has no one to tell */
	if (!customer || !text)
		return PCRM_OK;
	snprintf(id, sizeof(id), "%s/%lld", op->id, (long long)seq);
	p[0] = PCRM_SQL_S(pcrm__wo_str(op->wo, "org_unit"));
	p[1] = PCRM_SQL_S(id);
	p[2] = PCRM_SQL_S(op->id);
	p[3] = PCRM_SQL_I(seq);
	p[4] = PCRM_SQL_S(text);
	p[5] = PCRM_SQL_I(op->now);
	p[6] = PCRM_SQL_S(customer);
	return pcrm__store_exec_later(op->ctx->store, sql, p, 7, 1, PCRM_ESTORE,
	                              "customer notice of a work order not written");
}
