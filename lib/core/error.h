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

/**
 * pcrm__error() with a specific reason id (docs/errors.md) and the field it
 * is about (NULL: derived from the message as for pcrm__error()).
 */
int pcrm__error_at(int status, const char *reason, const char *field, const char *fmt, ...)
	PCRM_PRINTF(4, 5);

/** Adds a named value to the last error (at most PCRM__ERROR_VALUES; more are dropped). */
void pcrm__error_value(const char *name, const char *fmt, ...) PCRM_PRINTF(2, 3);

/** The last error's value named `name` (derived ones included), or NULL. */
const char *pcrm__error_value_named(const char *name);

/** Records PCRM_ENOMEM ("out of memory") and returns it. */
int pcrm__error_oom(void);

/** Appends ": <text>" context to the current message (e.g. a file name). */
void pcrm__error_prefix(const char *fmt, ...) PCRM_PRINTF(1, 2);

/** Longest message pcrm_error_last() holds, including the NUL. */
#define PCRM__ERROR_MESSAGE_MAX 1024

/**
 * A copy of the calling thread's last error.  A clean-up step after a failure
 * (a rollback, draining queued events) may fail or succeed on its own and set
 * the thread's error; the caller must still see the first failure's message:
 *
 *     pcrm__error_state e;
 *     pcrm__error_save(&e);
 *     pcrm__store_rollback(st);
 *     return pcrm__error_restore(&e, rc);
 */
#define PCRM__ERROR_VALUES 4

/* The structured part of an error (error.c). */
struct pcrm__error_detail {
	char reason[64];  /* "" until set: the status's generic id */
	char field[128];
	int field_set;    /* 1: field given by the raiser; 0: derived from the message on demand */
	int derived;      /* the message was parsed for the field and line already */
	int nvalues;
	char names[PCRM__ERROR_VALUES][24];
	char values[PCRM__ERROR_VALUES][128];
};

typedef struct pcrm__error_state {
	int status;
	char message[PCRM__ERROR_MESSAGE_MAX];
	struct pcrm__error_detail detail;
} pcrm__error_state;

void pcrm__error_save(pcrm__error_state *state);

/**
 * Makes the saved message the thread's last error again, with `status`
 * (pass state->status to restore it unchanged; PCRM_OK clears the error), and
 * returns `status`.
 */
int pcrm__error_restore(const pcrm__error_state *state, int status);

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
