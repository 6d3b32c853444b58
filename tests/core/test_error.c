/* Status codes, messages and the version agree with the headers. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>
#include "core/error.h"
#include "core/json_doc.h"

Test(error, every_status_has_a_description)
{
	for (int s = PCRM_ENOTDB; s <= PCRM_OK; s++)
		cr_assert_str_neq(pcrm_strerror(s), "unknown status", "status %d", s);
	cr_assert_str_eq(pcrm_strerror(-999), "unknown status");
	cr_assert_str_eq(pcrm_strerror(PCRM_OK), "success");
}

Test(error, errors_are_negative_and_distinct)
{
	int codes[] = { PCRM_EINVAL, PCRM_ENOTFOUND, PCRM_ECONFLICT, PCRM_EDUPLICATE, PCRM_EPERM,
	                PCRM_ESTATE, PCRM_ESTORE, PCRM_ECONNECTION, PCRM_ERETRY, PCRM_EIO,
	                PCRM_ENOMEM, PCRM_EOVERFLOW, PCRM_ESCHEMA, PCRM_EINTEGRITY, PCRM_EUNSUPPORTED,
	                PCRM_ENOTDB };
	size_t n = sizeof(codes) / sizeof(codes[0]);
	for (size_t i = 0; i < n; i++) {
		cr_assert_lt(codes[i], 0);
		for (size_t j = i + 1; j < n; j++)
			cr_assert_neq(codes[i], codes[j]);
	}
}

Test(error, last_error_is_recorded_and_cleared)
{
	int rc = pcrm__error(PCRM_EINVAL, "field '%s' is bad", "customer_no");
	cr_assert_eq(rc, PCRM_EINVAL);
	cr_assert_str_eq(pcrm_error_last(), "field 'customer_no' is bad");
	cr_assert_eq(pcrm_error_last_status(), PCRM_EINVAL);
	pcrm__error_prefix("line %d", 7);
	cr_assert_str_eq(pcrm_error_last(), "line 7: field 'customer_no' is bad");
	pcrm_error_clear();
	cr_assert_str_eq(pcrm_error_last(), "");
	cr_assert_eq(pcrm_error_last_status(), PCRM_OK);
}

Test(error, message_may_quote_the_previous_message)
{
	pcrm__error(PCRM_EINVAL, "inner");
	pcrm__error(PCRM_ESTORE, "outer (%s)", pcrm_error_last());
	cr_assert_str_eq(pcrm_error_last(), "outer (inner)");
}

static void *other_thread(void *arg)
{
	(void)arg;
	pcrm__error(PCRM_ENOTFOUND, "other thread");
	return NULL;
}

Test(error, a_saved_error_survives_a_cleanup_that_sets_its_own)
{
	pcrm__error_state e;
	pcrm__error(PCRM_EDUPLICATE, "customer_no: \"C1\" is taken");
	pcrm__error_save(&e);
	cr_assert_eq(e.status, PCRM_EDUPLICATE);
	pcrm__error(PCRM_ESTORE, "rollback failed"); /* the clean-up's own error */
	cr_assert_eq(pcrm__error_restore(&e, PCRM_EINVAL), PCRM_EINVAL);
	cr_assert_eq(pcrm_error_last_status(), PCRM_EINVAL);
	cr_assert_str_eq(pcrm_error_last(), "customer_no: \"C1\" is taken");

	pcrm_error_clear();
	pcrm__error_save(&e); /* nothing failed: restoring keeps it clear */
	pcrm__error(PCRM_ESTORE, "noise");
	cr_assert_eq(pcrm__error_restore(&e, e.status), PCRM_OK);
	cr_assert_eq(pcrm_error_last_status(), PCRM_OK);
	cr_assert_str_eq(pcrm_error_last(), "");
}

Test(error, last_error_is_per_thread)
{
	pthread_t t;
	pcrm__error(PCRM_EINVAL, "mine");
	cr_assert_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, NULL);
	cr_assert_str_eq(pcrm_error_last(), "mine");
}

Test(version, function_and_macros_agree)
{
	char expect[32];
	snprintf(expect, sizeof(expect), "%d.%d.%d", PCRM_VERSION_MAJOR, PCRM_VERSION_MINOR,
	         PCRM_VERSION_PATCH);
	cr_assert_str_eq(pcrm_version(), expect);
	cr_assert_str_eq(pcrm_version(), PCRM_VERSION_STRING);
	cr_assert_eq(pcrm_version_number(),
	             PCRM_VERSION_MAJOR * 10000 + PCRM_VERSION_MINOR * 100 + PCRM_VERSION_PATCH);
}

