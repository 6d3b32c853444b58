/* Internal: shared between the IVR's files. */
#ifndef PCRM_IVR_INTERNAL_H
#define PCRM_IVR_INTERNAL_H

#include <powercrm/ivr.h>

/**
 * A number followed by a measure word (笔, 天, 千瓦时...), read as
 * pcrm_ivr_speak_energy() reads kWh: a lone 2 reads 两 (两笔).  Errors name
 * `field`.
 */
int pcrm__ivr_speak_quantity(pcrm_decimal value, const char *measure, const char *field,
                             char *buf, size_t size);

#endif
