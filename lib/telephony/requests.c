/*
 * Requests from desktops (telephony.h, Requests from desktops): check the
 * call's state as the adapter knows it, pick the device, ask the switch.
 * Nothing changes here: the switch's events confirm.
 */
#include <string.h>

#include "tel_internal.h"
#include "core/error.h"

#define ST(s) (1u << (s))
#define ANY_STATE (ST(PCRM_TEL_CALL_OFFERED) | ST(PCRM_TEL_CALL_QUEUED) | \
	ST(PCRM_TEL_CALL_ALERTING) | ST(PCRM_TEL_CALL_CONNECTED) | ST(PCRM_TEL_CALL_HELD))

/* What a request needs from the call, copied out under the lock. */
struct req {
	char call[TEL_ID_SIZE];
	char device[TEL_ID_SIZE];
	char other[TEL_ID_SIZE];
	char queue_device[TEL_ID_SIZE];
	int recording;
};

static int check_number(const char *what, const char *field, const char *v)
{
	if (tel_empty(v))
		return pcrm__error(PCRM_EINVAL, "%s: %s: missing", what, field);
	if (strlen(v) > PCRM_TEL_NUMBER_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %s: longer than %d bytes", what, field,
		                   PCRM_TEL_NUMBER_MAX);
	return PCRM_OK;
}

/* Finds the call in one of the `states`, the device acting (given, or the call's). Lock held. */
static int find_call(pcrm_tel *tel, const char *what, const char *call_id, const char *device_id,
                     unsigned states, int need_device, struct req *r)
{
	struct tel_call *call = tel_call_find(tel, call_id);
	if (!call)
		return tel_cleared_has(tel, call_id)
			? pcrm__error(PCRM_ESTATE, "%s: call %.63s has been cleared", what, call_id)
			: pcrm__error(PCRM_ENOTFOUND, "%s: call %.63s is not tracked", what, call_id);
	if (!(states & ST(call->state)))
		return pcrm__error(PCRM_ESTATE, "%s: not allowed while call %.63s is %s", what,
		                   call_id, pcrm_tel_call_state_name(call->state));
	tel_copy(r->call, sizeof(r->call), call->id);
	tel_copy(r->device, sizeof(r->device), tel_empty(device_id) ? call->device : device_id);
	tel_copy(r->queue_device, sizeof(r->queue_device), call->queue_device);
	r->recording = call->recording;
	if (need_device && tel_empty(r->device))
		return pcrm__error(PCRM_ESTATE, "%s: call %.63s is at no device; name one", what,
		                   call_id);
	return PCRM_OK;
}

static int prepare(pcrm_tel *tel, const char *what, const char *call_id, const char *device_id,
                   unsigned states, int need_device, struct req *r)
{
	int rc;
	memset(r, 0, sizeof(*r));
	if (!tel)
		return pcrm__error(PCRM_EINVAL, "%s: tel: missing", what);
	if ((rc = tel_check_id(what, "call_id", call_id, 1)) ||
	    (device_id && (rc = tel_check_id(what, "device_id", device_id, 1))))
		return rc;
	pthread_mutex_lock(&tel->lock);
	rc = find_call(tel, what, call_id, device_id, states, need_device, r);
	pthread_mutex_unlock(&tel->lock);
	return rc;
}

/* The two calls of a consultation: `held` held, `consult` its consultation call. */
static int prepare_pair(pcrm_tel *tel, const char *what, const char *held, const char *consult,
                        const char *device_id, struct req *r)
{
	int rc = prepare(tel, what, held, device_id, ST(PCRM_TEL_CALL_HELD), 1, r);
	if (rc || (rc = tel_check_id(what, "consult_call_id", consult, 1)))
		return rc;
	pthread_mutex_lock(&tel->lock);
	struct tel_call *c = tel_call_find(tel, consult);
	if (!c)
		rc = pcrm__error(PCRM_ENOTFOUND, "%s: consultation call %.63s is not tracked", what,
		                 consult);
	else if (strcmp(c->related, held) != 0)
		rc = pcrm__error(PCRM_ESTATE, "%s: call %.63s is not a consultation of %.63s", what,
		                 consult, held);
	else
		tel_copy(r->other, sizeof(r->other), c->id);
	pthread_mutex_unlock(&tel->lock);
	return rc;
}

