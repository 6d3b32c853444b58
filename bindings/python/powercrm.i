/*
 * libpowercrm - SWIG interface for the Python bindings.
 *
 * Generates powercrm.lowlevel (lowlevel.py + the _lowlevel extension) from
 * the public headers only.  The Pythonic layer in powercrm/*.py is what users
 * import; this module is its raw material and follows the C API one to one,
 * with these rules applied by typemaps:
 *
 *   - a function returning int returns a pcrm_status: a negative value raises
 *     the matching powercrm.Error subclass carrying the status and
 *     pcrm_error_last() (the few int functions returning a value are listed
 *     in PCRM_PLAIN_INT below);
 *   - out-parameters become return values: `T **out` an object pointer
 *     (ownership: PCRM_OWNED_OUT), `int/int64_t/pcrm_time/enum *out` an int,
 *     `struct *out` a new owned struct proxy, `char *buf, size_t size` a str
 *     (the caller passes the buffer size); counts that matter on failure
 *     (first_bad, imported, exported) travel on the exception;
 *   - callbacks (pcrm_clock_fn, pcrm_audit_visit_fn, pcrm_progress_fn,
 *     pcrm_write_fn) take Python callables through C trampolines that take
 *     the GIL; an exception raised in a callback is stored and re-raised,
 *     unchanged, when the C call returns;
 *   - built with -threads: every call releases the GIL while in C;
 *   - the array-shaped staffing calls (curve, weekday profile, shift plan)
 *     are small C helpers at the end taking Python sequences.
 *
 * Adding a public header: %include it below, give its `T **out` types an
 * ownership rule (PCRM_OWNED_OUT), its callbacks a trampoline, and list its
 * int functions that do not return a status in PCRM_PLAIN_INT.  The Python
 * test test_api_coverage.py fails until every public function is bound.
 */
%module(package="powercrm", docstring="Raw SWIG bindings of libpowercrm (use the powercrm package instead).") lowlevel

%{
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

/* ---- live native handles: +1 when handed to Python, -1 in the free function ---- */

static long pcrm_py_live_count;

static void pcrm_py_live_add(long delta)
{
	pcrm_py_live_count += delta; /* always called with the GIL held */
}

/* ---- an exception raised inside a callback, waiting for the C call to return ---- */

#if PY_VERSION_HEX >= 0x030C0000
static _Thread_local PyObject *pcrm_py_pending_exc;
#else
static _Thread_local PyObject *pcrm_py_pending_type, *pcrm_py_pending_value, *pcrm_py_pending_tb;
#endif

/* Moves the current Python exception into the pending slot (the first one wins). GIL held. */
static void pcrm_py_stash_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	PyObject *exc = PyErr_GetRaisedException();
	if (pcrm_py_pending_exc)
		Py_XDECREF(exc);
	else
		pcrm_py_pending_exc = exc;
#else
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	if (pcrm_py_pending_type) {
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
	} else {
		pcrm_py_pending_type = type;
		pcrm_py_pending_value = value;
		pcrm_py_pending_tb = tb;
	}
#endif
}

/* Re-raises a pending callback exception; returns 1 when it did.  GIL held. */
static int pcrm_py_pending_raise(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	if (!pcrm_py_pending_exc)
		return 0;
	PyErr_SetRaisedException(pcrm_py_pending_exc);
	pcrm_py_pending_exc = NULL;
#else
	if (!pcrm_py_pending_type)
		return 0;
	PyErr_Restore(pcrm_py_pending_type, pcrm_py_pending_value, pcrm_py_pending_tb);
	pcrm_py_pending_type = pcrm_py_pending_value = pcrm_py_pending_tb = NULL;
#endif
	return 1;
}

/* ---- failing statuses become powercrm.Error subclasses ---- */

static PyObject *pcrm_py_error_factory; /* powercrm.errors._from_status */

static PyObject *pcrm_py_text(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	/* Messages may quote user input cut at a byte limit: never fail on bad UTF-8. */
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/*
 * Raises the exception for `status` with the calling thread's library
 * message; each item of the dict `attrs` (stolen, may be NULL) becomes an
 * attribute of it.  GIL held.
 */
static void pcrm_py_raise_attrs(int status, PyObject *attrs)
{
	PyObject *msg, *exc, *key, *value;
	Py_ssize_t pos = 0;
	const char *text = pcrm_error_last_status() == status ? pcrm_error_last() : "";

	if (!text || !*text)
		text = pcrm_strerror(status); /* no message of its own: the status description */
	if (!pcrm_py_error_factory) {
		PyObject *mod = PyImport_ImportModule("powercrm.errors");
		if (mod) {
			pcrm_py_error_factory = PyObject_GetAttrString(mod, "_from_status");
			Py_DECREF(mod);
		}
		if (!pcrm_py_error_factory) {
			Py_XDECREF(attrs);
			return; /* the import error is raised instead */
		}
	}
	msg = pcrm_py_text(text);
	exc = msg ? PyObject_CallFunction(pcrm_py_error_factory, "iO", status, msg) : NULL;
	Py_XDECREF(msg);
	if (exc && pcrm_error_last_status() == status) {
		/* the structured part and the Chinese rendering travel on the exception */
		PyObject *values = PyDict_New(), *localized;
		char zh[2048];
		for (size_t i = 0; values && i < pcrm_error_value_count(); i++) {
			PyObject *v = pcrm_py_text(pcrm_error_value(i));
			if (!v || PyDict_SetItemString(values, pcrm_error_value_name(i), v) < 0)
				Py_CLEAR(values);
			Py_XDECREF(v);
		}
		(void)pcrm_error_render("zh-CN", zh, sizeof(zh)); /* cut when longer, still valid */
		localized = Py_BuildValue("{s:N}", "zh-CN", pcrm_py_text(zh));
		{
			PyObject *reason = pcrm_py_text(pcrm_error_reason());
			PyObject *field = *pcrm_error_field() ? pcrm_py_text(pcrm_error_field()) :
			                                        (Py_INCREF(Py_None), Py_None);
			if (!values || !localized || !reason || !field ||
			    PyObject_SetAttrString(exc, "reason", reason) < 0 ||
			    PyObject_SetAttrString(exc, "field", field) < 0 ||
			    PyObject_SetAttrString(exc, "values", values) < 0 ||
			    PyObject_SetAttrString(exc, "_localized", localized) < 0)
				Py_CLEAR(exc);
			Py_XDECREF(reason);
			Py_XDECREF(field);
		}
		Py_XDECREF(values);
		Py_XDECREF(localized);
	}
	while (exc && attrs && PyDict_Next(attrs, &pos, &key, &value))
		if (PyObject_SetAttr(exc, key, value) < 0)
			Py_CLEAR(exc);
	Py_XDECREF(attrs);
	if (exc) {
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
}

/* pcrm_py_raise_attrs() with one attribute `attr` (may be NULL) set to `value` (stolen). */
static void pcrm_py_raise(int status, const char *attr, PyObject *value)
{
	PyObject *attrs = attr && value ? PyDict_New() : NULL;
	if (attrs && PyDict_SetItemString(attrs, attr, value) < 0)
		Py_CLEAR(attrs);
	Py_XDECREF(value);
	pcrm_py_raise_attrs(status, attrs);
}

/* ---- callback trampolines ---- */

/* pcrm_clock_fn: userdata is a callable returning an int instant. */
static pcrm_time pcrm_py_clock(void *userdata)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	pcrm_time t = 0;
	int failed = 1;
	PyObject *r = PyObject_CallNoArgs((PyObject *)userdata);

	if (r) {
		long long v = PyLong_AsLongLong(r);
		Py_DECREF(r);
		if (!(v == -1 && PyErr_Occurred())) {
			t = (pcrm_time)v;
			failed = 0;
		}
	}
	if (failed) {
		/* No error channel in a clock: keep the exception for the caller, read the system clock. */
		pcrm_py_stash_exception();
		t = pcrm_clock_system(NULL);
	}
	PyGILState_Release(gil);
	return t;
}

/*
 * pcrm_key_provider_fn: userdata is a callable taking the version and
 * returning the key's bytes, or None when it has no such version.  An
 * exception is kept for the caller (the open fails with PCRM_EIO).
 */
static int pcrm_py_key_provider(void *userdata, unsigned int version,
                                unsigned char key[PCRM_DATA_KEY_LEN])
{
	PyGILState_STATE gil = PyGILState_Ensure();
	int rc = PCRM_EIO;
	PyObject *r = PyObject_CallFunction((PyObject *)userdata, "I", version);

	if (!r) {
		pcrm_py_stash_exception();
	} else if (r == Py_None) {
		rc = PCRM_ENOTFOUND;
	} else if (PyBytes_Check(r) && PyBytes_GET_SIZE(r) == PCRM_DATA_KEY_LEN) {
		memcpy(key, PyBytes_AS_STRING(r), PCRM_DATA_KEY_LEN);
		rc = PCRM_OK;
	}
	Py_XDECREF(r);
	PyGILState_Release(gil);
	return rc;
}

/* pcrm_audit_visit_fn: userdata is a callable taking one tuple per entry; truthy stops. */
static int pcrm_py_audit_visit(const pcrm_audit_entry *e, void *userdata)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	int stop = 1;
	PyObject *r = NULL;
	PyObject *entry = Py_BuildValue("(LLNNNNNNNNNNLN)", (long long)e->seq, (long long)e->at,
	                                pcrm_py_text(e->operator_id), pcrm_py_text(e->role),
	                                pcrm_py_text(e->actor_org), pcrm_py_text(e->action),
	                                pcrm_py_text(e->object_type), pcrm_py_text(e->object_id),
	                                pcrm_py_text(e->summary), pcrm_py_text(e->prev_hash),
	                                pcrm_py_text(e->hash), pcrm_py_text(e->chain),
	                                (long long)e->chain_seq, pcrm_py_text(e->covers));
	if (entry) {
		r = PyObject_CallOneArg((PyObject *)userdata, entry);
		Py_DECREF(entry);
	}
	if (r) {
		int truth = PyObject_IsTrue(r);
		Py_DECREF(r);
		if (truth >= 0)
			stop = truth;
	}
	if (PyErr_Occurred()) {
		pcrm_py_stash_exception();
		stop = 1; /* positive: ends the iteration; the exception is raised on return */
	}
	PyGILState_Release(gil);
	return stop;
}

