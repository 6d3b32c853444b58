/*
 * libpowercrm - SWIG interface of notifications and outbound campaigns
 * (outbound.h), %included at the end of powercrm.i; the status, out and
 * callback rules of powercrm.i and telephony.i apply.
 *
 * What needs more than those rules:
 *   - the channel table: a Python object whose methods sms, email, wechat,
 *     voice, letter (each optional: a missing one is a NULL entry, the
 *     channel is skipped) take (message_id, customer_no, destination, body,
 *     attempt).  A method returns None or the gateway's reference (str):
 *     accepted; False: refused for good (PCRM_EINVAL, the next channel);
 *     one that raises is a passing failure (retried after the back-off) and
 *     its exception is re-raised when pcrm_outbound_deliver returns.
 *     pcrm_outbound_deliver is a helper taking that object, renamed to the
 *     C name; it holds the GIL throughout (the methods run on its thread);
 *   - the policy: a constructor giving PCRM_OUTBOUND_POLICY_INIT, its
 *     fallback array set one entry at a time (set_fallback);
 *   - the `out` of pcrm_campaign_stats_get and pcrm_outbound_deliver arrives
 *     with its version set.
 */

%{
static int pcrm_py_outbound_send(void *userdata, const pcrm_outbound_message *m, char *ref,
                                 size_t size)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	const char *name = pcrm_outbound_channel_name(m->channel);
	PyObject *fn = name ? PyObject_GetAttrString((PyObject *)userdata, name) : NULL, *r = NULL;
	int rc = PCRM_EIO;

	if (fn)
		r = PyObject_CallFunction(fn, "ssssi", m->message_id, m->customer_no, m->destination,
		                          m->body, m->attempt);
	if (r == Py_None) {
		rc = PCRM_OK;
	} else if (r == Py_False) {
		rc = PCRM_EINVAL;
	} else if (r && PyUnicode_Check(r)) {
		const char *s = PyUnicode_AsUTF8(r);
		if (s) {
			snprintf(ref, size, "%s", s);
			rc = PCRM_OK;
		}
	} else if (r) {
		PyErr_Format(PyExc_TypeError, "channels.%s returned a %s, expected None, a str or False",
		             name, Py_TYPE(r)->tp_name);
	}
	Py_XDECREF(r);
	Py_XDECREF(fn);
	if (PyErr_Occurred()) {
		rc = PCRM_EIO;
		pcrm_py_stash_exception(); /* raised when pcrm_outbound_deliver returns */
	}
	PyGILState_Release(gil);
	return rc;
}
%}

%ignore pcrm_outbound_message;
%ignore pcrm_outbound_channels;
%ignore pcrm_outbound_deliver;
%ignore pcrm_outbound_policy::fallback;
%rename(pcrm_outbound_deliver) pcrm_py_outbound_deliver;
%feature("nothreadallow") pcrm_py_outbound_deliver;
%feature("nothreadallow") pcrm_outbound_policy::pcrm_outbound_policy;
%feature("nothreadallow") pcrm_outbound_policy::~pcrm_outbound_policy;
%feature("nothreadallow") pcrm_outbound_policy::set_fallback;

%apply (char *buf, size_t size) { (char *id_out, size_t id_size) };
%apply int *OUTPUT { int *attempts };
%apply int64_t *out { int64_t *queued };
%apply int64_t *out { int64_t *handed };
%typemap(in, numinputs=0, noblock=1) pcrm_campaign_stats *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_CAMPAIGN_STATS_VERSION;
	$1 = &temp;
}
%typemap(in, numinputs=0, noblock=1) pcrm_outbound_pass *out ($*1_ltype temp) {
	memset(&temp, 0, sizeof(temp));
	temp.version = PCRM_OUTBOUND_PASS_VERSION;
	$1 = &temp;
}
%typemap(out) int sent, int retried, int failed, int deferred, int suppressed
	"$result = PyLong_FromLong((long)$1);"

%extend pcrm_outbound_policy {
	pcrm_outbound_policy()
	{
		static const pcrm_outbound_policy init = PCRM_OUTBOUND_POLICY_INIT;
		pcrm_outbound_policy *p = (pcrm_outbound_policy *)malloc(sizeof(*p));
		if (p)
			*p = init;
		return p;
	}
	~pcrm_outbound_policy() { free($self); }
	/** Entry i (0..4) of the fallback order; 0 ends the list. */
	void set_fallback(int i, int channel)
	{
		if (i >= 0 && i < PCRM_OUTBOUND_CHANNEL_COUNT)
			$self->fallback[i] = (pcrm_outbound_channel)channel;
	}
}

%inline %{
int pcrm_py_outbound_deliver(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                             PyObject *channels, const pcrm_outbound_policy *policy, int limit,
                             pcrm_outbound_pass *out)
{
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	c.userdata = channels;
	if (PyObject_HasAttrString(channels, "sms"))
		c.sms = pcrm_py_outbound_send;
	if (PyObject_HasAttrString(channels, "email"))
		c.email = pcrm_py_outbound_send;
	if (PyObject_HasAttrString(channels, "wechat"))
		c.wechat = pcrm_py_outbound_send;
	if (PyObject_HasAttrString(channels, "voice"))
		c.voice = pcrm_py_outbound_send;
	if (PyObject_HasAttrString(channels, "letter"))
		c.letter = pcrm_py_outbound_send;
	return pcrm_outbound_deliver(ctx, actor, org_unit, &c, policy, limit, out);
}
%}

%include "powercrm/outbound.h"
