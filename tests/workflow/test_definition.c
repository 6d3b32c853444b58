/* Workflow definitions: validation on load (every rejection names its path), versions, DOT. */
#include "wf_fixtures.h"

#include "store/store.h"
#include "core/ctx.h"

/* The test definition with one substring replaced. */
static char *patched(const char *from, const char *to)
{
	const char *at = strstr(test_def, from);
	size_t n = strlen(test_def) + strlen(to) + 1;
	char *out = malloc(n);
	cr_assert(at != NULL, "test_def lacks %s", from);
	snprintf(out, n, "%.*s%s%s", (int)(at - test_def), test_def, to, at + strlen(from));
	return out;
}

static void rejects(const char *from, const char *to, const char *needle)
{
	char *cal = cn2026();
	char *doc = patched(from, to);
	pcrm_assert_fails(pcrm_workflow_check(doc, cal), PCRM_EINVAL, needle);
	free(doc);
	free(cal);
}

Test(definition, the_test_definition_is_valid)
{
	char *cal = cn2026();
	pcrm_assert_ok(pcrm_workflow_check(test_def, cal));
	free(cal);
}

Test(definition, shipped_definitions_are_valid)
{
	static const char *const files[] = {
		"data/workflows/new-connection-lv-residential.json",
		"data/workflows/new-connection-lv-nonresidential.json",
		"data/workflows/new-connection-hv-single.json",
		"data/workflows/new-connection-hv-dual.json",
		"data/workflows/fault-repair-urban.json",
		"data/workflows/fault-repair-rural.json",
		"data/workflows/fault-repair-remote.json",
		"data/workflows/complaint.json",
		"data/workflows/report.json",
		"data/workflows/suggestion.json",
		"data/workflows/inquiry.json",
		"data/workflows/kb-article.json",
	};
	char *cal = cn2026();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *doc = read_source(files[i]);
		int rc = pcrm_workflow_check(doc, cal);
		cr_assert_eq(rc, PCRM_OK, "%s: %s", files[i], pcrm_error_last());
		free(doc);
	}
	free(cal);
}

Test(definition, syntax_and_shape)
{
	pcrm_assert_fails(pcrm_workflow_check(NULL, NULL), PCRM_EINVAL, "definition: missing");
	pcrm_assert_fails(pcrm_workflow_check("{", NULL), PCRM_EINVAL, "definition: line 1");
	pcrm_assert_fails(pcrm_workflow_check("[]", NULL), PCRM_EINVAL, "must be a JSON object");
	pcrm_assert_fails(pcrm_workflow_check("{\"name\": \"a\", \"name\": \"b\"}", NULL),
	                  PCRM_EINVAL, "duplicate");
	rejects("\"title\": \"测试\",", "\"colour\": 1,", "definition: unknown field \"colour\"");
	rejects("\"name\": \"test\"", "\"name\": \"Test!\"", "name: \"Test!\" may hold only");
	rejects("\"title\": \"测试\",", "\"sources\": [\"a\", 2],", "sources[1]: must be a string");
	rejects("\"title\": \"测试\",", "\"description\": 1,", "description: must be a string");
	pcrm_assert_fails(pcrm_workflow_check("{\"name\": \"a\", \"states\": 3, "
	                                      "\"transitions\": []}", NULL),
	                  PCRM_EINVAL, "states: must be an array");
}

Test(definition, states)
{
	rejects("{\"name\": \"waiting\", \"pause\": true}",
	        "{\"name\": \"waiting\", \"pause\": true, \"initial\": true}",
	        "states: need exactly one initial state, not 2");
	rejects("{\"name\": \"closed\", \"final\": true}", "{\"name\": \"closed\"}",
	        "states: need at least one final state");
	rejects("{\"name\": \"waiting\", \"pause\": true}", "{\"name\": \"contacted\"}",
	        "states[2].name: \"contacted\" is already states[1]");
	rejects("{\"name\": \"waiting\", \"pause\": true}", "{\"name\": \"waiting\", \"pause\": 1}",
	        "states[2].pause: must be true or false");
	rejects("{\"name\": \"closed\", \"final\": true}",
	        "{\"name\": \"closed\", \"final\": true, \"limit\": {\"hours\": 1}}",
	        "states[3]: a final state cannot");
	rejects("{\"name\": \"waiting\", \"pause\": true}",
	        "{\"name\": \"waiting\", \"pause\": true}, {\"name\": \"orphan\"}",
	        "states[3]: \"orphan\" is unreachable from \"accepted\"");
	rejects("{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"}",
	        "{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"waiting\"}",
	        "states[2]: \"waiting\" has no path to a final state");
}