/* Runs `expr` (a table call) between begin and end and returns its mapped status. */
#define SEND(tel, what, call, dev, expr)                                              \
	do {                                                                          \
		int rc_ = tel_switch_begin((tel), 1, (what));                         \
		if (rc_)                                                              \
			return rc_;                                                   \
		int res_ = (expr);                                                    \
		tel_switch_end(tel);                                                  \
		return tel_request_status((tel), (what), (call), (dev), res_);        \
	} while (0)

static int device_request(pcrm_tel *tel, const char *what, const char *call_id,
                          const char *device_id, unsigned states,
                          int (*fn)(void *, const char *, const char *))
{
	struct req r;
	int rc = prepare(tel, what, call_id, device_id, states, 1, &r);
	if (rc)
		return rc;
	SEND(tel, what, r.call, r.device,
	     fn(tel->sw.userdata, r.call, r.device));
}

/* device_request for an optional table function: NULL is unsupported. */
static int optional_request(pcrm_tel *tel, const char *what, const char *call_id,
                            const char *device_id, unsigned states,
                            int (*fn)(void *, const char *, const char *))
{
	if (tel && !fn)
		return tel_switch_begin(tel, 0, what);
	return device_request(tel, what, call_id, device_id, states, fn);
}

#define ENTERED(expr) \
	do { tel_enter(); int rc__ = (expr); if (tel) tel_leave(tel); return rc__; } while (0)

int pcrm_tel_answer(pcrm_tel *tel, const char *call_id, const char *device_id)
{
	ENTERED(optional_request(tel, "answer", call_id, device_id, ST(PCRM_TEL_CALL_ALERTING),
	                         tel ? tel->sw.answer : NULL));
}

int pcrm_tel_hold(pcrm_tel *tel, const char *call_id, const char *device_id)
{
	ENTERED(optional_request(tel, "hold", call_id, device_id, ST(PCRM_TEL_CALL_CONNECTED),
	                         tel ? tel->sw.hold : NULL));
}

int pcrm_tel_retrieve(pcrm_tel *tel, const char *call_id, const char *device_id)
{
	ENTERED(optional_request(tel, "retrieve", call_id, device_id, ST(PCRM_TEL_CALL_HELD),
	                         tel ? tel->sw.retrieve : NULL));
}

static int do_hangup(pcrm_tel *tel, const char *call_id, const char *device_id)
{
	struct req r;
	int rc = prepare(tel, "hangup", call_id, device_id, ANY_STATE, 0, &r);
	if (rc)
		return rc;
	const char *dev = tel_empty(r.device) ? NULL : r.device;
	if (!tel->sw.hangup)
		return tel_switch_begin(tel, 0, "hangup");
	SEND(tel, "hangup", r.call, dev, tel->sw.hangup(tel->sw.userdata, r.call, dev));
}

int pcrm_tel_hangup(pcrm_tel *tel, const char *call_id, const char *device_id)
{
	ENTERED(do_hangup(tel, call_id, device_id));
}

typedef int (*dest_fn)(void *, const char *, const char *, const char *);

static int dest_request(pcrm_tel *tel, const char *what, const char *call_id,
                        const char *device_id, const char *destination, unsigned states,
                        dest_fn fn)
{
	struct req r;
	int rc = prepare(tel, what, call_id, device_id, states, 0, &r);
	if (rc || (rc = check_number(what, "destination", destination)))
		return rc;
	/* a queued call is deflected from its routing point */
	const char *dev = !tel_empty(r.device) ? r.device
	                  : !tel_empty(r.queue_device) ? r.queue_device : NULL;
	if (!dev)
		return pcrm__error(PCRM_ESTATE, "%s: call %.63s is at no device; name one", what,
		                   call_id);
	if (!fn)
		return tel_switch_begin(tel, 0, what);
	SEND(tel, what, r.call, dev, fn(tel->sw.userdata, r.call, dev, destination));
}

int pcrm_tel_transfer(pcrm_tel *tel, const char *call_id, const char *device_id,
                      const char *destination)
{
	ENTERED(dest_request(tel, "transfer", call_id, device_id, destination,
	                     ST(PCRM_TEL_CALL_CONNECTED) | ST(PCRM_TEL_CALL_HELD),
	                     tel ? tel->sw.transfer : NULL));
}