/* Calls callable(arg) (arg stolen); nonzero when the C caller should stop. GIL taken here. */
static int pcrm_py_call_stop(PyObject *callable, PyObject *arg)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	int stop = 1;
	PyObject *r = NULL;
	if (arg) {
		r = PyObject_CallOneArg(callable, arg);
		Py_DECREF(arg);
	}
	if (r) {
		int truth = PyObject_IsTrue(r);
		Py_DECREF(r);
		if (truth >= 0)
			stop = truth;
	}
	if (PyErr_Occurred()) {
		pcrm_py_stash_exception();
		stop = 1;
	}
	PyGILState_Release(gil);
	return stop;
}

/* pcrm_progress_fn: callable(done) -> truthy stops. */
static int pcrm_py_progress(int64_t done, void *userdata)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *arg = PyLong_FromLongLong((long long)done);
	int stop;
	if (!arg)
		pcrm_py_stash_exception();
	stop = arg ? pcrm_py_call_stop((PyObject *)userdata, arg) : 1;
	PyGILState_Release(gil);
	return stop;
}

/*
 * pcrm_trace_fn: callable(kind, text, duration_ns, count, status).  No error
 * channel: an exception is kept and raised when the traced call returns.
 */
static void pcrm_py_trace(const pcrm_trace_event *ev, void *userdata)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *r = PyObject_CallFunction((PyObject *)userdata, "iNLLi", (int)ev->kind,
	                                    pcrm_py_text(ev->text), (long long)ev->duration_ns,
	                                    (long long)ev->count, ev->status);
	if (r)
		Py_DECREF(r);
	else
		pcrm_py_stash_exception();
	PyGILState_Release(gil);
}

/* pcrm_write_fn: callable(bytes) -> truthy stops. */
static int pcrm_py_write(const char *data, size_t len, void *userdata)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *arg = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
	int stop;
	if (!arg)
		pcrm_py_stash_exception();
	stop = arg ? pcrm_py_call_stop((PyObject *)userdata, arg) : 1;
	PyGILState_Release(gil);
	return stop;
}
%}

/* --------------------------------------------------------------------------------------- */

%include <stdint.i>

/* The export macro means nothing to SWIG. */
#define PCRM_EXTERN(type) type

/*
 * Every wrapped call: the C call runs without the GIL (-threads), then an
 * exception a callback raised during it is re-raised before anything else.
 */
%exception {
	$action
	if (pcrm_py_pending_raise())
		SWIG_fail;
}

/* ---- status results ---- */

%typemap(out, noblock=1) int {
	if ($1 < 0) {
		pcrm_py_raise($1, NULL, NULL);
		SWIG_fail;
	}
	$result = $1 > 0 ? PyLong_FromLong((long)$1) : SWIG_Py_Void();
}

/* int functions and struct members that return a value, not a status. */
%define PCRM_PLAIN_INT
	int pcrm_error_last_status, int pcrm_version_number,
	int pcrm_decimal_cmp, int pcrm_decimal_sign, int pcrm_decimal_is_zero,
	int pcrm_date_weekday, int pcrm_date_is_valid, int pcrm_days_in_month,
	int pcrm_calendar_utc_offset, int pcrm_calendar_is_working_day,
	int pcrm_calendar_is_working_time,
	int pcrm_actor_can, int pcrm_role_min_level,
	int pcrm_schema_version_latest, int pcrm_ctx_utc_offset, int pcrm_ctx_tx_depth,
	int pcrm_org_unit_version,
	int pcrm_customer_vip_level, int pcrm_customer_version, int pcrm_dialler_in_progress,
	int pcrm_contact_duration_seconds, int pcrm_complaint_routed_by_default,
	int replayed, int days_past_due, int prior_year, int residential, int open_items,
	int reminders, int line,
	int pcrm_account_version, int pcrm_metering_point_version, int pcrm_register_is_cumulative,
	int pcrm_workflow_version, int pcrm_workflow_state_is_final,
	int pcrm_workorder_workflow_version, int pcrm_workorder_version, int pcrm_workorder_is_overdue,
	int pcrm_workorder_is_suspended, int pcrm_workorder_reminders, int pcrm_workorder_escalations,
	int overdue_only, int due_within_minutes, int include_closed,
	int year, int month, int day, int hour, int minute, int second, int scale, int level,
	int utc_offset, int limit, int digits, int in_service, int agents, int scheduled,
	int max_agents, int cyclic, int optimal,
	int version, int tier, int prorate_days, int household_size, int low_income, int pf_standard,
	int year_end, int basic_mode, int candidates, int attempts_left, int max_failures,
	int window_seconds, int items, int has_bill, int has_payment, int open, int listed,
	int suspended, int outages, int in_progress, int opened, int promoted, int count
