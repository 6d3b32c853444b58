/* Internal: raising errors with a thread-local message. */
#ifndef PCRM_CORE_ERROR_H
#define PCRM_CORE_ERROR_H

#include <powercrm/common.h>

#if defined(__GNUC__)
#  define PCRM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define PCRM_PRINTF(f, a)
#endif

/**
 * Records `status` with a printf-style message as the calling thread's last
 * error and returns `status`, so callers write `return pcrm__error(...)`.
 */
int pcrm__error(int status, const char *fmt, ...) PCRM_PRINTF(2, 3);

/** Records PCRM_ENOMEM ("out of memory") and returns it. */
int pcrm__error_oom(void);

/** Appends ": <text>" context to the current message (e.g. a file name). */
void pcrm__error_prefix(const char *fmt, ...) PCRM_PRINTF(1, 2);

#endif
