/*
 * A program built against the *installed* library, the way a user builds
 * one: only <powercrm.h>, flags from pkg-config.  check-install.sh compiles
 * and runs it; any mismatch between the installed header and the installed
 * library shows up here.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm.h>

int main(void)
{
	const char *version = pcrm_version();

	printf("libpowercrm %s\n", version);
	if (strcmp(version, PCRM_VERSION_STRING) != 0) {
		fprintf(stderr, "header says %s, library says %s\n", PCRM_VERSION_STRING, version);
		return 1;
	}
	if (pcrm_version_number() != PCRM_VERSION_NUMBER) {
		fprintf(stderr, "header number %d, library number %d\n", PCRM_VERSION_NUMBER,
		        pcrm_version_number());
		return 1;
	}
	printf("EINVAL: %s\n", pcrm_strerror(PCRM_EINVAL));
	return 0;
}
