/*
 * libpowercrm - the telephony adapter layer: a thin, CSTA-shaped (ECMA-269)
 * interface between a switch (PBX / CTI server: Avaya, Genesys, Huawei,
 * Asterisk, FreeSWITCH, the simulated switch) and the ACD engine (acd.h).
 * docs/adapter-guide.md explains how to write an adapter, maps every event
 * and request to its CSTA name and to Asterisk AMI / FreeSWITCH ESL, and
 * states the thread rules; this header is the reference for each function.
 *
 * The library never touches media or SIP.  Two directions:
 *
 *  - EVENTS IN: the integrator's adapter turns what its switch reports into
 *    pcrm_tel_event values and hands each to pcrm_tel_event_feed().  A
 *    per-call state machine checks every event; one that contradicts the
 *    call's state is rejected with a status and counted by kind
 *    (pcrm_tel_reject), never applied.  Accepted events drive the ACD
 *    (a call queued -> pcrm_acd_call_arrive, established at the agent's
 *    device -> pcrm_acd_call_answer, an agent logged on -> login, ...).
 *
 *  - REQUESTS OUT: the integrator fills a pcrm_tel_switch, a versioned table
 *    of function pointers, one per request (route a call to an agent's
 *    device, answer, hang up, hold, ...).  The library calls them when the
 *    ACD decides something (call_offered -> route) and when a desktop asks
 *    through pcrm_tel_answer(), pcrm_tel_hold(), ...  A request only asks:
 *    the switch confirms by events.  A request that fails (busy device,
 *    switch refused) leaves the ACD consistent: a failed route puts the call
 *    back at the front of its queue and the agent is not left reserved.
 *
 * The IVR hand-off: the event that queues a call carries (or follows events
 * that carried) the caller number, the dialled number, the digits the IVR
 * collected and the service the caller chose; mapping rules (data, a JSON
 * document: pcrm_tel_set_ivr_rules) turn them into a queue, a minimum level,
 * extra skills and a base priority, and an optional customer lookup
 * (pcrm_tel_set_customer_lookup; pcrm_tel_archive_lookup is one backed by
 * the customer archive's screen pop) adds the customer number, the priority
 * from the VIP level and the preferred agent (the account manager).
 *
 * Restart and re-synchronisation: the ACD lives in memory.  After a restart
 * or a dropped switch link, pcrm_tel_resync() asks the switch for a snapshot
 * (the table's `snapshot` request); the switch answers with
 * pcrm_tel_snapshot_begin(), one pcrm_tel_snapshot_agent() per logged-on
 * agent, one pcrm_tel_snapshot_call() per call in progress and
 * pcrm_tel_snapshot_end(), which reconciles the adapter and the ACD with it:
 * calls the switch no longer has are ended, calls the ACD does not know are
 * created in the state the switch reports, agents are logged on/off and put
 * in the reported state; no call is lost and none is duplicated.
 *
 * Errors: every function returning int gives PCRM_OK or a negative
 * pcrm_status with pcrm_error_last() naming what was wrong:
 *   PCRM_EINVAL     malformed input (the field is named),
 *   PCRM_ENOTFOUND  an unknown call, device or agent,
 *   PCRM_ESTATE     an event or request the call's state forbids, or a
 *                   request the switch refused (busy device, refused),
 *   PCRM_EDUPLICATE a duplicate event (e.g. a second "established"),
 *   PCRM_ECONNECTION the switch link is down,
 *   PCRM_EUNSUPPORTED the adapter's table has no function for the request,
 *   PCRM_ENOMEM.
 *
 * Threads: a pcrm_tel may be used from several threads at once (events from
 * the switch thread, requests from desktop threads).  The library never
 * calls two functions of the switch table at the same time (it serialises
 * them), and never holds its own lock while calling one, so a table function
 * may feed events synchronously (an in-process switch does).  ACD events
 * that need a request (call_offered -> route) are queued and turned into
 * requests by the thread whose call produced them, once that call is about
 * to return.  docs/adapter-guide.md, Threads, has the full rules.
 */
#ifndef POWERCRM_TELEPHONY_H
#define POWERCRM_TELEPHONY_H

#include <powercrm/acd.h>
#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The adapter runtime bound to one ACD engine.  Opaque; thread-safe. */
typedef struct pcrm_tel pcrm_tel;

/** Longest call or device id, in bytes (the ACD's id limit). */
#define PCRM_TEL_ID_MAX PCRM_ACD_ID_MAX
/** Longest telephone number (caller, dialled, destination), in bytes. */
#define PCRM_TEL_NUMBER_MAX PCRM_ACD_NUMBER_MAX
/** Longest digit string collected by an IVR or sent as DTMF, in bytes. */
#define PCRM_TEL_DIGITS_MAX 31

/* ------------------------------------------------------------------------ */
/* Requests: the table an integrator implements for its switch              */
/* ------------------------------------------------------------------------ */

/**
 * What a switch function returns.  PCRM_TEL_DONE means the switch accepted
 * the request (its effect arrives later as events); anything else means it
 * did nothing.
 */