/* The structured part: a specific reason with its field and values, rendered in Chinese. */
Test(error, json_errors_carry_reason_field_and_values)
{
	char buf[512];
	json_t *doc = json_pack("{s:i}", "name", 7);
	cr_assert_eq(pcrm__json_expect("tiers[1].name", json_object_get(doc, "name"), JSON_STRING,
	                               "a string"),
	             PCRM_EINVAL);
	json_decref(doc);
	cr_assert_str_eq(pcrm_error_reason(), "json.wrong_type");
	cr_assert_str_eq(pcrm_error_field(), "tiers[1].name");
	cr_assert_eq(pcrm_error_value_count(), 2);
	cr_assert_str_eq(pcrm_error_value_name(0), "expected");
	cr_assert_str_eq(pcrm_error_value(0), "a string");
	cr_assert_str_eq(pcrm_error_value_name(1), "got");
	cr_assert_str_eq(pcrm_error_value(1), "an integer");
	cr_assert_null(pcrm_error_value(2));
	cr_assert_eq(pcrm_error_render("en", buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "tiers[1].name: expected a string, got an integer");
	cr_assert_eq(pcrm_error_render("zh-CN", buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "tiers[1].name：类型不正确，应为 a string，实际为 an integer");
	/* a saved error keeps its structured part across a clean-up */
	{
		pcrm__error_state e;
		pcrm__error_save(&e);
		pcrm__error(PCRM_ESTORE, "rollback failed");
		pcrm__error_restore(&e, e.status);
		cr_assert_str_eq(pcrm_error_reason(), "json.wrong_type");
		cr_assert_str_eq(pcrm_error_field(), "tiers[1].name");
	}
}

/* Messages that follow the "where: what" convention give their line and field without help. */
Test(error, field_and_line_are_derived_from_the_message)
{
	char buf[512];
	pcrm__error(PCRM_EINVAL, "line 7: phones.mobile: \"12345\" is not a phone number");
	cr_assert_str_eq(pcrm_error_reason(), "invalid_input");
	cr_assert_str_eq(pcrm_error_field(), "phones.mobile");
	cr_assert_eq(pcrm_error_value_count(), 1);
	cr_assert_str_eq(pcrm_error_value_name(0), "line");
	cr_assert_str_eq(pcrm_error_value(0), "7");
	cr_assert_eq(pcrm_error_render("zh", buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "输入无效：第 7 行，字段 phones.mobile（详情：line 7: phones.mobile: "
	                      "\"12345\" is not a phone number）");

	pcrm__error(PCRM_EINVAL, "line 3, amount: \"5x\" is not a decimal");
	cr_assert_str_eq(pcrm_error_field(), "amount");
	cr_assert_str_eq(pcrm_error_value(0), "3");

	pcrm__error(PCRM_ENOTFOUND, "no tariff in effect on 2026-10-01");
	cr_assert_str_eq(pcrm_error_reason(), "not_found");
	cr_assert_str_eq(pcrm_error_field(), "");
	cr_assert_eq(pcrm_error_value_count(), 0);

	pcrm_error_clear();
	cr_assert_str_eq(pcrm_error_reason(), "");
	cr_assert_str_eq(pcrm_error_field(), "");
}

/* Rendering never loses the error: a short buffer is cut at a character, a bad language refused. */
Test(error, render_cuts_at_characters_and_refuses_unknown_languages)
{
	char small[20], buf[256];
	pcrm__error_at(PCRM_EINVAL, "tariff.thresholds.not_increasing", "tiers.thresholds",
	               "tiers.thresholds: thresholds must be above 0 and increasing");
	cr_assert_eq(pcrm_error_render("zh-CN", small, sizeof(small)), PCRM_EOVERFLOW);
	cr_assert_eq(strlen(small) < sizeof(small), 1);
	for (size_t i = 0; small[i]; i++) /* the cut leaves no half character: valid UTF-8 */
		cr_assert((unsigned char)small[i] < 0x80 || i + 1 < strlen(small) ||
		          ((unsigned char)small[i] & 0xC0) != 0xC0);
	cr_assert_eq(pcrm_error_render("fr", buf, sizeof(buf)), PCRM_EINVAL);
	cr_assert(strstr(buf, "lang") != NULL, "%s", buf);
	cr_assert_str_eq(pcrm_error_reason(), "tariff.thresholds.not_increasing",
	                 "refusing a language keeps the error being rendered");
	cr_assert_eq(pcrm_error_render("zh-CN", buf, sizeof(buf)), PCRM_OK);
	cr_assert_str_eq(buf, "tiers.thresholds：阶梯电量上限必须大于 0 且逐档递增");
}