Test(definition, transitions)
{
	rejects("\"to\": \"waiting\"}", "\"to\": \"wiating\"}",
	        "transitions[1].to: unknown state \"wiating\"");
	rejects("{\"event\": \"wait\", \"from\": \"contacted\"",
	        "{\"event\": \"wait\", \"from\": \"nowhere\"",
	        "transitions[1].from: unknown state \"nowhere\"");
	rejects("{\"event\": \"back\", \"from\": \"waiting\"", "{\"event\": \"close\", \"from\": "
	        "\"contacted\"",
	        "transitions[3]: duplicates transitions[2] (event \"close\" from \"contacted\")");
	rejects("{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"}",
	        "{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"},"
	        "{\"event\": \"reopen\", \"from\": \"closed\", \"to\": \"accepted\"}",
	        "transitions[3].from: \"closed\" is a final state");
	rejects("\"roles\": [\"agent\", \"admin\"]", "\"roles\": [\"agent\", \"boss\"]",
	        "transitions[0].guard.roles[1]: must be one of");
	rejects("\"min_level\": 2", "\"min_level\": 4",
	        "transitions[3].guard.min_level: must be an integer 1..3");
	rejects("\"min_level\": 2", "\"scope\": \"galaxy\"", "transitions[3].guard.scope");
	rejects("\"require\": [\"contact_note\"]", "\"require\": [\"Contact Note\"]",
	        "transitions[0].guard.require[0]");
	rejects("\"min_level\": 2", "\"minimum\": 2",
	        "transitions[3].guard: unknown field \"minimum\"");
	/* a permission is one of the table's names (docs/security.md); the value is not echoed */
	rejects("{\"event\": \"wait\", \"from\": \"contacted\", \"to\": \"waiting\"}",
	        "{\"event\": \"wait\", \"from\": \"contacted\", \"to\": \"waiting\", "
	        "\"permission\": \"kb.aprove\"}",
	        "transitions[1].permission: not a permission's name");
	rejects("{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"}",
	        "{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\", "
	        "\"permission\": 8}",
	        "transitions[2].permission: must be a string naming a permission");
	rejects("{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\"}",
	        "{\"event\": \"back\", \"from\": \"waiting\", \"to\": \"contacted\", "
	        "\"permission\": \"\"}",
	        "transitions[2].permission: not a permission's name");
}

/* Publishing refuses the same document, names the path and stores nothing. */
PCRM_BACKEND_TEST(workflow, define_refuses_an_unknown_permission)
{
	char *cal = cn2026();
	char *doc = patched("{\"event\": \"wait\", \"from\": \"contacted\", \"to\": \"waiting\"}",
	                    "{\"event\": \"wait\", \"from\": \"contacted\", \"to\": \"waiting\", "
	                    "\"permission\": \"workorder.approve\"}");
	int64_t n = -1;
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, doc, cal, NULL), PCRM_EINVAL,
	                  "transitions[1].permission: not a permission's name");
	cr_assert_null(strstr(pcrm_error_last(), "workorder.approve"));
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM workflow_def", NULL,
	                                     0, &n));
	cr_assert_eq(n, 0);
	free(doc);
	free(cal);
}

Test(definition, limits)
{
	rejects("{\"hours\": 2,", "{\"hours\": 2, \"minutes\": 3,",
	        "states[1].limit: gives more than one unit");
	rejects("{\"hours\": 2,", "{\"fortnights\": 2,",
	        "states[1].limit: unknown field \"fortnights\"");
	rejects("{\"hours\": 2,", "{", "states[1].limit: needs exactly one of");
	rejects("{\"hours\": 2,", "{\"hours\": 0,", "states[1].limit.hours: must be an integer 1..");
	rejects("\"warn_percent\": 50", "\"warn_percent\": 100",
	        "states[0].limit.warn_percent: must be an integer 1..99");
	rejects("\"fire\": \"auto_close\"", "\"fire\": \"contact\"",
	        "states[1].limit.on_expiry.fire: unknown event \"contact\" (no transition from "
	        "\"contacted\")");
	rejects("{\"flag\": true, \"notify\": true}", "{\"flag\": false}",
	        "limit.on_expiry: does nothing");
	rejects("{\"flag\": true, \"notify\": true}", "{\"fire\": \"nope\"}",
	        "limit.on_expiry.fire: unknown event \"nope\"");
}