%enddef
%typemap(out) PCRM_PLAIN_INT "$result = PyLong_FromLong((long)$1);"

/* ---- strings in: reject embedded NULs instead of truncating silently ---- */

%typemap(in, noblock=1, fragment="SWIG_AsCharPtrAndSize") const char *
	(int res, char *buf = 0, size_t size = 0, int alloc = 0) {
	res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
	if (!SWIG_IsOK(res)) {
		%argument_fail(res, "$type", $symname, $argnum);
	}
	if (buf && size > 1 && memchr(buf, '\0', size - 1)) {
		PyErr_SetString(PyExc_ValueError, "$symname: argument $argnum contains a NUL character");
		SWIG_fail;
	}
	$1 = ($1_ltype)buf;
}
%typemap(freearg, noblock=1) const char * {
	if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
}

/* ---- out-parameters ---- */

%typemap(in, numinputs=0, noblock=1) int *out (int temp = 0) { $1 = &temp; }
%typemap(argout, noblock=1) int *out {
	$result = SWIG_Python_AppendOutput($result, PyLong_FromLong((long)*$1));
}
%typemap(in, numinputs=0, noblock=1) int64_t *out (int64_t temp = 0), int64_t *checked (int64_t temp = 0),
	int64_t *remaining (int64_t temp = 0) {
	$1 = &temp;
}
%typemap(argout, noblock=1) int64_t *out, int64_t *checked, int64_t *remaining {
	$result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1));
}
%typemap(in, numinputs=0, noblock=1) enum SWIGTYPE *out ($*1_ltype temp) {
	temp = ($*1_ltype)0;
	$1 = &temp;
}
%typemap(argout, noblock=1) enum SWIGTYPE *out {
	$result = SWIG_Python_AppendOutput($result, PyLong_FromLong((long)*$1));
}

/* A plain struct written through `out`: returned as a new struct proxy that Python owns. */
%typemap(in, numinputs=0, noblock=1) SWIGTYPE *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout, noblock=1) SWIGTYPE *out {
	{
		$*1_ltype *copy_ = ($*1_ltype *)malloc(sizeof(*copy_));
		if (!copy_) {
			PyErr_NoMemory();
			SWIG_fail;
		}
		*copy_ = *$1;
		$result = SWIG_Python_AppendOutput($result,
			SWIG_NewPointerObj(SWIG_as_voidptr(copy_), $1_descriptor, SWIG_POINTER_OWN));
	}
}

/*
 * The same for a struct that carries a version (docs/abi.md): the wrapper
 * passes the layout it was compiled with, as C callers do with the _INIT macro.
 */
%define PCRM_VERSIONED_OUT(TYPE, VERSION)
%typemap(in, numinputs=0, noblock=1) TYPE *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = VERSION;
	$1 = &temp;
}
%enddef
PCRM_VERSIONED_OUT(pcrm_acd_agent_info, PCRM_ACD_AGENT_INFO_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_call_info, PCRM_ACD_CALL_INFO_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_queue_counts, PCRM_ACD_QUEUE_COUNTS_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_queue_stats, PCRM_ACD_QUEUE_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_agent_counts, PCRM_ACD_AGENT_COUNTS_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_agent_stats, PCRM_ACD_AGENT_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_acd_engine_stats, PCRM_ACD_ENGINE_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_billing_summary, PCRM_BILLING_SUMMARY_VERSION)
PCRM_VERSIONED_OUT(pcrm_billing_post_summary, PCRM_BILLING_POST_SUMMARY_VERSION)
PCRM_VERSIONED_OUT(pcrm_call_record_sink_stats, PCRM_CALL_RECORD_SINK_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_ledger_summary, PCRM_LEDGER_SUMMARY_VERSION)
PCRM_VERSIONED_OUT(pcrm_reading, PCRM_READING_VERSION)
PCRM_VERSIONED_OUT(pcrm_sim_stats, PCRM_SIM_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_queue_metrics, PCRM_QUEUE_METRICS_VERSION)
PCRM_VERSIONED_OUT(pcrm_staffing_result, PCRM_STAFFING_RESULT_VERSION)
PCRM_VERSIONED_OUT(pcrm_tel_resync_report, PCRM_TEL_RESYNC_REPORT_VERSION)
PCRM_VERSIONED_OUT(pcrm_tel_call_info, PCRM_TEL_CALL_INFO_VERSION)
PCRM_VERSIONED_OUT(pcrm_tel_stats, PCRM_TEL_STATS_VERSION)
PCRM_VERSIONED_OUT(pcrm_contract_terms, PCRM_CONTRACT_TERMS_VERSION)
PCRM_VERSIONED_OUT(pcrm_tier_position, PCRM_TIER_POSITION_VERSION)

/*
 * An object handed out through `T **out`: returned as a pointer the caller
 * frees with FREE exactly once (the Pythonic layer's _Handle does).  If the
 * call fails after the object was made (a callback raised), it is freed here.
 */
%define PCRM_OWNED_OUT(TYPE, FREE)
%typemap(in, numinputs=0, noblock=1) TYPE **out (TYPE *temp = NULL) { $1 = &temp; }
%typemap(argout, noblock=1) TYPE **out {
	if (temp$argnum) {
		$result = SWIG_Python_AppendOutput($result,
			SWIG_NewPointerObj(SWIG_as_voidptr(temp$argnum), $*1_descriptor, 0));
		temp$argnum = NULL;
		pcrm_py_live_add(1);
	} else {
		$result = SWIG_Python_AppendOutput($result, SWIG_Py_Void());
	}
}
%typemap(freearg, noblock=1) TYPE **out { FREE(temp$argnum); }
%exception FREE {
	if (arg1)
		pcrm_py_live_add(-1);
	$action
	if (pcrm_py_pending_raise())
		SWIG_fail;
}
%enddef

/* Any other `T **out` has no ownership rule yet: refuse to generate it. */
%typemap(in, numinputs=0, warning="950:no ownership rule for $1_type out: add PCRM_OWNED_OUT to powercrm.i") SWIGTYPE **out ($*1_ltype temp = NULL) {
	$1 = &temp;
}

PCRM_OWNED_OUT(pcrm_ctx, pcrm_ctx_close)
PCRM_OWNED_OUT(pcrm_calendar, pcrm_calendar_free)
PCRM_OWNED_OUT(pcrm_org_unit, pcrm_org_unit_free)
PCRM_OWNED_OUT(pcrm_org_unit_list, pcrm_org_unit_list_free)
PCRM_OWNED_OUT(pcrm_customer, pcrm_customer_free)
PCRM_OWNED_OUT(pcrm_customer_list, pcrm_customer_list_free)
PCRM_OWNED_OUT(pcrm_contact, pcrm_contact_free)
PCRM_OWNED_OUT(pcrm_contact_list, pcrm_contact_list_free)
PCRM_OWNED_OUT(pcrm_complaint, pcrm_complaint_free)
PCRM_OWNED_OUT(pcrm_complaint_stats, pcrm_complaint_stats_free)
PCRM_OWNED_OUT(pcrm_complaint_report, pcrm_complaint_report_free)
PCRM_OWNED_OUT(pcrm_account, pcrm_account_free)
PCRM_OWNED_OUT(pcrm_account_list, pcrm_account_list_free)
PCRM_OWNED_OUT(pcrm_metering_point, pcrm_metering_point_free)
PCRM_OWNED_OUT(pcrm_metering_point_list, pcrm_metering_point_list_free)
PCRM_OWNED_OUT(pcrm_meter_history, pcrm_meter_history_free)
PCRM_OWNED_OUT(pcrm_reading_list, pcrm_reading_list_free)
PCRM_OWNED_OUT(pcrm_workflow, pcrm_workflow_free)
PCRM_OWNED_OUT(pcrm_workorder, pcrm_workorder_free)
PCRM_OWNED_OUT(pcrm_workorder_list, pcrm_workorder_list_free)
PCRM_OWNED_OUT(pcrm_workorder_history, pcrm_workorder_history_free)
PCRM_OWNED_OUT(pcrm_notification_list, pcrm_notification_list_free)

