/*
 * Compile-time pins of the caller-allocated output structs (docs/abi.md,
 * "Caller-allocated output structs").
 *
 * Such a struct is allocated by the caller with the layout of the header it
 * was compiled with, and the library fills the fields of the `version` the
 * caller set.  Appending a field without raising the type's _VERSION would
 * let a newer library write past the end of an older caller's struct, so
 * each struct's size is pinned here together with its version: growing one
 * fails the build until its _VERSION is raised and the pin moved to the new
 * version and size, which is the moment to make the library fill the new
 * fields only for callers of that version.  The abidiff test (tests/abi)
 * catches the same change against the released baseline; this catches it
 * at the first compile, before any baseline is involved.
 *
 * Sizes are those of the LP64 ABIs the project builds and checks (x86_64,
 * aarch64); elsewhere the pins are skipped rather than tabulated per ABI.
 * A field that fits into a struct's tail padding does not change its size:
 * the abidiff test still reports it.
 */
#include <powercrm.h>

#if defined(__LP64__) && (defined(__x86_64__) || defined(__aarch64__))

#define PCRM__PIN_OUT_LAYOUT(type, PREFIX, version, size)                                   \
	_Static_assert(PREFIX##_VERSION == (version) && sizeof(type) == (size),            \
	               #type " changed: a caller-allocated output struct grows only with "  \
	               #PREFIX "_VERSION raised; then pin its new version and size in "      \
	               "lib/core/out_layouts.c (docs/abi.md)")

PCRM__PIN_OUT_LAYOUT(pcrm_acd_agent_info, PCRM_ACD_AGENT_INFO, 1, 216);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_call_info, PCRM_ACD_CALL_INFO, 1, 232);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_queue_stats, PCRM_ACD_QUEUE_STATS, 1, 424);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_queue_counts, PCRM_ACD_QUEUE_COUNTS, 1, 152);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_agent_stats, PCRM_ACD_AGENT_STATS, 1, 360);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_agent_counts, PCRM_ACD_AGENT_COUNTS, 1, 136);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_engine_stats, PCRM_ACD_ENGINE_STATS, 1, 152);
PCRM__PIN_OUT_LAYOUT(pcrm_acd_event, PCRM_ACD_EVENT, 1, 520);
PCRM__PIN_OUT_LAYOUT(pcrm_billing_summary, PCRM_BILLING_SUMMARY, 1, 56);
PCRM__PIN_OUT_LAYOUT(pcrm_billing_post_summary, PCRM_BILLING_POST_SUMMARY, 1, 56);
PCRM__PIN_OUT_LAYOUT(pcrm_call_record_sink_stats, PCRM_CALL_RECORD_SINK_STATS, 1, 312);
PCRM__PIN_OUT_LAYOUT(pcrm_campaign_call_stats, PCRM_CAMPAIGN_CALL_STATS, 1, 56);
PCRM__PIN_OUT_LAYOUT(pcrm_contract_terms, PCRM_CONTRACT_TERMS, 2, 72);
PCRM__PIN_OUT_LAYOUT(pcrm_dialler_pace, PCRM_DIALLER_PACE, 1, 72);
PCRM__PIN_OUT_LAYOUT(pcrm_dialler_pass, PCRM_DIALLER_PASS, 1, 40);
PCRM__PIN_OUT_LAYOUT(pcrm_import_result, PCRM_IMPORT_RESULT, 1, 24);
PCRM__PIN_OUT_LAYOUT(pcrm_ledger_summary, PCRM_LEDGER_SUMMARY, 1, 64);
PCRM__PIN_OUT_LAYOUT(pcrm_reading, PCRM_READING, 1, 104);
PCRM__PIN_OUT_LAYOUT(pcrm_queue_metrics, PCRM_QUEUE_METRICS, 1, 72);
PCRM__PIN_OUT_LAYOUT(pcrm_staffing_result, PCRM_STAFFING_RESULT, 1, 88);
PCRM__PIN_OUT_LAYOUT(pcrm_shift_plan, PCRM_SHIFT_PLAN, 1, 48);
PCRM__PIN_OUT_LAYOUT(pcrm_sim_stats, PCRM_SIM_STATS, 1, 120);
PCRM__PIN_OUT_LAYOUT(pcrm_tel_call_info, PCRM_TEL_CALL_INFO, 1, 480);
PCRM__PIN_OUT_LAYOUT(pcrm_tel_resync_report, PCRM_TEL_RESYNC_REPORT, 1, 64);
PCRM__PIN_OUT_LAYOUT(pcrm_tel_stats, PCRM_TEL_STATS, 1, 352);
PCRM__PIN_OUT_LAYOUT(pcrm_tier_position, PCRM_TIER_POSITION, 1, 232);

#endif

/* Keeps the translation unit non-empty where the pins are skipped (ISO C). */
typedef int pcrm__out_layouts_pinned;
