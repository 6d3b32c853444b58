/*
 * libpowercrm - SWIG interface of the simulated switch (sim.h), %included at
 * the end of powercrm.i, whose rules (status results, owned outputs) apply.
 *
 * What needs more than those rules:
 *   - the configuration holds arrays (queues, curves, call logs, agents,
 *     shifts): pcrm_py_sim_new takes it as a dict of plain Python values
 *     (built by powercrm.Simulation) and fills the C structs for
 *     pcrm_sim_new; pcrm_sim_new itself is bound raw for completeness;
 *   - the results come out as plain values: the CDRs and a queue's totals
 *     and intervals as dicts (pcrm_py_sim_cdrs, pcrm_py_sim_queue), read
 *     through the ACD the simulation owns, so this file does not depend on
 *     the ACD's own bindings;
 *   - pcrm_sim_shift_stretches returns its stretches as a list of tuples.
 */

PCRM_OWNED_OUT(pcrm_sim, pcrm_sim_free)

%typemap(in, numinputs=0, noblock=1) (pcrm_sim_shift *out, size_t max, size_t *count)
	(pcrm_sim_shift stretches[64], size_t n = 0) {
	$1 = stretches;
	$2 = 64;
	$3 = &n;
}
%typemap(argout, noblock=1) (pcrm_sim_shift *out, size_t max, size_t *count) {
	{
		PyObject *list_ = PyList_New(0);
		for (size_t i_ = 0; list_ && i_ < n$argnum && i_ < 64; i_++) {
			PyObject *t_ = Py_BuildValue("(dd)", stretches$argnum[i_].start_s,
			                             stretches$argnum[i_].end_s);
			if (!t_ || PyList_Append(list_, t_)) {
				Py_XDECREF(t_);
				Py_CLEAR(list_);
			} else {
				Py_DECREF(t_);
			}
		}
		if (!list_)
			SWIG_fail;
		$result = SWIG_Python_AppendOutput($result, list_);
	}
}

/* acd.h's time type, as acd.h declares it (this file does not need the ACD's bindings) */
typedef int64_t pcrm_acd_ms;

/* the raw config structs are filled by pcrm_py_sim_new; their strings are read-only here */
%immutable pcrm_sim_queue::queue_id;
%immutable pcrm_sim_queue::transfer_queue_id;
%immutable pcrm_sim_agent::agent_id;
%include "powercrm/sim.h"

