/*
 * libpowercrm - SWIG interface of the ACD engine (acd.h) and the call
 * records (call_record.h), %included at the end of powercrm.i, whose rules
 * (status results, owned outputs, callbacks holding the GIL) apply here too.
 *
 * What needs more than those rules:
 *   - the engine's clock: a Python callable would run with the engine's
 *     mutex held; instead a manual clock (pcrm_py_acd_clock, a C value that
 *     Python sets and the engine reads atomically) or the system clock;
 *   - the event callback and the CDR sink take Python callables through
 *     trampolines that take the GIL (they run outside the engine lock);
 *     events reach Python as their JSON text, CDRs as owned pcrm_acd_cdr
 *     copies;
 *   - calls taking arrays or structs holding pointers (queue_add,
 *     agent_add, call_arrive, events_poll, the sink's write) are small
 *     helpers below taking Python sequences, renamed to the C names.
 */

/* ---- the manual clock ---- */

%{
#include <stdatomic.h>

typedef struct pcrm_py_acd_clock {
	atomic_llong now;
} pcrm_py_acd_clock;

static pcrm_acd_ms pcrm_py_acd_clock_read(void *userdata)
{
	return (pcrm_acd_ms)atomic_load(&((pcrm_py_acd_clock *)userdata)->now);
}
%}

typedef struct pcrm_py_acd_clock pcrm_py_acd_clock;

/* None: the system clock; a pcrm_py_acd_clock: that clock (the caller keeps it alive). */
%typemap(in, noblock=1) (pcrm_acd_clock_fn clock, void *clock_userdata),
	(pcrm_acd_clock_fn clock, void *userdata) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else {
		void *clk_ = NULL;
		if (!SWIG_IsOK(SWIG_ConvertPtr($input, &clk_, SWIGTYPE_p_pcrm_py_acd_clock, 0)) || !clk_) {
			PyErr_SetString(PyExc_TypeError, "clock: expected a manual clock or None");
			SWIG_fail;
		}
		$1 = pcrm_py_acd_clock_read;
		$2 = clk_;
	}
}

/* ---- callbacks ---- */

%{
/* pcrm_acd_event_fn: userdata is a callable taking the event's JSON text. */
static void pcrm_py_acd_event(void *userdata, const pcrm_acd_event *event)
{
	char *json = NULL;
	PyGILState_STATE gil = PyGILState_Ensure();
	if (pcrm_acd_event_to_json(event, &json) == PCRM_OK) {
		PyObject *r = PyObject_CallFunction((PyObject *)userdata, "s", json);
		Py_XDECREF(r);
	}
	pcrm_free(json);
	if (PyErr_Occurred())
		pcrm_py_stash_exception(); /* raised when the engine call returns */
	PyGILState_Release(gil);
}

/*
 * pcrm_acd_cdr_sink_fn: userdata is a callable taking a list of owned
 * pcrm_acd_cdr copies; raising keeps the batch pending.
 */
static int pcrm_py_acd_cdr_sink(void *userdata, const pcrm_acd_cdr *cdrs, size_t count)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *list = PyList_New((Py_ssize_t)count), *r = NULL;
	int rc = -1;
	for (size_t i = 0; list && i < count; i++) {
		pcrm_acd_cdr *copy = (pcrm_acd_cdr *)malloc(sizeof(*copy));
		PyObject *item = NULL;
		if (copy) {
			*copy = cdrs[i];
			item = SWIG_NewPointerObj(SWIG_as_voidptr(copy), SWIGTYPE_p_pcrm_acd_cdr,
			                          SWIG_POINTER_OWN);
		}
		if (!item) {
			free(copy);
			Py_CLEAR(list);
			if (!PyErr_Occurred())
				PyErr_NoMemory();
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	if (list)
		r = PyObject_CallOneArg((PyObject *)userdata, list);
	Py_XDECREF(list);
	if (r)
		rc = 0;
	Py_XDECREF(r);
	if (PyErr_Occurred())
		pcrm_py_stash_exception();
	PyGILState_Release(gil);
	return rc;
}
%}

/* The caller (powercrm.Acd) keeps the callable alive while the engine holds it. */
%typemap(in, noblock=1) (pcrm_acd_event_fn fn, void *userdata) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else if (PyCallable_Check($input)) {
		$1 = pcrm_py_acd_event;
		$2 = (void *)$input;
	} else {
		PyErr_SetString(PyExc_TypeError, "callback: expected a callable or None");
		SWIG_fail;
	}
}
%typemap(in, noblock=1) (pcrm_acd_cdr_sink_fn fn, void *userdata) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else if (PyCallable_Check($input)) {
		$1 = pcrm_py_acd_cdr_sink;
		$2 = (void *)$input;
	} else {
		PyErr_SetString(PyExc_TypeError, "sink: expected a callable or None");
		SWIG_fail;
	}
}

