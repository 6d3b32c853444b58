/*
 * A complete small telephony adapter (docs/adapter-guide.md walks through it).
 *
 * The "switch" speaks a line protocol shaped like Asterisk AMI or FreeSWITCH
 * ESL events: one event per line, key=value pairs.  The adapter parses each
 * line into a pcrm_tel_event and feeds it in; the library's requests (route
 * a call to an agent's device, deflect, hang up, ...) come back through the
 * switch table below and are written out as lines for the switch.  A real
 * adapter does the same with a socket to its PBX instead of stdin/stdout.
 *
 *   text_adapter SCRIPT        reads the switch's lines from SCRIPT
 *
 * Lines:
 *   event=<name> call=<id> device=<id> agent=<id> other=<id> dest=<number>
 *         caller=<number> dialled=<number> digits=<digits> service=<name>
 *         reason=<code> at=<ms since the script's start>
 *   busy=<device>    the switch will refuse requests to that device as busy
 *   free=<device>    ... no longer
 *   tick=<ms>        time passes without an event: the ACD runs its timers
 *   # a comment
 *
 * Output: "request=..." lines (what the adapter asks of the switch),
 * "rejected=..." lines (events the state machine refused), and the
 * adapter's and the ACD's counters at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm.h>

/* The switch as far as this adapter knows it: which devices are busy. */
struct text_switch {
	char busy[8][32];
	int busy_count;
};

static int is_busy(const struct text_switch *sw, const char *device)
{
	for (int i = 0; i < sw->busy_count; i++)
		if (strcmp(sw->busy[i], device) == 0)
			return 1;
	return 0;
}

/* ---- requests: the switch table, one function per request ---- */

static int sw_route(void *ud, const char *call, const char *device, const char *agent)
{
	if (is_busy(ud, device)) {
		printf("request=route call=%s device=%s agent=%s -> busy\n", call, device, agent);
		return PCRM_TEL_BUSY;
	}
	printf("request=route call=%s device=%s agent=%s\n", call, device, agent);
	return PCRM_TEL_DONE;
}

static int sw_hangup(void *ud, const char *call, const char *device)
{
	(void)ud;
	printf("request=hangup call=%s device=%s\n", call, device ? device : "-");
	return PCRM_TEL_DONE;
}

static int sw_deflect(void *ud, const char *call, const char *device, const char *dest)
{
	(void)ud;
	printf("request=deflect call=%s device=%s dest=%s\n", call, device, dest);
	return PCRM_TEL_DONE;
}

static int sw_hold(void *ud, const char *call, const char *device)
{
	(void)ud;
	printf("request=hold call=%s device=%s\n", call, device);
	return PCRM_TEL_DONE;
}

static int sw_transfer(void *ud, const char *call, const char *device, const char *dest)
{
	(void)ud;
	printf("request=transfer call=%s device=%s dest=%s\n", call, device, dest);
	return PCRM_TEL_DONE;
}

/* ---- events: one line -> one pcrm_tel_event ---- */

static const struct { const char *name; pcrm_tel_event_type type; } event_names[] = {
	{ "offered", PCRM_TEL_EV_OFFERED }, { "queued", PCRM_TEL_EV_QUEUED },
	{ "delivered", PCRM_TEL_EV_DELIVERED }, { "established", PCRM_TEL_EV_ESTABLISHED },
	{ "held", PCRM_TEL_EV_HELD }, { "retrieved", PCRM_TEL_EV_RETRIEVED },
	{ "transferred", PCRM_TEL_EV_TRANSFERRED }, { "conferenced", PCRM_TEL_EV_CONFERENCED },
	{ "diverted", PCRM_TEL_EV_DIVERTED }, { "connection_cleared", PCRM_TEL_EV_CONNECTION_CLEARED },
	{ "call_cleared", PCRM_TEL_EV_CALL_CLEARED }, { "failed", PCRM_TEL_EV_FAILED },
	{ "digits_collected", PCRM_TEL_EV_DIGITS_COLLECTED },
	{ "recording_started", PCRM_TEL_EV_RECORDING_STARTED },
	{ "recording_stopped", PCRM_TEL_EV_RECORDING_STOPPED },
	{ "agent_logged_on", PCRM_TEL_EV_AGENT_LOGGED_ON },
	{ "agent_logged_off", PCRM_TEL_EV_AGENT_LOGGED_OFF },
	{ "agent_ready", PCRM_TEL_EV_AGENT_READY }, { "agent_not_ready", PCRM_TEL_EV_AGENT_NOT_READY },
	{ "agent_work_not_ready", PCRM_TEL_EV_AGENT_WORK_NOT_READY },
};

/* The script's time 0 (the switch's clock drives the ACD: clock_from_events). */
#define START_MS ((pcrm_acd_ms)1796601600000LL)

/* The ACD, for tick lines (the switch's clock drives it: clock_from_events). */
static pcrm_acd *acd_of_switch;

/* Splits "key=value key=value" in place; returns the value of `key` or NULL. */
static const char *value_of(char *const *keys, char *const *values, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return values[i];
	return NULL;
}