%{
/* ---- the configuration from a dict ---- */

struct pcrm_py_sim_cfg {
	pcrm_sim_config cfg;
	pcrm_sim_queue *queues;
	pcrm_sim_agent *agents;
	double **curves;
	pcrm_sim_call **logs;
	pcrm_sim_shift **shifts;
	size_t nq, na;
};

static void pcrm_py_sim_cfg_free(struct pcrm_py_sim_cfg *c)
{
	for (size_t i = 0; i < c->nq; i++) {
		if (c->curves)
			free(c->curves[i]);
		if (c->logs)
			free(c->logs[i]);
	}
	for (size_t i = 0; c->shifts && i < c->na; i++)
		free(c->shifts[i]);
	free(c->curves);
	free(c->logs);
	free(c->shifts);
	free(c->queues);
	free(c->agents);
}

/* -1 with a Python exception set, else 0. */
static int pcrm_py_sim_bad(const char *what)
{
	if (!PyErr_Occurred())
		PyErr_Format(PyExc_TypeError, "simulation config: %s", what);
	return -1;
}

static int pcrm_py_sim_dist(PyObject *d, const char *key, pcrm_sim_dist *out)
{
	PyObject *v = PyDict_GetItemString(d, key);
	if (!v)
		return 0; /* the default */
	if (!PyArg_ParseTuple(v, "idd", (int *)&out->kind, &out->mean_s, &out->sd_s))
		return pcrm_py_sim_bad(key);
	return 0;
}

static int pcrm_py_sim_num(PyObject *d, const char *key, double *out)
{
	PyObject *v = PyDict_GetItemString(d, key);
	if (!v)
		return 0;
	*out = PyFloat_AsDouble(v);
	return PyErr_Occurred() ? pcrm_py_sim_bad(key) : 0;
}

static const char *pcrm_py_sim_str(PyObject *d, const char *key)
{
	PyObject *v = PyDict_GetItemString(d, key);
	return v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
}

static int pcrm_py_sim_queue_of(PyObject *qd, size_t i, struct pcrm_py_sim_cfg *c)
{
	pcrm_sim_queue init = PCRM_SIM_QUEUE_INIT;
	pcrm_sim_queue *q = &c->queues[i];
	*q = init;
	if (!PyDict_Check(qd))
		return pcrm_py_sim_bad("a queue is not a dict");
	q->queue_id = pcrm_py_sim_str(qd, "queue_id");
	q->transfer_queue_id = pcrm_py_sim_str(qd, "transfer_queue_id");
	if (pcrm_py_sim_num(qd, "interval_s", &q->interval_s) ||
	    pcrm_py_sim_num(qd, "transfer_p", &q->transfer_p) ||
	    pcrm_py_sim_dist(qd, "talk", &q->talk) || pcrm_py_sim_dist(qd, "patience", &q->patience))
		return -1;
	PyObject *calls = PyDict_GetItemString(qd, "calls");
	if (calls && calls != Py_None) {
		PyObject *seq = PySequence_Fast(calls, "calls must be a sequence");
		if (!seq)
			return -1;
		Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
		c->curves[i] = malloc(((size_t)n + 1) * sizeof(double));
		for (Py_ssize_t k = 0; c->curves[i] && k < n; k++)
			c->curves[i][k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, k));
		Py_DECREF(seq);
		if (!c->curves[i])
			return PyErr_NoMemory(), -1;
		if (PyErr_Occurred())
			return pcrm_py_sim_bad("calls");
		q->calls = c->curves[i];
		q->interval_count = (size_t)n;
	}
	PyObject *log = PyDict_GetItemString(qd, "log");
	if (log && log != Py_None) {
		PyObject *seq = PySequence_Fast(log, "log must be a sequence");
		if (!seq)
			return -1;
		Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
		c->logs[i] = malloc(((size_t)n + 1) * sizeof(pcrm_sim_call));
		int ok = c->logs[i] != NULL;
		for (Py_ssize_t k = 0; ok && k < n; k++) {
			pcrm_sim_call *r = &c->logs[i][k];
			ok = PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, k), "ddd", &r->at_s, &r->talk_s,
			                      &r->patience_s);
		}
		Py_DECREF(seq);
		if (!c->logs[i])
			return PyErr_NoMemory(), -1;
		if (!ok)
			return pcrm_py_sim_bad("log entries are (at_s, talk_s, patience_s)");
		q->log = c->logs[i];
		q->log_count = (size_t)n;
	}
	return 0;
}

static int pcrm_py_sim_agent_of(PyObject *ad, size_t i, struct pcrm_py_sim_cfg *c)
{
	PyObject *shifts;
	const char *id;
	if (!PyArg_ParseTuple(ad, "sO", &id, &shifts))
		return pcrm_py_sim_bad("agents are (agent_id, [(start_s, end_s), ...])");
	c->agents[i].agent_id = id;
	PyObject *seq = PySequence_Fast(shifts, "shifts must be a sequence");
	if (!seq)
		return -1;
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	c->shifts[i] = malloc(((size_t)n + 1) * sizeof(pcrm_sim_shift));
	int ok = c->shifts[i] != NULL;
	for (Py_ssize_t k = 0; ok && k < n; k++)
		ok = PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, k), "dd", &c->shifts[i][k].start_s,
		                      &c->shifts[i][k].end_s);
	Py_DECREF(seq);
	if (!c->shifts[i])
		return PyErr_NoMemory(), -1;
	if (!ok)
		return pcrm_py_sim_bad("shifts are (start_s, end_s)");
	c->agents[i].shifts = c->shifts[i];
	c->agents[i].shift_count = (size_t)n;
	return 0;
}

