/*
 * libpowercrm - common definitions: export macro, status codes, errors.
 *
 * Every function of the library that can fail returns an int holding a
 * pcrm_status: 0 (PCRM_OK) on success, a negative code on failure.  A
 * human-readable message describing the last failure of the calling thread is
 * available from pcrm_error_last(); for bad input it names the offending field
 * or line.
 */
#ifndef POWERCRM_COMMON_H
#define POWERCRM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <powercrm/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a symbol as part of the public ABI (everything else is hidden). */
#if defined(_WIN32)
#  define PCRM_EXTERN(type) __declspec(dllexport) type
#elif defined(__GNUC__)
#  define PCRM_EXTERN(type) __attribute__((visibility("default"))) type
#else
#  define PCRM_EXTERN(type) type
#endif

/**
 * Progress of a long call (an import, a billing run or posting, audit
 * verification, a bank reconciliation, a work-order tick): called after each
 * committed batch (or each page read) with the count done so far, in the
 * unit the call's documentation names.  Return nonzero to stop: the call then
 * ends with PCRM_ESTATE, batches committed before staying (a read-only or
 * single-transaction call changes nothing).  May be NULL wherever taken.
 */
typedef int (*pcrm_progress_fn)(int64_t done, void *userdata);

/** Receives export output; return nonzero to stop (the export then fails with PCRM_EIO). */
typedef int (*pcrm_write_fn)(const char *data, size_t len, void *userdata);

/**
 * Status codes.  Stable: values are never renumbered, new codes are only
 * appended.  Errors are negative so `if (rc < 0)` is always the failure test.
 */
typedef enum pcrm_status {
	PCRM_OK          = 0,   /**< success */
	PCRM_EINVAL      = -1,  /**< invalid input (the message names the field) */
	PCRM_ENOTFOUND   = -2,  /**< the object does not exist */
	PCRM_ECONFLICT   = -3,  /**< stale version: somebody changed it first */
	PCRM_EDUPLICATE  = -4,  /**< a unique key is already taken */
	PCRM_EPERM       = -5,  /**< the actor is not allowed to do this */
	PCRM_ESTATE      = -6,  /**< the object is in the wrong state for this */
	PCRM_ESTORE      = -7,  /**< the store failed (SQL error, constraint) */
	PCRM_ECONNECTION = -8,  /**< the store connection was lost; the next call reconnects */
	PCRM_ERETRY      = -9,  /**< serialization failure or busy store: retry the transaction */
	PCRM_EIO         = -10, /**< file or operating-system I/O failed */
	PCRM_ENOMEM      = -11, /**< out of memory */
	PCRM_EOVERFLOW   = -12, /**< arithmetic result does not fit; nothing was wrapped */
	PCRM_ESCHEMA     = -13, /**< the database schema is newer than this library */
	PCRM_EINTEGRITY  = -14, /**< tampering detected (audit chain, authenticated data) */
	PCRM_EUNSUPPORTED = -15, /**< the operation is not available in this build or store */
	PCRM_ENOTDB      = -16  /**< the store URI names a file that is not a database */
} pcrm_status;

/**
 * Returns a static English description of a status code ("invalid input",
 * ...).  Never NULL; unknown codes give "unknown status".
 */
PCRM_EXTERN(const char *) pcrm_strerror(int status);

/**
 * Returns the message of the last error raised in the calling thread, or ""
 * when the last call succeeded without setting one.  The string is owned by
 * the library and stays valid until the next failing call in the same thread.
 */
PCRM_EXTERN(const char *) pcrm_error_last(void);

/** Returns the status code that goes with pcrm_error_last(), or PCRM_OK. */
PCRM_EXTERN(int) pcrm_error_last_status(void);

/** Forgets the calling thread's last error. */
PCRM_EXTERN(void) pcrm_error_clear(void);

/**
 * Returns the library version as "MAJOR.MINOR.PATCH".  It agrees with the
 * PCRM_VERSION_* macros of the headers the library was built with; compare
 * them to detect a header/library mismatch.
 */
PCRM_EXTERN(const char *) pcrm_version(void);

/** Returns the library version as one number: MAJOR*10000 + MINOR*100 + PATCH. */
PCRM_EXTERN(int) pcrm_version_number(void);

/** Frees memory the library handed to the caller with "free with pcrm_free". NULL is a no-op. */
PCRM_EXTERN(void) pcrm_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_COMMON_H */
