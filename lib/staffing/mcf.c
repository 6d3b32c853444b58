/*
 * Minimum-cost flow by successive shortest paths.  Potentials keep reduced
 * costs non-negative, so each path is found by Dijkstra; each augmentation
 * pushes the bottleneck of its path.  Everything is integer, so the answer
 * is exact, and integral whenever capacities and supplies are.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mcf.h"

int pcrm__mcf_init(pcrm__mcf *g, int nodes)
{
	memset(g, 0, sizeof(*g));
	g->nodes = nodes;
	/* Two extra nodes: the super source and sink added by solve(). */
	g->head = malloc(sizeof(int) * (size_t)(nodes + 2));
	g->supply = calloc((size_t)(nodes + 2), sizeof(int64_t));
	if (g->head == NULL || g->supply == NULL) {
		pcrm__mcf_free(g);
		return pcrm__error_oom();
	}
	for (int i = 0; i < nodes + 2; i++)
		g->head[i] = -1;
	return PCRM_OK;
}

static int grow(pcrm__mcf *g)
{
	int cap = g->arc_cap ? 2 * g->arc_cap : 64;
	int *next = realloc(g->next, sizeof(int) * (size_t)cap);
	if (next != NULL)
		g->next = next;
	int *to = realloc(g->to, sizeof(int) * (size_t)cap);
	if (to != NULL)
		g->to = to;
	int64_t *c = realloc(g->cap, sizeof(int64_t) * (size_t)cap);
	if (c != NULL)
		g->cap = c;
	int64_t *o = realloc(g->orig, sizeof(int64_t) * (size_t)cap);
	if (o != NULL)
		g->orig = o;
	pcrm__mcf_cost *k = realloc(g->cost, sizeof(pcrm__mcf_cost) * (size_t)cap);
	if (k != NULL)
		g->cost = k;
	if (next == NULL || to == NULL || c == NULL || o == NULL || k == NULL)
		return pcrm__error_oom();
	g->arc_cap = cap;
	return PCRM_OK;
}

static int add_half(pcrm__mcf *g, int from, int to, int64_t cap, pcrm__mcf_cost cost)
{
	int id = g->arcs++;

	g->to[id] = to;
	g->cap[id] = g->orig[id] = cap;
	g->cost[id] = cost;
	g->next[id] = g->head[from];
	g->head[from] = id;
	return id;
}

int pcrm__mcf_add(pcrm__mcf *g, int from, int to, int64_t cap, pcrm__mcf_cost cost)
{
	int rc;

	if (g->arcs + 2 > g->arc_cap && (rc = grow(g)) < 0)
		return rc;
	int id = add_half(g, from, to, cap, cost);
	add_half(g, to, from, 0, -cost);
	return id;
}

void pcrm__mcf_supply(pcrm__mcf *g, int node, int64_t amount)
{
	g->supply[node] += amount;
}

int64_t pcrm__mcf_flow(const pcrm__mcf *g, int id)
{
	return g->orig[id] - g->cap[id];
}

void pcrm__mcf_free(pcrm__mcf *g)
{
	free(g->head);
	free(g->next);
	free(g->to);
	free(g->cap);
	free(g->orig);
	free(g->cost);
	free(g->supply);
	memset(g, 0, sizeof(*g));
}

/* ---- Dijkstra on reduced costs ---- */

typedef struct heap_item {
	pcrm__mcf_cost key;
	int node;
} heap_item;

typedef struct work {
	pcrm__mcf_cost *pot, *dist;
	int *via; /* arc used to reach each node, -1 = not reached */
	char *done;
	heap_item *heap;
	int heap_len, heap_cap;
} work;

static void heap_push(work *w, pcrm__mcf_cost key, int node)
{
	int i = w->heap_len++;

	while (i > 0) {
		int parent = (i - 1) / 2;
		if (w->heap[parent].key <= key)
			break;
		w->heap[i] = w->heap[parent];
		i = parent;
	}
	w->heap[i].key = key;
	w->heap[i].node = node;
}

