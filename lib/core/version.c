/* The library's own idea of its version, compiled from the same generated header. */
#include <stdlib.h>

#include <powercrm/common.h>

const char *pcrm_version(void)
{
	return PCRM_VERSION_STRING;
}

int pcrm_version_number(void)
{
	return PCRM_VERSION_NUMBER;
}

void pcrm_free(void *ptr)
{
	free(ptr);
}
