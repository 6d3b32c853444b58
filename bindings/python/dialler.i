/*
 * libpowercrm - SWIG interface of the voice campaign dialler (dialler.h),
 * %included at the end of powercrm.i after telephony.i and outbound.i,
 * whose rules and helpers apply.
 *
 * What needs more than those rules:
 *   - pcrm_dialler_new takes its options as arguments (a helper renamed to
 *     the C name), the strings copied by the library;
 *   - pcrm_dialler_event_feed takes the event's fields as arguments, like
 *     pcrm_tel_event_feed (telephony.i), and raises with `reject` the same way;
 *   - pcrm_dialler_event_record takes the store arguments, then the event's
 *     fields, like pcrm_dialler_event_feed;
 *   - pcrm_dialler_set_predictive takes `enabled` and the settings as
 *     arguments (0: back to progressive);
 *   - the `out` of pcrm_dialler_run, pcrm_dialler_pace_get and
 *     pcrm_campaign_call_stats_get arrives with its version set.
 */

PCRM_OWNED_OUT(pcrm_dialler, pcrm_dialler_free)

%ignore pcrm_dialler_options;
%ignore pcrm_dialler_new;
%ignore pcrm_dialler_event_feed;
%ignore pcrm_dialler_event_record;
%ignore pcrm_dialler_predictive;
%ignore pcrm_dialler_set_predictive;
%rename(pcrm_dialler_new) pcrm_py_dialler_new;
%rename(pcrm_dialler_event_feed) pcrm_py_dialler_event_feed;
%rename(pcrm_dialler_event_record) pcrm_py_dialler_event_record;
%rename(pcrm_dialler_set_predictive) pcrm_py_dialler_set_predictive;
%feature("nothreadallow") pcrm_py_dialler_new;
%feature("nothreadallow") pcrm_py_dialler_event_feed;
%feature("nothreadallow") pcrm_py_dialler_event_record;
%feature("nothreadallow") pcrm_py_dialler_set_predictive;

%apply SWIGTYPE *out { pcrm_dialler_pass *pass };
/* ... with its version set (docs/abi.md), after the %apply it replaces the `in` of. */
%typemap(in, numinputs=0, noblock=1) pcrm_dialler_pass *pass ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_DIALLER_PASS_VERSION;
	$1 = &temp;
}
%typemap(in, numinputs=0, noblock=1) pcrm_campaign_call_stats *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_CAMPAIGN_CALL_STATS_VERSION;
	$1 = &temp;
}
%typemap(in, numinputs=0, noblock=1) pcrm_dialler_pace *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_DIALLER_PACE_VERSION;
	$1 = &temp;
}
%typemap(out) int results, int ready_agents, int in_progress, int capacity, int dialled, int mode
	"$result = PyLong_FromLong((long)$1);"

%immutable;
%include "powercrm/dialler.h"
%mutable;

%inline %{
/**
 * pcrm_dialler_new(acd, tel, campaign_id, queue_id, device_id,
 * pacing_percent, vip_min_level, preferred_wait_s) -> pcrm_dialler.
 */
PyObject *pcrm_py_dialler_new(pcrm_acd *acd, pcrm_tel *tel, const char *campaign_id,
                              const char *queue_id, const char *device_id, int pacing_percent,
                              int vip_min_level, int preferred_wait_s)
{
	pcrm_dialler_options o = PCRM_DIALLER_OPTIONS_INIT;
	pcrm_dialler *d = NULL;
	int rc;

	o.campaign_id = campaign_id;
	o.queue_id = queue_id;
	o.device_id = device_id;
	o.pacing_percent = pacing_percent;
	o.vip_min_level = vip_min_level;
	o.preferred_wait_s = preferred_wait_s;
	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_dialler_new(&d, acd, tel, &o);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		pcrm_py_raise(rc, NULL, NULL);
		return NULL;
	}
	pcrm_py_live_add(1);
	return SWIG_NewPointerObj(SWIG_as_voidptr(d), SWIGTYPE_p_pcrm_dialler, 0);
}

/** pcrm_dialler_event_feed(dialler, <the fields of pcrm_tel_event_feed>). */
PyObject *pcrm_py_dialler_event_feed(pcrm_dialler *d, int type, const char *call_id,
                                     const char *device_id, long long at, const char *agent_id,
                                     const char *other_call_id, const char *destination,
                                     const char *caller_number, const char *dialled_number,
                                     const char *digits, const char *service,
                                     const char *reason)
{
	pcrm_tel_event ev = pcrm_py_tel_event(type, call_id, device_id, at, agent_id, other_call_id,
	                                      destination, caller_number, dialled_number, digits,
	                                      service, reason);
	pcrm_tel_reject kind = PCRM_TEL_ACCEPTED;
	int rc;

	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_dialler_event_feed(d, &ev, &kind);
	Py_END_ALLOW_THREADS
	return pcrm_py_tel_feed_result(rc, kind);
}

/** pcrm_dialler_event_record(dialler, ctx, actor, policy, <the fields of pcrm_tel_event_feed>). */
PyObject *pcrm_py_dialler_event_record(pcrm_dialler *d, pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const pcrm_outbound_policy *policy, int type,
                                       const char *call_id, const char *device_id, long long at,
                                       const char *agent_id, const char *other_call_id,
                                       const char *destination, const char *caller_number,
                                       const char *dialled_number, const char *digits,
                                       const char *service, const char *reason)
{
	pcrm_tel_event ev = pcrm_py_tel_event(type, call_id, device_id, at, agent_id, other_call_id,
	                                      destination, caller_number, dialled_number, digits,
	                                      service, reason);
	pcrm_tel_reject kind = PCRM_TEL_ACCEPTED;
	int rc;

	Py_BEGIN_ALLOW_THREADS
	rc = pcrm_dialler_event_record(d, ctx, actor, policy, &ev, &kind);
	Py_END_ALLOW_THREADS
	return pcrm_py_tel_feed_result(rc, kind);
}

/** pcrm_dialler_set_predictive(dialler, enabled, target_abandon_permille, min_observations, max_percent). */
PyObject *pcrm_py_dialler_set_predictive(pcrm_dialler *d, int enabled,
                                         int target_abandon_permille, int min_observations,
                                         int max_percent)
{
	pcrm_dialler_predictive p = PCRM_DIALLER_PREDICTIVE_INIT;
	int rc;

	p.target_abandon_permille = target_abandon_permille;
	p.min_observations = min_observations;
	p.max_percent = max_percent;
	rc = pcrm_dialler_set_predictive(d, enabled ? &p : NULL);
	if (rc < 0) {
		pcrm_py_raise(rc, NULL, NULL);
		return NULL;
	}
	Py_RETURN_NONE;
}
%}
