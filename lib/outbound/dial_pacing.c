/*
 * The predictive pace (dialler.h, pcrm_dialler_set_predictive; the model is
 * described in docs/outbound.md, "Predictive pacing").
 *
 * Why a model and not a ratio: with one customer in five answering, a 1:1
 * progressive pace keeps four agents in five waiting for ring tones.  Dialling
 * more calls than agents fills them, at the risk that more customers answer
 * than agents are free, and a customer who answers to silence is an
 * abandoned call (a complaint, and in many places a regulated rate).  So the
 * pass dials the most calls for which the expected abandoned calls stay at
 * or below the target share of the expected answered ones.
 *
 * The wave a pass looks at: the calls already waiting for an agent (W,
 * answered), the calls ringing (U) and the N new ones.  Each ringing or new
 * call is answered with the campaign's observed answer rate p, independently,
 * so the answered calls are W + X with X ~ Binomial(U + N, p).  They find the
 * R ready agents and those of the B busy agents who finish within the mean
 * ring time T: with handle times exponential (memoryless, so how long an
 * agent has talked already does not matter) each finishes with probability
 * q = 1 - exp(-T / AHT), so Y ~ Binomial(B, q).  The abandoned calls are
 * max(0, W + X - R - Y); the pass takes the largest N with
 *     E[max(0, W + X - R - Y)] <= target * E[W + X].
 * Doubles are enough: this is an estimate, not money; the binomial terms are
 * built in logarithms so that (1 - p)^n does not underflow.
 */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "dialler_internal.h"

/* P(X = k) for k = 0..n, X ~ Binomial(n, p), into pmf[0..n]. */
static void binomial(int n, double p, double *pmf)
{
	double lp, lq, l;

	if (p <= 0.0 || p >= 1.0) {
		for (int k = 0; k <= n; k++)
			pmf[k] = 0.0;
		pmf[p <= 0.0 ? 0 : n] = 1.0;
		return;
	}
	lp = log(p);
	lq = log1p(-p);
	l = n * lq;
	for (int k = 0; k <= n; k++) {
		pmf[k] = exp(l);
		if (k < n)
			l += log((double)(n - k) / (k + 1)) + lp - lq;
	}
}

/*
 * E[max(0, W + X - R - Y)] / E[W + X] for `calls` ringing or new calls;
 * 0 when no call is expected to be answered.  `ypmf` is Y's distribution.
 */
static double abandon_share(const struct pcrm__pace_inputs *in, int calls, const double *ypmf,
                            double *xpmf)
{
	double expected = 0.0, answered = in->waiting + calls * in->answer_rate;

	if (answered <= 0.0)
		return 0.0;
	binomial(calls, in->answer_rate, xpmf);
	for (int y = 0; y <= in->busy; y++) {
		double over = 0.0;
		if (ypmf[y] == 0.0)
			continue;
		for (int x = 0; x <= calls; x++) {
			int excess = in->waiting + x - in->ready - y;
			if (excess > 0)
				over += xpmf[x] * excess;
		}
		expected += ypmf[y] * over;
	}
	return expected / answered;
}

int pcrm__pace_predict(const struct pcrm__pace_inputs *in, struct pcrm__pace_estimate *out)
{
	double *xpmf, *ypmf;
	int lo = 0, hi = in->max_new;

	out->agents_soon = 0.0;
	out->soon_probability = 0.0;
	if (in->handle_s > 0.0 && in->ring_s > 0.0)
		out->soon_probability = 1.0 - exp(-in->ring_s / in->handle_s);
	out->agents_soon = in->busy * out->soon_probability;
	out->calls = 0;
	out->abandon_share = 0.0;
	if (hi < 0)
		hi = 0;
	xpmf = malloc(sizeof(double) * (size_t)(in->ringing + hi + 1));
	ypmf = malloc(sizeof(double) * (size_t)(in->busy + 1));
	if (!xpmf || !ypmf) {
		free(xpmf);
		free(ypmf);
		return pcrm__error_oom();
	}
	binomial(in->busy, out->soon_probability, ypmf);
	/* the share grows with N: the largest N within the target, by bisection */
	if (abandon_share(in, in->ringing, ypmf, xpmf) > in->target) {
		hi = 0;
	} else {
		while (lo < hi) {
			int mid = lo + (hi - lo + 1) / 2;
			if (abandon_share(in, in->ringing + mid, ypmf, xpmf) <= in->target)
				lo = mid;
			else
				hi = mid - 1;
		}
	}
	out->calls = lo;
	out->abandon_share = abandon_share(in, in->ringing + lo, ypmf, xpmf);
	free(xpmf);
	free(ypmf);
	return PCRM_OK;
}