/* ---- outputs ---- */

/* int members that hold values, not statuses (powercrm.i's PCRM_PLAIN_INT, for these headers). */
%typemap(out) int consecutive_misses, int priority, int min_level, int misses, int overflows,
	int short_abandon, int last_status, int ring_timeout_s, int max_misses,
	int short_abandon_s, int interval_minutes, int queue_stats_events, int contacts
	"$result = PyLong_FromLong((long)$1);"


PCRM_OWNED_OUT(pcrm_acd, pcrm_acd_free)
PCRM_OWNED_OUT(pcrm_call_record_sink, pcrm_call_record_sink_free)
PCRM_OWNED_OUT(pcrm_call_record_list, pcrm_call_record_list_free)
%apply char **out { char **json };
%apply int64_t *out { pcrm_acd_ms *start };
%typemap(in, numinputs=0, noblock=1) size_t *flushed (size_t temp = 0) { $1 = &temp; }
%typemap(argout, noblock=1) size_t *flushed {
	$result = SWIG_Python_AppendOutput($result, PyLong_FromSize_t(*$1));
}

/* State times per state: an array member, read one entry at a time. */
%ignore pcrm_acd_agent_counts::state_ms;
%extend pcrm_acd_agent_counts {
	int64_t state_ms_at(int state)
	{
		return state >= 0 && state < PCRM_ACD_STATE_COUNT ? $self->state_ms[state] : 0;
	}
}

/* Built by the helpers below from Python arguments, never as structs. */
%ignore pcrm_acd_queue_config;
%ignore pcrm_acd_rule;
%ignore pcrm_acd_skill;
%ignore pcrm_acd_call_spec;
%ignore pcrm_acd_queue_add;
%ignore pcrm_acd_agent_add;
%ignore pcrm_acd_call_arrive;
%ignore pcrm_acd_events_poll;
%ignore pcrm_call_record_sink_write;
%rename(pcrm_acd_queue_add) pcrm_py_acd_queue_add;
%rename(pcrm_acd_agent_add) pcrm_py_acd_agent_add;
%rename(pcrm_acd_call_arrive) pcrm_py_acd_call_arrive;
%rename(pcrm_acd_events_poll) pcrm_py_acd_events_poll;
%rename(pcrm_call_record_sink_write) pcrm_py_call_record_sink_write;
%feature("nothreadallow") pcrm_py_acd_queue_add;
%feature("nothreadallow") pcrm_py_acd_agent_add;
%feature("nothreadallow") pcrm_py_acd_call_arrive;
%feature("nothreadallow") pcrm_py_acd_events_poll;
%feature("nothreadallow") pcrm_py_call_record_sink_write;
%feature("nothreadallow") pcrm_py_acd_clock_new;
%feature("nothreadallow") pcrm_py_acd_clock_free;

