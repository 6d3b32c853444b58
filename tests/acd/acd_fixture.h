/*
 * Shared helpers of the ACD tests: an engine on a virtual clock that the
 * test advances by hand, and short wrappers that assert success.
 */
#ifndef PCRM_TEST_ACD_FIXTURE_H
#define PCRM_TEST_ACD_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>

/* 2026-12-07 00:00:00 UTC: a multiple of every interval length */
#define T0 ((pcrm_acd_ms)1796601600000LL)

struct vclock {
	pcrm_acd_ms now;
};

static inline pcrm_acd_ms vclock_read(void *ud)
{
	return ((struct vclock *)ud)->now;
}

#define OK(expr) \
	do { int rc_ = (expr); cr_assert_eq(rc_, PCRM_OK, "%s: %d (%s)", #expr, rc_, pcrm_error_last()); } while (0)

#define FAILS(expr, status, needle)                                                             \
	do {                                                                                    \
		int rc_ = (expr);                                                               \
		cr_assert_eq(rc_, (status), "%s: %d, want %d (%s)", #expr, rc_, (status),       \
		             pcrm_error_last());                                                \
		cr_assert(strstr(pcrm_error_last(), (needle)) != NULL,                          \
		          "message \"%s\" lacks \"%s\"", pcrm_error_last(), (needle));          \
	} while (0)

/* Builds an engine from a JSON document on the clock `c` (set to T0 when 0). */
static inline pcrm_acd *engine(struct vclock *c, const char *json)
{
	pcrm_acd *acd = NULL;
	if (!c->now)
		c->now = T0;
	int rc = pcrm_acd_new_from_json(&acd, json, vclock_read, c);
	cr_assert_eq(rc, PCRM_OK, "config: %s", pcrm_error_last());
	return acd;
}

static inline void advance(pcrm_acd *acd, struct vclock *c, pcrm_acd_ms ms)
{
	c->now += ms;
	OK(pcrm_acd_tick(acd));
}

static inline void ready(pcrm_acd *acd, const char *agent)
{
	OK(pcrm_acd_agent_login(acd, agent));
	OK(pcrm_acd_agent_ready(acd, agent));
}

static inline pcrm_acd_disposition arrive_full(pcrm_acd *acd, const char *call, const char *queue,
                                               int priority, int min_level)
{
	pcrm_acd_call_spec s = PCRM_ACD_CALL_SPEC_INIT;
	pcrm_acd_disposition d;
	s.call_id = call;
	s.queue_id = queue;
	s.priority = priority;
	s.min_level = min_level;
	s.caller_number = "13800000000";
	s.customer_no = "3701000001";
	OK(pcrm_acd_call_arrive(acd, &s, &d));
	return d;
}

static inline pcrm_acd_disposition arrive(pcrm_acd *acd, const char *call, const char *queue)
{
	return arrive_full(acd, call, queue, 0, 1);
}

static inline pcrm_acd_agent_state state_of(pcrm_acd *acd, const char *agent)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, agent, &info));
	return info.state;
}

/* The agent the call rings at or talks to ("" when none), copied into a static buffer. */
static inline const char *agent_of(pcrm_acd *acd, const char *call)
{
	static char buf[PCRM_ACD_ID_MAX + 1];
	pcrm_acd_call_info info = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(acd, call, &info));
	strcpy(buf, info.agent_id);
	return buf;
}

static inline const char *call_of(pcrm_acd *acd, const char *agent)
{
	static char buf[PCRM_ACD_ID_MAX + 1];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	OK(pcrm_acd_agent_get(acd, agent, &info));
	strcpy(buf, info.call_id);
	return buf;
}

static const pcrm_actor supervisor = { "sup01", PCRM_ROLE_MONITOR, 1, "3701" };

#endif