static void handle_line(pcrm_tel *tel, struct text_switch *sw, char *line)
{
	char *keys[16], *values[16];
	int n = 0;
	for (char *tok = strtok(line, " \t\r\n"); tok && n < 16; tok = strtok(NULL, " \t\r\n")) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		keys[n] = tok;
		values[n++] = eq + 1;
	}
	if (n == 0)
		return;
	const char *v;
	if ((v = value_of(keys, values, n, "busy")) && sw->busy_count < 8) {
		snprintf(sw->busy[sw->busy_count++], sizeof(sw->busy[0]), "%s", v);
		return;
	}
	if ((v = value_of(keys, values, n, "tick"))) {
		/* the switch's clock ticks with no event: the ACD runs its timers (a
		 * real adapter ticks every 100..1000 ms from a timer thread) */
		pcrm_acd_set_time(acd_of_switch, START_MS + atoll(v));
		return;
	}
	if ((v = value_of(keys, values, n, "free"))) {
		for (int i = 0; i < sw->busy_count; i++)
			if (strcmp(sw->busy[i], v) == 0)
				memmove(sw->busy[i], sw->busy[--sw->busy_count], sizeof(sw->busy[0]));
		return;
	}
	const char *name = value_of(keys, values, n, "event");
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = (pcrm_tel_event_type)0;
	for (size_t i = 0; name && i < sizeof(event_names) / sizeof(*event_names); i++)
		if (strcmp(event_names[i].name, name) == 0)
			ev.type = event_names[i].type;
	ev.call_id = value_of(keys, values, n, "call");
	ev.device_id = value_of(keys, values, n, "device");
	ev.agent_id = value_of(keys, values, n, "agent");
	ev.other_call_id = value_of(keys, values, n, "other");
	ev.destination = value_of(keys, values, n, "dest");
	ev.caller_number = value_of(keys, values, n, "caller");
	ev.dialled_number = value_of(keys, values, n, "dialled");
	ev.digits = value_of(keys, values, n, "digits");
	ev.service = value_of(keys, values, n, "service");
	ev.reason = value_of(keys, values, n, "reason");
	v = value_of(keys, values, n, "at");
	ev.at = START_MS + (v ? atoll(v) : 0);
	pcrm_tel_reject kind;
	if (pcrm_tel_event_feed(tel, &ev, &kind) != PCRM_OK)
		printf("rejected=%s event=%s message=\"%s\"\n", pcrm_tel_reject_name(kind),
		       name ? name : "?", pcrm_error_last());
}

static const char *const acd_config =
	"{\"version\":1,\"ring_timeout_s\":15,\"max_misses\":2,"
	"\"queues\":[{\"id\":\"billing\",\"wrap_up_s\":20},{\"id\":\"repair\",\"wrap_up_s\":20}],"
	"\"agents\":[{\"id\":\"a1\",\"skills\":{\"billing\":8,\"repair\":3}},"
	"{\"id\":\"a2\",\"skills\":{\"billing\":5}},"
	"{\"id\":\"a3\",\"skills\":{\"repair\":7}}]}";

static const char *const ivr_rules =
	"{\"rules\":[{\"dialled\":\"95598\",\"digits\":\"1\",\"queue\":\"billing\"},"
	"{\"dialled\":\"95598\",\"digits\":\"2\",\"queue\":\"repair\"}],"
	"\"default_queue\":\"billing\"}";

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRIPT\n", argv[0]);
		return 2;
	}
	FILE *in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	pcrm_acd *acd = NULL;
	pcrm_tel *tel = NULL;
	struct text_switch sw = { .busy_count = 0 };
	pcrm_tel_switch table = PCRM_TEL_SWITCH_INIT;
	table.userdata = &sw;
	table.route = sw_route;
	table.hangup = sw_hangup;
	table.deflect = sw_deflect;
	table.hold = sw_hold;
	table.transfer = sw_transfer;
	pcrm_tel_options opts = PCRM_TEL_OPTIONS_INIT;
	opts.clock_from_events = 1;
	opts.fallback_destination = "voicemail";
	if (pcrm_acd_new_from_json(&acd, acd_config, NULL, NULL) ||
	    pcrm_tel_new(&tel, acd, &table, &opts) || pcrm_tel_set_ivr_rules(tel, ivr_rules)) {
		fprintf(stderr, "setup: %s\n", pcrm_error_last());
		return 1;
	}
	acd_of_switch = acd;
	char line[1024];
	while (fgets(line, sizeof(line), in))
		if (line[0] != '#')
			handle_line(tel, &sw, line);
	fclose(in);

	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	pcrm_tel_stats_get(tel, &st);
	printf("adapter accepted=%llu rejected=%llu routes_failed=%llu calls_live=%zu\n",
	       (unsigned long long)st.events_accepted, (unsigned long long)st.events_rejected,
	       (unsigned long long)st.routes_failed, st.calls_live);
	for (int k = 1; k < PCRM_TEL_REJECT_COUNT; k++)
		if (st.rejected[k])
			printf("adapter rejected.%s=%llu\n", pcrm_tel_reject_name((pcrm_tel_reject)k),
			       (unsigned long long)st.rejected[k]);
	const char *queues[] = { "billing", "repair" };
	for (int q = 0; q < 2; q++) {
		pcrm_acd_queue_stats qs = PCRM_ACD_QUEUE_STATS_INIT;
		pcrm_acd_queue_stats_get(acd, queues[q], &qs);
		printf("queue %s offered=%llu answered=%llu abandoned=%llu asa_s=%.1f\n", queues[q],
		       (unsigned long long)qs.total.offered, (unsigned long long)qs.total.answered,
		       (unsigned long long)qs.total.abandoned, qs.total.asa_s);
	}
	pcrm_tel_free(tel);
	pcrm_acd_free(acd);
	return 0;
}
