/*
 * Complaint tickets (投诉 / 举报 / 意见 / 建议): the routing configuration,
 * Friday's backlog that Monday inherits, the tickets the day's calls file,
 * the handling steps (contact, opinion, the supervisor's review, reply, return visit), the
 * escalations the workflow's time limits cause when pcrm_workorder_tick()
 * finds them passed, and the statistics supervisors read.
 *
 * Friday's tickets: those accepted in the morning are contacted and get a
 * handling opinion the same day, then on Monday the reply and the return
 * visit; of those accepted in the afternoon half are contacted, and the
 * others pass the one working day the "accepted" state allows on Monday
 * afternoon, which escalates them (督办) to the superior unit.
 */
#include <stdlib.h>
#include <string.h>

#include "demo.h"

struct ticket {
	char serial[40];
	char work_order[PCRM_WORKORDER_ID_LEN + 1];
	int backlog;
	int with_opinion;
};

struct stat_row {
	char category[32];
	char unit[32];
	int64_t received, handled, overdue_open, visited, satisfied;
};

struct complaint_work {
	struct ticket *t;
	size_t count, cap;
	struct stat_row rows[64];
	size_t row_count;
	char *stats_json;
};

static const char *const categories[] = { "service", "business", "outage", "supply_quality",
	                                  "grid_construction" };
static const char *const subcategory[] = { "attitude", "billing", "repeated_outage", "voltage",
	                                   "construction_nuisance" };
static const char *const descriptions[] = {
	"客户反映营业厅工作人员服务态度差",
	"客户对本月电费金额有异议, 认为抄表有误",
	"客户反映近一个月内多次停电",
	"客户反映晚间电压偏低, 空调无法启动",
	"客户反映施工噪音扰民",
};

void complaints_setup(struct demo *d)
{
	char doc[8192];
	size_t len = (size_t)snprintf(doc, sizeof(doc),
		"{\"default_unit\": \"" CITY "\", \"repeat_window_days\": 30, \"subcategories\": {"
		"\"service\": [\"attitude\", \"standards\", \"meter_reading\", \"repair_service\"],"
		" \"business\": [\"billing\", \"new_connection\", \"tariff\", \"payment\", \"meter\"],"
		" \"outage\": [\"planned_notice\", \"unplanned\", \"repeated_outage\", \"restoration_time\"],"
		" \"supply_quality\": [\"voltage\", \"frequent_interruption\", \"harmonics\"],"
		" \"grid_construction\": [\"line_route\", \"compensation\", \"construction_nuisance\"]},"
		" \"rules\": [{\"category\": \"outage\", \"responsible_unit\": \"" CITY "\"}");
	/* service, business and supply quality go to the customer's county; grid construction only
	 * in the city districts, so the counties' ones are routed by default to the city */
	for (int c = 0; c < d->county_count; c++)
		for (int k = 0; k < 5; k++) {
			if (k == 2 || (k == 4 && !d->counties[c].urban))
				continue;
			len += (size_t)snprintf(doc + len, sizeof(doc) - len,
			                        ", {\"category\": \"%s\", \"org_unit\": \"%s\", \"responsible_unit\": \"%s\"}",
			                        categories[k], d->counties[c].code, d->counties[c].code);
		}
	snprintf(doc + len, sizeof(doc) - len, "]}");
	CHECK(pcrm_complaint_config_set(d->ctx, &ACT_PROVINCE_ADMIN, doc));
	d->cw = xcalloc(1, sizeof(*d->cw));
}

static struct ticket *file_ticket(struct demo *d, int64_t customer, uint64_t *r, int backlog)
{
	struct complaint_work *w = d->cw;
	char doc[1024], no[24], when[40];
	int k = (int)rng_below(r, 100);
	k = k < 20 ? 0 : k < 55 ? 1 : k < 75 ? 2 : k < 92 ? 3 : 4;
	customer_no(customer, no, sizeof(no));
	CHECK(pcrm_time_format(d->now, PCRM_UTC_OFFSET_CHINA, when, sizeof(when)));
	snprintf(doc, sizeof(doc),
	         "{\"channel\": \"phone\", \"customer_no\": \"%s\", \"category\": \"%s\","
	         " \"subcategory\": \"%s\", \"nature\": \"%s\", \"urgency\": \"%s\","
	         " \"description\": \"%s\", \"accepted_at\": \"%s\"}",
	         no, categories[k], subcategory[k], rng_below(r, 10) == 0 ? "opinion" : "complaint",
	         rng_below(r, 20) == 0 ? "major" : "normal", descriptions[k], when);
	pcrm_complaint *c;
	CHECK(pcrm_complaint_file(d->ctx, &ACT_AGENT, doc, &c));
	if (w->count == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->t = xrealloc(w->t, w->cap * sizeof(*w->t));
	}
	struct ticket *t = &w->t[w->count++];
	memset(t, 0, sizeof(*t));
	snprintf(t->serial, sizeof(t->serial), "%s", pcrm_complaint_serial(c));
	snprintf(t->work_order, sizeof(t->work_order), "%s", pcrm_complaint_work_order_id(c));
	t->backlog = backlog;
	pcrm_complaint_free(c);
	if (backlog)
		d->st.tickets_backlog++;
	else
		d->st.tickets_filed++;
	return t;
}