static int pcrm_py_sim_cfg_of(PyObject *d, struct pcrm_py_sim_cfg *c)
{
	pcrm_sim_config init = PCRM_SIM_CONFIG_INIT;
	memset(c, 0, sizeof(*c));
	c->cfg = init;
	if (!PyDict_Check(d))
		return pcrm_py_sim_bad("not a dict");
	PyObject *v;
	if ((v = PyDict_GetItemString(d, "seed")))
		c->cfg.seed = PyLong_AsUnsignedLongLongMask(v);
	if ((v = PyDict_GetItemString(d, "start")))
		c->cfg.start = PyLong_AsLongLong(v);
	if ((v = PyDict_GetItemString(d, "tick_ms")))
		c->cfg.tick_ms = (int)PyLong_AsLong(v);
	if ((v = PyDict_GetItemString(d, "keep_cdrs")))
		c->cfg.keep_cdrs = PyObject_IsTrue(v);
	if ((v = PyDict_GetItemString(d, "measure_latency")))
		c->cfg.measure_latency = PyObject_IsTrue(v);
	if (PyErr_Occurred() || pcrm_py_sim_num(d, "no_answer_p", &c->cfg.no_answer_p) ||
	    pcrm_py_sim_num(d, "no_answer_s", &c->cfg.no_answer_s) ||
	    pcrm_py_sim_dist(d, "answer_delay", &c->cfg.answer_delay) ||
	    pcrm_py_sim_dist(d, "wrap_up", &c->cfg.wrap_up))
		return pcrm_py_sim_bad("seed, start, tick_ms, no_answer_p, no_answer_s or a distribution");
	PyObject *qs = PyDict_GetItemString(d, "queues"), *as = PyDict_GetItemString(d, "agents");
	if (!qs || !as || !PyList_Check(qs) || !PyList_Check(as))
		return pcrm_py_sim_bad("queues and agents must be lists");
	c->nq = (size_t)PyList_GET_SIZE(qs);
	c->na = (size_t)PyList_GET_SIZE(as);
	c->queues = calloc(c->nq + 1, sizeof(*c->queues));
	c->agents = calloc(c->na + 1, sizeof(*c->agents));
	c->curves = calloc(c->nq + 1, sizeof(*c->curves));
	c->logs = calloc(c->nq + 1, sizeof(*c->logs));
	c->shifts = calloc(c->na + 1, sizeof(*c->shifts));
	if (!c->queues || !c->agents || !c->curves || !c->logs || !c->shifts)
		return PyErr_NoMemory(), -1;
	for (size_t i = 0; i < c->nq; i++)
		if (pcrm_py_sim_queue_of(PyList_GET_ITEM(qs, (Py_ssize_t)i), i, c))
			return -1;
	for (size_t i = 0; i < c->na; i++)
		if (pcrm_py_sim_agent_of(PyList_GET_ITEM(as, (Py_ssize_t)i), i, c))
			return -1;
	c->cfg.queues = c->queues;
	c->cfg.queue_count = c->nq;
	c->cfg.agents = c->agents;
	c->cfg.agent_count = c->na;
	return 0;
}

/* ---- results as dicts ---- */

static PyObject *pcrm_py_sim_counts(const pcrm_acd_queue_counts *c)
{
	return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:L,s:L,s:L,s:d,s:d,s:d,s:d}",
		"offered", (unsigned long long)c->offered, "answered", (unsigned long long)c->answered,
		"abandoned", (unsigned long long)c->abandoned,
		"short_abandoned", (unsigned long long)c->short_abandoned,
		"answered_in_target", (unsigned long long)c->answered_in_target,
		"refused", (unsigned long long)c->refused, "handled", (unsigned long long)c->handled,
		"wait_answered_ms", (long long)c->wait_answered_ms, "talk_ms", (long long)c->talk_ms,
		"wrap_up_ms", (long long)c->wrap_up_ms, "service_level", c->service_level,
		"service_level_excl", c->service_level_excl, "asa_s", c->asa_s, "aht_s", c->aht_s);
}
%}