int pcrm_tel_consult(pcrm_tel *tel, const char *call_id, const char *device_id,
                     const char *destination)
{
	ENTERED(dest_request(tel, "consult", call_id, device_id, destination,
	                     ST(PCRM_TEL_CALL_CONNECTED), tel ? tel->sw.consult : NULL));
}

int pcrm_tel_deflect(pcrm_tel *tel, const char *call_id, const char *device_id,
                     const char *destination)
{
	ENTERED(dest_request(tel, "deflect", call_id, device_id, destination,
	                     ST(PCRM_TEL_CALL_OFFERED) | ST(PCRM_TEL_CALL_QUEUED) |
	                             ST(PCRM_TEL_CALL_ALERTING),
	                     tel ? tel->sw.deflect : NULL));
}

typedef int (*pair_fn)(void *, const char *, const char *, const char *);

static int pair_request(pcrm_tel *tel, const char *what, const char *held, const char *consult,
                        const char *device_id, pair_fn fn)
{
	struct req r;
	int rc = prepare_pair(tel, what, held, consult, device_id, &r);
	if (rc)
		return rc;
	if (!fn)
		return tel_switch_begin(tel, 0, what);
	SEND(tel, what, r.call, r.device, fn(tel->sw.userdata, r.call, r.other, r.device));
}

int pcrm_tel_consult_transfer(pcrm_tel *tel, const char *held_call_id,
                              const char *consult_call_id, const char *device_id)
{
	ENTERED(pair_request(tel, "consult_transfer", held_call_id, consult_call_id, device_id,
	                     tel ? tel->sw.consult_transfer : NULL));
}

int pcrm_tel_conference(pcrm_tel *tel, const char *held_call_id, const char *consult_call_id,
                        const char *device_id)
{
	ENTERED(pair_request(tel, "conference", held_call_id, consult_call_id, device_id,
	                     tel ? tel->sw.conference : NULL));
}

int pcrm_tel_consult_cancel(pcrm_tel *tel, const char *held_call_id,
                            const char *consult_call_id, const char *device_id)
{
	ENTERED(pair_request(tel, "consult_cancel", held_call_id, consult_call_id, device_id,
	                     tel ? tel->sw.consult_cancel : NULL));
}

static int record_request(pcrm_tel *tel, const char *call_id, int start)
{
	const char *what = start ? "record_start" : "record_stop";
	struct req r;
	int rc = prepare(tel, what, call_id, NULL,
	                 ST(PCRM_TEL_CALL_CONNECTED) | ST(PCRM_TEL_CALL_HELD), 1, &r);
	if (rc)
		return rc;
	if (r.recording == start)
		return pcrm__error(PCRM_ESTATE, "%s: call %.63s is %s recorded", what, r.call,
		                   start ? "already" : "not");
	int (*fn)(void *, const char *, const char *) =
		start ? tel->sw.record_start : tel->sw.record_stop;
	if (!fn)
		return tel_switch_begin(tel, 0, what);
	SEND(tel, what, r.call, r.device, fn(tel->sw.userdata, r.call, r.device));
}

int pcrm_tel_record_start(pcrm_tel *tel, const char *call_id)
{
	ENTERED(record_request(tel, call_id, 1));
}

int pcrm_tel_record_stop(pcrm_tel *tel, const char *call_id)
{
	ENTERED(record_request(tel, call_id, 0));
}

static int do_dtmf(pcrm_tel *tel, const char *call_id, const char *device_id, const char *digits)
{
	struct req r;
	int rc = prepare(tel, "send_dtmf", call_id, device_id, ST(PCRM_TEL_CALL_CONNECTED), 1, &r);
	if (rc)
		return rc;
	size_t n = digits ? strlen(digits) : 0;
	if (n == 0 || n > PCRM_TEL_DIGITS_MAX || strspn(digits, "0123456789*#ABCD") != n)
		return pcrm__error(PCRM_EINVAL, "send_dtmf: digits: expected 1..%d of 0-9 * # A-D",
		                   PCRM_TEL_DIGITS_MAX);
	if (!tel->sw.send_dtmf)
		return tel_switch_begin(tel, 0, "send_dtmf");
	SEND(tel, "send_dtmf", r.call, r.device,
	     tel->sw.send_dtmf(tel->sw.userdata, r.call, r.device, digits));
}

int pcrm_tel_send_dtmf(pcrm_tel *tel, const char *call_id, const char *device_id,
                       const char *digits)
{
	ENTERED(do_dtmf(tel, call_id, device_id, digits));
}