/* Friday 20 November: the tickets Monday inherits, and what was done with them on Friday. */
void complaints_backlog(struct demo *d)
{
	uint64_t r = rng_for(d->seed, 6);
	int64_t n = d->n_customers / 2000 < 12 ? 12 : d->n_customers / 2000;
	pcrm_time fri = civil(2026, 11, 20, 0, 0, 0), end = civil(2026, 11, 20, 23, 59, 0);
	for (int64_t i = 0; i < n; i++) {
		/* accepted 10:00 .. 17:00, in time order */
		d->now = fri + 10 * 3600 + (pcrm_time)(i * 7 * 3600 / n);
		struct ticket *t = file_ticket(d, (int64_t)rng_below(&r, (uint64_t)d->n_customers), &r, 1);
		int morning = d->now < fri + 12 * 3600 + 1800;
		if (morning) {
			followup_add(d, d->now + 3600, FU_COMPLAINT_CONTACT, t->work_order);
			followup_add(d, d->now + 4 * 3600, FU_COMPLAINT_OPINION, t->work_order);
		} else if (i % 2 == 0) {
			followup_add(d, d->now + 1800, FU_COMPLAINT_CONTACT, t->work_order);
		}
	}
	while (followups_next(d) && followups_next(d) <= end) {
		d->now = followups_next(d);
		followups_run_next(d);
	}
	d->now = end;
	CHECK(pcrm_workorder_tick(d->ctx, &ACT_SYSTEM, d->now, NULL));
	followup_add(d, civil(2026, 11, 23, 9, 0, 0), FU_COMPLAINT_MORNING, NULL);
	progress_done(d, "Friday's complaint backlog", "%lld tickets carried into Monday",
	              (long long)d->st.tickets_backlog);
}

void complaint_opinion(struct demo *d, const char *work_order)
{
	fire(d, &ACT_AGENT, work_order, "opinion", "{\"opinion\": \"经核实, 已安排整改并向客户说明\"}", NULL);
	for (size_t i = 0; i < d->cw->count; i++)
		if (strcmp(d->cw->t[i].work_order, work_order) == 0)
			d->cw->t[i].with_opinion = 1;
}

/* Monday 09:00: review and reply to Friday's tickets that have an opinion, and their return visits. */
void complaints_morning_work(struct demo *d)
{
	uint64_t r = rng_for(d->seed, 7);
	for (size_t i = 0; i < d->cw->count; i++) {
		struct ticket *t = &d->cw->t[i];
		if (!t->with_opinion)
			continue;
		/* the supervisor approves the opinion before the reply goes out (审核) */
		CHECK(pcrm_complaint_review(d->ctx, &ACT_SUPERVISOR, t->serial,
		                            "{\"decision\": \"approve\"}", NULL));
		CHECK(pcrm_complaint_reply(d->ctx, &ACT_AGENT, t->serial,
		                           "{\"channel\": \"phone\", \"content\": \"已向客户答复处理结果\","
		                           " \"substantiated\": true}", NULL));
		d->st.tickets_replied++;
		if (rng_below(&r, 4) == 0)
			continue; /* the return visit waits for tomorrow */
		CHECK(pcrm_complaint_return_visit(d->ctx, &ACT_AGENT, t->serial,
		                                  rng_below(&r, 5) == 0
		                                          ? "{\"result\": \"客户对处理结果不满意\", \"satisfaction\": \"dissatisfied\"}"
		                                          : "{\"result\": \"客户对处理结果满意\", \"satisfaction\": \"satisfied\"}",
		                                  NULL));
		d->st.tickets_visited++;
	}
}

/* A ticket filed while the caller is on the line; most are contacted within two hours. */
void complaint_from_call(struct demo *d, int64_t customer, int call_index)
{
	uint64_t r = rng_for(d->seed, 2000000 + (uint64_t)call_index);
	struct ticket *t = file_ticket(d, customer, &r, 0);
	if (rng_below(&r, 5) != 0)
		followup_add(d, d->now + 1800 + (pcrm_time)rng_below(&r, 5400), FU_COMPLAINT_CONTACT,
		             t->work_order);
}

