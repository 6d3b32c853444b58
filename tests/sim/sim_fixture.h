/*
 * Shared helpers of the simulator tests: an ACD document for one queue of
 * n agents, and batch means over the CDRs of a long run.
 */
#ifndef PCRM_TEST_SIM_FIXTURE_H
#define PCRM_TEST_SIM_FIXTURE_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>

/* 2026-12-07 00:00 UTC: a multiple of every interval length */
#define SIM_T0 ((pcrm_acd_ms)1796601600000LL)

#define OK(expr) \
	do { int rc_ = (expr); cr_assert_eq(rc_, PCRM_OK, "%s: %d (%s)", #expr, rc_, pcrm_error_last()); } while (0)

/*
 * One queue "q" with the M/M/N settings: no wrap-up, and no poll queue or
 * queue_stats events (nobody reads them); agents a0..a<n-1>.
 */
static inline char *one_queue_acd(int agents, int wrap_up_s)
{
	static char buf[65536];
	size_t len = (size_t)snprintf(buf, sizeof(buf),
		"{\"version\":1,\"event_queue_capacity\":0,\"queue_stats_events\":false,"
		"\"queues\":[{\"id\":\"q\",\"wrap_up_s\":%d,"
		"\"service_level\":{\"percent\":80,\"target_s\":20}}],\"agents\":[", wrap_up_s);
	for (int i = 0; i < agents; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s{\"id\":\"a%d\",\"skills\":{\"q\":5}}",
		                        i ? "," : "", i);
	snprintf(buf + len, sizeof(buf) - len, "]}");
	return buf;
}

/* agents a0..a<n-1>, no shifts (on duty all the time) */
static inline void all_day_agents(pcrm_sim_agent *out, char ids[][8], int n)
{
	for (int i = 0; i < n; i++) {
		snprintf(ids[i], 8, "a%d", i);
		memset(&out[i], 0, sizeof(out[i]));
		out[i].agent_id = ids[i];
	}
}

/*
 * Batch means: the run is cut by arrival time into `batches` equal spans;
 * each span's service level, ASA and abandonment rate is one observation.
 * Waits in an M/M/N queue are correlated only over a few handle times, so
 * spans of many hours are nearly independent and the spread of their means
 * estimates the standard error of the whole run's figure honestly (the
 * naive binomial error would ignore that neighbouring callers wait alike).
 */
struct batch_stats {
	double sl_mean, sl_se;
	double asa_mean, asa_se;
	double ab_mean, ab_se;
	uint64_t in_target, answered, abandoned, offered;
};

#define BATCHES_MAX 64

static inline void mean_se(const double *x, int n, double *mean, double *se)
{
	double m = 0, v = 0;
	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (int i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	v /= (n - 1);
	*mean = m;
	*se = sqrt(v / n);
}

static inline void batch_means(const pcrm_sim *sim, pcrm_acd_ms start, double span_s, int batches,
                               int target_s, struct batch_stats *out)
{
	uint64_t off[BATCHES_MAX] = { 0 }, ans[BATCHES_MAX] = { 0 }, tgt[BATCHES_MAX] = { 0 },
	         ab[BATCHES_MAX] = { 0 };
	double wait[BATCHES_MAX] = { 0 };
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < pcrm_sim_cdr_count(sim); i++) {
		const pcrm_acd_cdr *c = pcrm_sim_cdr_at(sim, i);
		int b = (int)((double)(c->arrived_at - start) / 1000.0 / (span_s / batches));
		if (b < 0 || b >= batches)
			continue;
		off[b]++;
		out->offered++;
		if (c->outcome == PCRM_ACD_OUTCOME_ANSWERED) {
			ans[b]++;
			out->answered++;
			wait[b] += (double)c->wait_ms / 1000.0;
			if (c->wait_ms <= (int64_t)target_s * 1000) {
				tgt[b]++;
				out->in_target++;
			}
		} else if (c->outcome == PCRM_ACD_OUTCOME_ABANDONED) {
			ab[b]++;
			out->abandoned++;
		}
	}
	double sl[BATCHES_MAX], asa[BATCHES_MAX], abr[BATCHES_MAX];
	for (int b = 0; b < batches; b++) {
		cr_assert(off[b] > 0 && ans[b] > 0, "batch %d is empty", b);
		sl[b] = (double)tgt[b] / (double)off[b];
		asa[b] = wait[b] / (double)ans[b];
		abr[b] = (double)ab[b] / (double)off[b];
	}
	mean_se(sl, batches, &out->sl_mean, &out->sl_se);
	mean_se(asa, batches, &out->asa_mean, &out->asa_se);
	mean_se(abr, batches, &out->ab_mean, &out->ab_se);
}

#endif
