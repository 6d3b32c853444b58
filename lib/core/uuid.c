/* Identifiers come from libuuid: random v4, canonical lowercase text. */
#include <uuid/uuid.h>

#include "uuid.h"

void pcrm__uuid_new(char out[PCRM_UUID_STRING_LEN + 1])
{
	uuid_t id;
	uuid_generate_random(id);
	uuid_unparse_lower(id, out);
}

int pcrm__uuid_is_valid(const char *text)
{
	uuid_t id;
	return text && uuid_parse(text, id) == 0;
}
