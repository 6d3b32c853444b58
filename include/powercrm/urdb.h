/*
 * libpowercrm - importing tariffs from the OpenEI Utility Rate Database (URDB).
 *
 * pcrm_tariff_from_urdb() converts one URDB rate (the JSON object of the
 * URDB API, v7 or v8 field names, or an API answer {"items": [rate]})
 * into the library's tariff document (docs/tariff-format.md, "Importing from
 * URDB").  The conversion is all or nothing: a rate that uses anything the
 * tariff format cannot express yet (hourly net billing, coincident demand,
 * per-month ratchet percentages, ...) is refused with PCRM_EUNSUPPORTED and a message that lists
 * every such field, so that nothing is silently dropped; a malformed rate is
 * refused with PCRM_EINVAL naming the JSON path of the bad value.
 *
 * URDB writes prices as JSON numbers.  They are read from the document's
 * text, digit for digit, never through binary floating point: 0.08295 is
 * the decimal 0.08295.
 */
#ifndef POWERCRM_URDB_H
#define POWERCRM_URDB_H

#include <powercrm/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the URDB rate does not say and the tariff document needs. */
typedef struct pcrm_urdb_options {
	int version;                /**< PCRM_URDB_OPTIONS_VERSION */
	const char *id;             /**< tariff id; NULL: "urdb-" + the rate's "label" */
	int64_t tariff_version;     /**< the tariff's version; 0 means 1 */
	const char *effective_from; /**< "YYYY-MM-DD"; NULL: the UTC date of the rate's "startdate" */
	const char *currency;       /**< ISO 4217; NULL: "USD" */
	const char *rounding;       /**< a tariff rounding mode; NULL: "half_up" */
	const char *utc_offset;     /**< "+HH:MM" the schedules' hours are read in; NULL: "+00:00" */
	/**
	 * Version 2: an IANA zone ("America/Los_Angeles") whose local clock
	 * hours, daylight saving time included, the schedules' hours are read
	 * in (the tariff's "time_zone"); not with utc_offset.  NULL: utc_offset.
	 */
	const char *time_zone;
} pcrm_urdb_options;

/*
 * 2 added time_zone.  A caller built against version 1 (which has no
 * time_zone member) still passes 1 and is read as such.
 */
#define PCRM_URDB_OPTIONS_VERSION 2
#define PCRM_URDB_OPTIONS_INIT { PCRM_URDB_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL }

/**
 * Converts the URDB rate `urdb_json` (NUL-terminated) into a tariff
 * document, written to `*out` as JSON text (free with pcrm_free()) that
 * pcrm_tariff_load() accepts.  `options` may be NULL (all defaults).
 *
 * PCRM_EUNSUPPORTED: the rate uses fields the tariff format cannot express
 * yet; the message lists every one of them with the reason, e.g.
 * "urdb: cannot express 2 fields in the tariff format yet (nothing was
 * converted): demandratchetpercentage (a ratchet percentage per month);
 * dgrules ("Net Billing Hourly": imports and exports netted per hour)".  PCRM_EINVAL: the document is malformed (the
 * message starts with the JSON path) or an option is bad.  On failure
 * `*out` is NULL.
 */
PCRM_EXTERN(int) pcrm_tariff_from_urdb(const char *urdb_json, const pcrm_urdb_options *options,
                                       char **out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_URDB_H */