typedef enum pcrm_tel_result {
	PCRM_TEL_DONE = 0,        /**< accepted */
	PCRM_TEL_BUSY = 1,        /**< the device is busy (off hook, in another call, DND) */
	PCRM_TEL_REFUSED = 2,     /**< the switch refused (not allowed, invalid in its state) */
	PCRM_TEL_NO_DEVICE = 3,   /**< the switch does not know the device or call */
	PCRM_TEL_LINK_DOWN = 4    /**< the link to the switch is down */
} pcrm_tel_result;
#define PCRM_TEL_RESULT_COUNT 5

/** Agent device states as CSTA knows them (requests and events). */
typedef enum pcrm_tel_agent_state {
	PCRM_TEL_AGENT_LOGGED_OFF = 0,     /**< "logged_off": CSTA agentLoggedOff */
	PCRM_TEL_AGENT_LOGGED_ON = 1,      /**< "logged_on": CSTA agentLoggedOn (then not ready, reason "login") */
	PCRM_TEL_AGENT_READY = 2,          /**< "ready": CSTA agentReady */
	PCRM_TEL_AGENT_NOT_READY = 3,      /**< "not_ready": CSTA agentNotReady, with a reason code */
	PCRM_TEL_AGENT_WORK_NOT_READY = 4  /**< "work_not_ready": CSTA agentWorkingAfterCall (wrap-up) */
} pcrm_tel_agent_state;

#define PCRM_TEL_SWITCH_VERSION 1

/**
 * The adapter: one function per request.  Every function receives
 * `userdata`, returns a pcrm_tel_result, must not block for long (send the
 * request and return; the outcome arrives as events) and may be NULL when
 * the switch cannot do it (the request then fails with PCRM_EUNSUPPORTED;
 * `route` is required).  Strings passed in live only during the call.
 *
 * `size` must be sizeof(pcrm_tel_switch) as the adapter was compiled and
 * `version` PCRM_TEL_SWITCH_VERSION: functions are only ever appended, so a
 * newer library treats the members beyond an older adapter's `size` as
 * NULL.  Initialise with PCRM_TEL_SWITCH_INIT.
 *
 * Device ids are the switch's (an extension, a SIP peer, a queue's routing
 * point); call ids are the switch's (Asterisk Uniqueid / Linkedid,
 * FreeSWITCH Unique-ID / Call-ID, a CSTA callID).
 */
typedef struct pcrm_tel_switch {
	size_t size;
	unsigned int version;
	void *userdata;

	/**
	 * Route (CSTA RouteSelect / Redirect): make the call ring at the agent's
	 * device, wherever it is now (queue, routing point, or ringing at a
	 * device the ACD has withdrawn it from: the switch stops that alerting).
	 * Under the ring-all strategy one call is routed to several devices;
	 * the switch rings them all and the first to answer wins.
	 */
	int (*route)(void *userdata, const char *call_id, const char *device_id,
	             const char *agent_id);
	/** Answer (CSTA AnswerCall) the call alerting at the device. */
	int (*answer)(void *userdata, const char *call_id, const char *device_id);
	/** Hang up (CSTA ClearConnection) the device's connection to the call. */
	int (*hangup)(void *userdata, const char *call_id, const char *device_id);
	/** Hold (CSTA HoldCall) the call at the device. */
	int (*hold)(void *userdata, const char *call_id, const char *device_id);
	/** Retrieve (CSTA RetrieveCall) the held call at the device. */
	int (*retrieve)(void *userdata, const char *call_id, const char *device_id);
	/** Blind transfer (CSTA SingleStepTransferCall) the device's call to `destination`. */
	int (*transfer)(void *userdata, const char *call_id, const char *device_id,
	                const char *destination);
	/**
	 * Consultation (CSTA ConsultationCall): hold `call_id` at the device and
	 * call `destination` from it.  The new call is announced by events
	 * (offered with other_call_id = the held call) under the id the switch
	 * gives it.
	 */
	int (*consult)(void *userdata, const char *call_id, const char *device_id,
	               const char *destination);
	/** Complete a consultation as a transfer (CSTA TransferCall): the device leaves, the two calls join. */
	int (*consult_transfer)(void *userdata, const char *held_call_id,
	                        const char *consult_call_id, const char *device_id);
	/** Complete a consultation as a conference (CSTA ConferenceCall): all parties on one call. */
	int (*conference)(void *userdata, const char *held_call_id, const char *consult_call_id,
	                  const char *device_id);
	/** Cancel a consultation (CSTA ReconnectCall): clear the consultation call, retrieve the held one. */
	int (*consult_cancel)(void *userdata, const char *held_call_id,
	                      const char *consult_call_id, const char *device_id);
	/** Deflect (CSTA DeflectCall) a call alerting (or queued) at the device to `destination`. */
	int (*deflect)(void *userdata, const char *call_id, const char *device_id,
	               const char *destination);
	/**
	 * Supervise (CSTA SingleStepConference with participation silent /
	 * whisper / active): let the supervisor listen to, whisper to or barge
	 * into the agent's call.  `supervisor_device_id` is NULL when the
	 * supervisor is not logged on at a device the adapter knows; the
	 * adapter then finds it from `supervisor_id` (an operator id).
	 */
	int (*supervise)(void *userdata, const char *call_id, const char *agent_device_id,
	                 const char *supervisor_id, const char *supervisor_device_id,
	                 pcrm_acd_supervise_mode mode);
	/** Start recording (CSTA StartDataCollection / vendor extension; AMI MixMonitor) the call at the device. */
	int (*record_start)(void *userdata, const char *call_id, const char *device_id);
	/** Stop recording the call. */
	int (*record_stop)(void *userdata, const char *call_id, const char *device_id);
	/**
	 * Make an outbound call (CSTA MakeCall) from the device to `destination`
	 * under the id `call_id` chosen by the library's caller: the switch
	 * reports the call's events under this id (FreeSWITCH origination_uuid,
	 * AMI Originate ChannelId) or the adapter translates.
	 */
	int (*make_call)(void *userdata, const char *call_id, const char *device_id,
	                 const char *destination);
	/** Send DTMF digits (CSTA GenerateDigits) into the call from the device. */
	int (*send_dtmf)(void *userdata, const char *call_id, const char *device_id,
	                 const char *digits);
	/**
	 * Set the agent's state at the device (CSTA SetAgentState): log on, log
	 * off, ready, not ready (with `reason`, else NULL), work not ready.  The
	 * switch confirms with the agent state event, which changes the ACD.
	 */
	int (*set_agent_state)(void *userdata, const char *device_id, const char *agent_id,
	                       pcrm_tel_agent_state state, const char *reason);
	/**
	 * Snapshot (CSTA SnapshotDevice / SnapshotCall over all monitored
	 * devices): re-announce every logged-on agent and every call in progress
	 * through pcrm_tel_snapshot_begin / _agent / _call / _end, now (from
	 * inside this function) or later from the switch thread.
	 */
	int (*snapshot)(void *userdata);
} pcrm_tel_switch;