/* Text the library allocates (free with pcrm_free): returned as a str, freed here. */
%typemap(in, numinputs=0, noblock=1) char **out (char *temp = NULL) { $1 = &temp; }
%typemap(argout, noblock=1, fragment="SWIG_FromCharPtr") char **out {
	$result = SWIG_Python_AppendOutput($result, SWIG_FromCharPtr(*$1));
}
%typemap(freearg, noblock=1) char **out { pcrm_free(temp$argnum); }
PCRM_OWNED_OUT(pcrm_ledger_entry, pcrm_ledger_entry_free)
PCRM_OWNED_OUT(pcrm_ledger_list, pcrm_ledger_list_free)
PCRM_OWNED_OUT(pcrm_arrears, pcrm_arrears_free)
PCRM_OWNED_OUT(pcrm_dunning_list, pcrm_dunning_list_free)
PCRM_OWNED_OUT(pcrm_bank_reconciliation, pcrm_bank_reconciliation_free)
PCRM_OWNED_OUT(pcrm_tariff, pcrm_tariff_free)
PCRM_OWNED_OUT(pcrm_usage, pcrm_usage_free)
PCRM_OWNED_OUT(pcrm_bill, pcrm_bill_free)
PCRM_OWNED_OUT(pcrm_bill_list, pcrm_bill_list_free)
PCRM_OWNED_OUT(pcrm_bill_record, pcrm_bill_record_free)

/* Value outputs not named `out`. */
%include <typemaps.i>
%apply double *OUTPUT { double *erlangs, double *blocking, double *p_wait };
%apply int *OUTPUT { int *lines, int *scheduled, int *version, int *processed, int *replied };

/* Formatted text into a caller buffer: Python passes the buffer size, gets a str. */
%typemap(in, noblock=1) (char *buf, size_t size) (size_t bufsize_ = 0, char *buf_ = NULL) {
	{
		int res_ = SWIG_AsVal_size_t($input, &bufsize_);
		if (!SWIG_IsOK(res_) || bufsize_ == 0 || bufsize_ > 65536) {
			PyErr_SetString(PyExc_ValueError, "$symname: buffer size must be 1..65536");
			SWIG_fail;
		}
	}
	buf_ = (char *)calloc(bufsize_, 1);
	if (!buf_) {
		PyErr_NoMemory();
		SWIG_fail;
	}
	$1 = buf_;
	$2 = bufsize_;
}
%typemap(argout, noblock=1, fragment="SWIG_FromCharPtr") (char *buf, size_t size) {
	$result = SWIG_Python_AppendOutput($result, SWIG_FromCharPtr($1));
}
%typemap(freearg, noblock=1) (char *buf, size_t size) { free(buf_$argnum); }

/* Length-delimited text. */
%apply (char *STRING, size_t LENGTH) { (const char *text, size_t len), (const char *jsonl, size_t len) };

/*
 * Counts that matter on failure too travel on the exception: audit_verify's
 * *first_bad (IntegrityError.first_bad), an import's *imported (batches
 * committed before the failure), an export's *exported.  The status of these
 * functions is checked in the argout typemap, after the count is known.
 */
%typemap(out, noblock=1) int pcrm_audit_verify, int pcrm_audit_verify_checkpoint,
	int pcrm_audit_verify_ext, int pcrm_audit_verify_checkpoint_ext,
	int pcrm_customer_import,
	int pcrm_customer_import_file, int pcrm_customer_export, int pcrm_customer_import_ext,
	int pcrm_customer_import_file_ext {
	$result = SWIG_Py_Void();
}
/* pcrm_workorder_clock_result: (result or None, seconds early > 0 / late < 0) */
%typemap(in, numinputs=0, noblock=1) int64_t *seconds (int64_t temp = 0) { $1 = &temp; }
%typemap(argout, noblock=1) int64_t *seconds {
	/* always a pair: AppendOutput would drop a None result and return the int alone */
	$result = Py_BuildValue("(NL)", $result, (long long)*$1);
	if (!$result)
		SWIG_fail;
}
%typemap(in, numinputs=0, noblock=1) int64_t *first_bad (int64_t temp = 0) { $1 = &temp; }
%typemap(argout, noblock=1) int64_t *first_bad {
	if (result < 0) {
		Py_XDECREF($result);
		$result = NULL;
		pcrm_py_raise(result, "first_bad", PyLong_FromLongLong((long long)*$1));
		SWIG_fail;
	}
}
%typemap(in, numinputs=0, noblock=1) int64_t *imported (int64_t temp = 0),
	int64_t *exported (int64_t temp = 0) {
	$1 = &temp;
}
%typemap(argout, noblock=1) int64_t *imported, int64_t *exported {
	if (result < 0) {
		Py_XDECREF($result);
		$result = NULL;
		pcrm_py_raise(result, "$1_name", PyLong_FromLongLong((long long)*$1));
		SWIG_fail;
	}
	$result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1));
}

/*
 * An import's pcrm_import_result: (imported, already_present) on success; on
 * failure both travel on the exception as attributes of those names.
 */
%typemap(in, numinputs=0, noblock=1) pcrm_import_result *result (pcrm_import_result temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_IMPORT_RESULT_VERSION;
	$1 = &temp;
}
%typemap(argout, noblock=1) pcrm_import_result *result {
	if (result < 0) {
		Py_XDECREF($result);
		$result = NULL;
		pcrm_py_raise_attrs(result, Py_BuildValue("{s:L,s:L}", "imported",
		                                          (long long)$1->imported, "already_present",
		                                          (long long)$1->already_present));
		SWIG_fail;
	}
	$result = SWIG_Python_AppendOutput($result, Py_BuildValue("(LL)", (long long)$1->imported,
	                                                          (long long)$1->already_present));
}

/* ---- callbacks ---- */

%typemap(in, noblock=1) (pcrm_audit_visit_fn visit, void *userdata) {
	if (!PyCallable_Check($input)) {
		PyErr_SetString(PyExc_TypeError, "visit: expected a callable");
		SWIG_fail;
	}
	$1 = pcrm_py_audit_visit;
	$2 = (void *)$input; /* borrowed: the argument tuple holds it during the call */
}

%typemap(in, noblock=1) (pcrm_progress_fn progress, void *userdata) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else if (PyCallable_Check($input)) {
		$1 = pcrm_py_progress;
		$2 = (void *)$input;
	} else {
		PyErr_SetString(PyExc_TypeError, "progress: expected a callable or None");
		SWIG_fail;
	}
}

%typemap(in, noblock=1) (pcrm_write_fn write, void *userdata) {
	if (!PyCallable_Check($input)) {
		PyErr_SetString(PyExc_TypeError, "write: expected a callable taking bytes");
		SWIG_fail;
	}
	$1 = pcrm_py_write;
	$2 = (void *)$input;
}