/* Options with strings: built with their strings in one allocation, like the actor. */
%immutable pcrm_call_record_sink_options::version;
%immutable pcrm_call_record_sink_options::org_unit;
%immutable pcrm_call_record_sink_options::business_code;
%immutable pcrm_call_record_sink_options::contacts;
%extend pcrm_call_record_sink_options {
	pcrm_call_record_sink_options(const char *org_unit = NULL, const char *business_code = NULL,
	                              int contacts = 1)
	{
		size_t total = (org_unit ? strlen(org_unit) + 1 : 0) +
		               (business_code ? strlen(business_code) + 1 : 0);
		pcrm_call_record_sink_options init = PCRM_CALL_RECORD_SINK_OPTIONS_INIT, *o;
		char *p;
		o = (pcrm_call_record_sink_options *)malloc(sizeof(*o) + total);
		if (!o)
			return NULL;
		*o = init;
		p = (char *)(o + 1);
		o->org_unit = pcrm_py_pack(&p, org_unit);
		o->business_code = pcrm_py_pack(&p, business_code);
		o->contacts = contacts;
		return o;
	}
	~pcrm_call_record_sink_options() { free($self); }
}
%immutable pcrm_call_record_filter::version;
%immutable pcrm_call_record_filter::org_unit;
%immutable pcrm_call_record_filter::agent_id;
%immutable pcrm_call_record_filter::customer_no;
%immutable pcrm_call_record_filter::caller_number;
%immutable pcrm_call_record_filter::from_ms;
%immutable pcrm_call_record_filter::to_ms;
%extend pcrm_call_record_filter {
	pcrm_call_record_filter(const char *org_unit = NULL, const char *agent_id = NULL,
	                        const char *customer_no = NULL, const char *caller_number = NULL,
	                        long long from_ms = 0, long long to_ms = 0)
	{
		const char *f[4];
		size_t total = 0;
		pcrm_call_record_filter init = PCRM_CALL_RECORD_FILTER_INIT, *q;
		char *p;
		f[0] = org_unit; f[1] = agent_id; f[2] = customer_no; f[3] = caller_number;
		for (int i = 0; i < 4; i++)
			total += f[i] ? strlen(f[i]) + 1 : 0;
		q = (pcrm_call_record_filter *)malloc(sizeof(*q) + total);
		if (!q)
			return NULL;
		*q = init;
		p = (char *)(q + 1);
		q->org_unit = pcrm_py_pack(&p, org_unit);
		q->agent_id = pcrm_py_pack(&p, agent_id);
		q->customer_no = pcrm_py_pack(&p, customer_no);
		q->caller_number = pcrm_py_pack(&p, caller_number);
		q->from_ms = (pcrm_acd_ms)from_ms;
		q->to_ms = (pcrm_acd_ms)to_ms;
		return q;
	}
	~pcrm_call_record_filter() { free($self); }
}
%feature("nothreadallow") pcrm_call_record_sink_options::pcrm_call_record_sink_options;
%feature("nothreadallow") pcrm_call_record_sink_options::~pcrm_call_record_sink_options;
%feature("nothreadallow") pcrm_call_record_filter::pcrm_call_record_filter;
%feature("nothreadallow") pcrm_call_record_filter::~pcrm_call_record_filter;

/* Snapshots, statistics, events and records the library hands out: read-only in Python. */
%immutable;
%include "powercrm/acd.h"
%include "powercrm/call_record.h"
%mutable;

/* ---- helpers ---- */

%{
/* A str item of a sequence, or NULL with InvalidInput naming it (None gives NULL without error). */
static int pcrm_py_opt_str(PyObject *o, const char *what, const char **out)
{
	if (o == NULL || o == Py_None) {
		*out = NULL;
		return 0;
	}
	if (!PyUnicode_Check(o) || !(*out = PyUnicode_AsUTF8(o))) {
		PyErr_Clear();
		pcrm_py_invalid("%s: expected a str", what);
		return -1;
	}
	return 0;
}

/*
 * A mapping {skill: level} or a sequence of (skill, level) as an array the
 * caller frees; its strings are borrowed from *keep, which the caller
 * releases (Py_XDECREF) once the C call has returned.
 */
static pcrm_acd_skill *pcrm_py_skills(PyObject *obj, const char *what, size_t *count,
                                      PyObject **keep)
{
	PyObject *items, *fast;
	pcrm_acd_skill *v;
	Py_ssize_t n;

	*count = 0;
	*keep = NULL;
	if (obj == Py_None)
		return (pcrm_acd_skill *)calloc(1, sizeof(pcrm_acd_skill));
	if (PyDict_Check(obj)) {
		items = PyDict_Items(obj);
	} else {
		Py_INCREF(obj);
		items = obj;
	}
	if (!items)
		return NULL;
	fast = PySequence_Fast(items, "expected a mapping or a sequence of (skill, level) pairs");
	Py_DECREF(items);
	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	v = (pcrm_acd_skill *)calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return NULL;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *pair = PySequence_Fast_GET_ITEM(fast, i);
		const char *name = NULL;
		int level = 0;
		if (!PyTuple_Check(pair) || !PyArg_ParseTuple(pair, "si", &name, &level)) {
			PyErr_Clear();
			pcrm_py_invalid("%s[%zd]: expected a (skill, level) pair", what, i);
			free(v);
			Py_DECREF(fast);
			return NULL;
		}
		v[i].skill = name;
		v[i].level = level;
	}
	*count = (size_t)n;
	*keep = fast;
	return v;
}