#define PCRM_TEL_SWITCH_INIT { sizeof(pcrm_tel_switch), PCRM_TEL_SWITCH_VERSION, NULL, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL }

/** Stable lower-case names ("busy", "logged_on", ...); NULL when out of range. */
PCRM_EXTERN(const char *) pcrm_tel_result_name(pcrm_tel_result r);
PCRM_EXTERN(const char *) pcrm_tel_agent_state_name(pcrm_tel_agent_state s);

/* ------------------------------------------------------------------------ */
/* Events: what the switch reports                                          */
/* ------------------------------------------------------------------------ */

/**
 * Switch events, after the CSTA call model (ECMA-269).  docs/adapter-guide.md
 * gives the AMI / ESL events each corresponds to.  `device_id` is the
 * device the event is about; the other fields used by each type are named.
 */
typedef enum pcrm_tel_event_type {
	PCRM_TEL_EV_OFFERED = 1,            /**< "offered": a new call reaches the switch (IVR, routing point); caller/dialled number; other_call_id for a consultation call */
	PCRM_TEL_EV_QUEUED = 2,             /**< "queued": the IVR hands the call to the ACD; device = queue routing point; caller, dialled, digits, service may be (re)stated */
	PCRM_TEL_EV_DELIVERED = 3,          /**< "delivered": the call alerts (rings) at device */
	PCRM_TEL_EV_ESTABLISHED = 4,        /**< "established": device answered */
	PCRM_TEL_EV_HELD = 5,               /**< "held": device put the call on hold */
	PCRM_TEL_EV_RETRIEVED = 6,          /**< "retrieved": device took it off hold */
	PCRM_TEL_EV_TRANSFERRED = 7,        /**< "transferred": device transferred the call to `destination`; other_call_id = the consultation call merged into it, NULL for a blind transfer */
	PCRM_TEL_EV_CONFERENCED = 8,        /**< "conferenced": device joined other_call_id (consultation) into the call; destination = the added device */
	PCRM_TEL_EV_DIVERTED = 9,           /**< "diverted": the call left device (deflected, forwarded, picked up elsewhere) for `destination` */
	PCRM_TEL_EV_CONNECTION_CLEARED = 10,/**< "connection_cleared": device left the call (hung up, rejected) */
	PCRM_TEL_EV_CALL_CLEARED = 11,      /**< "call_cleared": the whole call ended */
	PCRM_TEL_EV_FAILED = 12,            /**< "failed": the call could not reach device (busy, no answer, invalid); reason = cause */
	PCRM_TEL_EV_DIGITS_COLLECTED = 13,  /**< "digits_collected": digits (and/or service) collected by the IVR, or DTMF during the call */
	PCRM_TEL_EV_RECORDING_STARTED = 14, /**< "recording_started" */
	PCRM_TEL_EV_RECORDING_STOPPED = 15, /**< "recording_stopped" */
	PCRM_TEL_EV_AGENT_LOGGED_ON = 16,   /**< "agent_logged_on": agent_id at device_id (call_id NULL) */
	PCRM_TEL_EV_AGENT_LOGGED_OFF = 17,  /**< "agent_logged_off" */
	PCRM_TEL_EV_AGENT_READY = 18,       /**< "agent_ready" */
	PCRM_TEL_EV_AGENT_NOT_READY = 19,   /**< "agent_not_ready": reason = a not-ready reason code known to the ACD */
	PCRM_TEL_EV_AGENT_WORK_NOT_READY = 20 /**< "agent_work_not_ready": after-call work */
} pcrm_tel_event_type;
#define PCRM_TEL_EV_FIRST PCRM_TEL_EV_OFFERED
#define PCRM_TEL_EV_LAST PCRM_TEL_EV_AGENT_WORK_NOT_READY

