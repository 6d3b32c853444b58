/*
 * Keyset cursors: "<instant>.<uuid>", the key of the last row of a page.
 */
#include <string.h>

#include "store/keyset.h"

int pcrm__keyset_cursor_parse(const char *cursor, const char *maker, pcrm_time *at,
			      char id[PCRM_UUID_STRING_LEN + 1])
{
	const char *p = cursor;
	pcrm_time v = 0;

	/* at most 15 digits: an instant in seconds, and never an overflow */
	for (; *p >= '0' && *p <= '9' && p - cursor < 15; p++)
		v = v * 10 + (*p - '0');
	if (p == cursor || *p != '.' || strlen(p + 1) != PCRM_UUID_STRING_LEN ||
	    !pcrm__uuid_is_valid(p + 1))
		return pcrm__error(PCRM_EINVAL, "cursor: \"%.48s\" is not a cursor from %s()",
				   cursor, maker);
	*at = v;
	memcpy(id, p + 1, PCRM_UUID_STRING_LEN + 1);
	return PCRM_OK;
}