/* The statistics of Friday and Monday by category and responsible unit, and every ticket's fate. */
void complaints_stats(struct demo *d)
{
	struct complaint_work *w = d->cw;
	pcrm_complaint_stats *stats;
	CHECK(pcrm_complaint_stats_compute(d->ctx, &ACT_SUPERVISOR, CITY, civil(2026, 11, 20, 0, 0, 0),
	                                   civil(2026, 11, 24, 0, 0, 0), "category,responsible_unit", &stats));
	for (size_t i = 0; i < pcrm_complaint_stats_count(stats) && w->row_count < 64; i++) {
		const pcrm_complaint_stat *s = pcrm_complaint_stats_at(stats, i);
		struct stat_row *row = &w->rows[w->row_count++];
		snprintf(row->category, sizeof(row->category), "%s", s->key1);
		snprintf(row->unit, sizeof(row->unit), "%s", s->key2 ? s->key2 : "");
		row->received = s->received;
		row->handled = s->handled;
		row->overdue_open = s->overdue_open;
		row->visited = s->visited;
		row->satisfied = s->satisfied;
	}
	w->stats_json = xstrdup(pcrm_complaint_stats_json(stats));
	pcrm_complaint_stats_free(stats);

	for (size_t i = 0; i < w->count; i++) {
		pcrm_complaint *c;
		pcrm_workorder *wo;
		CHECK(pcrm_complaint_get(d->ctx, &ACT_SUPERVISOR, w->t[i].serial, &c));
		const char *status = pcrm_complaint_status(c);
		if (strcmp(status, "closed") == 0)
			d->st.tickets_closed++;
		else
			d->st.tickets_open++; /* open or replied: still being worked on */
		CHECK(pcrm_workorder_get(d->ctx, &ACT_SUPERVISOR, w->t[i].work_order, &wo));
		d->st.tickets_escalated += pcrm_workorder_escalations(wo) > 0;
		pcrm_workorder_free(wo);
		pcrm_complaint_free(c);
	}
}

void complaints_free(struct demo *d)
{
	if (d->cw) {
		free(d->cw->t);
		free(d->cw->stats_json);
	}
	free(d->cw);
	d->cw = NULL;
}

void complaints_print(const struct demo *d, FILE *f)
{
	const struct complaint_work *w = d->cw;
	fprintf(f, "  %-18s %-8s %8s %8s %8s %8s\n", "category", "unit", "received", "replied",
	        "overdue", "visited");
	for (size_t i = 0; i < w->row_count; i++)
		fprintf(f, "  %-18s %-8s %8lld %8lld %8lld %8lld\n", w->rows[i].category, w->rows[i].unit,
		        (long long)w->rows[i].received, (long long)w->rows[i].handled,
		        (long long)w->rows[i].overdue_open, (long long)w->rows[i].visited);
}

void complaints_json(const struct demo *d, FILE *f)
{
	int64_t received = 0;
	for (size_t i = 0; i < d->cw->row_count; i++)
		received += d->cw->rows[i].received;
	fprintf(f,
	        "  \"complaints\": {\"backlog\": %lld, \"filed_today\": %lld, \"received_in_stats\": %lld,"
	        " \"replied_today\": %lld, \"visited_today\": %lld, \"closed\": %lld, \"open\": %lld,"
	        " \"escalated\": %lld,\n    \"stats\": %s},\n",
	        (long long)d->st.tickets_backlog, (long long)d->st.tickets_filed, (long long)received,
	        (long long)d->st.tickets_replied, (long long)d->st.tickets_visited,
	        (long long)d->st.tickets_closed, (long long)d->st.tickets_open,
	        (long long)d->st.tickets_escalated, d->cw->stats_json ? d->cw->stats_json : "null");
}

/* category, received: one line per category (the units added up), for the bar chart */
void complaints_chart_data(const struct demo *d, FILE *f)
{
	static const char *const labels[] = { "服务", "业务", "停电", "供电质量", "电网建设" };
	for (int k = 0; k < 5; k++) {
		int64_t received = 0, overdue = 0;
		for (size_t i = 0; i < d->cw->row_count; i++)
			if (strcmp(d->cw->rows[i].category, categories[k]) == 0) {
				received += d->cw->rows[i].received;
				overdue += d->cw->rows[i].overdue_open;
			}
		fprintf(f, "%s\t%lld\t%lld\n", labels[k], (long long)received, (long long)overdue);
	}
}
