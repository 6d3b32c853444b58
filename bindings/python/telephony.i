/*
 * libpowercrm - SWIG interface of the telephony adapter layer (telephony.h),
 * %included at the end of powercrm.i after acd.i, whose rules (status
 * results, owned outputs, callbacks holding the GIL) apply here too.
 *
 * What needs more than those rules:
 *   - the switch table: a Python object whose methods are the table's
 *     functions (route, answer, ..., snapshot).  pcrm_py_tel_switch_new
 *     wraps it; only the methods it has are put in the table (a missing one
 *     is a NULL entry: PCRM_EUNSUPPORTED).  The library calls the table
 *     outside its own lock (telephony.h, Threads), so the trampolines take
 *     the GIL like acd.i's event callback; a method returns None (done), a
 *     pcrm_tel_result or its name; one that raises counts as refused and its
 *     exception is re-raised when the library call that made the request
 *     returns;
 *   - pcrm_tel_new, pcrm_tel_event_feed, pcrm_tel_snapshot_agent and
 *     pcrm_tel_snapshot_call take structs holding strings: small helpers
 *     below taking plain arguments, renamed to the C names.  A rejected event
 *     raises with the reject kind's name as the exception's `reject`;
 *   - the customer lookup takes a Python callable (caller number -> None or
 *     (customer_no, vip_level, account_manager)) or a pcrm_tel_archive,
 *     which installs pcrm_tel_archive_lookup itself.
 */

%{
typedef struct pcrm_py_tel_switch {
	PyObject *obj;          /* the Python switch, a strong reference */
	pcrm_tel_switch table;  /* userdata = this struct */
} pcrm_py_tel_switch;

/* Calls obj.<method>(args...) with the GIL; maps its result to a pcrm_tel_result. */
static int pcrm_py_tel_request(void *userdata, const char *method, const char *fmt, ...)
{
	pcrm_py_tel_switch *sw = (pcrm_py_tel_switch *)userdata;
	PyGILState_STATE gil = PyGILState_Ensure();
	int result = PCRM_TEL_REFUSED;
	PyObject *fn = PyObject_GetAttrString(sw->obj, method), *args = NULL, *r = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (fn)
		args = Py_VaBuildValue(fmt, ap);
	va_end(ap);
	if (args)
		r = PyObject_CallObject(fn, args);
	if (r == Py_None) {
		result = PCRM_TEL_DONE;
	} else if (r && PyLong_Check(r)) {
		long v = PyLong_AsLong(r);
		if (v >= 0 && v < PCRM_TEL_RESULT_COUNT)
			result = (int)v;
		else if (!PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "switch.%s returned %ld, not a pcrm_tel_result",
			             method, v);
	} else if (r && PyUnicode_Check(r)) {
		const char *name = PyUnicode_AsUTF8(r);
		int found = 0;
		for (int i = 0; name && i < PCRM_TEL_RESULT_COUNT; i++)
			if (strcmp(name, pcrm_tel_result_name((pcrm_tel_result)i)) == 0) {
				result = i;
				found = 1;
			}
		if (!found && !PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "switch.%s returned \"%s\", not a pcrm_tel_result name",
			             method, name);
	} else if (r) {
		PyErr_Format(PyExc_TypeError, "switch.%s returned a %s, expected None, an int or a str",
		             method, Py_TYPE(r)->tp_name);
	}
	Py_XDECREF(r);
	Py_XDECREF(args);
	Py_XDECREF(fn);
	if (PyErr_Occurred()) {
		result = PCRM_TEL_REFUSED;
		pcrm_py_stash_exception(); /* raised when the library call returns */
	}
	PyGILState_Release(gil);
	return result;
}

static int pcrm_py_tel_route(void *u, const char *c, const char *d, const char *a)
{ return pcrm_py_tel_request(u, "route", "(zzz)", c, d, a); }
static int pcrm_py_tel_answer(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "answer", "(zz)", c, d); }
static int pcrm_py_tel_hangup(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "hangup", "(zz)", c, d); }
static int pcrm_py_tel_hold(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "hold", "(zz)", c, d); }
static int pcrm_py_tel_retrieve(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "retrieve", "(zz)", c, d); }
static int pcrm_py_tel_transfer(void *u, const char *c, const char *d, const char *to)
{ return pcrm_py_tel_request(u, "transfer", "(zzz)", c, d, to); }
static int pcrm_py_tel_consult(void *u, const char *c, const char *d, const char *to)
{ return pcrm_py_tel_request(u, "consult", "(zzz)", c, d, to); }
static int pcrm_py_tel_consult_transfer(void *u, const char *h, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "consult_transfer", "(zzz)", h, c, d); }
static int pcrm_py_tel_conference(void *u, const char *h, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "conference", "(zzz)", h, c, d); }
static int pcrm_py_tel_consult_cancel(void *u, const char *h, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "consult_cancel", "(zzz)", h, c, d); }
static int pcrm_py_tel_deflect(void *u, const char *c, const char *d, const char *to)
{ return pcrm_py_tel_request(u, "deflect", "(zzz)", c, d, to); }
static int pcrm_py_tel_supervise(void *u, const char *c, const char *ad, const char *sid,
                                 const char *sdev, pcrm_acd_supervise_mode m)
{ return pcrm_py_tel_request(u, "supervise", "(zzzzz)", c, ad, sid, sdev,
                             pcrm_acd_supervise_mode_name(m)); }
