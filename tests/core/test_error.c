/* Status codes, messages and the version agree with the headers. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <powercrm.h>
#include "core/error.h"

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
