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

/** How many bytes of untrusted input an error message quotes. */
#define PCRM_QUOTE_MAX 40

/** Room for a quoted excerpt: every byte may become \xHH, plus "..." and NUL. */
#define PCRM_QUOTE_SIZE (PCRM_QUOTE_MAX * 4 + 8)

/**
 * Copies up to PCRM_QUOTE_MAX bytes of untrusted input into q for an error
 * message, escaping quotes, backslashes and non-printable bytes, and marking
 * a cut with "...".  `len` is the input's length (it need not be NUL-ended).
 */
void pcrm__quote(const char *text, size_t len, char *q, size_t size);

#endif
