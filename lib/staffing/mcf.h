/*
 * Internal: minimum-cost flow by successive shortest paths (Dijkstra with
 * potentials), exact integer arithmetic.  Costs are 128-bit so that a
 * two-level objective (primary * 2^64 + secondary) compares
 * lexicographically without any weighting guesswork.
 */
#ifndef PCRM_STAFFING_MCF_H
#define PCRM_STAFFING_MCF_H

#include <stdint.h>

__extension__ typedef __int128 pcrm__mcf_cost;

/* The cost primary * 2^64 + secondary (both >= 0 and < 2^62). */
#define PCRM__MCF_COST(primary, secondary) \
	(((pcrm__mcf_cost)(primary) << 64) + (pcrm__mcf_cost)(secondary))

/* A capacity that is never reached. */
#define PCRM__MCF_INF ((int64_t)1 << 50)

typedef struct pcrm__mcf {
	int nodes, arcs, arc_cap;
	int *head;               /* first arc out of each node, -1 = none */
	int *next, *to;          /* per arc; arc i^1 is the reverse of arc i */
	int64_t *cap, *orig;     /* residual and original capacity */
	pcrm__mcf_cost *cost;
	int64_t *supply;         /* out - in wanted at each node */
} pcrm__mcf;

/* Prepares a network of `nodes` nodes; PCRM_ENOMEM on failure. */
int pcrm__mcf_init(pcrm__mcf *g, int nodes);

/* Adds an arc from -> to; returns its id (>= 0) or PCRM_ENOMEM. */
int pcrm__mcf_add(pcrm__mcf *g, int from, int to, int64_t cap, pcrm__mcf_cost cost);

/* Adds `amount` to the wanted outflow of `node` (negative: inflow). */
void pcrm__mcf_supply(pcrm__mcf *g, int node, int64_t amount);

/*
 * Routes every supply to the demands at minimum cost.  All arc costs must
 * be >= 0.  Sets *feasible to 0 when the supplies cannot all be routed.
 * Returns PCRM_OK or PCRM_ENOMEM.
 */
int pcrm__mcf_solve(pcrm__mcf *g, int *feasible);

/* Flow on arc `id` after pcrm__mcf_solve(). */
int64_t pcrm__mcf_flow(const pcrm__mcf *g, int id);

void pcrm__mcf_free(pcrm__mcf *g);

#endif