/* The caller (powercrm.Context) keeps the callable alive while the context uses it. */
%typemap(in, noblock=1) (pcrm_clock_fn clock, void *clock_data) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else if (PyCallable_Check($input)) {
		$1 = pcrm_py_clock;
		$2 = (void *)$input;
	} else {
		PyErr_SetString(PyExc_TypeError, "clock: expected a callable or None");
		SWIG_fail;
	}
}

%typemap(in, noblock=1) (pcrm_trace_fn fn, void *userdata) {
	if ($input == Py_None) {
		$1 = NULL;
		$2 = NULL;
	} else if (PyCallable_Check($input)) {
		$1 = pcrm_py_trace;
		$2 = (void *)$input; /* the Context keeps it alive while it is set */
	} else {
		PyErr_SetString(PyExc_TypeError, "trace: expected a callable or None");
		SWIG_fail;
	}
}

/* ---- plain structs: read-only where fields are borrowed strings ---- */

%immutable pcrm_audit_entry::operator_id;
%immutable pcrm_audit_entry::role;
%immutable pcrm_audit_entry::actor_org;
%immutable pcrm_audit_entry::action;
%immutable pcrm_audit_entry::object_type;
%immutable pcrm_audit_entry::object_id;
%immutable pcrm_audit_entry::summary;
%immutable pcrm_audit_entry::prev_hash;
%immutable pcrm_audit_entry::hash;
%immutable pcrm_audit_entry::chain;
%immutable pcrm_audit_entry::covers;
%immutable pcrm_actor::operator_id;
%immutable pcrm_actor::role;
%immutable pcrm_actor::level;
%immutable pcrm_actor::org_unit;
/* Pointers Python cannot supply: set through pcrm_py_options_set_clock / _set_data_key. */
%ignore pcrm_ctx_options::data_key;
%ignore pcrm_ctx_options::data_key_len;
%ignore pcrm_ctx_options::clock;
%ignore pcrm_ctx_options::clock_data;
%ignore pcrm_ctx_options::key_provider;
%ignore pcrm_ctx_options::key_provider_data;

/*
 * An actor built in one allocation that also holds copies of its strings:
 * the proxy owns it, and the strings live exactly as long as the actor.
 */