/* The result of an engine call made without the GIL: None, or the exception it calls for. */
static PyObject *pcrm_py_status(int rc)
{
	if (pcrm_py_pending_raise())
		return NULL;
	if (rc < 0) {
		pcrm_py_raise(rc, NULL, NULL);
		return NULL;
	}
	Py_RETURN_NONE;
}
%}

%inline %{
/** A manual clock for an engine, starting at `start_ms`. */
pcrm_py_acd_clock *pcrm_py_acd_clock_new(long long start_ms)
{
	pcrm_py_acd_clock *c = (pcrm_py_acd_clock *)malloc(sizeof(*c));
	if (!c) {
		PyErr_NoMemory();
		return NULL;
	}
	atomic_init(&c->now, start_ms);
	pcrm_py_live_add(1);
	return c;
}

void pcrm_py_acd_clock_free(pcrm_py_acd_clock *c)
{
	if (c)
		pcrm_py_live_add(-1);
	free(c);
}

void pcrm_py_acd_clock_set(pcrm_py_acd_clock *c, long long ms)
{
	if (c)
		atomic_store(&c->now, ms);
}

long long pcrm_py_acd_clock_get(pcrm_py_acd_clock *c)
{
	return c ? (long long)atomic_load(&c->now) : 0;
}
%}