#define PCRM_TEL_EVENT_VERSION 1

/**
 * One switch event.  Initialise with PCRM_TEL_EVENT_INIT (it sets `size`
 * and `version`; fields are only ever appended).  Strings need only live
 * during pcrm_tel_event_feed; NULL or "" means absent.
 *
 * Every event names its call (call_id; NULL only for agent state events),
 * its device (device_id; may be NULL for offered, digits_collected,
 * recording_started / _stopped and call_cleared) and its time (`at`,
 * milliseconds since the epoch as the switch saw it).  Events of one call
 * must come in order: an event earlier than the call's previous one is
 * rejected (PCRM_TEL_REJECT_TIME).  Every string is printable ASCII without
 * spaces or quotes (ids at most PCRM_TEL_ID_MAX bytes, numbers
 * PCRM_TEL_NUMBER_MAX, digits PCRM_TEL_DIGITS_MAX): normalise phone numbers
 * before feeding them (pcrm_phone_normalize).
 */
typedef struct pcrm_tel_event {
	size_t size;
	unsigned int version;
	pcrm_tel_event_type type;
	const char *call_id;
	const char *device_id;
	pcrm_acd_ms at;
	const char *agent_id;        /**< agent state events; optional elsewhere */
	const char *other_call_id;   /**< transferred / conferenced: the consultation call; offered: the held call it consults from */
	const char *destination;     /**< transferred / conferenced / diverted: the device the call went to */
	const char *caller_number;   /**< offered / queued: the calling number (ANI) */
	const char *dialled_number;  /**< offered / queued: the dialled number (DNIS), e.g. "95598" */
	const char *digits;          /**< digits_collected / queued: what the IVR collected */
	const char *service;         /**< digits_collected / queued: the service the caller chose in the IVR */
	const char *reason;          /**< agent_not_ready: reason code; failed: cause */
} pcrm_tel_event;

#define PCRM_TEL_EVENT_INIT { sizeof(pcrm_tel_event), PCRM_TEL_EVENT_VERSION, \
	PCRM_TEL_EV_OFFERED, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** "offered", "connection_cleared", ...; NULL for an unknown type. */
PCRM_EXTERN(const char *) pcrm_tel_event_type_name(pcrm_tel_event_type type);

/** Why an event was rejected; each kind has its own counter. */
typedef enum pcrm_tel_reject {
	PCRM_TEL_ACCEPTED = 0,              /**< not rejected */
	PCRM_TEL_REJECT_MALFORMED = 1,      /**< "malformed": bad size/version/type, a required field missing or too long (PCRM_EINVAL) */
	PCRM_TEL_REJECT_UNKNOWN_CALL = 2,   /**< "unknown_call": the call was never offered (PCRM_ENOTFOUND) */
	PCRM_TEL_REJECT_CLEARED_CALL = 3,   /**< "cleared_call": the call has been cleared (PCRM_ESTATE) */
	PCRM_TEL_REJECT_DUPLICATE = 4,      /**< "duplicate": repeats the call's or agent's current state (PCRM_EDUPLICATE) */
	PCRM_TEL_REJECT_OUT_OF_ORDER = 5,   /**< "out_of_order": contradicts the state, e.g. established before delivered (PCRM_ESTATE) */
	PCRM_TEL_REJECT_UNKNOWN_DEVICE = 6, /**< "unknown_device": no agent is logged on at the device, or the call is not at it (PCRM_ENOTFOUND) */
	PCRM_TEL_REJECT_TIME = 7,           /**< "time": earlier than the call's previous event (PCRM_ESTATE) */
	PCRM_TEL_REJECT_ACD = 8             /**< "acd": the ACD refused the change the event implies, e.g. an unknown reason code (its status) */
} pcrm_tel_reject;
#define PCRM_TEL_REJECT_COUNT 9

/** "malformed", "unknown_call", ...; NULL when out of range ("accepted" for 0). */
PCRM_EXTERN(const char *) pcrm_tel_reject_name(pcrm_tel_reject kind);

/**
 * Feeds one switch event in.  The call's state machine checks it; an
 * accepted event updates the adapter and drives the ACD, and requests the
 * ACD's reaction needs (a route) are sent before this returns.  A rejected
 * event changes nothing, is counted under its kind and returns the status
 * named in pcrm_tel_reject with pcrm_error_last() saying why; `rejected`
 * (may be NULL) receives the kind, PCRM_TEL_ACCEPTED on success.
 */
PCRM_EXTERN(int) pcrm_tel_event_feed(pcrm_tel *tel, const pcrm_tel_event *event,
                                     pcrm_tel_reject *rejected);

/* ------------------------------------------------------------------------ */
/* The adapter runtime                                                      */
/* ------------------------------------------------------------------------ */

#define PCRM_TEL_OPTIONS_VERSION 1