%extend pcrm_actor {
	pcrm_actor(const char *operator_id, pcrm_role role, int level, const char *org_unit)
	{
		size_t a = operator_id ? strlen(operator_id) + 1 : 0;
		size_t b = org_unit ? strlen(org_unit) + 1 : 0;
		pcrm_actor *actor = (pcrm_actor *)malloc(sizeof(*actor) + a + b);
		char *p;
		if (!actor)
			return NULL;
		p = (char *)(actor + 1);
		actor->operator_id = a ? (const char *)memcpy(p, operator_id, a) : NULL;
		actor->org_unit = b ? (const char *)memcpy(p + a, org_unit, b) : NULL;
		actor->role = role;
		actor->level = level;
		pcrm_py_live_add(1);
		return actor;
	}
	~pcrm_actor()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
%feature("nothreadallow") pcrm_actor::pcrm_actor;
%feature("nothreadallow") pcrm_actor::~pcrm_actor;

/* A customer query owning copies of its strings, like the actor. */
%immutable pcrm_customer_query::version;
%immutable pcrm_customer_query::customer_no;
%immutable pcrm_customer_query::name_prefix;
%immutable pcrm_customer_query::phone;
%immutable pcrm_customer_query::id_number;
%immutable pcrm_customer_query::org_unit;
%immutable pcrm_customer_query::transformer_area;
%immutable pcrm_customer_query::cursor;
%immutable pcrm_customer_query::limit;
%immutable pcrm_customer_query::name;
%{
static char *pcrm_py_pack(char **p, const char *s)
{
	size_t n;
	char *at;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	at = (char *)memcpy(*p, s, n);
	*p += n;
	return at;
}
%}
%extend pcrm_customer_query {
	pcrm_customer_query(const char *customer_no = NULL, const char *name_prefix = NULL,
	                    const char *phone = NULL, const char *id_number = NULL,
	                    const char *org_unit = NULL, const char *transformer_area = NULL,
	                    const char *cursor = NULL, int limit = 0, const char *name = NULL)
	{
		const char *f[8];
		size_t total = 0;
		pcrm_customer_query init = PCRM_CUSTOMER_QUERY_INIT, *q;
		char *p;
		f[0] = customer_no; f[1] = name_prefix; f[2] = phone; f[3] = id_number;
		f[4] = org_unit; f[5] = transformer_area; f[6] = cursor; f[7] = name;
		for (int i = 0; i < 8; i++)
			total += f[i] ? strlen(f[i]) + 1 : 0;
		q = (pcrm_customer_query *)malloc(sizeof(*q) + total);
		if (!q)
			return NULL;
		*q = init;
		p = (char *)(q + 1);
		q->customer_no = pcrm_py_pack(&p, customer_no);
		q->name_prefix = pcrm_py_pack(&p, name_prefix);
		q->phone = pcrm_py_pack(&p, phone);
		q->id_number = pcrm_py_pack(&p, id_number);
		q->org_unit = pcrm_py_pack(&p, org_unit);
		q->transformer_area = pcrm_py_pack(&p, transformer_area);
		q->cursor = pcrm_py_pack(&p, cursor);
		q->limit = limit;
		q->name = pcrm_py_pack(&p, name);
		pcrm_py_live_add(1);
		return q;
	}
	~pcrm_customer_query()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
%feature("nothreadallow") pcrm_customer_query::pcrm_customer_query;
%feature("nothreadallow") pcrm_customer_query::~pcrm_customer_query;

/* A work-order filter owning copies of its strings, like the customer query. */
%extend pcrm_workorder_filter {
	pcrm_workorder_filter(const char *workflow = NULL, const char *state = NULL,
	                      const char *owner = NULL, const char *org_unit = NULL,
	                      const char *customer_no = NULL, int overdue_only = 0,
	                      int due_within_minutes = -1, int include_closed = 0)
	{
		const char *f[5];
		size_t total = 0;
		pcrm_workorder_filter init = PCRM_WORKORDER_FILTER_INIT, *q;
		char *p;
		f[0] = workflow; f[1] = state; f[2] = owner; f[3] = org_unit; f[4] = customer_no;
		for (int i = 0; i < 5; i++)
			total += f[i] ? strlen(f[i]) + 1 : 0;
		q = (pcrm_workorder_filter *)malloc(sizeof(*q) + total);
		if (!q)
			return NULL;
		*q = init;
		p = (char *)(q + 1);
		q->workflow = pcrm_py_pack(&p, workflow);
		q->state = pcrm_py_pack(&p, state);
		q->owner = pcrm_py_pack(&p, owner);
		q->org_unit = pcrm_py_pack(&p, org_unit);
		q->customer_no = pcrm_py_pack(&p, customer_no);
		q->overdue_only = overdue_only;
		q->due_within_minutes = due_within_minutes;
		q->include_closed = include_closed;
		pcrm_py_live_add(1);
		return q;
	}
	~pcrm_workorder_filter()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
/* An outage to publish, owning copies of its strings, like the actor. */
%immutable pcrm_ivr_outage_spec::version;
%immutable pcrm_ivr_outage_spec::org_unit;
%immutable pcrm_ivr_outage_spec::transformer_area;
%immutable pcrm_ivr_outage_spec::reason;
%immutable pcrm_ivr_outage_spec::master_workorder;
%extend pcrm_ivr_outage_spec {
	pcrm_ivr_outage_spec(const char *org_unit, const char *transformer_area, int kind,
	                     int64_t starts_at, int64_t ends_at, const char *reason,
	                     const char *master_workorder = NULL)
	{
		const char *f[4];
		size_t total = 0;
		pcrm_ivr_outage_spec init = PCRM_IVR_OUTAGE_SPEC_INIT, *q;
		char *p;
		f[0] = org_unit; f[1] = transformer_area; f[2] = reason; f[3] = master_workorder;
		for (int i = 0; i < 4; i++)
			total += f[i] ? strlen(f[i]) + 1 : 0;
		q = (pcrm_ivr_outage_spec *)malloc(sizeof(*q) + total);
		if (!q)
			return NULL;
		*q = init;
		p = (char *)(q + 1);
		q->org_unit = pcrm_py_pack(&p, org_unit);
		q->transformer_area = pcrm_py_pack(&p, transformer_area);
		q->kind = (pcrm_ivr_outage_kind)kind;
		q->starts_at = starts_at;
		q->ends_at = ends_at;
		q->reason = pcrm_py_pack(&p, reason);
		q->master_workorder = pcrm_py_pack(&p, master_workorder);
		pcrm_py_live_add(1);
		return q;
	}
	~pcrm_ivr_outage_spec()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
/* The items of IVR answers: arrays in C, one at a time in Python. */
%extend pcrm_ivr_workorders_answer {
	const pcrm_ivr_workorder_progress *item(int i)
	{
		return i >= 0 && i < $self->listed ? &$self->items[i] : NULL;
	}
}
%extend pcrm_ivr_outage_answer {
	const pcrm_ivr_outage_info *item(int i)
	{
		return i >= 0 && i < $self->listed ? &$self->items[i] : NULL;
	}
}
%extend pcrm_ivr_menu {
	const pcrm_ivr_menu_entry *at(int i)
	{
		return i >= 0 && i < $self->count ? &$self->items[i] : NULL;
	}
}
/* Bill customer attributes owning a copy of the usage class, like the actor. */
%immutable pcrm_bill_customer::usage_class;
%extend pcrm_bill_customer {
	pcrm_bill_customer(const char *usage_class = NULL)
	{
		size_t n = usage_class ? strlen(usage_class) + 1 : 0;
		pcrm_bill_customer init = PCRM_BILL_CUSTOMER_INIT;
		pcrm_bill_customer *c = (pcrm_bill_customer *)malloc(sizeof(*c) + n);
		if (!c)
			return NULL;
		*c = init;
		c->usage_class = n ? (const char *)memcpy(c + 1, usage_class, n) : NULL;
		pcrm_py_live_add(1);
		return c;
	}
	~pcrm_bill_customer()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
/* Contract terms start at PCRM_CONTRACT_TERMS_INIT (its version set), like a C caller's. */
%extend pcrm_contract_terms {
	pcrm_contract_terms()
	{
		pcrm_contract_terms init = PCRM_CONTRACT_TERMS_INIT;
		pcrm_contract_terms *c = (pcrm_contract_terms *)malloc(sizeof(*c));
		if (c)
			*c = init;
		return c;
	}
}
%feature("nothreadallow") pcrm_workorder_filter::pcrm_workorder_filter;
%feature("nothreadallow") pcrm_workorder_filter::~pcrm_workorder_filter;
%feature("nothreadallow") pcrm_bill_customer::pcrm_bill_customer;
%feature("nothreadallow") pcrm_bill_customer::~pcrm_bill_customer;
/* URDB import options owning copies of their strings, like the bill customer. */
%immutable pcrm_urdb_options::id;
%immutable pcrm_urdb_options::effective_from;
%immutable pcrm_urdb_options::currency;
%immutable pcrm_urdb_options::rounding;
%immutable pcrm_urdb_options::utc_offset;
%immutable pcrm_urdb_options::time_zone;
%extend pcrm_urdb_options {
	pcrm_urdb_options(const char *id = NULL, int64_t tariff_version = 0,
	                  const char *effective_from = NULL, const char *currency = NULL,
	                  const char *rounding = NULL, const char *utc_offset = NULL,
	                  const char *time_zone = NULL)
	{
		const char *in[6] = { id, effective_from, currency, rounding, utc_offset, time_zone };
		const char *copy[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
		pcrm_urdb_options init = PCRM_URDB_OPTIONS_INIT;
		pcrm_urdb_options *o;
		size_t n = 0;
		char *p;
		for (int i = 0; i < 6; i++)
			n += in[i] ? strlen(in[i]) + 1 : 0;
		if (!(o = (pcrm_urdb_options *)malloc(sizeof(*o) + n)))
			return NULL;
		p = (char *)(o + 1);
		for (int i = 0; i < 6; i++) {
			if (!in[i])
				continue;
			copy[i] = (const char *)memcpy(p, in[i], strlen(in[i]) + 1);
			p += strlen(in[i]) + 1;
		}
		*o = init;
		o->id = copy[0];
		o->tariff_version = tariff_version;
		o->effective_from = copy[1];
		o->currency = copy[2];
		o->rounding = copy[3];
		o->utc_offset = copy[4];
		o->time_zone = copy[5];
		pcrm_py_live_add(1);
		return o;
	}
	~pcrm_urdb_options()
	{
		pcrm_py_live_add(-1);
		free($self);
	}
}
%feature("nothreadallow") pcrm_urdb_options::pcrm_urdb_options;
%feature("nothreadallow") pcrm_urdb_options::~pcrm_urdb_options;

/* ---- the public headers ---- */

%include "powercrm/version.h"
%include "powercrm/common.h"
%include "powercrm/decimal.h"
%include "powercrm/time.h"
%include "powercrm/calendar.h"
%include "powercrm/actor.h"
%include "powercrm/ctx.h"
/* Python receives the event's fields as a TraceEvent (pcrm_py_trace), not the struct. */
%ignore pcrm_trace_event;
%include "powercrm/trace.h"
%include "powercrm/org.h"
%include "powercrm/audit.h"
%include "powercrm/customer.h"
/* Records the library hands out: read-only in Python (contract terms are also passed in). */
%feature("immutable", "0") pcrm_contract_terms::contract_capacity_kva;
%feature("immutable", "0") pcrm_contract_terms::contract_demand_kw;
%feature("immutable", "0") pcrm_contract_terms::pf_standard;
%feature("immutable", "0") pcrm_contract_terms::supply_start;
%feature("immutable", "0") pcrm_contract_terms::supply_end;
%feature("immutable", "0") pcrm_contract_terms::basic_mode;
%immutable;
%include "powercrm/metering.h"
%include "powercrm/contact.h"
%include "powercrm/complaint.h"
/* pcrm_complaint_period(): the two ends come back as a tuple (from, to). */
%apply int64_t *out { pcrm_time *period_from, pcrm_time *period_to };
%include "powercrm/complaint_report.h"
%include "powercrm/workflow.h"
%include "powercrm/ledger.h"
%mutable;
/* Array-shaped staffing calls are bound through the helpers at the end of this file. */
%ignore pcrm_staffing_curve;
%ignore pcrm_staffing_weekday_profile;
%ignore pcrm_staffing_shift_plan;
%ignore pcrm_shift_problem;
%ignore pcrm_shift::pattern;
%include "powercrm/staffing.h"
/* Bill lines are records the library hands out: read-only in Python. */
%immutable pcrm_bill_line::kind;
%immutable pcrm_bill_line::code;
%immutable pcrm_bill_line::period;
%immutable pcrm_bill_line::tier;
%immutable pcrm_bill_line::item;
%immutable pcrm_bill_line::name;
%immutable pcrm_bill_line::quantity;
%immutable pcrm_bill_line::unit;
%immutable pcrm_bill_line::unit_price;
%immutable pcrm_bill_line::prorate_days;
%immutable pcrm_bill_line::amount;
%include "powercrm/tariff.h"
%include "powercrm/urdb.h"
/* Stored bills are records the library hands out: read-only in Python. */
%immutable;
%include "powercrm/billing.h"
%mutable;
%include "powercrm/ivr.h"

/* ---- helpers for what the headers express with C-only types ---- */

%feature("nothreadallow") pcrm_py_live_handles;
%feature("nothreadallow") pcrm_py_staffing_curve;
%feature("nothreadallow") pcrm_py_staffing_weekday_profile;
%feature("nothreadallow") pcrm_py_staffing_shift_plan;
%rename(pcrm_staffing_curve) pcrm_py_staffing_curve;
%rename(pcrm_staffing_weekday_profile) pcrm_py_staffing_weekday_profile;
%rename(pcrm_staffing_shift_plan) pcrm_py_staffing_shift_plan;
%feature("nothreadallow") pcrm_py_options_set_clock;
%feature("nothreadallow") pcrm_py_options_set_data_key;
%feature("nothreadallow") pcrm_py_options_set_key_provider;

%inline %{
/** Native objects handed to Python and not yet freed (contexts, calendars, units, lists, actors). */
long pcrm_py_live_handles(void)
{
	return pcrm_py_live_count;
}

/** Sets a Python callable (or None) as the clock of `opts`; the caller keeps `clock` alive. */
void pcrm_py_options_set_clock(pcrm_ctx_options *opts, PyObject *clock)
{
	if (!opts)
		return;
	if (clock == Py_None || !PyCallable_Check(clock)) {
		opts->clock = NULL;
		opts->clock_data = NULL;
	} else {
		opts->clock = pcrm_py_clock;
		opts->clock_data = clock;
	}
}

/**
 * Sets a Python callable (or None) as the key provider of `opts`: called with
 * a version, it returns 32 bytes or None.  The caller keeps it alive until
 * pcrm_ctx_open() has returned.
 */
void pcrm_py_options_set_key_provider(pcrm_ctx_options *opts, PyObject *provider)
{
	if (!opts)
		return;
	if (!provider || provider == Py_None || !PyCallable_Check(provider)) {
		opts->key_provider = NULL;
		opts->key_provider_data = NULL;
	} else {
		opts->key_provider = pcrm_py_key_provider;
		opts->key_provider_data = provider;
	}
}

/**
 * Points opts->data_key at the bytes of `key` (or NULL for None); the caller
 * keeps `key` alive until pcrm_ctx_open() has returned.
 */
void pcrm_py_options_set_data_key(pcrm_ctx_options *opts, PyObject *key)
{
	if (!opts)
		return;
	if (key && PyBytes_Check(key)) {
		opts->data_key = (const unsigned char *)PyBytes_AS_STRING(key);
		opts->data_key_len = (size_t)PyBytes_GET_SIZE(key);
	} else {
		opts->data_key = NULL;
		opts->data_key_len = 0;
	}
}
%}

/* ---- staffing: Python sequences in, tuples out, the computation without the GIL ---- */

%{
/* Raises InvalidInput with a message of the binding's own (a malformed Python argument). */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void pcrm_py_invalid(const char *fmt, ...);
static void pcrm_py_invalid(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!pcrm_py_error_factory)
		pcrm_py_raise(PCRM_EINVAL, NULL, NULL); /* loads the factory (and raises) */
	if (pcrm_py_error_factory) {
		PyObject *exc;
		PyErr_Clear();
		exc = PyObject_CallFunction(pcrm_py_error_factory, "is", PCRM_EINVAL, msg);
		if (exc) {
			PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
			Py_DECREF(exc);
		}
	}
}

/* A sequence of (calls, aht_s) pairs as a malloc'ed array; NULL with an exception on error. */
static pcrm_forecast_interval *pcrm_py_intervals(PyObject *seq, const char *what, size_t *count)
{
	PyObject *fast = PySequence_Fast(seq, "expected a sequence of (calls, aht_s) pairs");
	pcrm_forecast_interval *v;
	Py_ssize_t n;
	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	v = (pcrm_forecast_interval *)calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
	if (!v) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return NULL;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *pair = PySequence_Fast_GET_ITEM(fast, i);
		PyObject *a = NULL, *b = NULL;
		if (PySequence_Check(pair) && PySequence_Size(pair) == 2) {
			a = PySequence_GetItem(pair, 0);
			b = PySequence_GetItem(pair, 1);
		}
		if (a && b) {
			v[i].calls = PyFloat_AsDouble(a);
			v[i].aht_s = PyFloat_AsDouble(b);
		}
		Py_XDECREF(a);
		Py_XDECREF(b);
		if (!a || !b || PyErr_Occurred()) {
			PyErr_Clear();
			pcrm_py_invalid("%s[%zd]: expected a (calls, aht_s) pair of numbers", what, i);
			free(v);
			Py_DECREF(fast);
			return NULL;
		}
	}
	Py_DECREF(fast);
	*count = (size_t)n;
	return v;
}

/* A sequence of ints as a malloc'ed array of exactly `expect` entries. */
static int *pcrm_py_ints(PyObject *seq, const char *what, size_t expect)
{
	PyObject *fast = PySequence_Fast(seq, "expected a sequence of ints");
	int *v;
	if (!fast)
		return NULL;
	if ((size_t)PySequence_Fast_GET_SIZE(fast) != expect) {
		pcrm_py_invalid("%s: %zd entries, expected %zu", what, PySequence_Fast_GET_SIZE(fast),
		                expect);
		Py_DECREF(fast);
		return NULL;
	}
	v = (int *)calloc(expect ? expect : 1, sizeof(*v));
	if (!v) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return NULL;
	}
	for (size_t i = 0; i < expect; i++) {
		int overflow = 0;
		long x = PyLong_AsLongAndOverflow(PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)i),
		                                  &overflow);
		if ((x == -1 && PyErr_Occurred()) || overflow || x < INT_MIN || x > INT_MAX) {
			PyErr_Clear();
			pcrm_py_invalid("%s[%zu]: expected an int", what, i);
			free(v);
			Py_DECREF(fast);
			return NULL;
		}
		v[i] = (int)x;
	}
	Py_DECREF(fast);
	return v;
}

static PyObject *pcrm_py_int_list(const int *v, size_t n)
{
	PyObject *list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *x = PyLong_FromLong(v[i]);
		if (!x) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, x);
	}
	return list;
}