static heap_item heap_pop(work *w)
{
	heap_item top = w->heap[0], last = w->heap[--w->heap_len];
	int i = 0;

	for (;;) {
		int child = 2 * i + 1;
		if (child >= w->heap_len)
			break;
		if (child + 1 < w->heap_len && w->heap[child + 1].key < w->heap[child].key)
			child++;
		if (last.key <= w->heap[child].key)
			break;
		w->heap[i] = w->heap[child];
		i = child;
	}
	if (w->heap_len > 0)
		w->heap[i] = last;
	return top;
}

/* Shortest paths from s; returns whether t was reached. */
static int dijkstra(const pcrm__mcf *g, work *w, int n, int s, int t)
{
	for (int v = 0; v < n; v++) {
		w->via[v] = -1;
		w->done[v] = 0;
	}
	w->heap_len = 0;
	w->dist[s] = 0;
	w->via[s] = -2;
	heap_push(w, 0, s);
	while (w->heap_len > 0) {
		heap_item it = heap_pop(w);
		int u = it.node;
		if (w->done[u])
			continue;
		w->done[u] = 1;
		for (int a = g->head[u]; a >= 0; a = g->next[a]) {
			int v = g->to[a];
			if (g->cap[a] <= 0 || w->done[v])
				continue;
			pcrm__mcf_cost d = w->dist[u] + g->cost[a] + w->pot[u] - w->pot[v];
			if (w->via[v] == -1 || d < w->dist[v]) {
				w->dist[v] = d;
				w->via[v] = a;
				heap_push(w, d, v);
			}
		}
	}
	return w->done[t];
}

static void augment(pcrm__mcf *g, work *w, int s, int t)
{
	int64_t push = PCRM__MCF_INF * 4;

	for (int v = t; v != s; v = g->to[w->via[v] ^ 1])
		if (g->cap[w->via[v]] < push)
			push = g->cap[w->via[v]];
	for (int v = t; v != s; v = g->to[w->via[v] ^ 1]) {
		g->cap[w->via[v]] -= push;
		g->cap[w->via[v] ^ 1] += push;
	}
}

int pcrm__mcf_solve(pcrm__mcf *g, int *feasible)
{
	int n = g->nodes + 2, s = g->nodes, t = g->nodes + 1, rc = PCRM_OK;
	work w;

	*feasible = 1;
	for (int v = 0; v < g->nodes; v++) {
		if (g->supply[v] > 0 && (rc = pcrm__mcf_add(g, s, v, g->supply[v], 0)) < 0)
			return rc;
		if (g->supply[v] < 0 && (rc = pcrm__mcf_add(g, v, t, -g->supply[v], 0)) < 0)
			return rc;
	}
	memset(&w, 0, sizeof(w));
	w.pot = calloc((size_t)n, sizeof(pcrm__mcf_cost));
	w.dist = calloc((size_t)n, sizeof(pcrm__mcf_cost));
	w.via = malloc(sizeof(int) * (size_t)n);
	w.done = malloc((size_t)n);
	/* Lazy deletion: at most one push per arc relaxation plus the start. */
	w.heap_cap = g->arcs + 1;
	w.heap = malloc(sizeof(heap_item) * (size_t)w.heap_cap);
	if (w.pot == NULL || w.dist == NULL || w.via == NULL || w.done == NULL || w.heap == NULL) {
		rc = pcrm__error_oom();
		goto out;
	}
	/* Initial costs are all >= 0, so zero potentials are valid.  Nodes not
	 * reached stay unreachable for ever (new residual arcs only join
	 * reached nodes), so only reached potentials need updating. */
	while (dijkstra(g, &w, n, s, t)) {
		for (int v = 0; v < n; v++)
			if (w.done[v])
				w.pot[v] += w.dist[v];
		augment(g, &w, s, t);
	}
	for (int a = g->head[s]; a >= 0; a = g->next[a])
		if ((a & 1) == 0 && g->cap[a] > 0)
			*feasible = 0;
out:
	free(w.pot);
	free(w.dist);
	free(w.via);
	free(w.done);
	free(w.heap);
	return rc;
}