/** Settings; initialise with PCRM_TEL_OPTIONS_INIT. */
typedef struct pcrm_tel_options {
	unsigned int version;            /**< PCRM_TEL_OPTIONS_VERSION */
	/**
	 * Nonzero: the ACD runs on the switch's time: before each event is
	 * checked, the ACD's manual clock (pcrm_acd_set_time) moves forward to
	 * the event's `at` and runs the timers due by then (also for an event
	 * then rejected: time has passed either way).  The first event switches
	 * the ACD to manual time, so set it before any call reaches the ACD.
	 * Between events, advance it with pcrm_acd_set_time().  The simulated
	 * switch uses this.  0: the ACD keeps its own clock.
	 */
	int clock_from_events;
	/** How many cleared call ids are remembered to tell "cleared" from "unknown" (16..1048576; 4096). */
	size_t cleared_memory;
	/**
	 * Where a call goes when the ACD refuses it or its wait runs out with no
	 * overflow (voice mail, a message): deflected there; NULL = hung up.
	 */
	const char *fallback_destination;
} pcrm_tel_options;

#define PCRM_TEL_OPTIONS_INIT { PCRM_TEL_OPTIONS_VERSION, 0, 4096, NULL }

/**
 * Creates the adapter runtime for `acd` and the switch table `sw` (copied;
 * its userdata must outlive the pcrm_tel).  The runtime installs itself as
 * the ACD's event callback (pcrm_acd_set_event_callback) to learn its
 * decisions; other consumers use the ACD's poll queue or
 * pcrm_tel_set_acd_event_callback, which passes every ACD event on.
 * `options` may be NULL for the defaults.  The ACD must outlive the
 * pcrm_tel; free the pcrm_tel first.  PCRM_EINVAL when `sw` is too small,
 * of an unknown version or lacks `route`.
 */
PCRM_EXTERN(int) pcrm_tel_new(pcrm_tel **out, pcrm_acd *acd, const pcrm_tel_switch *sw,
                              const pcrm_tel_options *options);

/** Frees the runtime and removes its ACD event callback.  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_tel_free(pcrm_tel *tel);

/**
 * Passes every ACD event on to `fn` after the adapter has seen it (the ACD
 * has one callback slot and the adapter holds it).  NULL removes it.
 */
PCRM_EXTERN(int) pcrm_tel_set_acd_event_callback(pcrm_tel *tel, pcrm_acd_event_fn fn,
                                                 void *userdata);

/* ------------------------------------------------------------------------ */
/* IVR hand-off                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Sets the IVR mapping rules, a JSON document (docs/adapter-guide.md, IVR
 * mapping), replacing the previous ones as a whole:
 *
 *   {"rules": [
 *      {"dialled": "95598", "service": "billing", "queue": "billing"},
 *      {"dialled": "95598", "digits_prefix": "2", "queue": "repair",
 *       "min_level": 3, "skills": [{"skill": "minnan", "level": 5}], "priority": 1},
 *      {"caller_prefix": "0591", "queue": "minnan_desk"}],
 *    "default_queue": "general",
 *    "vip_priority": [0, 1, 2, 4, 6, 8],
 *    "preferred_wait_s": 30}
 *
 * A rule matches when every condition it names holds (dialled, digits,
 * service: exact; dialled_prefix, caller_prefix, digits_prefix: prefix);
 * the first matching rule in order wins, else default_queue (without it the
 * call is rejected as PCRM_TEL_REJECT_ACD "no IVR rule matches").  Queues
 * and skills must exist in the ACD.  vip_priority[v] is the priority of a
 * customer of VIP level v (0..5; default: the VIP level itself); the call's
 * priority is the larger of it and the rule's.  A customer's account manager
 * who is an ACD agent becomes the preferred agent for preferred_wait_s
 * (0..3600; 30; 0 = no preferred agent).  The whole document is validated
 * first; an error names the JSON path ("rules[1].queue: \"x\" is not a
 * queue") and keeps the previous rules.
 */
PCRM_EXTERN(int) pcrm_tel_set_ivr_rules(pcrm_tel *tel, const char *json);

/** What a customer lookup found. */
typedef struct pcrm_tel_customer {
	char customer_no[PCRM_ACD_NUMBER_MAX + 1];  /**< 户号, for the screen pop */
	int vip_level;                              /**< 0..5 */
	char account_manager[PCRM_ACD_ID_MAX + 1];  /**< agent id of the account manager, "" when none */
} pcrm_tel_customer;

/**
 * Finds the customer calling from `caller_number`.  Fill `out` and return
 * PCRM_OK; PCRM_ENOTFOUND when nobody matches; any other status is an error
 * (the call is queued without a customer and the failure counted as
 * lookup_errors).  Called by the thread feeding the queued event, without
 * any lock of the library held: it may do I/O, but it delays that thread.
 */
typedef int (*pcrm_tel_lookup_fn)(void *userdata, const char *caller_number,
                                  pcrm_tel_customer *out);

/** Registers (or with NULL removes) the customer lookup. */
PCRM_EXTERN(int) pcrm_tel_set_customer_lookup(pcrm_tel *tel, pcrm_tel_lookup_fn fn,
                                              void *userdata);

/**
 * The userdata of pcrm_tel_archive_lookup: a store context and the actor
 * whose org subtree the screen pop searches.  The context is used by the
 * threads that feed queued events: one such thread, or the integrator
 * serialises them (a pcrm_ctx is one connection).
 */
typedef struct pcrm_tel_archive {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
} pcrm_tel_archive;

/**
 * A pcrm_tel_lookup_fn backed by the customer archive (customer.h): the
 * screen pop pcrm_customer_find_by_phone(); the first customer (highest VIP
 * level) gives the customer number, VIP level and account manager.
 * `userdata` is a pcrm_tel_archive.
 */