%inline %{
/**
 * pcrm_acd_queue_add(acd, id, strategy, sl_percent, sl_target_s, max_waiting,
 * max_wait_s, no_agent, overflow_queue_id, wrap_up_s, ring_timeout_s,
 * org_unit, rules): `rules` is a sequence of (after_s, action, value,
 * queue_id or None).
 */
PyObject *pcrm_py_acd_queue_add(pcrm_acd *acd, const char *id, int strategy, int sl_percent,
                                int sl_target_s, int max_waiting, int max_wait_s, int no_agent,
                                const char *overflow_queue_id, int wrap_up_s,
                                int ring_timeout_s, const char *org_unit, PyObject *rules)
{
	pcrm_acd_queue_config q = PCRM_ACD_QUEUE_CONFIG_INIT;
	PyObject *fast = PySequence_Fast(rules, "rules: expected a sequence");
	pcrm_acd_rule *r;
	Py_ssize_t n;
	int rc;

	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	r = (pcrm_acd_rule *)calloc(n > 0 ? (size_t)n : 1, sizeof(*r));
	if (!r) {
		Py_DECREF(fast);
		return PyErr_NoMemory();
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *t = PySequence_Fast_GET_ITEM(fast, i), *qid = NULL;
		int action = 0;
		if (!PyTuple_Check(t) ||
		    !PyArg_ParseTuple(t, "iiiO", &r[i].after_s, &action, &r[i].value, &qid) ||
		    pcrm_py_opt_str(qid, "rules[].queue_id", &r[i].queue_id) < 0) {
			PyErr_Clear();
			pcrm_py_invalid("rules[%zd]: expected (after_s, action, value, queue_id)", i);
			free(r);
			Py_DECREF(fast);
			return NULL;
		}
		r[i].action = (pcrm_acd_rule_action)action;
	}
	q.id = id;
	q.strategy = (pcrm_acd_strategy)strategy;
	q.sl_percent = sl_percent;
	q.sl_target_s = sl_target_s;
	q.max_waiting = max_waiting;
	q.max_wait_s = max_wait_s;
	q.no_agent = (pcrm_acd_no_agent)no_agent;
	q.overflow_queue_id = overflow_queue_id;
	q.wrap_up_s = wrap_up_s;
	q.ring_timeout_s = ring_timeout_s;
	q.rules = r;
	q.rule_count = (size_t)n;
	q.org_unit = org_unit;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_acd_queue_add(acd, &q);
	Py_END_ALLOW_THREADS
	free(r);
	Py_DECREF(fast);
	return pcrm_py_status(rc);
}

/** pcrm_acd_agent_add(acd, agent_id, org_unit, skills): {name: level} or (name, level) pairs. */
PyObject *pcrm_py_acd_agent_add(pcrm_acd *acd, const char *agent_id, const char *org_unit,
                                PyObject *skills)
{
	size_t n = 0;
	PyObject *keep = NULL;
	pcrm_acd_skill *v = pcrm_py_skills(skills, "skills", &n, &keep);
	int rc;
	if (!v)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_acd_agent_add(acd, agent_id, org_unit, v, n);
	Py_END_ALLOW_THREADS
	free(v);
	Py_XDECREF(keep);
	return pcrm_py_status(rc);
}

/** pcrm_acd_call_arrive(acd, call_id, queue_id, priority, min_level, skills,
 *  preferred_agent_id, preferred_wait_s, caller_number, customer_no) -> disposition. */
PyObject *pcrm_py_acd_call_arrive(pcrm_acd *acd, const char *call_id, const char *queue_id,
                                  int priority, int min_level, PyObject *skills,
                                  const char *preferred_agent_id, int preferred_wait_s,
                                  const char *caller_number, const char *customer_no)
{
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_disposition d = PCRM_ACD_QUEUED;
	PyObject *keep = NULL, *status;
	size_t n = 0;
	pcrm_acd_skill *v = pcrm_py_skills(skills, "skills", &n, &keep);
	int rc;
	if (!v)
		return NULL;
	s.call_id = call_id;
	s.queue_id = queue_id;
	s.priority = priority;
	s.min_level = min_level;
	s.skills = v;
	s.skill_count = n;
	s.preferred_agent_id = preferred_agent_id;
	s.preferred_wait_s = preferred_wait_s;
	s.caller_number = caller_number;
	s.customer_no = customer_no;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_acd_call_arrive(acd, &s, &d);
	Py_END_ALLOW_THREADS
	free(v);
	Py_XDECREF(keep);
	status = pcrm_py_status(rc);
	if (!status)
		return NULL;
	Py_DECREF(status);
	return PyLong_FromLong((long)d);
}

/**
 * pcrm_acd_events_poll(acd, max, timeout_ms) -> list of the events' JSON
 * texts (empty when none came within timeout_ms); waits without the GIL.
 */
PyObject *pcrm_py_acd_events_poll(pcrm_acd *acd, size_t max, int timeout_ms)
{
	pcrm_acd_event *ev;
	size_t count = 0;
	PyObject *list = NULL, *status;
	int rc;

	if (max < 1 || max > 65536) {
		pcrm_py_invalid("max: %zu is outside 1..65536", max);
		return NULL;
	}
	if (!(ev = (pcrm_acd_event *)calloc(max, sizeof(*ev))))
		return PyErr_NoMemory();
	ev[0].version = PCRM_ACD_EVENT_VERSION; /* the layout of the whole array */
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_acd_events_poll(acd, ev, max, &count, timeout_ms);
	Py_END_ALLOW_THREADS
	status = pcrm_py_status(rc);
	if (status) {
		Py_DECREF(status);
		list = PyList_New((Py_ssize_t)count);
	}
	for (size_t i = 0; list && i < count; i++) {
		char *json = NULL;
		PyObject *text = NULL;
		rc = pcrm_acd_event_to_json(&ev[i], &json);
		if (rc < 0)
			pcrm_py_raise(rc, NULL, NULL);
		else
			text = pcrm_py_text(json);
		pcrm_free(json);
		if (!text) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, text);
	}
	free(ev);
	return list;
}

/** pcrm_call_record_sink_write(sink, cdrs): a sequence of pcrm_acd_cdr, as a CDR sink gets them. */
PyObject *pcrm_py_call_record_sink_write(pcrm_call_record_sink *sink, PyObject *cdrs)
{
	PyObject *fast = PySequence_Fast(cdrs, "cdrs: expected a sequence of pcrm_acd_cdr");
	pcrm_acd_cdr *v;
	Py_ssize_t n;
	int rc;

	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	v = (pcrm_acd_cdr *)calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		Py_DECREF(fast);
		return PyErr_NoMemory();
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		void *p = NULL;
		if (!SWIG_IsOK(SWIG_ConvertPtr(PySequence_Fast_GET_ITEM(fast, i), &p,
		                               SWIGTYPE_p_pcrm_acd_cdr, 0)) || !p) {
			PyErr_Clear();
			pcrm_py_invalid("cdrs[%zd]: expected a pcrm_acd_cdr", i);
			free(v);
			Py_DECREF(fast);
			return NULL;
		}
		v[i] = *(const pcrm_acd_cdr *)p;
	}
	Py_DECREF(fast);
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_call_record_sink_write(sink, v, (size_t)n);
	Py_END_ALLOW_THREADS
	free(v);
	return pcrm_py_status(rc);
}
%}