static PyObject *pcrm_py_metrics_tuple(const pcrm_queue_metrics *m)
{
	return Py_BuildValue("(dddddddd)", m->erlangs, m->p_wait, m->p_abandon, m->service_level,
	                     m->service_level_excl, m->asa_s, m->avg_wait_s, m->occupancy);
}
%}

%inline %{
/**
 * pcrm_staffing_curve(intervals, interval_s, patience_s, target): `intervals`
 * is a sequence of (calls, aht_s); returns a list of (agents, scheduled,
 * metrics) with metrics the 8 fields of pcrm_queue_metrics in order.
 */
PyObject *pcrm_py_staffing_curve(PyObject *intervals, double interval_s, double patience_s,
                                 const pcrm_staffing_target *target)
{
	size_t n = 0;
	int rc;
	pcrm_staffing_result *res;
	PyObject *list;
	pcrm_forecast_interval *v = pcrm_py_intervals(intervals, "intervals", &n);
	if (!v)
		return NULL;
	res = (pcrm_staffing_result *)calloc(n ? n : 1, sizeof(*res));
	if (!res) {
		free(v);
		return PyErr_NoMemory();
	}
	res[0].version = PCRM_STAFFING_RESULT_VERSION; /* the layout of the whole array */
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_staffing_curve(v, n, interval_s, patience_s, target, res);
	Py_END_ALLOW_THREADS
	free(v);
	if (rc < 0) {
		free(res);
		pcrm_py_raise(rc, NULL, NULL);
		return NULL;
	}
	list = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; list && i < n; i++) {
		PyObject *item = Py_BuildValue("(iiN)", res[i].agents, res[i].scheduled,
		                               pcrm_py_metrics_tuple(&res[i].metrics));
		if (!item) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	free(res);
	return list;
}

/**
 * pcrm_staffing_weekday_profile(history, per_day, first_weekday): `history`
 * is a sequence of days * per_day (calls, aht_s); returns (profile, samples)
 * with profile 7 * per_day (calls, aht_s) and samples 7 day counts.
 */
PyObject *pcrm_py_staffing_weekday_profile(PyObject *history, size_t per_day, int first_weekday)
{
	size_t n = 0, days;
	int rc, samples[7] = { 0 };
	pcrm_forecast_interval *profile;
	PyObject *list, *result;
	pcrm_forecast_interval *v = pcrm_py_intervals(history, "history", &n);
	if (!v)
		return NULL;
	if (per_day > 0 && n % per_day != 0) {
		pcrm_py_invalid("history: %zu intervals are not whole days of %zu", n, per_day);
		free(v);
		return NULL;
	}
	days = per_day > 0 ? n / per_day : 0;
	profile = (pcrm_forecast_interval *)calloc(per_day ? 7 * per_day : 1, sizeof(*profile));
	if (!profile) {
		free(v);
		return PyErr_NoMemory();
	}
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_staffing_weekday_profile(v, days, per_day, first_weekday, profile, samples);
	Py_END_ALLOW_THREADS
	free(v);
	if (rc < 0) {
		free(profile);
		pcrm_py_raise(rc, NULL, NULL);
		return NULL;
	}
	list = PyList_New((Py_ssize_t)(7 * per_day));
	for (size_t i = 0; list && i < 7 * per_day; i++) {
		PyObject *item = Py_BuildValue("(dd)", profile[i].calls, profile[i].aht_s);
		if (!item) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	free(profile);
	if (!list)
		return NULL;
	result = Py_BuildValue("(NN)", list, pcrm_py_int_list(samples, 7));
	return result;
}

/**
 * pcrm_staffing_shift_plan(required, max_staffed, cyclic, shifts, objective):
 * `required` (and `max_staffed`, or None) one int per interval; `shifts` a
 * sequence of (start, length, pattern, cost, max_agents) with pattern None or
 * one byte per interval (bytes).  Returns (counts, staffed, (cost, agents,
 * shortage, surplus, optimal)).
 */
PyObject *pcrm_py_staffing_shift_plan(PyObject *required, PyObject *max_staffed, int cyclic,
                                      PyObject *shifts, int objective)
{
	pcrm_shift_problem problem = PCRM_SHIFT_PROBLEM_INIT;
	pcrm_shift_plan plan = PCRM_SHIFT_PLAN_INIT;
	pcrm_shift *sh = NULL;
	int *req = NULL, *cap = NULL, *counts = NULL, *staffed = NULL, rc;
	PyObject *fast = NULL, *result = NULL;
	Py_ssize_t nreq = PySequence_Size(required), nsh;

	if (nreq < 0)
		return NULL;
	problem.intervals = (size_t)nreq;
	req = pcrm_py_ints(required, "required", problem.intervals);
	if (!req)
		goto done;
	if (max_staffed != Py_None) {
		cap = pcrm_py_ints(max_staffed, "max_staffed", problem.intervals);
		if (!cap)
			goto done;
	}
	fast = PySequence_Fast(shifts, "shifts: expected a sequence");
	if (!fast)
		goto done;
	nsh = PySequence_Fast_GET_SIZE(fast);
	sh = (pcrm_shift *)calloc(nsh > 0 ? (size_t)nsh : 1, sizeof(*sh));
	counts = (int *)calloc(nsh > 0 ? (size_t)nsh : 1, sizeof(*counts));
	staffed = (int *)calloc(problem.intervals ? problem.intervals : 1, sizeof(*staffed));
	if (!sh || !counts || !staffed) {
		PyErr_NoMemory();
		goto done;
	}
	for (Py_ssize_t i = 0; i < nsh; i++) {
		PyObject *t = PySequence_Fast_GET_ITEM(fast, i), *pattern = NULL;
		unsigned long long start = 0, length = 0;
		long long cost = 0;
		int max_agents = 0;
		if (!PyTuple_Check(t) ||
		    !PyArg_ParseTuple(t, "KKOLi", &start, &length, &pattern, &cost, &max_agents)) {
			PyErr_Clear();
			pcrm_py_invalid("shifts[%zd]: expected (start, length, pattern, cost, max_agents)", i);
			goto done;
		}
		sh[i].start = (size_t)start;
		sh[i].length = (size_t)length;
		sh[i].cost = (int64_t)cost;
		sh[i].max_agents = max_agents;
		if (pattern != Py_None) {
			if (!PyBytes_Check(pattern) ||
			    (size_t)PyBytes_GET_SIZE(pattern) != problem.intervals) {
				pcrm_py_invalid("shifts[%zd].pattern: expected %zu bytes, one per interval", i,
				                problem.intervals);
				goto done;
			}
			/* Borrowed from the bytes object, which `shifts` keeps alive during the call. */
			sh[i].pattern = (const unsigned char *)PyBytes_AS_STRING(pattern);
		}
	}
	problem.required = req;
	problem.max_staffed = cap;
	problem.cyclic = cyclic;
	problem.shifts = sh;
	problem.shift_count = (size_t)nsh;
	problem.objective = (pcrm_shift_objective)objective;
	plan = (pcrm_shift_plan)PCRM_SHIFT_PLAN_INIT;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_staffing_shift_plan(&problem, counts, staffed, &plan);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		pcrm_py_raise(rc, NULL, NULL);
		goto done;
	}
	result = Py_BuildValue("(NN(LLLLi))", pcrm_py_int_list(counts, (size_t)nsh),
	                       pcrm_py_int_list(staffed, problem.intervals), (long long)plan.cost,
	                       (long long)plan.agents, (long long)plan.shortage,
	                       (long long)plan.surplus, plan.optimal);
done:
	Py_XDECREF(fast);
	free(req);
	free(cap);
	free(sh);
	free(counts);
	free(staffed);
	return result;
}
%}

/* ---- the ACD engine and the call records ---- */

%include "acd.i"
/* ---- the simulated switch ---- */

%include "sim.i"
/* ---- the telephony adapter layer ---- */

%include "telephony.i"
/* ---- the knowledge base ---- */

%include "kb.i"
/* ---- notifications and outbound campaigns ---- */

%include "outbound.i"
/* ---- the voice campaign dialler (dialler.i) ---- */
%include "dialler.i"