PCRM_EXTERN(int) pcrm_tel_archive_lookup(void *userdata, const char *caller_number,
                                         pcrm_tel_customer *out);

/* ------------------------------------------------------------------------ */
/* Calls placed for a campaign dialler                                      */
/* ------------------------------------------------------------------------ */

#define PCRM_TEL_DIAL_SPEC_VERSION 1

/**
 * A call the library places to a customer with no agent on it yet
 * (progressive dialling: outbound.h, pcrm_dialler).  Initialise with
 * PCRM_TEL_DIAL_SPEC_INIT; strings need only live during pcrm_tel_dial().
 */
typedef struct pcrm_tel_dial_spec {
	unsigned int version;              /**< PCRM_TEL_DIAL_SPEC_VERSION */
	const char *call_id;               /**< the new call's id */
	const char *device_id;             /**< where the switch places it from: a dialler port, trunk group or routing point (not an agent's device) */
	const char *destination;           /**< the customer's normalised number */
	const char *queue_id;              /**< the ACD queue the call joins once answered */
	int min_level;                     /**< minimum level in the queue's skill, 1..10 (1) */
	int preferred_wait_s;              /**< 0..3600: how long the answered call waits for the customer's account manager (0: not at all) */
	const pcrm_tel_customer *customer; /**< NULL, or the customer called: customer number, VIP level, account manager */
} pcrm_tel_dial_spec;

#define PCRM_TEL_DIAL_SPEC_INIT { PCRM_TEL_DIAL_SPEC_VERSION, NULL, NULL, NULL, NULL, 1, 0, NULL }

/**
 * Places a call (the table's make_call from `device_id`) and tracks it
 * (state offered, outbound).  The switch then reports either `failed`
 * (reason "busy", "no_answer", ...) and `call_cleared`, or, once the
 * customer answers, `queued` (the switch hands the answered call to the ACD
 * as an IVR hands an inbound one): the call then joins `queue_id` with
 * `min_level`, the priority of the customer's VIP level (the IVR rules'
 * vip_priority, or the level itself when no rules are set) and the account
 * manager as preferred agent, instead of the IVR mapping, and is routed to
 * an agent like any queued call.  PCRM_EINVAL names a bad field,
 * PCRM_EDUPLICATE for a call id tracked already, the request's statuses
 * otherwise (PCRM_ESTATE busy or refused, PCRM_ECONNECTION, ...); a call
 * the switch refused is not tracked.
 */
PCRM_EXTERN(int) pcrm_tel_dial(pcrm_tel *tel, const pcrm_tel_dial_spec *dial);

/* ------------------------------------------------------------------------ */
/* Requests from desktops                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Each checks the call's state as the adapter knows it (hold needs a
 * connected call, retrieve a held one, ...; PCRM_ESTATE otherwise, nothing
 * sent), finds the device (the agent's device for calls at an agent), calls
 * the switch function, and maps its result: PCRM_TEL_BUSY and
 * PCRM_TEL_REFUSED -> PCRM_ESTATE, PCRM_TEL_NO_DEVICE -> PCRM_ENOTFOUND,
 * PCRM_TEL_LINK_DOWN -> PCRM_ECONNECTION, a NULL function ->
 * PCRM_EUNSUPPORTED; the message names the request, call and device.  The
 * state changes only when the switch's events confirm.  `device_id` names
 * the device acting (the agent's); NULL means the device the call is
 * connected to (or alerting at).
 */