static int pcrm_py_tel_record_start(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "record_start", "(zz)", c, d); }
static int pcrm_py_tel_record_stop(void *u, const char *c, const char *d)
{ return pcrm_py_tel_request(u, "record_stop", "(zz)", c, d); }
static int pcrm_py_tel_make_call(void *u, const char *c, const char *d, const char *to)
{ return pcrm_py_tel_request(u, "make_call", "(zzz)", c, d, to); }
static int pcrm_py_tel_send_dtmf(void *u, const char *c, const char *d, const char *digits)
{ return pcrm_py_tel_request(u, "send_dtmf", "(zzz)", c, d, digits); }
static int pcrm_py_tel_set_agent_state(void *u, const char *d, const char *a,
                                       pcrm_tel_agent_state s, const char *reason)
{ return pcrm_py_tel_request(u, "set_agent_state", "(zzzz)", d, a,
                             pcrm_tel_agent_state_name(s), reason); }
static int pcrm_py_tel_snapshot(void *u)
{ return pcrm_py_tel_request(u, "snapshot", "()"); }

/* A switch event from the Python arguments (strings live as long as the call's arguments). */
static pcrm_tel_event pcrm_py_tel_event(int type, const char *call_id, const char *device_id,
                                        long long at, const char *agent_id,
                                        const char *other_call_id, const char *destination,
                                        const char *caller_number, const char *dialled_number,
                                        const char *digits, const char *service,
                                        const char *reason)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = (pcrm_tel_event_type)type;
	ev.call_id = call_id;
	ev.device_id = device_id;
	ev.at = (pcrm_acd_ms)at;
	ev.agent_id = agent_id;
	ev.other_call_id = other_call_id;
	ev.destination = destination;
	ev.caller_number = caller_number;
	ev.dialled_number = dialled_number;
	ev.digits = digits;
	ev.service = service;
	ev.reason = reason;
	return ev;
}

/* None when accepted; a rejected event raises the library's exception with `reject` = the kind. */
static PyObject *pcrm_py_tel_feed_result(int rc, pcrm_tel_reject kind)
{
	if (pcrm_py_pending_raise())
		return NULL;
	if (rc < 0) {
		pcrm_py_raise(rc, "reject", pcrm_py_text(pcrm_tel_reject_name(kind)));
		return NULL;
	}
	Py_RETURN_NONE;
}

/*
 * pcrm_tel_lookup_fn: userdata is a callable taking the caller number and
 * returning None (not found) or (customer_no, vip_level, account_manager).
 */
static int pcrm_py_tel_lookup(void *userdata, const char *caller_number, pcrm_tel_customer *out)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *r = PyObject_CallFunction((PyObject *)userdata, "s", caller_number);
	const char *no = NULL, *manager = NULL;
	int rc = PCRM_EIO;

	if (r == Py_None) {
		rc = PCRM_ENOTFOUND;
	} else if (r && PyArg_ParseTuple(r, "siz", &no, &out->vip_level, &manager)) {
		if (strlen(no) < sizeof(out->customer_no) &&
		    (!manager || strlen(manager) < sizeof(out->account_manager))) {
			strcpy(out->customer_no, no);
			strcpy(out->account_manager, manager ? manager : "");
			rc = PCRM_OK;
		} else {
			PyErr_SetString(PyExc_ValueError, "customer lookup: customer_no or account_manager too long");
		}
	}
	Py_XDECREF(r);
	if (PyErr_Occurred())
		pcrm_py_stash_exception(); /* counted as a lookup error, raised when the feed returns */
	PyGILState_Release(gil);
	return rc;
}
%}