Test(definition, working_time_needs_a_calendar)
{
	pcrm_assert_fails(pcrm_workflow_check(test_def, NULL), PCRM_EINVAL,
	                  "calendar: working-time limits need a business calendar");
	pcrm_assert_fails(pcrm_workflow_check(test_def, "{\"name\": 1}"), PCRM_EINVAL, "calendar: ");
	pcrm_assert_fails(pcrm_workflow_check(test_def,
	                                      "{\"name\": \"never\", \"utc_offset\": \"+08:00\","
	                                      " \"working_hours\": {\"mon\": [], \"tue\": [],"
	                                      " \"wed\": [], \"thu\": [], \"fri\": [], \"sat\": [],"
	                                      " \"sun\": []}}"),
	                  PCRM_EINVAL, "calendar: has no working time");
}

PCRM_BACKEND_TEST(workflow, define_versions_and_get)
{
	pcrm_workflow *wf, *v1;
	char *cal = cn2026(), *v2doc = patched("\"hours\": 2,", "\"hours\": 3,");
	int v = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, test_def, cal, &v));
	cr_assert_eq(v, 1);
	/* the same document again is the same version */
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, test_def, cal, &v));
	cr_assert_eq(v, 1);
	/* the province owns it: a city admin may not define it, not even unchanged */
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &city_admin, test_def, cal, &v), PCRM_EPERM,
	                  "may neither publish its versions nor override it");
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, v2doc, cal, &v));
	cr_assert_eq(v, 2);
	pcrm_assert_ok(pcrm_workflow_get(t->ctx, &city_agent, "test", 0, &wf));
	pcrm_assert_ok(pcrm_workflow_get(t->ctx, &city_agent, "test", 1, &v1));
	cr_assert_eq(pcrm_workflow_version(wf), 2);
	cr_assert_eq(pcrm_workflow_version(v1), 1);
	cr_assert_str_eq(pcrm_workflow_name(wf), "test");
	cr_assert_str_eq(pcrm_workflow_title(wf), "测试");
	cr_assert_str_eq(pcrm_workflow_initial_state(wf), "accepted");
	cr_assert_eq(pcrm_workflow_state_count(wf), 4);
	cr_assert_str_eq(pcrm_workflow_state_at(wf, 3), "closed");
	cr_assert_null(pcrm_workflow_state_at(wf, 4));
	cr_assert(pcrm_workflow_state_is_final(wf, "closed"));
	cr_assert(!pcrm_workflow_state_is_final(wf, "accepted"));
	cr_assert(!pcrm_workflow_state_is_final(wf, "nope"));
	cr_assert(strstr(pcrm_workflow_json(v1), "\"hours\":2") != NULL);
	pcrm_workflow_free(wf);
	pcrm_workflow_free(v1);
	pcrm_assert_fails(pcrm_workflow_get(t->ctx, &city_agent, "test", 3, &wf), PCRM_ENOTFOUND,
	                  "has no version 3");
	cr_assert_null(wf);
	pcrm_assert_fails(pcrm_workflow_get(t->ctx, &city_agent, "nope", 0, &wf), PCRM_ENOTFOUND,
	                  "does not exist");
	/* defining changes how the organisation works: agents may not */
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &city_agent, test_def, cal, &v), PCRM_EPERM,
	                  "may not org.write");
	/* bad input writes nothing */
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, "{}", cal, &v), PCRM_EINVAL,
	                  "name");
	{
		int64_t n = 0;
		pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
		                                     "SELECT COUNT(*) FROM workflow_def", NULL, 0, &n));
		cr_assert_eq(n, 2);
	}
	free(cal);
	free(v2doc);
}

PCRM_BACKEND_TEST(workflow, dot_is_generated_from_the_definition)
{
	pcrm_workflow *wf;
	char *dot = NULL;
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workflow_get(t->ctx, &city_agent, "test", 0, &wf));
	pcrm_assert_ok(pcrm_workflow_to_dot(wf, &dot));
	cr_assert(strstr(dot, "digraph test {") == dot, "%s", dot);
	cr_assert(strstr(dot, "start -> accepted;") != NULL, "%s", dot);
	cr_assert(strstr(dot, "accepted -> contacted [label=\"contact\"];") != NULL, "%s", dot);
	cr_assert(strstr(dot, "closed [label=\"closed\", shape=doublecircle];") != NULL, "%s", dot);
	cr_assert(strstr(dot, "(8 working_hours)") != NULL, "%s", dot);
	cr_assert(strstr(dot, "timeout: auto_close") != NULL, "%s", dot);
	pcrm_free(dot);
	pcrm_workflow_free(wf);
	pcrm_assert_fails(pcrm_workflow_to_dot(NULL, &dot), PCRM_EINVAL, "workflow");
}