PCRM_EXTERN(int) pcrm_tel_answer(pcrm_tel *tel, const char *call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_hangup(pcrm_tel *tel, const char *call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_hold(pcrm_tel *tel, const char *call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_retrieve(pcrm_tel *tel, const char *call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_transfer(pcrm_tel *tel, const char *call_id, const char *device_id,
                                   const char *destination);
PCRM_EXTERN(int) pcrm_tel_consult(pcrm_tel *tel, const char *call_id, const char *device_id,
                                  const char *destination);
PCRM_EXTERN(int) pcrm_tel_consult_transfer(pcrm_tel *tel, const char *held_call_id,
                                           const char *consult_call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_conference(pcrm_tel *tel, const char *held_call_id,
                                     const char *consult_call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_consult_cancel(pcrm_tel *tel, const char *held_call_id,
                                         const char *consult_call_id, const char *device_id);
PCRM_EXTERN(int) pcrm_tel_deflect(pcrm_tel *tel, const char *call_id, const char *device_id,
                                  const char *destination);
PCRM_EXTERN(int) pcrm_tel_record_start(pcrm_tel *tel, const char *call_id);
PCRM_EXTERN(int) pcrm_tel_record_stop(pcrm_tel *tel, const char *call_id);
PCRM_EXTERN(int) pcrm_tel_send_dtmf(pcrm_tel *tel, const char *call_id, const char *device_id,
                                    const char *digits);

/**
 * Monitor, whisper or barge: the ACD's supervisor check (pcrm_acd_supervise:
 * permission and org scope of `actor`, an unknown agent refused like another
 * unit's, the agent talking or holding), then the agent's device (asked
 * only after that check, so no supervisor elsewhere learns which agents
 * sit at a device), then the switch's `supervise` with the agent's call
 * and device.
 */
PCRM_EXTERN(int) pcrm_tel_supervise(pcrm_tel *tel, const pcrm_actor *actor,
                                    const char *agent_id, pcrm_acd_supervise_mode mode);

/**
 * An outbound call from the agent's device (the agent must be logged on at
 * a device) to `destination` under the new id `call_id`.  The adapter
 * tracks it from then on (state offered, outbound); the ACD does not route
 * it (set the agent not ready first if it must not be offered calls).
 */
PCRM_EXTERN(int) pcrm_tel_make_call(pcrm_tel *tel, const char *call_id, const char *agent_id,
                                    const char *destination);

/**
 * Asks the switch to set an agent's state at a device.  For
 * PCRM_TEL_AGENT_LOGGED_ON, `device_id` is where the agent logs on; for the
 * others NULL means the agent's current device.  The ACD changes when the
 * switch's agent event confirms.
 */
PCRM_EXTERN(int) pcrm_tel_agent_set_state(pcrm_tel *tel, const char *agent_id,
                                          const char *device_id, pcrm_tel_agent_state state,
                                          const char *reason);

/* ------------------------------------------------------------------------ */
/* Restart and re-synchronisation                                           */
/* ------------------------------------------------------------------------ */

/** A call's state as the adapter tracks it (and a snapshot reports it). */
typedef enum pcrm_tel_call_state {
	PCRM_TEL_CALL_OFFERED = 0,   /**< "offered": at the switch (IVR, routing point), not with the ACD */
	PCRM_TEL_CALL_QUEUED = 1,    /**< "queued": with the ACD, waiting or being routed */
	PCRM_TEL_CALL_ALERTING = 2,  /**< "alerting": ringing at a device */
	PCRM_TEL_CALL_CONNECTED = 3, /**< "connected": answered */
	PCRM_TEL_CALL_HELD = 4       /**< "held" */
} pcrm_tel_call_state;

PCRM_EXTERN(const char *) pcrm_tel_call_state_name(pcrm_tel_call_state s);

/**
 * Asks the switch for a snapshot (the table's `snapshot`), after a restart
 * or when the link came back.  PCRM_EUNSUPPORTED without one.
 */
PCRM_EXTERN(int) pcrm_tel_resync(pcrm_tel *tel);

#define PCRM_TEL_SNAPSHOT_VERSION 1

/** One agent in a snapshot.  Initialise with PCRM_TEL_SNAPSHOT_AGENT_INIT. */
typedef struct pcrm_tel_snapshot_agent_info {
	size_t size;
	unsigned int version;
	const char *agent_id;
	const char *device_id;
	pcrm_tel_agent_state state;   /**< logged_on means not ready "login" */
	const char *reason;           /**< not ready: the reason code */
} pcrm_tel_snapshot_agent_info;

#define PCRM_TEL_SNAPSHOT_AGENT_INIT { sizeof(pcrm_tel_snapshot_agent_info), \
	PCRM_TEL_SNAPSHOT_VERSION, NULL, NULL, PCRM_TEL_AGENT_LOGGED_ON, NULL }

/** One call in a snapshot.  Initialise with PCRM_TEL_SNAPSHOT_CALL_INIT. */
typedef struct pcrm_tel_snapshot_call_info {
	size_t size;
	unsigned int version;
	const char *call_id;
	pcrm_tel_call_state state;
	const char *device_id;        /**< alerting / connected / held: the agent's device; queued: the routing point */
	const char *caller_number;
	const char *dialled_number;
	const char *digits;
	const char *service;
	pcrm_acd_ms since;            /**< when the call reached the switch */
} pcrm_tel_snapshot_call_info;

#define PCRM_TEL_SNAPSHOT_CALL_INIT { sizeof(pcrm_tel_snapshot_call_info), \
	PCRM_TEL_SNAPSHOT_VERSION, NULL, PCRM_TEL_CALL_QUEUED, NULL, NULL, NULL, NULL, NULL, 0 }

/**
 * Starts a snapshot.  Until pcrm_tel_snapshot_end, live events are still
 * accepted and applied; a call offered by a live event while the snapshot
 * is open is newer than the snapshot and kept even when the snapshot lacks
 * it.  Feed a call's snapshot record before its later live events.
 * PCRM_ESTATE when a snapshot is already open.
 */
PCRM_EXTERN(int) pcrm_tel_snapshot_begin(pcrm_tel *tel);
/** One logged-on agent of the snapshot (PCRM_EINVAL for a malformed one; PCRM_ESTATE outside a snapshot). */
PCRM_EXTERN(int) pcrm_tel_snapshot_agent(pcrm_tel *tel, const pcrm_tel_snapshot_agent_info *agent);
/** One call in progress of the snapshot. */
PCRM_EXTERN(int) pcrm_tel_snapshot_call(pcrm_tel *tel, const pcrm_tel_snapshot_call_info *call);

/** What a re-synchronisation changed. */
typedef struct pcrm_tel_resync_report {
	unsigned int version; /**< PCRM_TEL_RESYNC_REPORT_VERSION, set by the caller (PCRM_TEL_RESYNC_REPORT_INIT) */
	size_t agents_logged_on;      /**< agents the ACD had logged out, now logged on */
	size_t agents_logged_off;     /**< agents the ACD had logged on and the snapshot did not list */
	size_t agents_state_changed;  /**< agents put into the reported state */
	size_t calls_kept;            /**< calls known before and in the snapshot */
	size_t calls_restored;        /**< calls in the snapshot the adapter did not know, now tracked (and in the ACD) */
	size_t calls_ended;           /**< calls known before and absent from the snapshot: cleared */
	size_t calls_not_restored;    /**< calls of the snapshot that could not be restored (the message of the last one is in pcrm_error_last) */
} pcrm_tel_resync_report;

/** The layout of pcrm_tel_resync_report this header describes; the caller sets it (docs/abi.md). */
#define PCRM_TEL_RESYNC_REPORT_VERSION 1
/** A pcrm_tel_resync_report to pass to the library: its version set, every other field zero. */
#define PCRM_TEL_RESYNC_REPORT_INIT { .version = PCRM_TEL_RESYNC_REPORT_VERSION }

/**
 * Ends the snapshot and reconciles: agents and calls are brought into the
 * reported state, calls missing from it are cleared (ended in the ACD),
 * calls the ACD does not know are created there (a queued call queued
 * afresh, an alerting / connected / held call placed with its agent without
 * a route request) and none is created twice.  `report` may be NULL.
 */
PCRM_EXTERN(int) pcrm_tel_snapshot_end(pcrm_tel *tel, pcrm_tel_resync_report *report);

/* ------------------------------------------------------------------------ */
/* Inspection and statistics                                                */
/* ------------------------------------------------------------------------ */

/** A call as the adapter tracks it. */
typedef struct pcrm_tel_call_info {
	unsigned int version; /**< PCRM_TEL_CALL_INFO_VERSION, set by the caller (PCRM_TEL_CALL_INFO_INIT) */
	char call_id[PCRM_TEL_ID_MAX + 1];
	pcrm_tel_call_state state;
	char device_id[PCRM_TEL_ID_MAX + 1];      /**< the device it alerts at / is connected to / is held at, "" otherwise */
	char agent_id[PCRM_TEL_ID_MAX + 1];       /**< the agent at that device, "" when none */
	char queue_id[PCRM_TEL_ID_MAX + 1];       /**< the ACD queue the IVR mapping chose, "" before queued */
	char caller_number[PCRM_TEL_NUMBER_MAX + 1];
	char dialled_number[PCRM_TEL_NUMBER_MAX + 1];
	char digits[PCRM_TEL_DIGITS_MAX + 1];
	char customer_no[PCRM_TEL_NUMBER_MAX + 1];
	char related_call_id[PCRM_TEL_ID_MAX + 1];/**< consultation: the held call, and the reverse */
	int with_acd;                             /**< nonzero while the ACD holds the call */
	int recording;
	int outbound;
	pcrm_acd_ms last_event_at;
} pcrm_tel_call_info;

/** The layout of pcrm_tel_call_info this header describes; the caller sets it (docs/abi.md). */
#define PCRM_TEL_CALL_INFO_VERSION 1
/** A pcrm_tel_call_info to pass to the library: its version set, every other field zero. */
#define PCRM_TEL_CALL_INFO_INIT { .version = PCRM_TEL_CALL_INFO_VERSION }

PCRM_EXTERN(int) pcrm_tel_call_get(pcrm_tel *tel, const char *call_id, pcrm_tel_call_info *out);

/** The device an agent is logged on at (PCRM_ENOTFOUND when none). */
PCRM_EXTERN(int) pcrm_tel_agent_device(pcrm_tel *tel, const char *agent_id, char *device_id,
                                       size_t size);

/** Counters since the runtime was created. */
typedef struct pcrm_tel_stats {
	unsigned int version; /**< PCRM_TEL_STATS_VERSION, set by the caller (PCRM_TEL_STATS_INIT) */
	uint64_t events_accepted;
	uint64_t events_rejected;                       /**< sum of rejected[] */
	uint64_t rejected[PCRM_TEL_REJECT_COUNT];       /**< by pcrm_tel_reject; [0] unused */
	uint64_t events_by_type[PCRM_TEL_EV_LAST + 1];  /**< accepted, by pcrm_tel_event_type */
	uint64_t requests_sent;                         /**< table calls made */
	uint64_t requests_failed[PCRM_TEL_RESULT_COUNT];/**< by pcrm_tel_result; [0] unused */
	uint64_t requests_unsupported;                  /**< NULL table entries asked for */
	uint64_t routes_failed;                         /**< route requests that failed and were put back into the ACD */
	uint64_t lookup_errors;                         /**< customer lookups that failed (not "not found") */
	uint64_t resyncs;                               /**< snapshots reconciled */
	size_t calls_live;                              /**< calls tracked now */
} pcrm_tel_stats;

/** The layout of pcrm_tel_stats this header describes; the caller sets it (docs/abi.md). */
#define PCRM_TEL_STATS_VERSION 1
/** A pcrm_tel_stats to pass to the library: its version set, every other field zero. */
#define PCRM_TEL_STATS_INIT { .version = PCRM_TEL_STATS_VERSION }

PCRM_EXTERN(int) pcrm_tel_stats_get(pcrm_tel *tel, pcrm_tel_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_TELEPHONY_H */