/* The caller (powercrm.Telephony) keeps the callable or the archive alive while the runtime holds it. */
%typemap(in, noblock=1) (pcrm_tel_lookup_fn fn, void *userdata) {
	{
		void *archive_ = NULL;
		if ($input == Py_None) {
			$1 = NULL;
			$2 = NULL;
		} else if (SWIG_IsOK(SWIG_ConvertPtr($input, &archive_, SWIGTYPE_p_pcrm_tel_archive, 0)) &&
		           archive_) {
			$1 = pcrm_tel_archive_lookup;
			$2 = archive_;
		} else if (PyCallable_Check($input)) {
			$1 = pcrm_py_tel_lookup;
			$2 = (void *)$input;
		} else {
			PyErr_SetString(PyExc_TypeError, "lookup: expected a callable, a pcrm_tel_archive or None");
			SWIG_fail;
		}
	}
}

PCRM_OWNED_OUT(pcrm_tel, pcrm_tel_free)
%apply (char *buf, size_t size) { (char *device_id, size_t size) };
%apply SWIGTYPE *out { pcrm_tel_resync_report *report };
/* ... with its version set (docs/abi.md), after the %apply it replaces the `in` of. */
%typemap(in, numinputs=0, noblock=1) pcrm_tel_resync_report *report ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_TEL_RESYNC_REPORT_VERSION;
	$1 = &temp;
}
%typemap(out) int vip_level, int with_acd, int recording, int outbound, int clock_from_events
	"$result = PyLong_FromLong((long)$1);"

/* Counters per kind: array members, read one entry at a time. */
%ignore pcrm_tel_stats::rejected;
%ignore pcrm_tel_stats::events_by_type;
%ignore pcrm_tel_stats::requests_failed;
%extend pcrm_tel_stats {
	unsigned long long rejected_at(int kind)
	{
		return kind >= 0 && kind < PCRM_TEL_REJECT_COUNT ? $self->rejected[kind] : 0;
	}
	unsigned long long events_by_type_at(int type)
	{
		return type >= 0 && type <= PCRM_TEL_EV_LAST ? $self->events_by_type[type] : 0;
	}
	unsigned long long requests_failed_at(int result)
	{
		return result >= 0 && result < PCRM_TEL_RESULT_COUNT ? $self->requests_failed[result] : 0;
	}
}

/* Built by the helpers below from Python arguments, never as structs. */
%ignore pcrm_tel_switch;
%ignore pcrm_tel_event;
%ignore pcrm_tel_options;
%ignore pcrm_tel_snapshot_agent_info;
%ignore pcrm_tel_snapshot_call_info;
%ignore pcrm_tel_new;
%ignore pcrm_tel_event_feed;
%ignore pcrm_tel_snapshot_agent;
%ignore pcrm_tel_snapshot_call;
%ignore pcrm_tel_dial_spec;
%ignore pcrm_tel_dial;
%rename(pcrm_tel_dial) pcrm_py_tel_dial;
%rename(pcrm_tel_new) pcrm_py_tel_new;
%rename(pcrm_tel_event_feed) pcrm_py_tel_event_feed;
%rename(pcrm_tel_snapshot_agent) pcrm_py_tel_snapshot_agent;
%rename(pcrm_tel_snapshot_call) pcrm_py_tel_snapshot_call;
%feature("nothreadallow") pcrm_py_tel_new;
%feature("nothreadallow") pcrm_py_tel_event_feed;
%feature("nothreadallow") pcrm_py_tel_snapshot_agent;
%feature("nothreadallow") pcrm_py_tel_snapshot_call;
%feature("nothreadallow") pcrm_py_tel_switch_new;
%feature("nothreadallow") pcrm_py_tel_switch_free;

