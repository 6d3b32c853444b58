/* Stable names of the telephony enumerations (docs/adapter-guide.md). */
#include "tel_internal.h"

#define NAME_OF(table, i) \
	((unsigned)(i) < sizeof(table) / sizeof(*(table)) ? (table)[(unsigned)(i)] : NULL)

static const char *const result_names[] = { "done", "busy", "refused", "no_device", "link_down" };
static const char *const agent_state_names[] = { "logged_off", "logged_on", "ready", "not_ready",
	                                         "work_not_ready" };
static const char *const event_names[] = {
	NULL, "offered", "queued", "delivered", "established", "held", "retrieved", "transferred",
	"conferenced", "diverted", "connection_cleared", "call_cleared", "failed",
	"digits_collected", "recording_started", "recording_stopped", "agent_logged_on",
	"agent_logged_off", "agent_ready", "agent_not_ready", "agent_work_not_ready",
};
static const char *const reject_names[] = { "accepted", "malformed", "unknown_call",
	                                    "cleared_call", "duplicate", "out_of_order",
	                                    "unknown_device", "time", "acd" };
static const char *const call_state_names[] = { "offered", "queued", "alerting", "connected",
	                                        "held" };

const char *pcrm_tel_result_name(pcrm_tel_result r) { return NAME_OF(result_names, r); }
const char *pcrm_tel_agent_state_name(pcrm_tel_agent_state s) { return NAME_OF(agent_state_names, s); }
const char *pcrm_tel_event_type_name(pcrm_tel_event_type t) { return NAME_OF(event_names, t); }
const char *pcrm_tel_reject_name(pcrm_tel_reject k) { return NAME_OF(reject_names, k); }
const char *pcrm_tel_call_state_name(pcrm_tel_call_state s) { return NAME_OF(call_state_names, s); }
