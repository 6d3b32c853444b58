/*
 * The simulation's random numbers: xoshiro256** (Blackman and Vigna) seeded
 * through splitmix64, one generator per stream, so a run is reproducible
 * bit for bit and streams do not depend on each other's use.
 */
#include <math.h>

#include "sim_internal.h"
#include "core/error.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03u);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double sim_rng_unit(struct sim_rng *r)
{
	return (double)(next(r) >> 11) * 0x1.0p-53;
}

double sim_draw_exp_s(struct sim_rng *r, double rate)
{
	/* 1 - u is in (0, 1]: the logarithm is finite */
	return -log(1.0 - sim_rng_unit(r)) / rate;
}

/* A log-normal's tail can exceed any clock: durations are capped at a year (and never negative). */
#define SIM_MAX_MS (366.0 * 86400.0 * 1000.0)

static int64_t to_ms(double s)
{
	double ms = floor(s * 1000.0 + 0.5);
	if (!(ms > 0.0))
		return 0;
	return ms > SIM_MAX_MS ? (int64_t)SIM_MAX_MS : (int64_t)ms;
}

int64_t sim_draw_ms(struct sim_rng *r, const pcrm_sim_dist *d)
{
	switch (d->kind) {
	case PCRM_SIM_FIXED:
		return to_ms(d->mean_s);
	case PCRM_SIM_EXPONENTIAL:
		return to_ms(sim_draw_exp_s(r, 1.0 / d->mean_s));
	case PCRM_SIM_LOGNORMAL: {
		/* the mean and sd of the duration give the underlying normal's mu, sigma */
		double v = log(1.0 + (d->sd_s * d->sd_s) / (d->mean_s * d->mean_s));
		double mu = log(d->mean_s) - v / 2.0;
		/* Box-Muller, one normal per draw so every draw takes two numbers */
		double u1 = 1.0 - sim_rng_unit(r), u2 = sim_rng_unit(r);
		double z = sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
		return to_ms(exp(mu + sqrt(v) * z));
	}
	case PCRM_SIM_NONE:
	default:
		return 0;
	}
}

int sim_dist_check(const pcrm_sim_dist *d, const char *name)
{
	if ((int)d->kind < PCRM_SIM_NONE || d->kind > PCRM_SIM_LOGNORMAL)
		return pcrm__error(PCRM_EINVAL, "%s.kind: %d is not a distribution", name, (int)d->kind);
	if (d->kind == PCRM_SIM_NONE)
		return PCRM_OK;
	if (!(d->mean_s > 0.0 && d->mean_s <= 86400.0))
		return pcrm__error(PCRM_EINVAL, "%s.mean_s: %g is not in (0, 86400]", name, d->mean_s);
	if (d->kind == PCRM_SIM_LOGNORMAL && !(d->sd_s > 0.0 && d->sd_s <= 86400.0))
		return pcrm__error(PCRM_EINVAL, "%s.sd_s: %g is not in (0, 86400]", name, d->sd_s);
	return PCRM_OK;
}