/* The archive lookup's userdata, built from Python, which keeps ctx and actor alive. */
%extend pcrm_tel_archive {
	pcrm_tel_archive(pcrm_ctx *ctx, const pcrm_actor *actor)
	{
		pcrm_tel_archive *a = (pcrm_tel_archive *)malloc(sizeof(*a));
		if (a) {
			a->ctx = ctx;
			a->actor = actor;
		}
		return a;
	}
	~pcrm_tel_archive() { free($self); }
}
%feature("nothreadallow") pcrm_tel_archive::pcrm_tel_archive;
%feature("nothreadallow") pcrm_tel_archive::~pcrm_tel_archive;

/* Statistics, call snapshots and reports the library hands out: read-only in Python. */
%immutable;
%include "powercrm/telephony.h"
%mutable;

%inline %{
typedef struct pcrm_py_tel_switch pcrm_py_tel_switch;

/** The switch table over the Python object `obj` (kept alive until pcrm_py_tel_switch_free). */
pcrm_py_tel_switch *pcrm_py_tel_switch_new(PyObject *obj)
{
	pcrm_tel_switch init = PCRM_TEL_SWITCH_INIT;
	pcrm_py_tel_switch *sw = (pcrm_py_tel_switch *)malloc(sizeof(*sw));
	if (!sw) {
		PyErr_NoMemory();
		return NULL;
	}
	sw->table = init;
	sw->table.userdata = sw;
#define PCRM_PY_TEL_HAS(name) (PyObject_HasAttrString(obj, #name) ? pcrm_py_tel_##name : NULL)
	sw->table.route = PCRM_PY_TEL_HAS(route);
	sw->table.answer = PCRM_PY_TEL_HAS(answer);
	sw->table.hangup = PCRM_PY_TEL_HAS(hangup);
	sw->table.hold = PCRM_PY_TEL_HAS(hold);
	sw->table.retrieve = PCRM_PY_TEL_HAS(retrieve);
	sw->table.transfer = PCRM_PY_TEL_HAS(transfer);
	sw->table.consult = PCRM_PY_TEL_HAS(consult);
	sw->table.consult_transfer = PCRM_PY_TEL_HAS(consult_transfer);
	sw->table.conference = PCRM_PY_TEL_HAS(conference);
	sw->table.consult_cancel = PCRM_PY_TEL_HAS(consult_cancel);
	sw->table.deflect = PCRM_PY_TEL_HAS(deflect);
	sw->table.supervise = PCRM_PY_TEL_HAS(supervise);
	sw->table.record_start = PCRM_PY_TEL_HAS(record_start);
	sw->table.record_stop = PCRM_PY_TEL_HAS(record_stop);
	sw->table.make_call = PCRM_PY_TEL_HAS(make_call);
	sw->table.send_dtmf = PCRM_PY_TEL_HAS(send_dtmf);
	sw->table.set_agent_state = PCRM_PY_TEL_HAS(set_agent_state);
	sw->table.snapshot = PCRM_PY_TEL_HAS(snapshot);
#undef PCRM_PY_TEL_HAS
	Py_INCREF(obj);
	sw->obj = obj;
	pcrm_py_live_add(1);
	return sw;
}

/** Frees the table, after the pcrm_tel using it. */
void pcrm_py_tel_switch_free(pcrm_py_tel_switch *sw)
{
	if (!sw)
		return;
	pcrm_py_live_add(-1);
	Py_DECREF(sw->obj);
	free(sw);
}

/**
 * pcrm_tel_new(acd, switch, clock_from_events, cleared_memory,
 * fallback_destination) -> pcrm_tel; the switch must outlive it.
 */
PyObject *pcrm_py_tel_new(pcrm_acd *acd, pcrm_py_tel_switch *sw, int clock_from_events,
                          size_t cleared_memory, const char *fallback_destination)
{
	pcrm_tel_options o = PCRM_TEL_OPTIONS_INIT;
	pcrm_tel *tel = NULL;
	int rc;

	if (!sw) {
		pcrm_py_invalid("switch: missing");
		return NULL;
	}
	o.clock_from_events = clock_from_events;
	o.cleared_memory = cleared_memory;
	o.fallback_destination = fallback_destination;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_tel_new(&tel, acd, &sw->table, &o);
	Py_END_ALLOW_THREADS
	if (pcrm_py_pending_raise() || rc < 0) {
		if (rc < 0 && !PyErr_Occurred())
			pcrm_py_raise(rc, NULL, NULL);
		pcrm_tel_free(tel);
		return NULL;
	}
	pcrm_py_live_add(1);
	return SWIG_NewPointerObj(SWIG_as_voidptr(tel), SWIGTYPE_p_pcrm_tel, 0);
}

/**
 * pcrm_tel_event_feed(tel, type, call_id, device_id, at, agent_id,
 * other_call_id, destination, caller_number, dialled_number, digits,
 * service, reason): None when accepted; a rejected event raises the
 * library's exception with `reject` = the kind's name.
 */
PyObject *pcrm_py_tel_event_feed(pcrm_tel *tel, int type, const char *call_id,
                                 const char *device_id, long long at, const char *agent_id,
                                 const char *other_call_id, const char *destination,
                                 const char *caller_number, const char *dialled_number,
                                 const char *digits, const char *service, const char *reason)
{
	pcrm_tel_event ev = pcrm_py_tel_event(type, call_id, device_id, at, agent_id, other_call_id,
	                                      destination, caller_number, dialled_number, digits,
	                                      service, reason);
	pcrm_tel_reject kind = PCRM_TEL_ACCEPTED;
	int rc;

	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_tel_event_feed(tel, &ev, &kind);
	Py_END_ALLOW_THREADS
	return pcrm_py_tel_feed_result(rc, kind);
}

/**
 * pcrm_tel_dial(tel, call_id, device_id, destination, queue_id, min_level,
 * preferred_wait_s, customer_no, vip_level, account_manager): the customer
 * is given when customer_no is not None.
 */
PyObject *pcrm_py_tel_dial(pcrm_tel *tel, const char *call_id, const char *device_id,
                           const char *destination, const char *queue_id, int min_level,
                           int preferred_wait_s, const char *customer_no, int vip_level,
                           const char *account_manager)
{
	pcrm_tel_dial_spec d = PCRM_TEL_DIAL_SPEC_INIT;
	pcrm_tel_customer who;
	int rc;

	memset(&who, 0, sizeof(who));
	if (customer_no && (strlen(customer_no) >= sizeof(who.customer_no) ||
	                    (account_manager && strlen(account_manager) >= sizeof(who.account_manager))))
	{
		pcrm_py_invalid("customer: customer_no or account_manager too long");
		return NULL;
	}
	if (customer_no) {
		strcpy(who.customer_no, customer_no);
		strcpy(who.account_manager, account_manager ? account_manager : "");
		who.vip_level = vip_level;
		d.customer = &who;
	}
	d.call_id = call_id;
	d.device_id = device_id;
	d.destination = destination;
	d.queue_id = queue_id;
	d.min_level = min_level;
	d.preferred_wait_s = preferred_wait_s;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_tel_dial(tel, &d);
	Py_END_ALLOW_THREADS
	return pcrm_py_status(rc);
}

/** pcrm_tel_snapshot_agent(tel, agent_id, device_id, state, reason). */
PyObject *pcrm_py_tel_snapshot_agent(pcrm_tel *tel, const char *agent_id, const char *device_id,
                                     int state, const char *reason)
{
	pcrm_tel_snapshot_agent_info a = PCRM_TEL_SNAPSHOT_AGENT_INIT;
	int rc;
	a.agent_id = agent_id;
	a.device_id = device_id;
	a.state = (pcrm_tel_agent_state)state;
	a.reason = reason;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_tel_snapshot_agent(tel, &a);
	Py_END_ALLOW_THREADS
	return pcrm_py_status(rc);
}

/** pcrm_tel_snapshot_call(tel, call_id, state, device_id, caller_number, dialled_number,
 *  digits, service, since). */
PyObject *pcrm_py_tel_snapshot_call(pcrm_tel *tel, const char *call_id, int state,
                                    const char *device_id, const char *caller_number,
                                    const char *dialled_number, const char *digits,
                                    const char *service, long long since)
{
	pcrm_tel_snapshot_call_info c = PCRM_TEL_SNAPSHOT_CALL_INIT;
	int rc;
	c.call_id = call_id;
	c.state = (pcrm_tel_call_state)state;
	c.device_id = device_id;
	c.caller_number = caller_number;
	c.dialled_number = dialled_number;
	c.digits = digits;
	c.service = service;
	c.since = (pcrm_acd_ms)since;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_tel_snapshot_call(tel, &c);
	Py_END_ALLOW_THREADS
	return pcrm_py_status(rc);
}
%}