/* Escalation levels, severity classes and named clocks: each refusal names its path. */
Test(definition, levels_classes_and_clocks)
{
	static const char *const clock_tail =
		"\"guard\": {\"roles\": [\"system\"]}}]";
	char *cal = cn2026();
	pcrm_assert_ok(pcrm_workflow_check(
		"{\"name\": \"x\", \"states\": [{\"name\": \"a\", \"initial\": true, \"limit\": "
		"{\"hours\": 1, \"by_class\": {\"major\": {\"minutes\": 30}}, \"levels\": "
		"[{\"percent\": 80, \"notify\": true}, {\"percent\": 150, \"escalate\": true}]}}, "
		"{\"name\": \"b\", \"final\": true}], \"transitions\": [{\"event\": \"go\", "
		"\"from\": \"a\", \"to\": \"b\"}], \"clocks\": [{\"name\": \"c\", \"start\": "
		"\"opened\", \"stop\": {\"state\": \"b\"}}]}",
		NULL));
	rejects("\"warn_percent\": 50,",
	        "\"levels\": [{\"percent\": 80, \"notify\": true}, {\"percent\": 80, \"flag\": true}],",
	        "states[0].limit.levels[1].percent: 80 must be above the previous level's 80");
	rejects("\"warn_percent\": 50,", "\"levels\": [{\"percent\": 80}],",
	        "states[0].limit.levels[0]: does nothing");
	rejects("\"warn_percent\": 50,", "\"levels\": [{\"percent\": 1001, \"flag\": true}],",
	        "states[0].limit.levels[0].percent: must be an integer 1..1000");
	rejects("\"warn_percent\": 50,",
	        "\"levels\": [{\"percent\": 90, \"notify\": {\"org_unit\": \"37\", \"operator\": "
	        "\"x\"}}],",
	        "states[0].limit.levels[0].notify: needs exactly one of org_unit, operator");
	rejects("\"warn_percent\": 50,", "\"by_class\": {\"urgent\": {\"hours\": 1}},",
	        "states[0].limit.by_class: unknown class \"urgent\"");
	rejects("\"warn_percent\": 50,", "\"by_class\": {\"major\": {\"hours\": 1, \"days\": 1}},",
	        "states[0].limit.by_class.major: gives more than one unit");
	rejects(clock_tail,
	        "\"guard\": {\"roles\": [\"system\"]}}], \"clocks\": [{\"name\": \"k\", "
	        "\"start\": {\"state\": \"acepted\"}, \"stop\": {\"state\": \"closed\"}}]",
	        "clocks[0].start.state: unknown state \"acepted\"");
	rejects(clock_tail,
	        "\"guard\": {\"roles\": [\"system\"]}}], \"clocks\": [{\"name\": \"k\", "
	        "\"start\": \"opened\", \"stop\": {\"event\": \"contakt\"}}]",
	        "clocks[0].stop.event: unknown event \"contakt\"");
	rejects(clock_tail,
	        "\"guard\": {\"roles\": [\"system\"]}}], \"clocks\": [{\"name\": \"k\", "
	        "\"start\": \"opened\", \"stop\": \"opened\"}]",
	        "clocks[0].stop: must be {\"state\"");
	rejects(clock_tail,
	        "\"guard\": {\"roles\": [\"system\"]}}], \"clocks\": [{\"name\": \"k\", "
	        "\"start\": \"opened\", \"stop\": {\"state\": \"closed\"}, \"limit\": {\"hours\": 1, "
	        "\"on_expiry\": {\"fire\": \"close\"}}}]",
	        "clocks[0].limit.on_expiry.fire: a clock fires no event");
	rejects(clock_tail,
	        "\"guard\": {\"roles\": [\"system\"]}}], \"clocks\": [{\"name\": \"k\", "
	        "\"start\": \"opened\", \"stop\": {\"state\": \"closed\"}}, {\"name\": \"k\", "
	        "\"start\": \"opened\", \"stop\": {\"state\": \"closed\"}}]",
	        "clocks[1].name: \"k\" duplicates clocks[0]");
	/* a working-time unit only in a clock or a class still needs the calendar */
	pcrm_assert_fails(pcrm_workflow_check(
		"{\"name\": \"x\", \"states\": [{\"name\": \"a\", \"initial\": true, \"limit\": "
		"{\"hours\": 1, \"by_class\": {\"vip\": {\"working_hours\": 1}}}}, "
		"{\"name\": \"b\", \"final\": true}], \"transitions\": [{\"event\": \"go\", "
		"\"from\": \"a\", \"to\": \"b\"}]}",
		NULL),
	                  PCRM_EINVAL, "calendar: working-time limits need a business calendar");
	free(cal);
}