%typemap(in, numinputs=1) PyObject *config "$1 = $input;";

%inline %{
/** pcrm_sim_new from a dict of plain values (see powercrm/sim.py). */
int pcrm_py_sim_new(pcrm_sim **out, const char *acd_json, PyObject *config)
{
	struct pcrm_py_sim_cfg c;
	int rc;
	SWIG_PYTHON_THREAD_BEGIN_BLOCK;
	rc = pcrm_py_sim_cfg_of(config, &c);
	if (rc)
		pcrm_py_stash_exception(); /* raised, unchanged, when this call returns */
	SWIG_PYTHON_THREAD_END_BLOCK;
	if (rc) {
		pcrm_py_sim_cfg_free(&c);
		return PCRM_EINVAL;
	}
	rc = pcrm_sim_new(out, acd_json, &c.cfg);
	pcrm_py_sim_cfg_free(&c);
	return rc;
}

/** Every kept CDR as a dict. */
PyObject *pcrm_py_sim_cdrs(pcrm_sim *sim)
{
	SWIG_PYTHON_THREAD_BEGIN_BLOCK;
	size_t n = pcrm_sim_cdr_count(sim);
	PyObject *list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		const pcrm_acd_cdr *c = pcrm_sim_cdr_at(sim, i);
		PyObject *d = Py_BuildValue("{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
			"call_id", c->call_id, "queue_id", c->queue_id, "first_queue_id", c->first_queue_id,
			"agent_id", c->agent_id, "outcome", pcrm_acd_outcome_name(c->outcome),
			"misses", c->misses, "short_abandon", c->short_abandon,
			"arrived_at", (long long)c->arrived_at, "answered_at", (long long)c->answered_at,
			"ended_at", (long long)c->ended_at, "wait_ms", (long long)c->wait_ms,
			"talk_ms", (long long)c->talk_ms, "hold_ms", (long long)c->hold_ms,
			"wrap_up_ms", (long long)c->wrap_up_ms);
		if (!d) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, d);
	}
	SWIG_PYTHON_THREAD_END_BLOCK;
	return list;
}

/**
 * A queue as the simulation's ACD measured it: {"total": counts,
 * "intervals": [(start_ms, counts), ... oldest first]}; None for an unknown queue.
 */
PyObject *pcrm_py_sim_queue(pcrm_sim *sim, const char *queue_id)
{
	pcrm_acd_queue_stats st = PCRM_ACD_QUEUE_STATS_INIT;
	PyObject *result = NULL;
	SWIG_PYTHON_THREAD_BEGIN_BLOCK;
	if (pcrm_acd_queue_stats_get(pcrm_sim_acd(sim), queue_id, &st) != PCRM_OK) {
		Py_INCREF(Py_None);
		result = Py_None;
	} else {
		PyObject *intervals = PyList_New(0);
		for (size_t i = PCRM_ACD_INTERVALS_KEPT; intervals && i-- > 0;) {
			pcrm_acd_ms start;
			pcrm_acd_queue_counts c = PCRM_ACD_QUEUE_COUNTS_INIT;
			if (pcrm_acd_queue_interval_get(pcrm_sim_acd(sim), queue_id, i, &start, &c) != PCRM_OK)
				continue;
			PyObject *item = Py_BuildValue("(LN)", (long long)start, pcrm_py_sim_counts(&c));
			if (!item || PyList_Append(intervals, item))
				Py_CLEAR(intervals);
			Py_XDECREF(item);
		}
		if (intervals)
			result = Py_BuildValue("{s:N,s:N}", "total", pcrm_py_sim_counts(&st.total),
			                       "intervals", intervals);
	}
	SWIG_PYTHON_THREAD_END_BLOCK;
	return result;
}
%}
