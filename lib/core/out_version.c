/* The version check of caller-allocated output structs (out_version.h). */
#include "core/out_version.h"

#include "core/error.h"

int pcrm__out_version_check(const char *field, unsigned int version, unsigned int latest,
                            const char *init_macro)
{
	if (version >= 1 && version <= latest)
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL, "%s.version: %u is not 1..%u (initialise it with %s)",
	                   field, version, latest, init_macro);
}
